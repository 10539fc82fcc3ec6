import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { CORE_NAMES, defaultCoreName, defaultWorkers, demo, parseCore, profileSummary } from '../../pipeline/index.js';
import { info, printText } from '../io.js';
import { ProgressBar } from '../progress.js';
import { compareSummary } from './compare.js';

interface Args {
  out: string;
  samples: number;
  checkpoints: string | undefined;
  core: string;
  workers: number;
}

export const demoCommand: CommandModule<object, Args> = {
  command: 'demo',
  describe:
    'Profile the committed Fashion-MNIST checkpoints (QKFormer, QKTA only, SSA only) on the committed test set, ' +
    'on cmos45-fp32 and loihi; writes demo-out/',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'demo-out', describe: 'output directory' })
      .option('samples', { type: 'number', default: 200, describe: 'test samples per model' })
      .option('checkpoints', {
        type: 'string',
        describe: "directory holding the fmnist-*.safetensors checkpoints (default: ./checkpoints if present, else the package's)",
      })
      .option('core', { type: 'string', default: defaultCoreName(), describe: `compute core: ${CORE_NAMES.join(' | ')}` })
      .option('workers', {
        type: 'number',
        default: defaultWorkers(),
        describe: 'worker threads over samples (results do not depend on it)',
      })
      .example('npm run demo', 'the whole demo (about 10 s on 2 cores)')
      .example('spikewatt demo --samples 50 --out /tmp/demo', 'a quicker one') as never,
  handler: async (a) => {
    const bar = new ProgressBar('spikewatt demo');
    const r = await demo({
      out: a.out,
      samples: a.samples,
      ...(a.checkpoints !== undefined ? { checkpoints: a.checkpoints } : {}),
      core: parseCore(a.core),
      workers: a.workers,
      onProgress: (e) => (e.kind === 'info' ? info(e.message, 'spikewatt demo') : bar.listener(e)),
    });
    const main = r.main,
      dir = r.out ?? a.out;
    printText(
      `${profileSummary(main)}\n\n${compareSummary(r.compare.variants)}\n\n` +
        `reports: ${join(dir, 'report.html')} (${main.model.label ?? main.model.name}) and ${join(dir, 'compare.html')} ` +
        '(the three models, QKTA vs SSA as tokens grow)',
    );
  },
};
