/**
 * CIFAR-10 / CIFAR-100 "binary version" files.
 *
 * CIFAR-10 (`cifar-10-batches-bin/data_batch_{1..5}.bin`, `test_batch.bin`): records of 1 label byte + 3072
 * pixel bytes (1024 R, 1024 G, 1024 B, each 32x32 row-major), 10000 records per file.
 * CIFAR-100 (`cifar-100-binary/train.bin`, `test.bin`): records of 2 label bytes (coarse 0..19, fine 0..99)
 * + 3072 pixel bytes; the fine label is used.
 *
 * Normalisation: `x = (pixel / 255 - mean[c]) / std[c]` with mean (0.4914, 0.4822, 0.4465) and std
 * (0.2470, 0.2435, 0.2616), the values in the official QKFormer `cifar10.yml` and `cifar100.yml` (the
 * CIFAR-100 config reuses the CIFAR-10 statistics, so we do too).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkIndex, DatasetError, normalizeInto, pathKind, readBytes, type Dataset, type Normalization, type Split } from './dataset.js';

export type CifarVariant = 'cifar10' | 'cifar100';

export const CIFAR_NORMALIZATION: Normalization = {
  kind: 'meanStd',
  scale: 255,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR100_CLASSES = [
  'apple',
  'aquarium_fish',
  'baby',
  'bear',
  'beaver',
  'bed',
  'bee',
  'beetle',
  'bicycle',
  'bottle',
  'bowl',
  'boy',
  'bridge',
  'bus',
  'butterfly',
  'camel',
  'can',
  'castle',
  'caterpillar',
  'cattle',
  'chair',
  'chimpanzee',
  'clock',
  'cloud',
  'cockroach',
  'couch',
  'crab',
  'crocodile',
  'cup',
  'dinosaur',
  'dolphin',
  'elephant',
  'flatfish',
  'forest',
  'fox',
  'girl',
  'hamster',
  'house',
  'kangaroo',
  'keyboard',
  'lamp',
  'lawn_mower',
  'leopard',
  'lion',
  'lizard',
  'lobster',
  'man',
  'maple_tree',
  'motorcycle',
  'mountain',
  'mouse',
  'mushroom',
  'oak_tree',
  'orange',
  'orchid',
  'otter',
  'palm_tree',
  'pear',
  'pickup_truck',
  'pine_tree',
  'plain',
  'plate',
  'poppy',
  'porcupine',
  'possum',
  'rabbit',
  'raccoon',
  'ray',
  'road',
  'rocket',
  'rose',
  'sea',
  'seal',
  'shark',
  'shrew',
  'skunk',
  'skyscraper',
  'snail',
  'snake',
  'spider',
  'squirrel',
  'streetcar',
  'sunflower',
  'sweet_pepper',
  'table',
  'tank',
  'telephone',
  'television',
  'tiger',
  'tractor',
  'train',
  'trout',
  'tulip',
  'turtle',
  'wardrobe',
  'whale',
  'willow_tree',
  'wolf',
  'woman',
  'worm',
] as const;

const PIXELS = 3 * 32 * 32;
const LABEL_BYTES: Record<CifarVariant, number> = { cifar10: 1, cifar100: 2 };
const NUM_CLASSES: Record<CifarVariant, number> = { cifar10: 10, cifar100: 100 };

/** One parsed batch file: labels and the raw records (pixels are read lazily by `get`). */
export interface CifarBatch {
  labels: Uint8Array;
  records: Uint8Array;
  recordBytes: number;
}

