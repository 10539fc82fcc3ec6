import type { ModelConfig } from '../models/spec.js';
import { KNOB_NAMES } from '../models/knobs.js';
import type { ConfigOverrides } from '../models/zoo.js';
import type { OpCounts } from '../sim/counts.js';

/**
 * The run record: one simulation, counted, before any pricing (`counts.json`). Everything downstream starts here:
 * pricing on any hardware profile and convention, the chip model, every report renderer, `merge` of shards and
 * `report counts.json --hardware P`. It holds what the simulation did, never what a profile made of it.
 *
 * Identity has one meaning per field: `weights.fileSha256` is the SHA-256 of the checkpoint file's bytes (null for
 * generated weights); `weights.tensorsSha256` is the digest of the tensors simulated (every tensor in key order:
 * key, shape, float64 values), equal whether the weights came from a file or from a seeded init.
 */
export const RUN_RECORD_SCHEMA_VERSION = 1;

/** One sample's answer: its dataset index, its label and the classes ranked first (up to 5, best first). */
export interface Prediction {
  sample: number;
  label: number;
  top5: number[];
}

export interface RecordModel {
  /** The spec's name (a zoo name, or the checkpoint's). */
  name: string;
  /** The fully resolved config: `buildModel(name, config)` gives the simulated spec again. */
  config: ModelConfig;
  /** The model as the user named it (zoo name or checkpoint path). */
  arg: string;
  /** Size overrides given with a zoo name. */
  overrides: ConfigOverrides;
  /** Where the weights came from, in words (`random (seed 0)`, the checkpoint path, the calibrated init). */
  weights: string;
  /** One line on how the architecture was read from the weights, when no config stated it. */
  detected?: string;
  /**
   * The network as a model file (src/models/model-file.ts), when `config` alone does not rebuild it: a model file
   * or NIR graph of the `graph` family, or one whose nodes differ from its config's zoo builder.
   */
  graph?: unknown;
}

export interface RecordWeights {
  /** The checkpoint file, or null for generated weights. */
  file: string | null;
  /** SHA-256 of the checkpoint file's bytes; null for generated weights. */
  fileSha256: string | null;
  /** Digest of the tensors simulated (see the module comment). */
  tensorsSha256: string;
  /** Zero and all weights per Conv/Linear module, biases excluded (NeuroBench's connection sparsity); absent in older records. */
  connections?: ModuleZeros[];
}

/** One Conv/Linear module's weights: how many are exactly zero, of how many (`<module>.weight`). */
export interface ModuleZeros {
  module: string;
  zeros: number;
  weights: number;
}

/** What a dataset is (profile.json `dataset`): name, where it was read from, split, kind, classes, sample shape. */
export interface DatasetSummary {
  name: string;
  source: string;
  split: string;
  kind: string;
  numClasses: number;
  sampleShape: number[];
}

export interface RecordInput extends DatasetSummary {
  /** The dataset as given (`fashion-mnist`, `cifar10:PATH`, ...). */
  spec: string;
  /** Seed of generated datasets and random weights. */
  seed: number;
}

export interface RecordRun {
  /** Samples of the whole run (a shard holds the slice [first, end) of them). */
  samples: number;
  first: number;
  end: number;
  timesteps: number;
  core: string;
  batchCoupling: string;
  batchSize: number;
  /** The command line, when the run came from the CLI. */
  command: string | null;
  /** What the run changed or assumed that a reader should know. */
  notes: string[];
}

/** The pricing the run asked for (re-used by `report counts.json` and `merge` unless they are given others). */
export interface RecordPricing {
  hardware: string[];
  conventions: string[];
  allowUnpriced: boolean;
}

export interface RunRecord {
  schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION;
  kind: 'spikewatt-run-record';
  spikewattVersion: string;
  model: RecordModel;
  weights: RecordWeights;
  input: RecordInput;
  run: RecordRun;
  pricing: RecordPricing;
  /** `profile --shard i/n`: which part of the run this record is. */
  shard: { index: number; count: number } | null;
  /** One per simulated sample, in sample order. */
  predictions: Prediction[];
  /** Counts per layer x time step x op kind, summed over the samples, with per-neuron spikes. */
  counts: OpCounts;
  /** Each layer's output shape [c, h, w], in the order of `counts.layers` (what the chip model maps). */
  outShapes: [number, number, number][];
}

/** The knob table's order (src/models/knobs.ts). */
const OVERRIDE_KEYS = KNOB_NAMES satisfies readonly (keyof ConfigOverrides)[];

/** Size overrides in one key order (the file's), so that a record reads back byte for byte. */
export function canonicalOverrides(o: ConfigOverrides): ConfigOverrides {
  const out: Record<string, unknown> = {};
  for (const k of OVERRIDE_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as ConfigOverrides;
}

/**
 * The up-to-5 classes scoring highest, best first; a tie goes to the lower index (the rule of `labelRank`, so
 * `top5[0] === label` exactly when the label's rank is 0).
 */
export function topClasses(logits: ArrayLike<number>, k = 5): number[] {
  const idx = Array.from({ length: logits.length }, (_, i) => i);
  idx.sort((a, b) => logits[b]! - logits[a]! || a - b);
  return idx.slice(0, Math.min(k, logits.length));
}

/** Top-1 and top-5 from the predictions (top-5 only when the model has more than 5 classes, else null). */
export function recordAccuracy(r: Pick<RunRecord, 'predictions' | 'model'>): {
  samples: number;
  top1: number;
  top5: number | null;
  correctTop1: number;
  correctTop5: number | null;
} {
  const n = r.predictions.length;
  let c1 = 0,
    c5 = 0;
  for (const p of r.predictions) {
    if (p.top5[0] === p.label) c1++;
    if (p.top5.includes(p.label)) c5++;
  }
  const five = r.model.config.numClasses > 5;
  return {
    samples: n,
    top1: n ? c1 / n : 0,
    top5: five ? (n ? c5 / n : 0) : null,
    correctTop1: c1,
    correctTop5: five ? c5 : null,
  };
}
