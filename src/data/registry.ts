/**
 * Every dataset kind: one entry in `DATASETS`, and the `--dataset` spec parser.
 *
 * Spec: `NAME[:PATH]`, split at the first colon (paths may contain colons). NAME is case-insensitive.
 *   fashion-mnist[:PATH] | fashion-mnist-dvs[:PATH] | mnist:PATH | cifar10:PATH | cifar100:PATH |
 *   dvs128:PATH | cifar10dvs:PATH | imagenet:PATH | synthetic | synthetic-dvs
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, limitDataset, type Dataset, type SampleKind, type Split } from './dataset.js';
import { loadFashionMnist, loadMnist } from './mnist.js';
import { loadFashionMnistDvs } from './fashion-mnist-dvs.js';
import { loadCifar } from './cifar.js';
import { loadDvs128Gesture, type GestureLabelOrder } from './dvs128.js';
import { loadCifar10Dvs } from './cifar10dvs.js';
import { syntheticDataset } from './synthetic.js';
import { loadImagenet } from './imagenet.js';
import { DEFAULT_DVS_TIMESTEPS } from './dvs.js';

export interface OpenOptions {
  split: Split;
  /** DVS frames per sample (default 16, the official QKFormer DVS T; synthetic-dvs: 4). Ignored by static sets. */
  timesteps?: number;
  /** Keep only the first `limit` samples. */
  limit?: number;
  /** Seed of the generated sets (fashion-mnist-dvs, synthetic*); default 0. */
  seed?: number;
  /** DVS integer down-sampling factor (frame pixel = f x f sensor pixels summed); default 1. */
  downsample?: number;
  /** synthetic only: the model's own input (channels, height = width), so that any model runs on it; default 3x16x16. */
  imageShape?: { channels: number; size: number };
  /** dvs128 only: label numbering (see dvs128.ts); default natural. */
  gestureLabelOrder?: GestureLabelOrder;
}

export interface DatasetEntry {
  kind: SampleKind;
  /** 'required': NAME:PATH only; 'optional': NAME or NAME:PATH; 'none': NAME only. */
  path: 'required' | 'optional' | 'none';
  describe: string;
  example: string;
  open(path: string | undefined, o: OpenOptions): Dataset;
}

const needPath = (name: string, path: string | undefined): string => {
  if (path === undefined) throw new DatasetError(`dataset ${name} needs a path: --dataset ${name}:PATH`);
  return path;
};
const dvsOpts = (o: OpenOptions) => ({
  split: o.split,
  timesteps: o.timesteps ?? DEFAULT_DVS_TIMESTEPS,
  ...(o.downsample !== undefined ? { downsample: o.downsample } : {}),
});

