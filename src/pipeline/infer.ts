import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { applyConvention, loadProfile, price, tablePerInference, type ConventionName } from '../cost-models/index.js';
import { summarizeDetection } from '../models/detect/detect.js';
import { foldWeights } from '../models/fold.js';
import type { ConfigOverrides } from '../models/zoo.js';
import { GpuModeUnavailableError } from '../sim/cores/gpujs/modes.js';
import { CORES, defaultCoreName, type CoreName } from '../sim/cores/index.js';
import { layerTotals, type OpCounts } from '../sim/counts.js';
import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { runSamples } from '../sim/schedule/parallel.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import type { ModelSpec } from '../models/spec.js';
import { checkModelName, modelOfCheckpoint, readCheckpointFile, readTensorFile } from './checkpoint.js';
import { sizeFromInput } from './input-size.js';
import { parseBatchCoupling, parseConvention, parseCore } from './choices.js';
import type { OnProgress } from './profile.js';

/** The options of `infer`: one batch of given inputs through given weights, spike by spike. */
export interface InferOptions {
  /** safetensors or official PyTorch checkpoint keyed by the official state_dict names; keys and shapes give the model. */
  weights: string;
  /** safetensors holding a tensor `input`: [B,C,H,W] float32 (static images) or [B,T,C,H,W] (DVS frames). */
  input: string;
  /** A zoo name the weights were trained as; default: read from the weights. */
  model?: string;
  /** Size overrides where the weights say nothing (T, heads, ...); one that contradicts a tensor is an error. */
  overrides?: ConfigOverrides;
  /** Default `independent`; `official` makes the whole input one batch (its samples share the SSA proj_lif). */
  batchCoupling?: BatchCoupling;
  /** Default: the core bit-identical to `reference` (`wasm` where it loads). */
  core?: CoreName;
  /** gpujs core mode: auto | headlessgl | webasm | cpu. */
  gpuMode?: string;
  /** Worker threads over samples (independent coupling); results do not depend on it. Default: the CPUs. */
  workers?: number;
  /** Count the ops under this convention too (per image); default none, or `exact` when `hardware` is given. */
  convention?: ConventionName;
  /** Price the counts on these profiles (built-in names or paths to JSON profiles). */
  hardware?: readonly string[];
  /** Report ops a profile does not price as unpriced counts instead of failing. */
  allowUnpriced?: boolean;
  /** Hears a note when the architecture was read from the weights. */
  onProgress?: OnProgress;
}

/** Spikes of one LIF module: per time step over all samples, and per sample and time step. */
export interface ModuleSpikes {
  perT: number[];
  perSamplePerT: number[][];
}

/** One profile's price of the run, per image. */
export interface InferEnergy {
  totalMj: number;
  perOpKindPj: Partial<Record<OpKind, number>>;
  unpriced: Partial<Record<OpKind, number>>;
}

/** What `infer` returns; `infer --json` prints `logits`, `spikes`, `layers` and, when priced, `convention`, `totals`, `energy`. */
export interface InferResult {
  /** The model's name (the zoo entry it was built as). */
  model: string;
  samples: number;
  timesteps: number;
  /** The name the compute core gives itself. */
  core: string;
  batchCoupling: BatchCoupling;
  logits: number[][];
  spikes: Record<string, ModuleSpikes>;
  /** Ops per layer summed over samples and steps; kinds that did not occur are left out. */
  layers: Record<string, Partial<Record<OpKind, number>>>;
  /** Present when a convention or hardware was asked for: ops per image under `convention`, nonzero kinds only. */
  convention?: ConventionName;
  totals?: Partial<Record<OpKind, number>>;
  /** Present when hardware was asked for: energy per image, by profile name. */
  energy?: Record<string, InferEnergy>;
}

/** The input tensor checked against the model: one Float32Array per sample. */
function readInputs(path: string, spec: ModelSpec): Float32Array[] {
  const inp = readTensorFile(path, 'input').tensors.get('input');
  if (!inp) throw new InputError(`${path} has no tensor named 'input'`);
  const T = spec.config.timesteps,
    s = spec.inputShape;
  const want = spec.config.input === 'dvs' ? [T, s.c, s.h, s.w] : [s.c, s.h, s.w];
  if (inp.shape.length !== want.length + 1 || want.some((d, i) => inp.shape[i + 1] !== d)) {
    throw new InputError(`input shape [${inp.shape.join(',')}] does not fit ${spec.name}: expected [B,${want.join(',')}]`);
  }
  const B = inp.shape[0]!,
    per = inp.data.length / B;
  const data = Float32Array.from(inp.data);
  return Array.from({ length: B }, (_, b) => data.subarray(b * per, (b + 1) * per));
}

