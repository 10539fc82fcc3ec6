import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { checkpointModel, readCheckpointBytes, type CheckpointFile, type CheckpointModel } from '../models/formats/checkpoint-file.js';
import { readSafetensors, type SafetensorsFile } from '../models/formats/safetensors.js';
import { STATE_DICT_KEYS } from '../models/formats/torch-checkpoint.js';
import { isZooName, ZOO_NAMES, type ConfigOverrides } from '../models/zoo.js';
import { checkCheckpoint } from '../models/weights.js';
import { isModelFilePath, modelFileSpec } from './model.js';

/**
 * Reading the files the checkpoint jobs (infer, convert, inspect) take: one read of the bytes, then the layout
 * sniffed from them (src/models/formats/checkpoint-file.ts). Every error is an InputError naming the file.
 */

export type { CheckpointFile, CheckpointModel };
/** The top-level keys a torch checkpoint's state_dict is looked for under, in order (help text). */
export { STATE_DICT_KEYS };

/** Checks a zoo name before any file is read, so that a typo is the error a user sees. */
export function checkZooName(model: string | undefined): void {
  if (model !== undefined && !isZooName(model)) throw new InputError(`unknown model '${model}' (known: ${ZOO_NAMES.join(', ')})`);
}

/** Checks a `--model` that may also be a model file (infer, convert): a zoo name or a `.json` path. */
export function checkModelName(model: string | undefined): void {
  if (model === undefined || !isModelFilePath(model)) checkZooName(model);
}

function readFileBytes(path: string, role: string | undefined): Uint8Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${role ? `${role} ` : ''}${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * A checkpoint of any layout (torch zip, legacy torch, safetensors). `key` names the state_dict of a torch file;
 * `role` names the file in the read error (`cannot read weights W.pth: ENOENT`).
 */
export function readCheckpointFile(path: string, key?: string, role?: string): CheckpointFile {
  return readCheckpointBytes(readFileBytes(path, role), path, { key });
}

/** A safetensors file of tensors (infer's input); `what` names it in the read error. */
export function readTensorFile(path: string, what: string): SafetensorsFile {
  return readSafetensors(readFileBytes(path, what), path);
}

/** The model of a checkpoint's weights, detected, with a zoo name and size overrides over it (see checkpointModel). */
export function modelOfCheckpoint(f: CheckpointFile, model: string | undefined, overrides: ConfigOverrides): CheckpointModel {
  if (model !== undefined && isModelFilePath(model)) {
    // a model file names the architecture outright: the weights are checked key by key against its nodes
    const spec = modelFileSpec(model, overrides);
    checkCheckpoint(spec, f.tensors, f.what);
    return { spec, detection: null };
  }
  return checkpointModel(f, model, overrides);
}
