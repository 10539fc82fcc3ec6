import type { ConventionName, DerivedMetrics, HardwareProfile, Pricing } from '../cost-models/index.js';
import { chipModel, type ChipOptions, type ChipResult } from '../chip/index.js';
import type { ModelSpec } from '../models/spec.js';
import { modelStats } from '../models/stats.js';
import type { CoreName } from '../sim/cores/index.js';
import type { OpCounts } from '../sim/counts.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex, type OpKind } from '../sim/ops.js';
import type { DatasetSummary } from '../record/record.js';
import type { Accuracy } from './accuracy.js';
import { blockEnergies } from './blocks.js';
import { modelLabel, wilson95 } from './format.js';
import { PROFILE_REPORT_SCHEMA_VERSION, type LayerReport, type ProfileEnergy, type ProfileReport } from './schema.js';
import { neurobenchMetrics } from './neurobench.js';
import { multiLevelSpikes } from './multi-level.js';
import type { ModuleZeros } from '../record/record.js';

/** What the profile run was asked to do (recorded verbatim in profile.json). */
export interface RunConfig {
  model: string;
  checkpoint: string | null;
  dataset: string;
  samples: number;
  hardware: string[];
  convention: ConventionName;
  core: CoreName;
  batchCoupling: BatchCoupling;
  batchSize: number;
  seed: number;
  /** Every convention priced, when more than `convention`. */
  conventions?: ConventionName[];
  /** The command line, when the run came from the CLI. */
  command?: string | null;
  notes?: string[];
}

export type { DatasetSummary };

export interface PricedProfile {
  profile: HardwareProfile;
  pricing: Pricing;
  derived: DerivedMetrics;
}

export interface ProfileReportInput {
  spikewattVersion: string;
  config: RunConfig;
  spec: ModelSpec;
  /** Where the weights came from, in words (`random, seed 0` or the checkpoint path). */
  weights: string;
  /** The weights file and its SHA-256, or null for generated weights. */
  weightsFile?: string | null;
  weightsSha256?: string | null;
  dataset: DatasetSummary;
  accuracy: Accuracy;
  /** Exact counts of the simulation (all samples). */
  counts: OpCounts;
  priced: PricedProfile[];
  /** Chip model options (weight sharing) for the profiles that have an architecture. */
  chip?: ChipOptions;
  /** Zero and all weights per Conv/Linear module (the run record's), for NeuroBench's metrics; null when unknown. */
  connections?: readonly ModuleZeros[] | null;
}

const zeroOps = (): Record<OpKind, number> => {
  const o = {} as Record<OpKind, number>;
  for (const k of OP_KINDS) o[k] = 0;
  return o;
};

export function stageOf(layerName: string): string {
  return layerName.split('.')[0] ?? layerName;
}

/** Per layer per step, per inference: the exact counts and, for LIF layers, the firing rate. */
export function layerReports(counts: OpCounts): LayerReport[] {
  const S = counts.samples,
    T = counts.timesteps;
  if (!(S > 0)) throw new Error(`counts of ${counts.model} hold no samples`);
  return counts.layers.map((lc) => ({
    name: lc.name,
    kind: lc.kind,
    stage: stageOf(lc.name),
    inputElements: lc.inputElements,
    outputElements: lc.outputElements,
    inputIsEvents: lc.inputIsEvents,
    inputBinary: lc.inputBinary,
    perStep: Array.from({ length: T }, (_, t) => {
      const ops = zeroOps();
      for (const k of OP_KINDS) ops[k] = lc.ops[t * NUM_OP_KINDS + opIndex(k)]! / S;
      const spikes = lc.outputSpikes[t]! / S;
      return {
        t,
        ops,
        inputEvents: lc.inputEvents[t]! / S,
        inputUnitSpikes: lc.inputUnitSpikes[t]! / S,
        outputSpikes: spikes,
        firingRate: lc.kind === 'lif' && lc.outputElements > 0 ? spikes / lc.outputElements : null,
      };
    }),
  }));
}

