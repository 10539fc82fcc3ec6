import { basename } from 'node:path';
import { InputError } from '../../errors.js';
import type { ModelConfig, ModelSpec } from '../spec.js';
import { buildModel, validateConfig } from '../zoo.js';

/**
 * The one owner of the model metadata spikewatt stores in a checkpoint: the JSON under safetensors
 * `__metadata__["spikewatt"]`. Two formats share the key:
 *  - `spikewatt-checkpoint` v1, written by `spikewatt train` (src/train/checkpoint.ts), with training state;
 *  - `spikewatt-converted` v1, written by `spikewatt convert` from an official PyTorch file, no training state.
 * Readers (profile, compare, eval, demo) only need `config`; `readCheckpointSpec` also accepts a bare
 * ModelConfig or `{name, config}` under `spikewatt`, `model` or `config`, for files written by other tools.
 */
export const CHECKPOINT_META_KEY = 'spikewatt';
export const CHECKPOINT_CONFIG_KEYS = [CHECKPOINT_META_KEY, 'model', 'config'] as const;

/** The optimiser's hyperparameters, as the trainer (src/train/trainer.ts) takes them and a checkpoint records them. */
export interface TrainHyperparameters {
  batchSize: number;
  lr: number;
  minLr: number;
  /** Linear warm-up length in epochs (fractions allowed). */
  warmupEpochs: number;
  weightDecay: number;
  labelSmoothing: number;
  seed: number;
}

/** What `spikewatt train` stores; `N` is the dataset normalisation record (typed in src/data). */
export interface TrainedCheckpointMeta<N = unknown> {
  format: 'spikewatt-checkpoint';
  version: 1;
  /** Zoo entry the config was derived from (`qkformer-cifar10`). */
  zoo: string;
  /** The full model config (overrides applied). */
  config: ModelConfig;
  dataset: { name: string; source: string; trainSamples: number; normalization: N };
  /** Epochs completed so far (resume continues from here) and the run's planned total. */
  epochsDone: number;
  epochs: number;
  optimizerSteps: number;
  train: TrainHyperparameters & { cropPad: number; flip: boolean };
  /** Dense-engine test accuracy after the last epoch, and on how many test samples. */
  testTop1: number | null;
  testTop5: number | null;
  testSamples: number;
  /** Seconds of training so far (all sessions). */
  trainSeconds: number;
  backend: string;
}

/**
 * What `spikewatt convert` stores. `format` differs from the trainer's on purpose: a converted file has no
 * training state to resume.
 */
export interface ConvertedCheckpointMeta {
  format: 'spikewatt-converted';
  version: 1;
  zoo: string;
  config: ModelConfig;
  source: {
    file: string;
    format: 'zip' | 'legacy' | 'safetensors';
    archiveName: string | null;
    stateDictKey: string | null;
    strippedPrefix: string | null;
    epoch: number | null;
    arch: string | null;
    dtypes: Record<string, number>;
    scalars: Record<string, number | string | boolean>;
    args: Record<string, unknown> | null;
  };
}

export type CheckpointMeta<N = unknown> = TrainedCheckpointMeta<N> | ConvertedCheckpointMeta;

/** A checkpoint whose metadata is missing, not JSON, or not a format spikewatt reads. */
export class CheckpointConfigError extends InputError {
  override name = 'CheckpointConfigError';
}

/** The safetensors `__metadata__` entries for a checkpoint's spikewatt metadata. */
export function checkpointMetadata(meta: CheckpointMeta): Record<string, string> {
  return { [CHECKPOINT_META_KEY]: JSON.stringify(meta), format: 'pt' };
}

/**
 * The trainer's metadata of a file, or null when the file has none (a foreign or converted checkpoint has no
 * training state). Throws CheckpointConfigError when the entry is there but unreadable.
 */
export function readTrainedMeta<N>(metadata: Record<string, string>, what: string): TrainedCheckpointMeta<N> | null {
  const raw = metadata[CHECKPOINT_META_KEY];
  if (raw === undefined) return null;
  let meta: TrainedCheckpointMeta<N>;
  try {
    meta = JSON.parse(raw) as TrainedCheckpointMeta<N>;
  } catch {
    throw new CheckpointConfigError(`${what}: spikewatt metadata is not valid JSON`);
  }
  if (meta.format !== 'spikewatt-checkpoint' || meta.version !== 1 || typeof meta.config !== 'object') {
    throw new CheckpointConfigError(`${what}: unknown spikewatt metadata format ${String(meta.format)} v${String(meta.version)}`);
  }
  return meta;
}

/**
 * A checkpoint's model spec from its safetensors metadata. `timesteps` replaces the stored T (the weights do
 * not depend on it); no other override applies to a checkpoint, whose weights fix the shapes.
 */
export function readCheckpointSpec(metadata: Record<string, string>, path: string, timesteps?: number): ModelSpec {
  let raw: unknown;
  for (const k of CHECKPOINT_CONFIG_KEYS) {
    const v = metadata[k];
    if (v === undefined) continue;
    try {
      raw = JSON.parse(v);
    } catch {
      throw new CheckpointConfigError(`${path}: metadata '${k}' is not JSON`);
    }
    break;
  }
  if (raw === undefined) {
    throw new CheckpointConfigError(
      `${path}: no model config in the safetensors metadata ` +
        `(expected one of ${CHECKPOINT_CONFIG_KEYS.join(', ')}); ` +
        'spikewatt train writes it',
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CheckpointConfigError(`${path}: the metadata model config is not a JSON object`);
  }
  const obj = raw as { name?: unknown; zoo?: unknown; config?: unknown; family?: unknown };
  const config = (obj.family !== undefined ? obj : obj.config) as ModelConfig | undefined;
  if (!config || typeof config !== 'object') {
    throw new CheckpointConfigError(`${path}: the metadata model config has no 'config' or 'family'`);
  }
  const name =
    typeof obj.name === 'string' ? obj.name : typeof obj.zoo === 'string' ? obj.zoo : basename(path).replace(/\.safetensors$/, '');
  const cfg = { ...config, ...(timesteps !== undefined ? { timesteps } : {}) };
  try {
    validateConfig(cfg);
    return buildModel(name, cfg);
  } catch (e) {
    // the stored config is input: what it fails on is the user's answer; any other error is a bug
    if (!(e instanceof InputError)) throw e;
    throw new CheckpointConfigError(`${path}: ${e.message}`);
  }
}
