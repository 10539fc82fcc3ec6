import { checkpointMetadata, readTrainedMeta, type TrainedCheckpointMeta } from '../models/detect/checkpoint-config.js';
import { readSafetensors, writeSafetensors } from '../models/formats/safetensors.js';
import type { TensorMap } from '../models/tensor.js';
import type { Normalization } from '../data/dataset.js';

/**
 * Checkpoints `spikewatt train` writes and resumes. The metadata format is owned by
 * src/models/detect/checkpoint-config.ts; this file only binds it to the dataset's normalisation type.
 */
export type CheckpointMeta = TrainedCheckpointMeta<Normalization>;

export function encodeCheckpoint(weights: TensorMap, meta: CheckpointMeta): Uint8Array {
  return writeSafetensors(weights, checkpointMetadata(meta));
}

/** Reads a checkpoint's tensors and, when present, its spikewatt metadata (null for foreign files). */
export function decodeCheckpoint(buf: Uint8Array, what: string): { tensors: TensorMap; meta: CheckpointMeta | null } {
  const f = readSafetensors(buf, what);
  return { tensors: f.tensors, meta: readTrainedMeta<Normalization>(f.metadata, what) };
}
