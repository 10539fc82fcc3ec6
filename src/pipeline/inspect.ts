import { hasConfigMetadata, storedConfig as readStoredConfig } from '../models/formats/checkpoint-file.js';
import {
  applyExplicit,
  buildDetected,
  describeDetection,
  detectConfig,
  DetectConflictError,
  DetectError,
  type Detection,
} from '../models/detect/detect.js';
import { modelStats } from '../models/stats.js';
import { shapeNumel } from '../models/tensor.js';
import { checkCheckpoint } from '../models/weights.js';
import { isZooName, type ConfigOverrides } from '../models/zoo.js';
import { InputError } from '../errors.js';
import { checkZooName, readCheckpointFile, type CheckpointFile } from './checkpoint.js';

/** The options of `inspect`: one checkpoint file, read and described, never simulated. */
export interface InspectOptions {
  /** Official .pth / .pth.tar (zip or legacy), or .safetensors. */
  file: string;
  /** Top-level key of a torch file's state_dict (default: the first of STATE_DICT_KEYS). */
  key?: string;
  /** A zoo name to check the weights against (default: detected). */
  model?: string;
  /** Values the weights cannot tell (heads, T, ...); one they contradict is an InputError. */
  overrides?: ConfigOverrides;
}

/** Top-level numbers official training scripts store next to the weights (DVS train.py, timm, MAE-style misc.py). */
const ACCURACY_KEYS = ['max_test_acc1', 'max_test_acc5', 'best_acc1', 'best_acc', 'acc1', 'acc', 'metric', 'test_acc1'] as const;

/** What `inspect --json` prints; field names are part of the command's contract. */
export interface InspectResult {
  file: string;
  layout: CheckpointFile['layout'];
  bytes: number;
  tensors: number;
  /** Elements of every tensor except BatchNorm's buffers (running statistics, num_batches_tracked). */
  parameters: number;
  /** Tensors per stored dtype (torch files: the dtype on disk before widening). */
  dtypes: Record<string, number>;
  torch: { stateDictKey: string | null; strippedPrefix: string | null; archiveName: string | null; topLevelKeys: string[] } | null;
  /** The config a safetensors file states in its metadata (it wins over detection), or null. */
  storedConfig: unknown;
  detected: {
    zoo: string;
    config: Detection['config'];
    stageDims: Detection['stageDims'];
    provenance: Detection['provenance'];
    lines: string[];
  } | null;
  /** Why detection failed, or why the detected config does not build or fit the weights; null when it does. */
  problem: string | null;
  model: { name: string; params: number; paramsUsed: number; denseMacsPerStep: number } | null;
  training: {
    epoch: number | null;
    arch: string | null;
    accuracy: Record<string, number | string>;
    scalars: Record<string, number | string | boolean>;
    args: Record<string, unknown> | null;
    /** The JSON a spikewatt safetensors file stores under its metadata key, or null. */
    spikewatt: unknown;
  };
}

/**
 * What a checkpoint already read holds (see `inspect`). `overrides` and `model` are checked against the weights: one
 * they contradict is an InputError; a detected config that does not build is reported in `problem`, not thrown.
 */
export function inspectFile(f: CheckpointFile, overrides: ConfigOverrides, model: string | undefined): InspectResult {
  checkZooName(model);
  const { parameters, dtypes } = tensorCounts(f);
  const { storedConfig, spikewatt } = statedMetadata(f);
  const { detected, problem, model: modelInfo } = detection(f, overrides, model);
  const scalars = f.torch?.scalars ?? {};
  const accuracy: Record<string, number | string> = {};
  for (const k of ACCURACY_KEYS) {
    const v = scalars[k];
    if (typeof v === 'number' || typeof v === 'string') accuracy[k] = v;
  }
  const sw = spikewatt as { testTop1?: unknown; epochsDone?: unknown } | null;
  if (sw && typeof sw === 'object' && typeof sw.testTop1 === 'number') accuracy.testTop1 = sw.testTop1;
  const t = f.torch;
  return {
    file: f.what,
    layout: f.layout,
    bytes: f.bytes,
    tensors: f.tensors.size,
    parameters,
    dtypes,
    torch:
      t === null
        ? null
        : { stateDictKey: t.stateDictKey, strippedPrefix: t.strippedPrefix, archiveName: t.archiveName, topLevelKeys: t.topLevelKeys },
    storedConfig,
    detected,
    problem,
    model: modelInfo,
    training: {
      epoch: t?.epoch ?? (sw && typeof sw.epochsDone === 'number' ? sw.epochsDone : null),
      arch: t?.arch ?? null,
      accuracy,
      scalars,
      args: t?.args ?? null,
      spikewatt,
    },
  };
}

