import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { modelFileText } from '../models/model-file.js';
import { modelStats } from '../models/stats.js';
import type { ConfigOverrides } from '../models/zoo.js';
import { specOf } from './model.js';

export { MODEL_FILE_FORMAT, MODEL_FILE_VERSION, ModelFileError } from '../models/model-file.js';

export interface SaveSpecOptions {
  /** A zoo name (with `overrides`) or a model file. */
  model: string;
  overrides?: ConfigOverrides;
  /** The model file to write (`.json`, replaced atomically). */
  output: string;
}

export interface SaveSpecResult {
  output: string;
  nodes: number;
  params: number;
}

/** `models --save-spec`: any model as a model file (docs/model-files.md), which reads back to the same spec. */
export function saveSpec(o: SaveSpecOptions): SaveSpecResult {
  if (!/\.json$/i.test(o.output)) throw new InputError(`--save-spec ${o.output} must end in .json (a model file)`);
  const spec = specOf(o.model, o.overrides ?? {});
  const tmp = `${o.output}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, modelFileText(spec));
    renameSync(tmp, o.output);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new InputError(`cannot write ${o.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return { output: o.output, nodes: spec.layers.length, params: modelStats(spec).params };
}