/** Numeric leaves of the derived metrics as dotted keys (`ann.energyRatio`); nulls and the citation table left out. */
export function flattenDerived(d: DerivedMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (k === 'breakEven') continue;
      if (typeof v === 'number' && Number.isFinite(v)) out[prefix + k] = v;
      else if (typeof v === 'boolean') out[prefix + k] = v ? 1 : 0;
      else if (v && typeof v === 'object') walk(v as Record<string, unknown>, `${prefix}${k}.`);
    }
  };
  walk(d as unknown as Record<string, unknown>, '');
  return out;
}

/** One profile's energy, aggregated per spec layer (a syops BatchNorm row is added to its conv) per step. */
export function profileEnergy(layers: readonly LayerReport[], p: PricedProfile): ProfileEnergy {
  const { profile, pricing } = p;
  const S = pricing.samples,
    T = pricing.timesteps;
  const index = new Map(layers.map((l, i) => [l.name, i] as const));
  const perLayer: ProfileEnergy['layers'] = layers.map((l) => ({
    name: l.name,
    perStep: Array.from({ length: T }, (_, t) => ({ t, byOpKindPj: zeroOps(), totalPj: 0 })),
    unpriced: [],
    memory: [],
  }));
  for (const row of pricing.rows) {
    const i = index.get(row.layer);
    if (i === undefined) throw new Error(`pricing of ${profile.name} has a row for ${row.layer}, which the counts do not have`);
    const target = perLayer[i]!;
    for (const k of OP_KINDS) {
      const n = row.unpricedCounts[k];
      if (n === undefined) continue;
      const u = target.unpriced!.find((x) => x.op === k);
      if (u) u.count += n / S;
      else target.unpriced!.push({ op: k, count: n / S });
    }
    for (const k of ['memRead', 'memWrite'] as const) {
      const bytes = row.memoryBytes[k],
        pj = row.unitEnergyPj[k];
      if (bytes !== undefined && pj !== undefined && !target.memory!.some((m) => m.op === k))
        target.memory!.push({ op: k, bytes, pjPerWord: pj });
    }
    for (const k of OP_KINDS) {
      const e = row.energyPj[k];
      for (let t = 0; t < T; t++) {
        const pj = (e[t] ?? 0) / S;
        const step = perLayer[i]!.perStep[t]!;
        step.byOpKindPj[k] += pj;
        step.totalPj += pj;
      }
    }
  }
  const byOpKindPj = zeroOps(),
    countsPerInference = zeroOps();
  for (const k of OP_KINDS) {
    byOpKindPj[k] = pricing.byKind[k].energyPjPerInference;
    countsPerInference[k] = pricing.byKind[k].countPerInference;
  }
  const sources: ProfileEnergy['sources'] = [];
  for (const k of OP_KINDS) {
    const e = profile.ops[k];
    if (e) {
      sources.push({
        op: k,
        energyPj: e.energyPj ?? null,
        includedIn: e.includedIn ? [...e.includedIn] : null,
        provenance: e.provenance ?? null,
        source: e.note ? `${e.source} (${e.note})` : e.source,
      });
    } else if ((k === 'memRead' || k === 'memWrite') && profile.memory) {
      sources.push({
        op: k,
        energyPj: null,
        includedIn: null,
        provenance: null,
        source: 'memory model: priced by the capacity of the memory that holds the data (see the memory table)',
      });
    }
  }
  const memory: ProfileEnergy['memory'] = [];
  if (profile.memory) {
    for (const m of profile.memory.onChip)
      memory.push({
        where: 'on-chip',
        capacityBytes: m.capacityBytes,
        energyPjPerAccess: m.energyPjPerAccess,
        accessBits: m.accessBits,
        provenance: m.provenance,
        source: m.source,
      });
    const off = profile.memory.offChip;
    if (off)
      memory.push({
        where: 'off-chip',
        capacityBytes: null,
        energyPjPerAccess: off.energyPjPerAccess,
        accessBits: off.accessBits,
        provenance: off.provenance,
        source: off.source,
      });
  }
  const energy: ProfileEnergy = {
    profile: profile.name,
    technology: profile.technology,
    description: profile.description,
    sources,
    notes: [...(profile.notes ?? [])],
    memory,
    convention: pricing.convention,
    conventionNotes: [...pricing.conventionNotes],
    countsPerInference,
    totalMj: pricing.energyMjPerInference,
    byOpKindPj,
    layers: perLayer,
    unpriced: pricing.unpriced.map((u) => ({ op: u.kind, count: u.countPerInference })),
    complete: pricing.complete,
    derived: flattenDerived(p.derived),
  };
  energy.blocks = blockEnergies(layers, energy);
  return energy;
}

