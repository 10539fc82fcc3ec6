import { readSafetensors, writeSafetensors } from '../models/safetensors.js';
import type { ModelConfig } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import type { Normalization } from '../data/dataset.js';

/** The JSON stored under safetensors `__metadata__["spikewatt"]` of every checkpoint `spikewatt train` writes. */
export interface CheckpointMeta {
  format: 'spikewatt-checkpoint';
  version: 1;
  /** Zoo entry the config was derived from (`qkformer-cifar10`). */
  zoo: string;
  /** The full model config (overrides applied). */
  config: ModelConfig;
  dataset: { name: string; source: string; trainSamples: number; normalization: Normalization };
  /** Epochs completed so far (resume continues from here) and the run's planned total. */
  epochsDone: number;
  epochs: number;
  optimizerSteps: number;
  train: {
    batchSize: number; lr: number; minLr: number; warmupEpochs: number; weightDecay: number; labelSmoothing: number;
    seed: number; cropPad: number; flip: boolean;
  };
  /** Dense-engine test accuracy after the last epoch, and on how many test samples. */
  testTop1: number | null;
  testTop5: number | null;
  testSamples: number;
  /** Seconds of training so far (all sessions). */
  trainSeconds: number;
  backend: string;
}

export class CheckpointMetaError extends Error {}

export const META_KEY = 'spikewatt';

export function encodeCheckpoint(weights: TensorMap, meta: CheckpointMeta): Uint8Array {
  return writeSafetensors(weights, { [META_KEY]: JSON.stringify(meta), format: 'pt' });
}

/** Reads a checkpoint's tensors and, when present, its spikewatt metadata (null for foreign files). */
export function decodeCheckpoint(buf: Uint8Array, what: string): { tensors: TensorMap; meta: CheckpointMeta | null } {
  const f = readSafetensors(buf, what);
  const raw = f.metadata[META_KEY];
  if (raw === undefined) return { tensors: f.tensors, meta: null };
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(raw) as CheckpointMeta;
  } catch {
    throw new CheckpointMetaError(`${what}: spikewatt metadata is not valid JSON`);
  }
  if (meta.format !== 'spikewatt-checkpoint' || meta.version !== 1 || typeof meta.config !== 'object') {
    throw new CheckpointMetaError(`${what}: unknown spikewatt metadata format ${String(meta.format)} v${String(meta.version)}`);
  }
  return { tensors: f.tensors, meta };
}
