import { z } from 'zod';
import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { InputError } from '../errors.js';
import { parseJsonWith } from '../json.js';
import { neuronSpikesSchema } from '../record/file.js';
import { chipReportSchema } from './chip-schema.js';
import { neurobenchSchema } from './neurobench.js';
import { multiLevelSchema } from './multi-level.js';

/**
 * `profile.json`: the one file every other profile output is rendered from (`spikewatt report` re-renders
 * it). Schema version 1. All counts and energies are per inference (summed over the run, divided by the
 * number of samples); firing rates are spikes / (elements x samples) of a LIF layer at one time step.
 */
export const PROFILE_REPORT_SCHEMA_VERSION = 1;

const finite = z.number().finite();
const count = finite.nonnegative();
const opRecord = z.strictObject(Object.fromEntries(OP_KINDS.map((k) => [k, count])) as Record<OpKind, typeof count>);

export const stepReportSchema = z.strictObject({
  t: z.number().int().nonnegative(),
  /** Ops per inference at this step, by kind (measured, the `exact` convention). */
  ops: opRecord,
  inputEvents: count,
  inputUnitSpikes: count,
  outputSpikes: count,
  /** LIF layers only: outputSpikes / outputElements. */
  firingRate: finite.min(0).max(1).nullable(),
});

export const layerReportSchema = z.strictObject({
  name: z.string(),
  kind: z.string(),
  /** First component of the name (`patch_embed1`, `stage2`, `head`). */
  stage: z.string(),
  inputElements: count,
  outputElements: count,
  inputIsEvents: z.boolean(),
  /** Whether every dense input value was exactly 0 or 1 (the syops and spikformer conventions read it; re-pricing needs it). */
  inputBinary: z.boolean().optional(),
  perStep: z.array(stepReportSchema),
});

/** The block a layer belongs to: SPEDS / patch embedding, attention, MLP, head (src/reports/blocks.ts). */
export const BLOCK_TYPES = ['patchEmbed', 'attention', 'mlp', 'head', 'other'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

/** One block instance's energy on one profile (per inference); `unpriced` lists op kinds in it the profile does not price. */
export const blockEnergySchema = z.strictObject({
  instance: z.string(),
  type: z.enum(BLOCK_TYPES),
  stage: z.string(),
  energyPj: count,
  memoryPj: count,
  /** Share of the profile's total energy (0..1). */
  share: finite.min(0).max(1),
  /** Synaptic ops (ac + mac), measured (exact counts), per inference. */
  synapticOps: count,
  unpriced: z.array(z.enum(OP_KINDS)),
  /** An attention block's kind (QKTA, SSA, SDSA, QKCA, or a token mixer: src/reports/blocks.ts mixingOf). */
  mixing: z.string().optional(),
});

/** The fully resolved model config (what `spikewatt models` prints; enough to build the model again). */
export const modelConfigSchema = z.strictObject({
  family: z.string(),
  embedDims: z.number().int().positive(),
  depths: z.number().int().nonnegative(),
  heads: z.array(z.number().int().positive()),
  mlpRatio: finite.positive(),
  timesteps: z.number().int().positive(),
  imgSize: z.number().int().positive(),
  inChannels: z.number().int().positive(),
  numClasses: z.number().int().positive(),
  attention: z.array(z.string()),
  speds: z.boolean(),
  input: z.string(),
  stageDims: z.array(z.number().int().positive()).optional(),
});

export const opPriceSourceSchema = z.strictObject({
  op: z.enum(OP_KINDS),
  energyPj: count.nullable(),
  includedIn: z.array(z.enum(OP_KINDS)).nullable(),
  provenance: z.string().nullable(),
  source: z.string(),
});

export const profileEnergySchema = z.strictObject({
  profile: z.string(),
  technology: z.string(),
  description: z.string(),
  /** Where each price comes from, as the profile file states it. */
  sources: z.array(opPriceSourceSchema),
  notes: z.array(z.string()),
  /** The profile's memory model (memRead/memWrite priced by the capacity of the memory holding the data). */
  memory: z.array(
    z.strictObject({
      where: z.string(),
      capacityBytes: count.nullable(),
      energyPjPerAccess: count,
      accessBits: z.number().int().positive(),
      provenance: z.string(),
      source: z.string(),
    }),
  ),
  convention: z.string(),
  /** Notes the convention made for this run. */
  conventionNotes: z.array(z.string()),
  /** Op counts per inference as the convention counts them (what the energy multiplies). */
  countsPerInference: opRecord,
  totalMj: count,
  byOpKindPj: opRecord,
  /** Per layer (same order as `layers`), per time step: energy per op kind in pJ per inference. */
  layers: z.array(
    z.strictObject({
      name: z.string(),
      perStep: z.array(z.strictObject({ t: z.number().int().nonnegative(), byOpKindPj: opRecord, totalPj: count })),
      /** Op kinds of this layer the profile does not price, with their counts per inference (its energy leaves them out). */
      unpriced: z.array(z.strictObject({ op: z.enum(OP_KINDS), count })).optional(),
      /** Memory kinds priced by the memory model: the capacity they were priced at and the resulting pJ per word. */
      memory: z.array(z.strictObject({ op: z.enum(['memRead', 'memWrite']), bytes: count, pjPerWord: count })).optional(),
    }),
  ),
  /** Op kinds that occurred and that the profile does not price (their energy is not in the totals). */
  unpriced: z.array(z.strictObject({ op: z.enum(OP_KINDS), count })),
  /** False when `unpriced` is not empty: `totalMj` and every sum of this profile are then lower bounds. */
  complete: z.boolean().optional(),
  /** Energy per block instance (network order) and its share of the total. */
  blocks: z.array(blockEnergySchema).optional(),
  /** Named scalar metrics (energy per synaptic op, EDP proxies ...) as the cost models derive them. */
  derived: z.record(z.string(), finite),
  /** The chip model (profiles with an architecture): mapping, traffic, latency, energy split with static power. */
  chip: chipReportSchema.optional(),
});

/** An exact integer count: a JSON number up to 2^53 - 1, else its decimal digits (sums of many parts can pass 2^53). */
export const exactCountSchema = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^[0-9]{1,40}$/)]);

