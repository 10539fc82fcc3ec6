import { readFileSync } from 'node:fs';
import { checkpointModel, readCheckpointBytes, type CheckpointFile, type CheckpointModel } from '../models/checkpoint-file.js';
import { DetectError } from '../models/detect.js';
import { SafetensorsError } from '../models/safetensors.js';
import { TorchCheckpointError } from '../models/torch-checkpoint.js';
import { CheckpointMismatchError } from '../models/weights.js';
import { isZooName, ZOO_NAMES } from '../models/zoo.js';
import { UserError } from './errors.js';
import { overridesFrom, type OverrideArgs } from './options.js';

/** The CLI side of src/models/checkpoint-file.ts: reads the file, turns every input error into a UserError. */
function asUserError<T>(f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof TorchCheckpointError || e instanceof SafetensorsError || e instanceof DetectError || e instanceof CheckpointMismatchError) {
      throw new UserError(e.message);
    }
    throw e;
  }
}

/** Checks a `--model` zoo name before any file is read, so a typo is the error a user sees. */
export function checkZooName(model: string | undefined): void {
  if (model !== undefined && !isZooName(model)) throw new UserError(`unknown model '${model}' (known: ${ZOO_NAMES.join(', ')})`);
}

/** `role` names the file in the read error (`cannot read weights W.pth: ENOENT`). */
export function readCheckpointFile(path: string, key?: string, role?: string): CheckpointFile {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch (e) {
    throw new UserError(`cannot read ${role ? `${role} ` : ''}${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return asUserError(() => readCheckpointBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path, { key }));
}

/** The model of a checkpoint's weights, detected, with `--model` and size flags over it (see checkpointModel). */
export function cliCheckpointModel(f: CheckpointFile, a: OverrideArgs, model: string | undefined): CheckpointModel {
  const overrides = overridesFrom(a);
  return asUserError(() => checkpointModel(f, model, overrides));
}
