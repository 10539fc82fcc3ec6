import { InputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { openUserDataset } from './dataset.js';
import { foldWeights } from '../models/fold.js';
import type { ModelSpec } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import { defaultCoreName, type CoreName } from '../sim/cores/index.js';
import { runSamples } from '../sim/schedule/parallel.js';
import type { EvalResult } from '../train/evaluate.js';
import { inTopK } from '../train/top-k.js';
import { parseChoice, parseCore } from './choices.js';
import { loadDenseEngine } from './dense-engine.js';
import { resolveModel, type ModelOptions } from './model.js';
import type { OnProgress } from './profile.js';

export const ENGINES = ['dense', 'sim', 'both'] as const;
export type Engine = (typeof ENGINES)[number];
export const TF_BACKENDS = ['auto', 'wasm', 'cpu'] as const;
export type TfBackend = (typeof TF_BACKENDS)[number];

export interface EvaluateOptions extends ModelOptions {
  /** A `.safetensors` checkpoint or a zoo name (random weights). */
  model: string;
  /** `NAME[:PATH]`; the test split is scored. Default `fashion-mnist`. */
  dataset?: string;
  /** Score the first N test samples; default all. */
  samples?: number;
  /** dense: the tfjs forward; sim: the event-driven simulator; both: both, plus their prediction agreement. */
  engine?: Engine;
  core?: CoreName;
  batchSize?: number;
  /** Simulator worker threads; default the number of CPUs (results do not depend on it). */
  workers?: number;
  backend?: TfBackend;
  onProgress?: OnProgress;
}

export interface EngineScore {
  top1: number;
  top5: number;
  seconds: number;
}

export interface Evaluation {
  model: string;
  weights: string;
  dataset: string;
  source: string;
  samples: number;
  backend?: string;
  dense?: EngineScore;
  sim?: EngineScore & { core: CoreName };
  /** Share of samples where the two engines predict the same class (engine `both`). */
  agreement?: number;
}

/** Event-driven simulation of the first `n` samples (independent samples), scored like evaluateDense. */
export async function evaluateSim(
  spec: ModelSpec,
  tensors: TensorMap,
  d: Dataset,
  n: number,
  core: CoreName,
  batchSize: number,
  workers?: number,
): Promise<EvalResult> {
  const folded = foldWeights(spec, tensors);
  const inputs = Array.from({ length: n }, (_, i) => d.get(i));
  const { logits } = await runSamples(spec, folded, n, (i) => inputs[i]!.x, {
    core: parseCore(core),
    batchSize,
    batchCoupling: 'independent',
    spikeRecords: false,
    ...(workers !== undefined ? { workers } : {}),
  });
  const predictions = new Int32Array(n),
    labels = new Int32Array(n);
  let top1 = 0,
    top5 = 0;
  logits.forEach((row, i) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
    predictions[i] = best;
    labels[i] = inputs[i]!.label;
    if (inTopK(row, labels[i]!, 1)) top1++;
    if (inTopK(row, labels[i]!, Math.min(5, row.length))) top5++;
  });
  return { samples: n, top1: n ? top1 / n : 0, top5: n ? top5 / n : 0, predictions, labels };
}

/** The eval job: top-1 / top-5 of a model on a test split with the dense engine, the simulator, or both. */
export async function evaluate(o: EvaluateOptions): Promise<Evaluation> {
  const engine = parseChoice(o.engine ?? 'dense', ENGINES, 'engine');
  const core = parseCore(o.core ?? defaultCoreName());
  const backend = parseChoice(o.backend ?? 'auto', TF_BACKENDS, 'backend');
  const batchSize = o.batchSize ?? 32;
  const { spec, tensors, weights, detected } = resolveModel(o.model, o);
  if (detected !== undefined) o.onProgress?.({ kind: 'note', message: detected });
  const test = openUserDataset(o.dataset ?? 'fashion-mnist', { split: 'test', timesteps: spec.config.timesteps });
  const s = spec.inputShape;
  const want = spec.config.input === 'dvs' ? [spec.config.timesteps, s.c, s.h, s.w] : [s.c, s.h, s.w];
  if (test.sampleShape.join('x') !== want.join('x')) {
    throw new InputError(`dataset samples are ${test.sampleShape.join('x')} but the model takes ${want.join('x')}`);
  }
  const n = Math.min(o.samples ?? test.length, test.length);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`--samples must be a positive integer, got ${o.samples}`);
  const progress = o.onProgress ?? (() => {});
  const out: Evaluation = { model: spec.name, weights, dataset: test.name, source: test.source, samples: n };
  let dense: EvalResult | null = null,
    sim: EvalResult | null = null;
  if (engine !== 'sim') {
    const tf = await loadDenseEngine(`eval --engine ${engine}`);
    out.backend = await tf.initTf({ prefer: backend });
    const m = new tf.DenseModel(spec, tensors);
    const t0 = Date.now();
    dense = tf.evaluateDense(m, test, n, batchSize, (done, total) => {
      progress({ kind: 'simulate', label: 'dense', done, total, elapsedSeconds: (Date.now() - t0) / 1000 });
    });
    out.dense = { top1: dense.top1, top5: dense.top5, seconds: (Date.now() - t0) / 1000 };
    m.dispose();
  }
  if (engine !== 'dense') {
    const t0 = Date.now();
    sim = await evaluateSim(spec, tensors, test, n, core, batchSize, o.workers);
    out.sim = { top1: sim.top1, top5: sim.top5, core, seconds: (Date.now() - t0) / 1000 };
  }
  if (dense && sim) {
    let same = 0;
    for (let i = 0; i < n; i++) if (dense.predictions[i] === sim.predictions[i]) same++;
    out.agreement = same / n;
  }
  return out;
}
