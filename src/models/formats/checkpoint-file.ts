import { InputError } from '../../errors.js';
import { CHECKPOINT_CONFIG_KEYS, readCheckpointSpec } from '../detect/checkpoint-config.js';
import { applyExplicit, buildDetected, detectConfig, DetectError, type Detection } from '../detect/detect.js';
import { readSafetensors } from './safetensors.js';
import type { ModelConfig, ModelSpec } from '../spec.js';
import type { TensorMap } from '../tensor.js';
import { readTorchCheckpoint, type TorchCheckpointMeta } from './torch-checkpoint.js';
import { checkCheckpoint } from '../weights.js';
import { isZooName, zooModel, ZOO_NAMES, type ConfigOverrides, type ZooName } from '../zoo.js';

/**
 * A checkpoint of any layout spikewatt reads, and the model its weights imply. The layout is sniffed from the bytes,
 * not the file name: safetensors start with an 8-byte header length then `{`, torch.save zips with `PK`, legacy
 * torch files with the pickle PROTO opcode (0x80).
 */
export type Layout = 'zip' | 'legacy' | 'safetensors';

export interface CheckpointFile {
  /** The file path or another name for messages. */
  what: string;
  layout: Layout;
  tensors: TensorMap;
  /** What the torch pickle holds beside the state_dict (epoch, args, ...); null for safetensors. */
  torch: TorchCheckpointMeta | null;
  /** safetensors `__metadata__`; empty for torch files. */
  metadata: Record<string, string>;
  bytes: number;
}

/** True when a safetensors file states its config (src/models/checkpoint-config.ts owns that metadata). */
export function hasConfigMetadata(f: CheckpointFile): boolean {
  return f.layout === 'safetensors' && CHECKPOINT_CONFIG_KEYS.some((k) => f.metadata[k] !== undefined);
}

/** The config a safetensors file states and its model name, or null; CheckpointConfigError when unreadable. */
export function storedConfig(f: CheckpointFile): { config: ModelConfig; name: string } | null {
  if (!hasConfigMetadata(f)) return null;
  const spec = readCheckpointSpec(f.metadata, f.what);
  return { config: spec.config, name: spec.name };
}

export function isTorchBytes(b: Uint8Array): boolean {
  // NOTE: a safetensors header length can start with byte 0x80 too; its JSON header (`{` at byte 8) tells them apart.
  if (b.length >= 9 && b[8] === 0x7b) {
    const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
    if (n > 0n && n <= BigInt(b.length - 8)) return false;
  }
  return (b[0] === 0x50 && b[1] === 0x4b) || b[0] === 0x80;
}

/** Reads a checkpoint; throws TorchCheckpointError / SafetensorsError / DetectError (all one line). */
export function readCheckpointBytes(bytes: Uint8Array, what: string, opts: { key?: string | undefined } = {}): CheckpointFile {
  if (isTorchBytes(bytes)) {
    const ck = readTorchCheckpoint(bytes, { what, ...(opts.key !== undefined ? { stateDictKey: opts.key } : {}) });
    return { what, layout: ck.meta.format, tensors: ck.tensors, torch: ck.meta, metadata: {}, bytes: bytes.length };
  }
  if (opts.key !== undefined) {
    throw new DetectError(`${what}: a state_dict key applies to PyTorch checkpoints, and this is a safetensors file`);
  }
  const f = readSafetensors(bytes, what);
  return { what, layout: 'safetensors', tensors: f.tensors, torch: null, metadata: f.metadata, bytes: bytes.length };
}

export interface CheckpointModel {
  spec: ModelSpec;
  /** Null only when `model` named the architecture and the keys fit no layout detection knows. */
  detection: Detection | null;
}

/**
 * The model of a checkpoint's weights: detected from keys and shapes, with a zoo name and size overrides over it; one
 * that contradicts a tensor is a DetectConflictError naming both. The weights are then checked key by key
 * (CheckpointMismatchError). A config stored in a safetensors file counts as stated, like a zoo name.
 */
export function checkpointModel(f: CheckpointFile, model: string | undefined, overrides: ConfigOverrides): CheckpointModel {
  let zoo: ZooName | undefined;
  if (model !== undefined) {
    if (!isZooName(model)) throw new DetectError(`unknown model '${model}' (known: ${ZOO_NAMES.join(', ')})`);
    zoo = model;
  }
  let found: Detection | null = null;
  try {
    found = detectConfig(f.tensors, { args: f.torch?.args ?? null });
  } catch (e) {
    if (!(e instanceof DetectError)) throw e;
    if (zoo === undefined) throw new DetectError(`${f.what}: ${e.message}; give the architecture: --model <zoo name> [size overrides]`);
  }
  let detection: Detection | null = null;
  let spec: ModelSpec;
  if (found === null) {
    // An unrecognised layout with an explicit architecture: the key-by-key check below names what differs.
    try {
      spec = zooModel(zoo!, overrides);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new DetectError(e.message);
    }
  } else {
    // A zoo name on the command line wins over the config stored in the file.
    const stored = zoo === undefined ? (storedConfig(f) ?? undefined) : undefined;
    detection = applyExplicit(found, { model: zoo, stored, overrides }, f.what);
    spec = buildDetected(detection, f.what);
  }
  checkCheckpoint(spec, f.tensors, f.what);
  return { spec, detection };
}