/** Parses one binary batch file's bytes; `what` names the file in errors. */
export function parseCifarBatch(buf: Uint8Array, variant: CifarVariant, what: string): CifarBatch {
  const lb = LABEL_BYTES[variant],
    recordBytes = lb + PIXELS;
  if (buf.length === 0) throw new DatasetError(`${what}: empty file`);
  if (buf.length % recordBytes !== 0) {
    const other: CifarVariant = variant === 'cifar10' ? 'cifar100' : 'cifar10';
    const hint = buf.length % (LABEL_BYTES[other] + PIXELS) === 0 ? ` (it looks like a ${other} file)` : '';
    throw new DatasetError(
      `${what}: truncated or not a ${variant} binary batch: ${buf.length} bytes is not a multiple of the ${recordBytes}-byte record${hint}`,
    );
  }
  const n = buf.length / recordBytes,
    labels = new Uint8Array(n),
    nc = NUM_CLASSES[variant];
  for (let i = 0; i < n; i++) {
    // CIFAR-100: byte 0 coarse label (0..19), byte 1 fine label (0..99).
    if (variant === 'cifar100' && buf[i * recordBytes]! >= 20) {
      throw new DatasetError(`${what}: coarse label ${buf[i * recordBytes]} of record ${i} is not below 20`);
    }
    const l = buf[i * recordBytes + lb - 1]!;
    if (l >= nc) throw new DatasetError(`${what}: label ${l} of record ${i} is not below ${nc} (wrong variant or corrupt file)`);
    labels[i] = l;
  }
  return { labels, records: buf, recordBytes };
}

const SUBDIR: Record<CifarVariant, string> = { cifar10: 'cifar-10-batches-bin', cifar100: 'cifar-100-binary' };

/** The batch files of a split under a directory (or its standard sub-directory), or the single file given. */
export function cifarFiles(path: string, variant: CifarVariant, split: Split): string[] {
  switch (pathKind(path)) {
    case 'file':
      return [path];
    case 'missing':
      throw new DatasetError(`${path}: no such file or directory`);
    case 'dir': {
      const names =
        variant === 'cifar10'
          ? split === 'train'
            ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`)
            : ['test_batch.bin']
          : [split === 'train' ? 'train.bin' : 'test.bin'];
      for (const dir of [path, join(path, SUBDIR[variant])]) {
        if (existsSync(join(dir, names[0]!))) {
          const missing = names.filter((n) => !existsSync(join(dir, n)));
          if (missing.length) throw new DatasetError(`${dir}: missing ${missing.join(', ')} of the ${variant} ${split} split`);
          return names.map((n) => join(dir, n));
        }
      }
      throw new DatasetError(`${path}: no ${names[0]} (${variant} binary version, ${split} split) in it or in ${SUBDIR[variant]}/`);
    }
  }
}

/** A CIFAR dataset from parsed batches; samples are `[3,32,32]` normalised float32. */
export function cifarDataset(batches: CifarBatch[], variant: CifarVariant, split: Split, source: string): Dataset {
  const offsets: number[] = [];
  let total = 0;
  for (const b of batches) {
    offsets.push(total);
    total += b.labels.length;
  }
  const lb = LABEL_BYTES[variant];
  return Object.freeze({
    name: variant,
    source,
    split,
    kind: 'static' as const,
    numClasses: NUM_CLASSES[variant],
    classNames: variant === 'cifar10' ? CIFAR10_CLASSES : CIFAR100_CLASSES,
    sampleShape: [3, 32, 32],
    normalization: CIFAR_NORMALIZATION,
    length: total,
    get(i: number) {
      checkIndex(i, total, variant);
      let k = batches.length - 1;
      while (offsets[k]! > i) k--;
      const b = batches[k]!,
        j = i - offsets[k]!;
      const x = new Float32Array(PIXELS);
      normalizeInto(x, b.records, j * b.recordBytes + lb, 3, 1024, CIFAR_NORMALIZATION);
      return { x, label: b.labels[j]! };
    },
  });
}

export function loadCifar(path: string, variant: CifarVariant, split: Split): Dataset {
  const files = cifarFiles(path, variant, split);
  return cifarDataset(
    files.map((f) => parseCifarBatch(readBytes(f), variant, f)),
    variant,
    split,
    path,
  );
}