export const DATASETS = {
  'fashion-mnist': {
    kind: 'static',
    path: 'optional',
    describe: 'Fashion-MNIST 1x28x28 (IDX). No path: the committed test set, or Debian dataset-fashion-mnist for train',
    example: 'fashion-mnist  |  fashion-mnist:/usr/share/datasets/fashion-mnist',
    open: (p, o) => loadFashionMnist(p, o.split),
  },
  'fashion-mnist-dvs': {
    kind: 'dvs',
    path: 'optional',
    describe: 'Fashion-MNIST seen by a simulated DVS during three saccades (N-MNIST style), Tx2x32x32, seeded',
    example: 'fashion-mnist-dvs  |  fashion-mnist-dvs:DIR_WITH_IDX',
    open: (p, o) => loadFashionMnistDvs(p, { ...dvsOpts(o), seed: o.seed ?? 0 }),
  },
  mnist: {
    kind: 'static',
    path: 'required',
    describe: 'MNIST 1x28x28 from a directory of IDX files (train-/t10k-images-idx3-ubyte[.gz], labels)',
    example: 'mnist:~/data/mnist',
    open: (p, o) => loadMnist(needPath('mnist', p), o.split),
  },
  cifar10: {
    kind: 'static',
    path: 'required',
    describe: 'CIFAR-10 3x32x32, binary version (data_batch_1..5.bin, test_batch.bin; a directory or one file)',
    example: 'cifar10:~/data/cifar-10-batches-bin',
    open: (p, o) => loadCifar(needPath('cifar10', p), 'cifar10', o.split),
  },
  cifar100: {
    kind: 'static',
    path: 'required',
    describe: 'CIFAR-100 3x32x32 fine labels, binary version (train.bin, test.bin; a directory or one file)',
    example: 'cifar100:~/data/cifar-100-binary',
    open: (p, o) => loadCifar(needPath('cifar100', p), 'cifar100', o.split),
  },
  dvs128: {
    kind: 'dvs',
    path: 'required',
    describe: 'DVS128 Gesture, 11 classes, Tx2x128x128 (AEDAT 3.1 + *_labels.csv; the DvsGesture directory or one .aedat)',
    example: 'dvs128:~/data/DvsGesture',
    open: (p, o) =>
      loadDvs128Gesture(needPath('dvs128', p), { ...dvsOpts(o), ...(o.gestureLabelOrder ? { labelOrder: o.gestureLabelOrder } : {}) }),
  },
  cifar10dvs: {
    kind: 'dvs',
    path: 'required',
    describe: 'CIFAR10-DVS, Tx2x128x128 (AEDAT 2.0 files in airplane/ .. truck/; split 90/10 per class as QKFormer)',
    example: 'cifar10dvs:~/data/CIFAR10DVS',
    open: (p, o) => loadCifar10Dvs(needPath('cifar10dvs', p), dvsOpts(o)),
  },
  imagenet: {
    kind: 'static',
    path: 'required',
    describe: "ImageNet val (or train) as class folders of JPEGs; resize 256, centre crop 224 (the model's size), ImageNet normalisation",
    example: 'imagenet:~/data/imagenet/val',
    open: (p, o) => loadImagenet(needPath('imagenet', p), { split: o.split, ...(o.imageShape ? { size: o.imageShape.size } : {}) }),
  },
  synthetic: {
    kind: 'static',
    path: 'none',
    describe: "tiny seeded images at the model's input shape (3x16x16 alone), 4 classes (oriented bars); for tests and smoke runs",
    example: 'synthetic',
    open: (_p, o) => syntheticDataset({ kind: 'static', split: o.split, seed: o.seed ?? 0, ...(o.imageShape ?? {}) }),
  },
  'synthetic-dvs': {
    kind: 'dvs',
    path: 'none',
    describe: "tiny seeded Tx2xSxS event frames at the model's input size (16x16 alone), 4 classes (moving dots); for tests and smoke runs",
    example: 'synthetic-dvs',
    open: (_p, o) =>
      syntheticDataset({
        kind: 'dvs',
        split: o.split,
        seed: o.seed ?? 0,
        ...(o.timesteps !== undefined ? { timesteps: o.timesteps } : {}),
        ...(o.imageShape ? { size: o.imageShape.size } : {}),
      }),
  },
} satisfies Record<string, DatasetEntry>;

export type DatasetName = keyof typeof DATASETS;
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

export function isDatasetName(s: string): s is DatasetName {
  return Object.prototype.hasOwnProperty.call(DATASETS, s);
}

export interface DatasetSpec {
  name: DatasetName;
  path?: string;
}

/**
 * Parses `NAME[:PATH]`. A leading `~/` in PATH is expanded to the home directory (shells do not expand a
 * tilde after the colon).
 */
export function parseDatasetSpec(spec: string): DatasetSpec {
  const s = spec.trim();
  const colon = s.indexOf(':');
  const name = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const raw = colon < 0 ? undefined : s.slice(colon + 1);
  const path = raw !== undefined && (raw === '~' || raw.startsWith('~/')) ? join(homedir(), raw.slice(1)) : raw;
  if (!isDatasetName(name)) {
    throw new DatasetError(`unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')}; form NAME[:PATH])`);
  }
  const entry: DatasetEntry = DATASETS[name];
  if (path !== undefined && path.length === 0) throw new DatasetError(`empty path in dataset spec '${spec}'`);
  if (entry.path === 'none' && path !== undefined) throw new DatasetError(`dataset ${name} takes no path (got '${path}')`);
  if (entry.path === 'required' && path === undefined) throw new DatasetError(`dataset ${name} needs a path: ${name}:PATH`);
  return path === undefined ? { name } : { name, path };
}

/** Parses a spec and opens it for a split, applying `limit`. */
export function openDataset(spec: string | DatasetSpec, o: OpenOptions): Dataset {
  const s = typeof spec === 'string' ? parseDatasetSpec(spec) : spec;
  const entry: DatasetEntry = DATASETS[s.name];
  return limitDataset(entry.open(s.path, o), o.limit);
}
