import type { CommandModule } from 'yargs';
import {
  CORE_NAMES,
  datasetForms,
  defaultCoreName,
  defaultWorkers,
  ENGINES,
  TF_BACKENDS,
  evaluate,
  parseChoice,
  parseCore,
} from '../../pipeline/index.js';
import { printJson, printText } from '../io.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  model: string;
  dataset: string;
  samples?: number | undefined;
  engine: string;
  core: string;
  workers: number;
  seed: number;
  'batch-size': number;
  backend: string;
  json?: boolean | undefined;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export const evalCommand: CommandModule<object, Args> = {
  command: 'eval',
  describe:
    'Top-1 / top-5 accuracy of a checkpoint (or a zoo model with random weights) on a test split, with the dense tfjs engine, ' +
    'the event-driven simulator, or both (then also their prediction agreement)',
  builder: (y) =>
    withModelOverrides(y)
      .option('model', {
        type: 'string',
        demandOption: true,
        describe: 'a checkpoint (.safetensors, or official .pth: keys and shapes give the architecture) or a zoo name (random weights)',
      })
      .option('dataset', { type: 'string', default: 'fashion-mnist', describe: `NAME[:PATH]: ${datasetForms()}; the test split is scored` })
      .option('samples', { type: 'number', describe: 'score the first N test samples (default: all)' })
      .option('engine', {
        type: 'string',
        default: 'dense',
        choices: [...ENGINES],
        describe: 'dense: tfjs forward; sim: event-driven simulator; both: both, plus agreement',
      })
      .option('workers', { type: 'number', default: defaultWorkers(), describe: 'simulator worker threads (results do not depend on it)' })
      .option('core', {
        type: 'string',
        default: defaultCoreName(),
        describe: `simulator compute core (--engine sim/both): ${CORE_NAMES.join(', ')}`,
      })
      .option('seed', { type: 'number', default: 0, describe: 'random-weight seed when --model is a zoo name' })
      .option('batch-size', { type: 'number', default: 32, describe: 'samples per dense forward / simulator batch' })
      .option('backend', { type: 'string', default: 'auto', choices: [...TF_BACKENDS], describe: 'tfjs backend for the dense engine' })
      .option('json', { type: 'boolean', describe: 'print the result as JSON' })
      .example('spikewatt eval --model checkpoints/fmnist-qkformer.safetensors', 'dense accuracy on the 10k Fashion-MNIST test set')
      .example(
        'spikewatt eval --model checkpoints/fmnist-ssa.safetensors --samples 50 --engine both',
        'dense vs event-driven agreement',
      ) as never,
  handler: async (a) => {
    const tty = process.stderr.isTTY === true;
    const out = await evaluate({
      model: a.model,
      dataset: a.dataset,
      ...(a.samples !== undefined ? { samples: a.samples } : {}),
      engine: parseChoice(a.engine, ENGINES, 'engine'),
      core: parseCore(a.core),
      workers: a.workers,
      seed: a.seed,
      batchSize: a['batch-size'],
      backend: parseChoice(a.backend, TF_BACKENDS, 'backend'),
      overrides: overridesFrom(a),
      onProgress: (e) => {
        if (e.kind === 'note') process.stderr.write(`spikewatt: note: ${e.message}\n`);
        if (e.kind === 'simulate' && tty) process.stderr.write(`\r${e.label} ${e.done}/${e.total}\x1b[K${e.done === e.total ? '\n' : ''}`);
      },
    });
    if (a.json) {
      printJson(out);
      return;
    }
    const lines = [`${out.model} (${out.weights}) on ${out.samples} ${out.dataset} test samples`];
    if (out.dense) lines.push(`dense: top-1 ${pct(out.dense.top1)}  top-5 ${pct(out.dense.top5)}`);
    if (out.sim) lines.push(`sim (${out.sim.core}): top-1 ${pct(out.sim.top1)}  top-5 ${pct(out.sim.top5)}`);
    if (out.agreement !== undefined) lines.push(`dense vs sim prediction agreement: ${pct(out.agreement)}`);
    printText(lines.join('\n'));
  },
};