/** Parameters (BatchNorm buffers left out) and tensors per stored dtype (torch files: the dtype on disk). */
function tensorCounts(f: CheckpointFile): { parameters: number; dtypes: Record<string, number> } {
  let parameters = 0;
  const dtypes: Record<string, number> = {};
  for (const [k, t] of f.tensors) {
    if (!/(num_batches_tracked|running_mean|running_var)$/.test(k)) parameters += shapeNumel(t.shape);
    if (f.layout === 'safetensors') dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  }
  if (f.torch) Object.assign(dtypes, f.torch.dtypes);
  return { parameters, dtypes };
}

/** The JSON a safetensors file states under its metadata key (raw text when not JSON), and the config in it. */
function statedMetadata(f: CheckpointFile): { storedConfig: unknown; spikewatt: unknown } {
  if (!hasConfigMetadata(f)) return { storedConfig: null, spikewatt: null };
  const raw = f.metadata.spikewatt ?? f.metadata.model ?? f.metadata.config ?? 'null';
  let spikewatt: unknown;
  try {
    spikewatt = JSON.parse(raw);
  } catch {
    spikewatt = raw;
  }
  const s = spikewatt as { config?: unknown; family?: unknown } | null;
  const storedConfig = s && typeof s === 'object' ? (s.family !== undefined ? s : (s.config ?? null)) : null;
  return { storedConfig, spikewatt };
}

/**
 * The architecture the keys and shapes imply, with the stated config, zoo name and overrides over it, and whether
 * it builds and fits the weights. Flags the weights contradict are the user's mistake (thrown); anything else is a
 * fact about the file, reported in `problem`.
 */
function detection(
  f: CheckpointFile,
  overrides: ConfigOverrides,
  model: string | undefined,
): Pick<InspectResult, 'detected' | 'problem' | 'model'> {
  const explicit = model !== undefined || Object.keys(overrides).length > 0;
  let d: Detection;
  try {
    d = detectConfig(f.tensors, { args: f.torch?.args ?? null });
  } catch (e) {
    if (!(e instanceof DetectError)) throw e;
    return { detected: null, problem: e.message, model: null };
  }
  let problem: string | null = null,
    modelInfo: InspectResult['model'] = null;
  try {
    const zoo = model !== undefined && isZooName(model) ? model : undefined;
    d = applyExplicit(d, { model: zoo, stored: zoo === undefined ? (readStoredConfig(f) ?? undefined) : undefined, overrides }, f.what);
    const spec = buildDetected(d, f.what);
    checkCheckpoint(spec, f.tensors, f.what);
    const s = modelStats(spec);
    modelInfo = { name: spec.name, params: s.params, paramsUsed: s.paramsUsed, denseMacsPerStep: s.denseMacsPerStep };
  } catch (e) {
    if (e instanceof DetectConflictError || (explicit && e instanceof DetectError)) throw e;
    if (!(e instanceof InputError)) throw e;
    problem = e.message;
  }
  const detected = { zoo: d.zoo, config: d.config, stageDims: d.stageDims, provenance: d.provenance, lines: describeDetection(d) };
  return { detected, problem, model: modelInfo };
}

/**
 * What a checkpoint holds: layout, dtypes, parameters, the architecture its keys and shapes imply (each value with
 * where it came from), epoch, accuracy and training args. Reads the file; writes nothing; simulates nothing.
 */
export function inspect(o: InspectOptions): InspectResult {
  checkZooName(o.model);
  return inspectFile(readCheckpointFile(o.file, o.key), o.overrides ?? {}, o.model);
}