export function buildProfileReport(i: ProfileReportInput): ProfileReport {
  const { spec } = i;
  const stats = modelStats(spec);
  const layers = layerReports(i.counts);
  const cfg = spec.config;
  const inputShape =
    cfg.input === 'dvs'
      ? [cfg.timesteps, spec.inputShape.c, spec.inputShape.h, spec.inputShape.w]
      : [spec.inputShape.c, spec.inputShape.h, spec.inputShape.w];
  const energy = withChips(i, layers);
  const multiLevel = multiLevelSpikes(spec, i.counts, energy);
  return {
    schemaVersion: PROFILE_REPORT_SCHEMA_VERSION,
    kind: 'spikewatt-profile',
    spikewattVersion: i.spikewattVersion,
    config: {
      ...i.config,
      hardware: [...i.config.hardware],
      ...(i.config.conventions ? { conventions: [...i.config.conventions] } : {}),
      ...(i.config.notes ? { notes: [...i.config.notes] } : {}),
    },
    model: {
      name: spec.name,
      family: cfg.family,
      attention: [...cfg.attention],
      timesteps: cfg.timesteps,
      inputShape,
      numClasses: cfg.numClasses,
      params: stats.paramsUsed,
      denseMacsPerStep: stats.denseMacsPerStep,
      attentionFlopsPerStep: stats.attentionFlopsPerStep,
      weights: i.weights,
      label: modelLabel(cfg, inputShape, i.config.checkpoint),
      config: { ...cfg, heads: [...cfg.heads], attention: [...cfg.attention] },
      weightsFile: i.weightsFile ?? i.config.checkpoint,
      weightsSha256: i.weightsSha256 ?? null,
      init: i.config.checkpoint !== null ? 'checkpoint (trained or converted weights)' : i.weights,
    },
    dataset: { ...i.dataset, sampleShape: [...i.dataset.sampleShape] },
    accuracy: { ...i.accuracy, top1Wilson95: wilson95(i.accuracy.correctTop1, i.accuracy.samples) },
    timesteps: i.counts.timesteps,
    layers,
    energy,
    neurobench: neurobenchMetrics({ spec, counts: i.counts, top1: i.accuracy.top1, weights: i.connections ?? null }),
    ...(multiLevel ? { multiLevel } : {}),
  };
}

/**
 * Every priced profile's energy, with the chip model beside it where the profile has an architecture: computed here,
 * where profile, re-pricing and merge all pass, once per profile (the chip model does not depend on the convention).
 */
function withChips(i: ProfileReportInput, layers: readonly LayerReport[]): ProfileEnergy[] {
  const chips = new Map<HardwareProfile, ChipResult | null>();
  return i.priced.map((p) => {
    const e = profileEnergy(layers, p);
    if (!chips.has(p.profile)) chips.set(p.profile, chipModel(i.spec, i.counts, p.profile, i.chip ?? {}));
    const chip = chips.get(p.profile);
    if (chip) e.chip = chip;
    return e;
  });
}