/** The raw integer counts of a run (summed over its samples, not per inference), one entry per layer. */
export const rawCountsSchema = z.strictObject({
  samples: z.number().int().positive(),
  layers: z.array(
    z.strictObject({
      name: z.string(),
      /** [t * op kinds + op], op kinds in the order of OP_KINDS. */
      ops: z.array(exactCountSchema),
      inputEvents: z.array(exactCountSchema),
      inputUnitSpikes: z.array(exactCountSchema),
      outputSpikes: z.array(exactCountSchema),
      inputElements: z.number().int().nonnegative(),
      inputBinary: z.boolean(),
      inputIsEvents: z.boolean(),
      neuronSpikes: neuronSpikesSchema.optional(),
    }),
  ),
});

export const shardRecordSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  count: z.number().int().positive(),
  first: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});

export const profileReportSchema = z.strictObject({
  schemaVersion: z.literal(PROFILE_REPORT_SCHEMA_VERSION),
  kind: z.literal('spikewatt-profile'),
  spikewattVersion: z.string(),
  config: z.strictObject({
    model: z.string(),
    checkpoint: z.string().nullable(),
    dataset: z.string(),
    samples: z.number().int().positive(),
    hardware: z.array(z.string()),
    convention: z.string(),
    core: z.string(),
    batchCoupling: z.string(),
    batchSize: z.number().int().positive(),
    seed: z.number().int(),
    /** Every convention priced (`energy` holds profiles x conventions); `convention` is the first. */
    conventions: z.array(z.string()).optional(),
    /** The command line that made the run, when it came from the CLI. */
    command: z.string().nullable().optional(),
    /** What the run changed or assumed that a reader should know (a T other than the training T ...). */
    notes: z.array(z.string()).optional(),
  }),
  model: z.strictObject({
    name: z.string(),
    family: z.string(),
    attention: z.array(z.string()),
    timesteps: z.number().int().positive(),
    inputShape: z.array(z.number().int()),
    numClasses: z.number().int().positive(),
    params: count,
    denseMacsPerStep: count,
    attentionFlopsPerStep: count,
    weights: z.string(),
    /** What the model is, in words ("QKFormer, CIFAR-family stem, embed 64, depths 4, 1x28x28, T=4 (checkpoint fmnist-qkformer)"). */
    label: z.string().optional(),
    config: modelConfigSchema.optional(),
    /** The weights file and its SHA-256 (null for generated weights). */
    weightsFile: z.string().nullable().optional(),
    weightsSha256: z.string().nullable().optional(),
    /** How the weights were made: `checkpoint`, or the seeded init in words. */
    init: z.string().optional(),
  }),
  dataset: z.strictObject({
    name: z.string(),
    source: z.string(),
    split: z.string(),
    kind: z.string(),
    numClasses: z.number().int().positive(),
    sampleShape: z.array(z.number().int()),
  }),
  accuracy: z.strictObject({
    samples: z.number().int().positive(),
    top1: finite.min(0).max(1),
    top5: finite.min(0).max(1).nullable(),
    correctTop1: z.number().int().nonnegative(),
    correctTop5: z.number().int().nonnegative().nullable(),
    /** 95 % Wilson score interval of top-1. */
    top1Wilson95: z.tuple([finite, finite]).optional(),
  }),
  timesteps: z.number().int().positive(),
  layers: z.array(layerReportSchema),
  energy: z.array(profileEnergySchema),
  /** `profile --shard i/n` only: the slice [first, end) of the run's samples this part holds. */
  shard: shardRecordSchema.optional(),
  /** NeuroBench's static and workload metrics by their definitions, marked as spikewatt's estimate (also neurobench.json). */
  neurobench: neurobenchSchema.optional(),
  /** Models with multi-level integer spikes (SDT v3): their integer-event and binary-expansion counts, priced. */
  multiLevel: multiLevelSchema.optional(),
});

