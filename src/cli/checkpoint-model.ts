import { readFileSync } from 'node:fs';
import { checkpointModel, readCheckpointBytes, type CheckpointFile, type CheckpointModel } from '../models/formats/checkpoint-file.js';
import { isZooName, ZOO_NAMES } from '../models/zoo.js';
import { UserError } from './errors.js';
import { overridesFrom, type OverrideArgs } from './options.js';

/**
 * The CLI side of src/models/formats/checkpoint-file.ts: reads the file and takes the flags. Every error the readers and
 * the detection throw is an InputError, so it ends as one line and exit 2.
 */

/** Checks a `--model` zoo name before any file is read, so a typo is the error a user sees. */
export function checkZooName(model: string | undefined): void {
  if (model !== undefined && !isZooName(model)) throw new UserError(`unknown model '${model}' (known: ${ZOO_NAMES.join(', ')})`);
}

/** `role` names the file in the read error (`cannot read weights W.pth: ENOENT`). */
export function readCheckpointFile(path: string, key?: string, role?: string): CheckpointFile {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new UserError(`cannot read ${role ? `${role} ` : ''}${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return readCheckpointBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path, { key });
}

/** The model of a checkpoint's weights, detected, with `--model` and size flags over it (see checkpointModel). */
export function cliCheckpointModel(f: CheckpointFile, a: OverrideArgs, model: string | undefined): CheckpointModel {
  return checkpointModel(f, model, overridesFrom(a));
}