/** The core's own name; a gpujs mode this machine lacks is the user's choice, not a bug (an InputError). */
function coreLabel(core: CoreName, gpuMode: string | undefined): string {
  try {
    const c = CORES[core](gpuMode ? { gpuMode } : {});
    c.dispose();
    return c.name;
  } catch (e) {
    if (e instanceof GpuModeUnavailableError) throw new InputError(e.message);
    throw e;
  }
}

/** Ops per image under the convention and, with hardware, energy per image on each profile. */
function energyOf(
  counts: OpCounts,
  spec: ModelSpec,
  convention: ConventionName,
  hardware: readonly string[] | undefined,
  allowUnpriced: boolean,
): Pick<InferResult, 'convention' | 'totals' | 'energy'> {
  const table = applyConvention(convention, counts, spec);
  const totals = Object.fromEntries(OP_KINDS.map((k) => [k, tablePerInference(table, k)]).filter(([, v]) => v !== 0));
  if (hardware === undefined) return { convention, totals };
  const energy: Record<string, InferEnergy> = {};
  for (const p of hardware.map((n) =>
    price(
      counts,
      spec,
      loadProfile(n, (f) => readFileSync(f, 'utf8')),
      convention,
      { allowUnpriced },
    ),
  )) {
    energy[p.profile.name] = {
      totalMj: p.energyMjPerInference,
      perOpKindPj: Object.fromEntries(
        OP_KINDS.filter((k) => p.byKind[k].status === 'priced' && p.byKind[k].countPerInference > 0).map((k) => [
          k,
          p.byKind[k].energyPjPerInference,
        ]),
      ),
      unpriced: Object.fromEntries(p.unpriced.map((u) => [u.kind, u.countPerInference])),
    };
  }
  return { convention, totals, energy };
}

/**
 * One batch spike by spike: logits, spikes per LIF module and time step, ops per layer, and (when asked) ops and
 * energy per image. Reads `weights` and `input`; writes nothing. Errors caused by the input are InputErrors.
 */
export async function infer(o: InferOptions): Promise<InferResult> {
  checkModelName(o.model);
  const core = parseCore(o.core ?? defaultCoreName('exact'));
  const batchCoupling = parseBatchCoupling(o.batchCoupling ?? 'independent');
  const convention = o.convention !== undefined ? parseConvention(o.convention) : o.hardware !== undefined ? 'exact' : undefined;
  const w = readCheckpointFile(o.weights, undefined, 'weights');
  let { spec, detection } = modelOfCheckpoint(w, o.model, o.overrides ?? {});
  if (detection !== null && o.model === undefined) o.onProgress?.({ kind: 'note', message: summarizeDetection(detection, o.weights) });
  // a size the weights do not fix comes from the input tensor (QKFormer's DVS and ImageNet families)
  const fit = sizeFromInput(detection, o.overrides ?? {}, readTensorFile(o.input, 'input').tensors.get('input')?.shape ?? [], o.input);
  if (fit !== null) {
    ({ spec, detection } = modelOfCheckpoint(w, o.model, fit.overrides));
    o.onProgress?.({ kind: 'note', message: fit.note });
  }
  const inputs = readInputs(o.input, spec);
  const coreName = coreLabel(core, o.gpuMode);
  const B = inputs.length,
    T = spec.config.timesteps;
  // official coupling: the whole input is one batch (its samples share the SSA proj_lif membrane)
  const res = await runSamples(spec, foldWeights(spec, w.tensors), B, (i) => inputs[i]!, {
    core,
    coreOptions: o.gpuMode ? { gpuMode: o.gpuMode } : {},
    batchCoupling,
    batchSize: batchCoupling === 'official' ? B : 1,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  });
  const spikes: Record<string, ModuleSpikes> = {};
  for (const [name, rows] of res.sink.spikesPerSample) {
    spikes[name] = { perT: Array.from({ length: T }, (_, t) => rows.reduce((acc, r) => acc + r[t]!, 0)), perSamplePerT: rows };
  }
  const counts = res.sink.counts;
  const layers: InferResult['layers'] = {};
  for (const lc of counts.layers) {
    const tot = layerTotals(lc);
    layers[lc.name] = Object.fromEntries(OP_KINDS.filter((k) => tot[k] !== 0).map((k) => [k, tot[k]]));
  }
  const result: InferResult = {
    model: spec.name,
    samples: B,
    timesteps: T,
    core: coreName,
    batchCoupling,
    logits: res.logits.map((l) => Array.from(l)),
    spikes,
    layers,
  };
  return convention === undefined ? result : { ...result, ...energyOf(counts, spec, convention, o.hardware, o.allowUnpriced ?? false) };
}
