import type { CommandModule } from 'yargs';
import { foldWeights } from '../../models/fold.js';
import { CORE_NAMES, CORES, isCoreName } from '../../sim/cores/index.js';
import { simulate } from '../../sim/simulate.js';
import { initTf } from '../../train/backend.js';
import { DenseModel } from '../../train/dense.js';
import { evaluateDense, inTopK, type EvalResult } from '../../train/evaluate.js';
import { UserError } from '../errors.js';
import { withModelOverrides, type OverrideArgs } from '../options.js';
import { resolveModel } from '../run-profile.js';
import { openSplit } from './train.js';
import type { ModelSpec } from '../../models/spec.js';
import type { TensorMap } from '../../models/tensor.js';
import type { Dataset } from '../../data/dataset.js';

type Engine = 'dense' | 'sim' | 'both';
const ENGINES: readonly Engine[] = ['dense', 'sim', 'both'];

interface Args extends OverrideArgs {
  model: string; dataset: string; samples?: number | undefined; engine: string; core: string; seed: number;
  'batch-size': number; backend: string; json?: boolean | undefined;
}

/** Event-driven simulation of the first `n` samples (independent samples), scored like evaluateDense. */
export function evaluateSim(spec: ModelSpec, tensors: TensorMap, d: Dataset, n: number, core: string, batchSize: number): EvalResult {
  if (!isCoreName(core)) throw new UserError(`unknown core '${core}' (known: ${CORE_NAMES.join(', ')})`);
  const folded = foldWeights(spec, tensors);
  const inputs = Array.from({ length: n }, (_, i) => d.get(i));
  const { logits } = simulate(spec, folded, inputs.map((s) => s.x), { core: CORES[core]({}), batchSize, batchCoupling: 'independent' });
  const predictions = new Int32Array(n), labels = new Int32Array(n);
  let top1 = 0, top5 = 0;
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

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export const evalCommand: CommandModule<object, Args> = {
  command: 'eval',
  describe: 'Top-1 / top-5 accuracy of a checkpoint (or a zoo model with random weights) on a test split, with the dense tfjs engine, the event-driven simulator, or both (then also their prediction agreement)',
  builder: (y) => withModelOverrides(y)
    .option('model', { type: 'string', demandOption: true, describe: 'a .safetensors checkpoint (its metadata gives the config) or a zoo name (random weights)' })
    .option('dataset', { type: 'string', default: 'fashion-mnist', describe: 'NAME[:PATH]; the test split is scored' })
    .option('samples', { type: 'number', describe: 'score the first N test samples (default: all)' })
    .option('engine', { type: 'string', default: 'dense', choices: ENGINES as string[], describe: 'dense: tfjs forward; sim: event-driven simulator; both: both, plus agreement' })
    .option('core', { type: 'string', default: 'reference', describe: `simulator compute core (--engine sim/both): ${CORE_NAMES.join(', ')}` })
    .option('seed', { type: 'number', default: 0, describe: 'random-weight seed when --model is a zoo name' })
    .option('batch-size', { type: 'number', default: 32, describe: 'samples per dense forward / simulator batch' })
    .option('backend', { type: 'string', default: 'auto', choices: ['auto', 'wasm', 'cpu'], describe: 'tfjs backend for the dense engine' })
    .option('json', { type: 'boolean', describe: 'print the result as JSON' })
    .example('spikewatt eval --model checkpoints/fmnist-qkformer.safetensors', 'dense accuracy on the 10k Fashion-MNIST test set')
    .example('spikewatt eval --model checkpoints/fmnist-ssa.safetensors --samples 50 --engine both', 'dense vs event-driven agreement') as never,
  handler: async (a) => {
    const engine = a.engine as Engine;
    const { spec, tensors, weights } = resolveModel(a.model, a, a.seed);
    const test = openSplit(a.dataset, 'test', spec.config.timesteps);
    const want = spec.config.input === 'dvs' ? [spec.config.timesteps, spec.inputShape.c, spec.inputShape.h, spec.inputShape.w] : [spec.inputShape.c, spec.inputShape.h, spec.inputShape.w];
    if (test.sampleShape.join('x') !== want.join('x')) throw new UserError(`dataset samples are ${test.sampleShape.join('x')} but the model takes ${want.join('x')}`);
    const n = Math.min(a.samples ?? test.length, test.length);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--samples must be a positive integer, got ${a.samples}`);
    const out: Record<string, unknown> = { model: spec.name, weights, dataset: test.name, source: test.source, samples: n };
    let dense: EvalResult | null = null, sim: EvalResult | null = null;
    if (engine !== 'sim') {
      out.backend = await initTf({ prefer: a.backend as 'auto' | 'wasm' | 'cpu' });
      const m = new DenseModel(spec, tensors);
      const t0 = Date.now();
      dense = evaluateDense(m, test, n, a['batch-size'], (done, total) => {
        if (process.stderr.isTTY) process.stderr.write(`\rdense ${done}/${total}\x1b[K`);
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      out.dense = { top1: dense.top1, top5: dense.top5, seconds: (Date.now() - t0) / 1000 };
      m.dispose();
    }
    if (engine !== 'dense') {
      const t0 = Date.now();
      sim = evaluateSim(spec, tensors, test, n, a.core, a['batch-size']);
      out.sim = { top1: sim.top1, top5: sim.top5, core: a.core, seconds: (Date.now() - t0) / 1000 };
    }
    if (dense && sim) {
      let same = 0;
      for (let i = 0; i < n; i++) if (dense.predictions[i] === sim.predictions[i]) same++;
      out.agreement = same / n;
    }
    if (a.json) { process.stdout.write(`${JSON.stringify(out, null, 1)}\n`); return; }
    const lines = [`${spec.name} (${weights}) on ${n} ${test.name} test samples`];
    if (dense) lines.push(`dense: top-1 ${pct(dense.top1)}  top-5 ${pct(dense.top5)}`);
    if (sim) lines.push(`sim (${a.core}): top-1 ${pct(sim.top1)}  top-5 ${pct(sim.top5)}`);
    if (out.agreement !== undefined) lines.push(`dense vs sim prediction agreement: ${pct(out.agreement as number)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
