import type { CommandModule } from 'yargs';
import { DatasetError, datasetInfo, SPLITS, type Split } from '../../data/dataset.js';
import { DATASET_NAMES, DATASETS, openDataset } from '../../data/registry.js';
import { InputError } from '../../errors.js';

interface Args {
  spec?: string | undefined;
  split?: string | undefined;
  timesteps?: number | undefined;
  limit?: number | undefined;
  seed?: number | undefined;
  downsample?: number | undefined;
  json?: boolean | undefined;
}

/** Per-sample label histogram and value range over at most `scan` samples. */
function scan(spec: string, a: Args, split: Split) {
  const d = openDataset(spec, {
    split,
    ...(a.timesteps !== undefined ? { timesteps: a.timesteps } : {}),
    ...(a.limit !== undefined ? { limit: a.limit } : {}),
    ...(a.seed !== undefined ? { seed: a.seed } : {}),
    ...(a.downsample !== undefined ? { downsample: a.downsample } : {}),
  });
  const n = Math.min(d.length, 100);
  const labels = new Array<number>(d.numClasses).fill(0);
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    count = 0;
  for (let i = 0; i < n; i++) {
    const s = d.get(i);
    labels[s.label] = (labels[s.label] ?? 0) + 1;
    for (const v of s.x) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    count += s.x.length;
  }
  return { info: datasetInfo(d), scanned: n, labelCounts: labels, min, max, mean: count ? sum / count : 0, sumPerSample: n ? sum / n : 0 };
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
      const rows = DATASET_NAMES.map((n) => ({
        name: n,
        kind: DATASETS[n].kind,
        path: DATASETS[n].path,
        describe: DATASETS[n].describe,
        example: DATASETS[n].example,
      }));
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
    const split = a.split ?? 'test';
    if (!(SPLITS as readonly string[]).includes(split)) throw new InputError(`unknown --split '${split}' (use ${SPLITS.join(', ')})`);
    let r: ReturnType<typeof scan>;
    try {
      r = scan(a.spec, a, split as Split);
    } catch (e) {
      if (e instanceof DatasetError || e instanceof RangeError) throw new InputError(e.message);
      throw e;
    }
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
