import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { buildCompareReport, compareVariant } from '../../reports/compare.js';
import { renderCompareFiles } from '../../reports/compare-files.js';
import { renderProfileFiles } from '../../reports/profile-files.js';
import { profileSummary } from '../../reports/summary.js';
import { UserError } from '../errors.js';
import { compareSummary } from './compare.js';
import {
  chartJsSource, checkArgs, checkOutDir, openModelDataset, resolveModel, runProfile, spikewattVersion, writeOutputs,
  type ProfileArgs, type ResolvedModel,
} from '../run-profile.js';

interface Args { out: string; samples: number; checkpoints: string; core: string }

/** The demo's three models: the mixed QKFormer first (its report is report.html), then the two ablations. */
export const DEMO_MODELS = [
  { label: 'QKFormer (QKTA, QKTA, SSA)', file: 'fmnist-qkformer.safetensors', attention: 'qkta,qkta,ssa' },
  { label: 'QKTA only', file: 'fmnist-qkta.safetensors', attention: 'qkta' },
  { label: 'SSA only', file: 'fmnist-ssa.safetensors', attention: 'ssa' },
] as const;

/**
 * Architecture used when the trained checkpoints are absent (random weights, clearly labelled): the zoo's
 * CIFAR QKFormer shrunk to Fashion-MNIST 1x28x28, T = 4.
 */
const FALLBACK: ProfileArgs = {
  dataset: 'fashion-mnist', samples: 200, core: 'reference', batchCoupling: 'independent', batchSize: 16, seed: 0,
  imgSize: 28, inChannels: 1, numClasses: 10, embedDims: 64, depths: 3, timesteps: 4,
  hardware: 'cmos45-fp32,loihi', convention: 'exact', allowUnpriced: true,
};

export const demoCommand: CommandModule<object, Args> = {
  command: 'demo',
  describe: 'Profile the committed Fashion-MNIST checkpoints (QKFormer, QKTA only, SSA only) on the committed test set, on cmos45-fp32 and loihi; writes demo-out/',
  builder: (y) => y
    .option('out', { type: 'string', default: 'demo-out', describe: 'output directory' })
    .option('samples', { type: 'number', default: 200, describe: 'test samples per model' })
    .option('checkpoints', { type: 'string', default: 'checkpoints', describe: 'directory holding the fmnist-*.safetensors checkpoints' })
    .option('core', { type: 'string', default: 'reference', describe: 'compute core' })
    .example('npm run demo', 'the whole demo (a minute or two on 2 cores)')
    .example('spikewatt demo --samples 50 --out /tmp/demo', 'a quicker one') as never,
  handler: async (a) => {
    const dir = checkOutDir(a.out);
    const args: ProfileArgs = { ...FALLBACK, samples: a.samples, core: a.core };
    const c = checkArgs(args);
    const missing = DEMO_MODELS.filter((m) => !existsSync(join(a.checkpoints, m.file)));
    if (missing.length) {
      process.stderr.write(`spikewatt demo: checkpoint(s) ${missing.map((m) => join(a.checkpoints, m.file)).join(', ')} not found; `
        + 'those models run with RANDOM weights of a small QKFormer (their accuracy means nothing). Train them with spikewatt train (see README).\n');
    }
    const models: { label: string; arg: string; model: ResolvedModel }[] = DEMO_MODELS.map((m) => {
      const path = join(a.checkpoints, m.file);
      if (existsSync(path)) return { label: m.label, arg: path, model: resolveModel(path, {}, c.seed) };
      return { label: `${m.label}, random weights`, arg: 'qkformer-cifar10', model: resolveModel('qkformer-cifar10', { ...args, attention: m.attention }, c.seed) };
    });
    const chartJs = chartJsSource();
    const reports = models.map((m) => {
      const data = openModelDataset(m.model.spec, args.dataset, c.samples, c.seed);
      const r = runProfile(m.model, m.arg, args.dataset, c, data, m.label);
      process.stderr.write(`spikewatt demo: ${m.label}: ${r.report.accuracy.samples} samples in ${r.seconds.toFixed(1)} s\n`);
      return r.report;
    });
    const main = reports[0];
    if (!main) throw new UserError('no demo model ran');
    const compare = buildCompareReport({
      spikewattVersion: spikewattVersion(), dataset: args.dataset, samples: main.accuracy.samples,
      variants: reports.map((r, i) => compareVariant(models[i]!.label, r, models[i]!.model.checkpoint !== null)),
    });
    const files = new Map([...await renderProfileFiles(main, chartJs), ...renderCompareFiles(compare, chartJs)]);
    writeOutputs(dir, files);
    process.stdout.write(`${profileSummary(main)}\n\n${compareSummary(compare.variants)}\n\n`
      + `reports: ${join(dir, 'report.html')} (${main.model.name}) and ${join(dir, 'compare.html')} (the three models, QKTA vs SSA as tokens grow)\n`);
  },
};
