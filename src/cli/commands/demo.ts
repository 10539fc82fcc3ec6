import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import {
  checkOutDir,
  checkRun,
  compareReports,
  openModelDataset,
  parseCore,
  profileModel,
  renderCompare,
  renderProfile,
  resolveModel,
  writeOutputs,
  type CompareRun,
  type ResolvedModel,
  type RunOptions,
} from '../../pipeline/index.js';
import { CORE_NAMES, defaultCoreName } from '../../sim/cores/index.js';
import { defaultWorkers } from '../../sim/schedule/parallel.js';
import { profileSummary } from '../../reports/summary.js';
import { info, printText } from '../io.js';
import { ProgressBar } from '../progress.js';
import { compareSummary } from './compare.js';

interface Args {
  out: string;
  samples: number;
  checkpoints: string;
  core: string;
  workers: number;
}

/** The demo's three models: the mixed QKFormer first (its report is report.html), then the two ablations. */
export const DEMO_MODELS = [
  { label: 'QKFormer (QKTA, QKTA, SSA)', file: 'fmnist-qkformer.safetensors', attention: ['qkta', 'qkta', 'ssa'] },
  { label: 'QKTA only', file: 'fmnist-qkta.safetensors', attention: ['qkta'] },
  { label: 'SSA only', file: 'fmnist-ssa.safetensors', attention: ['ssa'] },
] as const;

const DEMO_RUN = {
  dataset: 'fashion-mnist',
  batchCoupling: 'independent',
  batchSize: 16,
  seed: 0,
  hardware: ['cmos45-fp32', 'loihi'],
  convention: 'exact',
  allowUnpriced: true,
} as const satisfies RunOptions;

/**
 * Architecture used when the trained checkpoints are absent (random weights, clearly labelled): the zoo's
 * CIFAR QKFormer shrunk to Fashion-MNIST 1x28x28, T = 4.
 */
const FALLBACK_SIZES = { imgSize: 28, inChannels: 1, numClasses: 10, embedDims: 64, depths: 3, timesteps: 4 } as const;

export const demoCommand: CommandModule<object, Args> = {
  command: 'demo',
  describe:
    'Profile the committed Fashion-MNIST checkpoints (QKFormer, QKTA only, SSA only) on the committed test set, ' +
    'on cmos45-fp32 and loihi; writes demo-out/',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'demo-out', describe: 'output directory' })
      .option('samples', { type: 'number', default: 200, describe: 'test samples per model' })
      .option('checkpoints', { type: 'string', default: 'checkpoints', describe: 'directory holding the fmnist-*.safetensors checkpoints' })
      .option('core', { type: 'string', default: defaultCoreName(), describe: `compute core: ${CORE_NAMES.join(' | ')}` })
      .option('workers', {
        type: 'number',
        default: defaultWorkers(),
        describe: 'worker threads over samples (results do not depend on it)',
      })
      .example('npm run demo', 'the whole demo (about 10 s on 2 cores)')
      .example('spikewatt demo --samples 50 --out /tmp/demo', 'a quicker one') as never,
  handler: async (a) => {
    const dir = checkOutDir(a.out);
    const bar = new ProgressBar('spikewatt demo');
    const run = checkRun({ ...DEMO_RUN, samples: a.samples, core: parseCore(a.core), workers: a.workers, onProgress: bar.listener });
    const missing = DEMO_MODELS.filter((m) => !existsSync(join(a.checkpoints, m.file)));
    if (missing.length) {
      info(
        `checkpoint(s) ${missing.map((m) => join(a.checkpoints, m.file)).join(', ')} not found; ` +
          'those models run with RANDOM weights of a small QKFormer (their accuracy means nothing). ' +
          'Train them with spikewatt train (see README).',
        'spikewatt demo',
      );
    }
    const models: { label: string; arg: string; model: ResolvedModel }[] = DEMO_MODELS.map((m) => {
      const path = join(a.checkpoints, m.file);
      if (existsSync(path)) return { label: m.label, arg: path, model: resolveModel(path) };
      const overrides = { ...FALLBACK_SIZES, attention: [...m.attention] };
      const model = resolveModel('qkformer-cifar10', { overrides, seed: run.seed });
      return { label: `${m.label}, random weights`, arg: 'qkformer-cifar10', model };
    });
    const runs: CompareRun[] = [];
    for (const m of models) {
      const note = (message: string) => run.onProgress({ kind: 'note', message });
      const data = openModelDataset(m.model.spec, run.dataset, run.samples, run.seed, note);
      const { report, simulation } = await profileModel(m.model, m.arg, data, run, m.label);
      info(`${m.label}: ${report.accuracy.samples} samples in ${simulation.seconds.toFixed(1)} s`, 'spikewatt demo');
      runs.push({ label: m.label, model: m.model, report });
    }
    const main = runs[0]!.report;
    const compare = compareReports(runs, run.dataset, run.samples);
    const files = new Map([...(await renderProfile(main)), ...renderCompare(compare)]);
    writeOutputs(dir, files);
    printText(
      `${profileSummary(main)}\n\n${compareSummary(compare.variants)}\n\n` +
        `reports: ${join(dir, 'report.html')} (${main.model.label ?? main.model.name}) and ${join(dir, 'compare.html')} ` +
        '(the three models, QKTA vs SSA as tokens grow)',
    );
  },
};
