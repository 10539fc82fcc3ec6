/**
 * MNIST-format image datasets from IDX files: Fashion-MNIST (committed test split, Debian package for
 * training) and MNIST (from a path).
 *
 * Normalisation (recorded in `Dataset.normalization`): `x = (pixel / 255 - mean) / std` with the training
 * set's statistics: Fashion-MNIST mean 0.2860, std 0.3530; MNIST mean 0.1307, std 0.3081 (torchvision's).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkIndex, DatasetError, normalizeInto, pathKind, type Dataset, type Normalization, type Split } from './dataset.js';
import { pairIdx, readIdxFile, type IdxImages } from './idx.js';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const FASHION_MNIST_NORMALIZATION: Normalization = { kind: 'meanStd', scale: 255, mean: [0.286], std: [0.353] };
export const MNIST_NORMALIZATION: Normalization = { kind: 'meanStd', scale: 255, mean: [0.1307], std: [0.3081] };

/** Where Debian's `dataset-fashion-mnist` package installs the IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** The committed test split, relative to the repository root. */
export const EMBEDDED_FASHION_MNIST_REL = 'data/fashion-mnist';

/** Finds the repository's `data/fashion-mnist` by walking up from this module (works from src/ and dist/). */
export function embeddedFashionMnistDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    const cand = join(dir, EMBEDDED_FASHION_MNIST_REL);
    if (existsSync(join(cand, 't10k-images-idx3-ubyte.gz'))) return cand;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new DatasetError(`the embedded Fashion-MNIST test set (${EMBEDDED_FASHION_MNIST_REL}/t10k-*.gz) is missing from this installation`);
}

const prefixOf = (split: Split) => (split === 'train' ? 'train' : 't10k');

/** `DIR/<prefix>-<kind>-idxN-ubyte[.gz]`, whichever exists (gzipped first). */
function findIdx(dir: string, split: Split, kind: 'images' | 'labels'): string {
  const base = join(dir, `${prefixOf(split)}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte`);
  for (const p of [`${base}.gz`, base]) if (existsSync(p)) return p;
  throw new DatasetError(`${dir}: no ${base.slice(dir.length + 1)}(.gz) for the ${split} split`);
}

/** The images and labels file of one split, from a directory or from the images file itself. */
export function resolveIdxPair(path: string, split: Split): { images: string; labels: string } {
  switch (pathKind(path)) {
    case 'dir':
      return { images: findIdx(path, split, 'images'), labels: findIdx(path, split, 'labels') };
    case 'file': {
      const m = /^(.*)-images-idx3-ubyte(\.gz)?$/.exec(path);
      if (!m) throw new DatasetError(`${path}: expected a directory or a *-images-idx3-ubyte(.gz) file`);
      const labels = [`${m[1]}-labels-idx1-ubyte.gz`, `${m[1]}-labels-idx1-ubyte`].find((p) => existsSync(p));
      if (!labels) throw new DatasetError(`${path}: no matching ${m[1]}-labels-idx1-ubyte(.gz) next to it`);
      return { images: path, labels };
    }
    case 'missing':
      throw new DatasetError(`${path}: no such file or directory`);
  }
}

export interface IdxDatasetOptions {
  name: string;
  source: string;
  split: Split;
  classNames: readonly string[];
  normalization: Normalization;
}

/** A static `[1,H,W]` dataset over already parsed IDX images. */
export function idxImageDataset(d: IdxImages, o: IdxDatasetOptions): Dataset {
  const hw = d.height * d.width;
  return Object.freeze({
    name: o.name,
    source: o.source,
    split: o.split,
    kind: 'static' as const,
    numClasses: o.classNames.length,
    classNames: o.classNames,
    sampleShape: [1, d.height, d.width],
    normalization: o.normalization,
    length: d.count,
    get(i: number) {
      checkIndex(i, d.count, o.name);
      const x = new Float32Array(hw);
      normalizeInto(x, d.pixels, i * hw, 1, hw, o.normalization);
      return { x, label: d.labels[i]! };
    },
  });
}

export function loadIdxImages(path: string, split: Split, numClasses: number): IdxImages {
  const f = resolveIdxPair(path, split);
  return pairIdx(readIdxFile(f.images), readIdxFile(f.labels), numClasses, f.images, f.labels);
}

/**
 * The Fashion-MNIST directory for a split when the user gave none: the committed test set, or Debian's
 * package for training (a clear error naming the package when it is not installed).
 */
export function defaultFashionMnistDir(split: Split): string {
  if (split === 'test') return embeddedFashionMnistDir();
  if (!existsSync(join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) {
    throw new DatasetError(
      `the Fashion-MNIST training split is not installed: run \`apt-get install dataset-fashion-mnist\` (installs ${DEBIAN_FASHION_MNIST_DIR}) or give fashion-mnist:DIR`,
    );
  }
  return DEBIAN_FASHION_MNIST_DIR;
}

export function loadFashionMnist(path: string | undefined, split: Split): Dataset {
  const dir = path ?? defaultFashionMnistDir(split);
  const source = path ?? (split === 'test' ? `embedded:${EMBEDDED_FASHION_MNIST_REL}` : DEBIAN_FASHION_MNIST_DIR);
  return idxImageDataset(loadIdxImages(dir, split, 10), {
    name: 'fashion-mnist',
    source,
    split,
    classNames: FASHION_MNIST_CLASSES,
    normalization: FASHION_MNIST_NORMALIZATION,
  });
}

export function loadMnist(path: string, split: Split): Dataset {
  return idxImageDataset(loadIdxImages(path, split, 10), {
    name: 'mnist',
    source: path,
    split,
    classNames: MNIST_CLASSES,
    normalization: MNIST_NORMALIZATION,
  });
}
