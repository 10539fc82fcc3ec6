import type { CommandModule } from 'yargs';
import { DATASET_NAMES, datasetKinds, describeDataset, SPLITS } from '../../pipeline/index.js';

interface Args {
  spec?: string | undefined;
  split?: string | undefined;
  timesteps?: number | undefined;
  limit?: number | undefined;
  seed?: number | undefined;
  downsample?: number | undefined;
  json?: boolean | undefined;
}

export const datasetsCommand: CommandModule<object, Args> = {
  command: 'datasets [spec]',
  describe: 'List the dataset kinds, or open one --dataset spec and describe it (shape, normalisation, labels of the first 100 samples)',
  builder: (y) =>
    y
      .positional('spec', { type: 'string', describe: `NAME[:PATH], NAME one of ${DATASET_NAMES.join(', ')}` })
      .option('split', { type: 'string', default: 'test', describe: `split: ${SPLITS.join(' | ')}` })
      .option('timesteps', { alias: 'T', type: 'number', describe: 'DVS frames per sample (default 16)' })
      .option('limit', { type: 'number', describe: 'keep only the first N samples' })
      .option('seed', { type: 'number', describe: 'seed of generated sets (fashion-mnist-dvs, synthetic)' })
      .option('downsample', { type: 'number', describe: 'DVS integer down-sampling factor (sums f x f pixels)' })
      .option('json', { type: 'boolean', describe: 'print JSON instead of text' })
      .example('spikewatt datasets', 'every dataset kind and its spec')
      .example('spikewatt datasets fashion-mnist', 'the committed Fashion-MNIST test set')
      .example('spikewatt datasets fashion-mnist-dvs -T 4 --downsample 2 --json', 'simulated DVS frames, 4x2x16x16')
      .example('spikewatt datasets dvs128:~/data/DvsGesture --split train', 'check a DVS128 Gesture download') as never,
  handler: (a) => {
    if (a.spec === undefined) {
      const rows = datasetKinds();
      if (a.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
        return;
      }
      const w = Math.max(...rows.map((r) => r.name.length));
      const pathNote = { required: 'NAME:PATH', optional: 'NAME[:PATH]', none: 'NAME' } as const;
      const lines = rows.map((r) => `${r.name.padEnd(w)}  ${r.kind.padEnd(6)}  ${pathNote[r.path].padEnd(11)}  ${r.describe}`);
      process.stdout.write(
        `${lines.join('\n')}\n\nUse one as --dataset NAME[:PATH]; \`spikewatt datasets NAME[:PATH]\` opens and describes it.\n`,
      );
      return;
    }
    const r = describeDataset(a.spec, {
      ...(a.split !== undefined ? { split: a.split } : {}),
      ...(a.timesteps !== undefined ? { timesteps: a.timesteps } : {}),
      ...(a.limit !== undefined ? { limit: a.limit } : {}),
      ...(a.seed !== undefined ? { seed: a.seed } : {}),
      ...(a.downsample !== undefined ? { downsample: a.downsample } : {}),
    });
    if (a.json) {
      process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
      return;
    }
    const i = r.info,
      norm = i.normalization;
    const lines = [
      `${i.name} (${i.split}): ${i.length.toLocaleString('en-US')} samples, ${i.kind}, shape [${i.sampleShape.join(',')}], ${i.numClasses} classes`,
      `source:        ${i.source}`,
      `normalisation: ${norm.kind === 'meanStd' ? `(x/${norm.scale} - mean) / std, mean [${norm.mean.join(', ')}], std [${norm.std.join(', ')}]` : 'none (raw values)'}`,
    ];
    if (i.framing) {
      const f = i.framing;
      lines.push(
        `framing:       T=${f.timesteps}, split by event number, ${f.sensorWidth}x${f.sensorHeight} sensor, downsample ${f.downsample}`,
      );
    }
    lines.push(
      `${`first ${r.scanned}:`.padEnd(15)}values ${r.min.toFixed(3)} .. ${r.max.toFixed(3)}, mean ${r.mean.toFixed(4)}, sum per sample ${r.sumPerSample.toFixed(1)}`,
    );
    lines.push(`labels:        ${r.labelCounts.map((c, k) => `${i.classNames?.[k] ?? k}:${c}`).join('  ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
