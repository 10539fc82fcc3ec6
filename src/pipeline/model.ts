import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { readCheckpointSpec } from '../models/detect/checkpoint-config.js';
import { checkpointModel, hasConfigMetadata, readCheckpointBytes, type CheckpointFile } from '../models/formats/checkpoint-file.js';
import { summarizeDetection, type Detection } from '../models/detect/detect.js';
import type { AttentionKind, ModelSpec } from '../models/spec.js';
import { shapeNumel, type TensorMap } from '../models/tensor.js';
import { checkCheckpoint, randomWeights } from '../models/weights.js';
import { fmtNum } from '../reports/html-page.js';
import { zooInit, type InitKind } from './init.js';
import { applyOverrides, buildModel, isZooName, zooModel, ZOO_NAMES, type ConfigOverrides } from '../models/zoo.js';
import { MODEL_KNOBS, type KnobName } from '../models/knobs.js';
import { readModelFile } from '../models/model-file.js';
import { isNirPath, nirModel } from './nir-file.js';

/** A model ready to simulate: its spec, its (unfolded) tensors, and where they came from. */
export interface ResolvedModel {
  spec: ModelSpec;
  tensors: TensorMap;
  /** `random (seed S)` or the checkpoint path, in words for the report. */
  weights: string;
  /** The checkpoint file, or null for random weights. */
  checkpoint: string | null;
  /** One line on how the architecture was read from the weights, when no config stated it (see src/models/detect.ts). */
  detected?: string;
  /** The detection itself (where each knob came from), for an architecture read from the weights. */
  detection?: Detection;
  /** SHA-256 of the checkpoint file's bytes, hashed when it was read (null for generated weights). */
  fileSha256: string | null;
  /** The checkpoint's safetensors `__metadata__` (empty for torch files and generated weights). */
  metadata: Readonly<Record<string, string>>;
}

/** How to find a model: what `profile`, `compare`, `eval` and `demo` accept. */
export interface ModelOptions {
  /** Size overrides of a zoo model; a checkpoint takes only `timesteps` (its weights fix every shape). */
  overrides?: ConfigOverrides;
  /** Weights for a zoo model: `.safetensors` or an official PyTorch checkpoint (`.pth`, `.pth.tar`). */
  weights?: string;
  /** Seed of random weights when neither a checkpoint nor `weights` is given; default 0. */
  seed?: number;
  /** Weights of a zoo model without `weights`: calibrated (default, trained-like firing) or plainly seeded. */
  init?: InitKind;
}

const TORCH_FILE = /\.(pth|pt|pth\.tar|tar)$/i;

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** A model file's path (`--model my-net.json`, docs/model-files.md) rather than a zoo name or a checkpoint. */
export function isModelFilePath(model: string): boolean {
  return /\.json$/i.test(model);
}

/** The spec of a model file; its nodes fix every size, so of the overrides only `timesteps` applies. */
export function modelFileSpec(path: string, overrides: ConfigOverrides = {}): ModelSpec {
  const fixed = Object.keys(overrides).filter((k) => k !== 'timesteps' && overrides[k as keyof ConfigOverrides] !== undefined);
  if (fixed.length) {
    throw new InputError(
      `${path}: a model file fixes every size; only --timesteps applies (got ${fixed.map((k) => MODEL_KNOBS[k as KnobName].flag).join(', ')})`,
    );
  }
  return readModelFile(readBytes(path).toString('utf8'), path, overrides.timesteps);
}

/** A zoo name or a model file, with size overrides: the spec without weights (`models`, `train`, `infer`). */
export function specOf(model: string, overrides: ConfigOverrides = {}): ModelSpec {
  if (isNirPath(model)) return nirModel(model, overrides).spec;
  return isModelFilePath(model) ? modelFileSpec(model, overrides) : zooSpec(model, overrides);
}

function zooSpec(name: string, overrides: ConfigOverrides): ModelSpec {
  if (!isZooName(name)) throw new InputError(`unknown model '${name}' (known: ${ZOO_NAMES.join(', ')})`);
  return zooModel(name, overrides);
}

/**
 * THE model resolution of spikewatt: turns what a user names (`model`) into a spec and tensors. Every command
 * and library job that takes a model goes through here, so a new source of models is added in this one
 * function. Accepted today:
 *  - a zoo name: seeded random weights, or `weights` read from a file and checked against the spec;
 *  - a `.safetensors` checkpoint whose metadata holds the config (src/models/checkpoint-config.ts);
 *  - an official PyTorch file (.pth, .pth.tar) or a safetensors file without that metadata: the architecture is
 *    read from its keys, shapes and training args (src/models/detect.ts), overrides winning where the weights say
 *    nothing and an error where they contradict them.
 * Errors are InputErrors, thrown before any simulation.
 */
