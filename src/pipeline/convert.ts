import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { checkpointMetadata, type ConvertedCheckpointMeta } from '../models/detect/checkpoint-config.js';
import { describeDetection, type Detection } from '../models/detect/detect.js';
import { writeSafetensors } from '../models/formats/safetensors.js';
import type { ModelConfig } from '../models/spec.js';
import { shapeNumel } from '../models/tensor.js';
import type { ConfigOverrides } from '../models/zoo.js';
import { checkModelName, modelOfCheckpoint, readCheckpointFile, type CheckpointFile } from './checkpoint.js';

/** Where a converted checkpoint came from: its layout, state_dict key, dtypes and the training record beside it. */
export type ConvertSource = ConvertedCheckpointMeta['source'];

/** The options of `convert`: one checkpoint in, one safetensors file out. */
export interface ConvertOptions {
  /** torch.save checkpoint (zip, torch >= 1.6, or legacy) or a safetensors file without spikewatt metadata. */
  input: string;
  /** The .safetensors file to write, replaced atomically. */
  output: string;
  /** Zoo name the checkpoint was trained as; default: read from the keys and shapes. */
  model?: string;
  /** Size overrides where the weights say nothing; one that contradicts a tensor is an error. */
  overrides?: ConfigOverrides;
  /** Top-level key holding the state_dict (default: the first of STATE_DICT_KEYS, or the file itself). */
  key?: string;
}

/** What `convert` found and wrote; `convert --json` prints it. */
export interface ConvertResult {
  input: string;
  output: string;
  /** The zoo entry the weights are (detected, or as given). */
  zoo: string;
  model: string;
  config: ModelConfig;
  tensors: number;
  /** Elements of every tensor except num_batches_tracked. */
  parameters: number;
  /** Bytes written. */
  bytes: number;
  source: ConvertSource;
  /** How the architecture was read from the weights (each value with where it came from), or null when given. */
  detected: { zoo: string; provenance: Detection['provenance']; lines: string[] } | null;
}

/** A safetensors input has no pickle around its tensors: the source record says so. */
function safetensorsSource(f: CheckpointFile): Omit<ConvertSource, 'file'> {
  const dtypes: Record<string, number> = {};
  for (const t of f.tensors.values()) dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  return {
    format: 'safetensors',
    archiveName: null,
    stateDictKey: null,
    strippedPrefix: null,
    epoch: null,
    arch: null,
    dtypes,
    scalars: {},
    args: null,
  };
}

/**
 * An official PyTorch checkpoint to safetensors keyed by the official names, with the model config (detected from
 * the keys and shapes unless given) and the source record in its metadata. Writes `output` atomically and nothing
 * else. Errors caused by the input are InputErrors.
 */
export function convert(o: ConvertOptions): ConvertResult {
  checkModelName(o.model);
  if (!/\.safetensors$/i.test(o.output)) throw new InputError(`output ${o.output} must end in .safetensors`);
  const f = readCheckpointFile(o.input, o.key);
  const { spec, detection } = modelOfCheckpoint(f, o.model, o.overrides ?? {});
  const zoo = detection?.zoo ?? o.model ?? spec.name;
  const m = f.torch ?? safetensorsSource(f);
  const source: ConvertSource = {
    file: basename(o.input),
    format: m.format,
    archiveName: m.archiveName,
    stateDictKey: m.stateDictKey,
    strippedPrefix: m.strippedPrefix,
    epoch: m.epoch,
    arch: m.arch,
    dtypes: m.dtypes,
    scalars: m.scalars,
    args: m.args,
  };
  const meta: ConvertedCheckpointMeta = { format: 'spikewatt-converted', version: 1, zoo, config: spec.config, source };
  const bytes = writeSafetensors(f.tensors, checkpointMetadata(meta));
  const tmp = `${o.output}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, o.output);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new InputError(`cannot write ${o.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let parameters = 0;
  for (const [k, t] of f.tensors) if (!k.endsWith('num_batches_tracked')) parameters += shapeNumel(t.shape);
  const detected = detection ? { zoo: detection.zoo, provenance: detection.provenance, lines: describeDetection(detection) } : null;
  return {
    input: o.input,
    output: o.output,
    zoo,
    model: spec.name,
    config: spec.config,
    tensors: f.tensors.size,
    parameters,
    bytes: bytes.length,
    source,
    detected,
  };
}
