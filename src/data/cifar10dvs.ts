/**
 * CIFAR10-DVS: one AEDAT 2.0 file per sample (see aedat2.ts), in one directory per class
 * (`airplane/ automobile/ ... truck/`, as the figshare zips extract). Labels are the class directories in
 * sorted order (the torchvision DatasetFolder order spikingjelly uses, which is also CIFAR-10's order).
 *
 * The release has no train/test split. Like the official QKFormer recipe
 * (`split_to_train_test_set(0.9, dataset, 10)`, random_split=False), each class's files in sorted name order
 * are split: the first ceil(0.9 n) train, the rest test. Samples interleave the classes (class 0 file 0,
 * class 1 file 0, ...) so that a `limit` prefix stays class-balanced.
 * A single `.aedat` file path is one sample labelled by its parent directory's name.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetError, pathKind, readBytes, type Dataset, type Split } from './dataset.js';
import { parseCifar10DvsAedat, DVS128_SIZE } from './aedat2.js';
import { CIFAR10_CLASSES } from './cifar.js';
import { dvsDataset, type DvsItem } from './dvs.js';

export const CIFAR10DVS_TRAIN_RATIO = 0.9;

export interface Cifar10DvsOptions {
  split: Split;
  timesteps: number;
  downsample?: number;
  trainRatio?: number;
}

function classOf(dir: string, what: string): number {
  const k = (CIFAR10_CLASSES as readonly string[]).indexOf(basename(dir));
  if (k < 0) throw new DatasetError(`${what}: parent directory '${basename(dir)}' is not a CIFAR-10 class (${CIFAR10_CLASSES.join(', ')})`);
  return k;
}

/** [label, file] pairs of a split, classes interleaved. */
export function cifar10DvsFiles(path: string, split: Split, trainRatio = CIFAR10DVS_TRAIN_RATIO): { label: number; file: string }[] {
  switch (pathKind(path)) {
    case 'missing':
      throw new DatasetError(`${path}: no such file or directory`);
    case 'file':
      return [{ label: classOf(dirname(path), path), file: path }];
    case 'dir': {
      const perClass = CIFAR10_CLASSES.map((c) => {
        const dir = join(path, c);
        if (pathKind(dir) !== 'dir')
          throw new DatasetError(`${path}: missing class directory ${c}/ (expected ${CIFAR10_CLASSES.join('/, ')}/)`);
        const files = readdirSync(dir)
          .filter((f) => f.endsWith('.aedat'))
          .sort();
        if (files.length === 0) throw new DatasetError(`${dir}: no .aedat files`);
        const pos = Math.ceil(files.length * trainRatio);
        return (split === 'train' ? files.slice(0, pos) : files.slice(pos)).map((f) => join(dir, f));
      });
      const out: { label: number; file: string }[] = [];
      const longest = Math.max(...perClass.map((f) => f.length));
      for (let i = 0; i < longest; i++) {
        perClass.forEach((files, label) => {
          if (i < files.length) out.push({ label, file: files[i]! });
        });
      }
      if (out.length === 0) throw new DatasetError(`${path}: the ${split} split is empty (train ratio ${trainRatio})`);
      return out;
    }
  }
}

export function loadCifar10Dvs(path: string, o: Cifar10DvsOptions): Dataset {
  const items: DvsItem[] = cifar10DvsFiles(path, o.split, o.trainRatio).map(({ label, file }) => ({
    label,
    what: file,
    events: () => parseCifar10DvsAedat(readBytes(file), file),
  }));
  return dvsDataset(items, {
    name: 'cifar10dvs',
    source: path,
    split: o.split,
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    sensorWidth: DVS128_SIZE,
    sensorHeight: DVS128_SIZE,
    timesteps: o.timesteps,
    downsample: o.downsample ?? 1,
  });
}
