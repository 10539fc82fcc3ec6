/**
 * The dataset interface every loader returns, and the small helpers they share.
 *
 * Sample layout:
 * - static images: float32 `[C, H, W]` (channel-major, row-major inside a channel), normalised as the
 *   dataset's `normalization` says;
 * - DVS: float32 `[T, 2, H, W]` integer event counts per time step, polarity channel and pixel (never
 *   normalised). Channel 0 holds events with polarity 0, channel 1 those with polarity 1 (spikingjelly's
 *   `integrate_events_segment_to_frame`).
 *
 * NOTE: the simulator's activations are token-major `[n][c]` (HWC); `chwToHwc` converts one frame.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../errors.js';

/** A bad or missing dataset file. Its message is one line: the file and what is wrong. */
export class DatasetError extends InputError {
  override name = 'DatasetError';
}

export type SampleKind = 'static' | 'dvs';
export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/**
 * How raw values become the float inputs the model sees.
 * - `meanStd`: `x = (raw / scale - mean[c]) / std[c]` per channel c (torchvision ToTensor + Normalize);
 * - `none`: values as stored (DVS event counts, synthetic sets).
 */
export type Normalization = { kind: 'meanStd'; scale: number; mean: number[]; std: number[] } | { kind: 'none' };

/** How DVS events became frames, recorded so checkpoints and reports can say what they were fed. */
export interface DvsFraming {
  /** Frames per sample (the model's T). */
  timesteps: number;
  /** Always `number`: T slices with equal event counts, the last one taking the remainder. */
  splitBy: 'number';
  /** Sensor resolution before down-sampling. */
  sensorHeight: number;
  sensorWidth: number;
  /** Integer factor f: frame pixel (y, x) sums sensor pixels (f*y .. f*y+f-1, f*x .. f*x+f-1). 1 = none. */
  downsample: number;
}

export interface Sample {
  /** `[C,H,W]` (static) or `[T,2,H,W]` (dvs), flattened row-major; see `Dataset.sampleShape`. */
  x: Float32Array;
  /** Class index in `0 .. numClasses-1`. */
  label: number;
}

export interface Dataset {
  /** Registry name: `fashion-mnist`, `cifar10`, `dvs128`, ... */
  readonly name: string;
  /** Where the samples come from (a path, `embedded`, or a seed). */
  readonly source: string;
  readonly split: Split;
  readonly kind: SampleKind;
  readonly numClasses: number;
  readonly classNames?: readonly string[];
  /** `[C,H,W]` for static, `[T,2,H,W]` for dvs. */
  readonly sampleShape: readonly number[];
  readonly normalization: Normalization;
  /** Present exactly when `kind` is `dvs`. */
  readonly framing?: DvsFraming;
  readonly length: number;
  /** Sample i (0 <= i < length). Deterministic: the same i gives the same sample. */
  get(i: number): Sample;
}

/** The serialisable description of a dataset (for checkpoints, reports and `--json`). */
export interface DatasetInfo {
  name: string;
  source: string;
  split: Split;
  kind: SampleKind;
  numClasses: number;
  classNames: string[] | null;
  sampleShape: number[];
  normalization: Normalization;
  framing: DvsFraming | null;
  length: number;
}

export function datasetInfo(d: Dataset): DatasetInfo {
  return {
    name: d.name,
    source: d.source,
    split: d.split,
    kind: d.kind,
    numClasses: d.numClasses,
    classNames: d.classNames ? [...d.classNames] : null,
    sampleShape: [...d.sampleShape],
    normalization: d.normalization,
    framing: d.framing ?? null,
    length: d.length,
  };
}

/** The first `limit` samples of `d` (all of them when limit is undefined or larger). */
export function limitDataset(d: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined || limit >= d.length) return d;
  if (!Number.isInteger(limit) || limit < 1) throw new DatasetError(`limit must be a positive integer, got ${limit}`);
  const base = d;
  return Object.freeze({
    name: base.name,
    source: base.source,
    split: base.split,
    kind: base.kind,
    numClasses: base.numClasses,
    ...(base.classNames ? { classNames: base.classNames } : {}),
    sampleShape: base.sampleShape,
    normalization: base.normalization,
    ...(base.framing ? { framing: base.framing } : {}),
    length: limit,
    get(i: number): Sample {
      checkIndex(i, limit, base.name);
      return base.get(i);
    },
  });
}

export function checkIndex(i: number, length: number, name: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new RangeError(`${name}: sample index ${i} out of range 0..${length - 1}`);
  }
}

/** Reads a whole file; a missing or unreadable file is a one-line DatasetError naming it. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(`${path}: no such file`);
    if (code === 'EISDIR') throw new DatasetError(`${path}: is a directory, expected a file`);
    throw new DatasetError(`${path}: cannot read (${code ?? (e instanceof Error ? e.message : String(e))})`);
  }
}

export type PathKind = 'file' | 'dir' | 'missing';
export function pathKind(path: string): PathKind {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** Short file name for messages about buffers that came from a path. */
export function shortName(path: string): string {
  return basename(path) || path;
}

/**
 * Writes one image of raw bytes `src[offset ..]` laid out `[C,H,W]` into `dst` as normalised float32.
 * `meanStd`: `dst = (src / scale - mean[c]) / std[c]`.
 */
export function normalizeInto(dst: Float32Array, src: Uint8Array, offset: number, c: number, hw: number, n: Normalization): void {
  switch (n.kind) {
    case 'meanStd':
      for (let ch = 0; ch < c; ch++) {
        const m = n.mean[ch] ?? n.mean[0]!,
          s = n.std[ch] ?? n.std[0]!;
        const a = 1 / (n.scale * s),
          b = -m / s;
        const o = ch * hw;
        for (let k = 0; k < hw; k++) dst[o + k] = src[offset + o + k]! * a + b;
      }
      return;
    case 'none':
      for (let k = 0; k < c * hw; k++) dst[k] = src[offset + k]!;
      return;
    default: {
      const never: never = n;
      throw new Error(`unknown normalization ${(never as { kind: string }).kind}`);
    }
  }
}

/** `[C,H,W]` -> `[H*W][C]` (token-major, the simulator's activation layout). */
export function chwToHwc(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let n = 0; n < h * w; n++) out[n * c + ch] = x[ch * h * w + n]!;
  }
  return out;
}

/** Mixes a seed and a sample index into one 32-bit PRNG seed. */
export function sampleSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