export function resolveModel(model: string, o: ModelOptions = {}): ResolvedModel {
  const overrides = o.overrides ?? {};
  const seed = o.seed ?? 0;
  if (isModelFilePath(model)) return modelFileModel(model, o);
  if (isNirPath(model)) return nirResolved(model, o);
  if (o.weights !== undefined && isZooName(model)) {
    // The zoo name and overrides are checked against what the weights fix; a disagreement names keys and shapes.
    const f = readCheckpoint(o.weights);
    const { spec } = checkpointModel(f, model, overrides);
    return { spec, tensors: f.tensors, weights: o.weights, checkpoint: o.weights, fileSha256: f.sha256, metadata: f.metadata };
  }
  if (TORCH_FILE.test(model) && o.weights === undefined) return detectedModel(readCheckpoint(model), overrides);
  if (o.weights !== undefined) throw new InputError('--weights needs a zoo --model (a .safetensors checkpoint carries its own weights)');
  if (/\.safetensors$/i.test(model)) {
    const file = readCheckpoint(model);
    if (!hasConfigMetadata(file)) return detectedModel(file, overrides);
    const spec = readCheckpointSpec(file.metadata, model, overrides.timesteps);
    checkCheckpoint(spec, file.tensors, model);
    return { spec, tensors: file.tensors, weights: model, checkpoint: model, fileSha256: file.sha256, metadata: file.metadata };
  }
  if (!isZooName(model)) throw new InputError(`unknown model '${model}' (a zoo name: spikewatt models; or a .safetensors checkpoint)`);
  const spec = zooSpec(model, overrides);
  const init = zooInit(spec, seed, o.init ?? 'calibrated');
  return { spec, tensors: init.tensors, weights: init.description, checkpoint: null, fileSha256: null, metadata: {} };
}

/** A NIR graph (src/models/formats/nir-import.ts): its weights are in the file; what the import assumed is the `detected` line. */
function nirResolved(path: string, o: ModelOptions): ResolvedModel {
  if (o.weights !== undefined) throw new InputError(`${path}: a NIR graph carries its own weights (no --weights)`);
  const m = nirModel(path, o.overrides ?? {});
  checkCheckpoint(m.spec, m.tensors, path);
  return {
    spec: m.spec,
    tensors: m.tensors,
    weights: path,
    checkpoint: path,
    fileSha256: m.sha256,
    metadata: {},
    detected: `NIR: ${m.notes.join('; ')}`,
  };
}

/** A model file with `weights` keyed by its node names (checked key by key), or seeded weights like a zoo model. */
function modelFileModel(path: string, o: ModelOptions): ResolvedModel {
  const spec = modelFileSpec(path, o.overrides ?? {});
  if (o.weights !== undefined) {
    const f = readCheckpoint(o.weights);
    checkCheckpoint(spec, f.tensors, o.weights);
    return { spec, tensors: f.tensors, weights: o.weights, checkpoint: o.weights, fileSha256: f.sha256, metadata: f.metadata };
  }
  const seed = o.seed ?? 0;
  const init = zooInit(spec, seed, o.init ?? 'calibrated');
  return { spec, tensors: init.tensors, weights: init.description, checkpoint: null, fileSha256: null, metadata: {} };
}

/** A checkpoint read once: its tensors, metadata and the SHA-256 of its bytes (the run record's file identity). */
function readCheckpoint(path: string): CheckpointFile & { sha256: string } {
  const buf = readBytes(path);
  const sha256 = createHash('sha256').update(buf).digest('hex');
  return { ...readCheckpointBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path), sha256 };
}

/** A checkpoint without a stated config: the architecture from its keys, shapes and training args, overrides winning. */
function detectedModel(f: CheckpointFile & { sha256: string }, overrides: ConfigOverrides): ResolvedModel {
  const { spec, detection } = checkpointModel(f, undefined, overrides);
  const detected = detection ? { detected: summarizeDetection(detection, f.what), detection } : {};
  return { spec, tensors: f.tensors, weights: f.what, checkpoint: f.what, fileSha256: f.sha256, metadata: f.metadata, ...detected };
}

/**
 * A variant of `base` with other attention kinds (one per stage, or one for all): the base's tensors wherever
 * the variant has the same key with the same shape (patch embeddings, MLPs, head, and attention weights that
 * keep their names), seeded random weights for the rest.
 */
export function attentionVariant(
  base: ResolvedModel,
  attention: AttentionKind[],
  seed: number,
): { model: ResolvedModel; sharedParams: number; params: number } {
  let spec: ModelSpec;
  try {
    spec = buildModel(base.spec.name, applyOverrides(base.spec.config, { attention }));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(`--attention ${attention.join('/')}: ${e.message}`);
  }
  const random = randomWeights(spec, { seed });
  const tensors: TensorMap = new Map();
  let shared = 0,
    params = 0;
  for (const k of spec.stateKeys) {
    const own = base.tensors.get(k.key),
      fresh = random.get(k.key);
    const same = own !== undefined && own.shape.length === k.shape.length && own.shape.every((d, i) => d === k.shape[i]);
    const n = shapeNumel(k.shape);
    if (k.role === 'param' && k.used) {
      params += n;
      if (same) shared += n;
    }
    if (same) tensors.set(k.key, own);
    else if (fresh) tensors.set(k.key, fresh);
  }
  const all = shared === params;
  const weights = all ? base.weights : `${fmtNum(shared)} of ${fmtNum(params)} params from ${base.weights}, the rest random (seed ${seed})`;
  const own = all
    ? { checkpoint: base.checkpoint, fileSha256: base.fileSha256, metadata: base.metadata }
    : { checkpoint: null, fileSha256: null, metadata: {} };
  return { model: { spec, tensors, weights, ...own }, sharedParams: shared, params };
}