export type StepReport = z.infer<typeof stepReportSchema>;
export type LayerReport = z.infer<typeof layerReportSchema>;
export type ProfileEnergy = z.infer<typeof profileEnergySchema>;
export type ProfileReport = z.infer<typeof profileReportSchema>;
export type BlockEnergy = z.infer<typeof blockEnergySchema>;

/** A profile.json that does not parse or does not match the schema: one line naming the first problem. */
export class ReportFileError extends InputError {
  override name = 'ReportFileError';
}

export function parseProfileReport(text: string, file: string): ProfileReport {
  const fail = (pointer: string, reason: string) =>
    new ReportFileError(pointer === '/' ? `${file}: ${reason}` : `${file}: ${pointer}: ${reason}`);
  return parseJsonWith(profileReportSchema, text, fail, (raw) => {
    const v = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (v !== PROFILE_REPORT_SCHEMA_VERSION) {
      throw new ReportFileError(
        `${file}: schemaVersion ${JSON.stringify(v)} is not ${PROFILE_REPORT_SCHEMA_VERSION} ` +
          '(not a spikewatt profile.json, or from another version)',
      );
    }
  });
}

/** The serialised form: stable key order as built, one trailing newline. */
export function profileReportJson(r: ProfileReport): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}

/** Sum of a record of op kinds. */
export function sumOps(r: Record<OpKind, number>): number {
  let s = 0;
  for (const k of OP_KINDS) s += r[k];
  return s;
}

/** Mean firing rate of the LIF layers matching `keep`: total spikes / total neuron-steps. */
export function meanFiringRate(layers: readonly LayerReport[], keep: (l: LayerReport) => boolean = () => true): number | null {
  let spikes = 0,
    elements = 0;
  for (const l of layers) {
    if (l.kind !== 'lif' || !keep(l)) continue;
    for (const s of l.perStep) {
      spikes += s.outputSpikes;
      elements += l.outputElements;
    }
  }
  return elements > 0 ? spikes / elements : null;
}
