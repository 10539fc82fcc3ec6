/**
 * fashion-mnist-dvs: a neuromorphic view of Fashion-MNIST made offline, the way N-MNIST was recorded: the image
 * moves along a small triangle (three saccades) in front of a simulated DVS, which emits events where the log
 * intensity changes by more than a contrast threshold.
 *
 * Geometry: the 28x28 image is scaled by k = max(1, floor(S/32)) and centred on an S x S sensor (S = 32: a
 * 2-pixel border). The offset visits v0 = (0,0) -> v1 = (a/2, a) -> v2 = (-a/2, a) -> v0 (x right, y down,
 * a = 2k sensor pixels), `stepsPerSaccade` sub-steps per edge, each lasting `stepUs` microseconds. The sensor
 * image at a sub-step is the bilinear sample of the shifted image, intensity I = pixel/255.
 *
 * DVS model (per pixel, log intensity L = ln(I + 0.05)): the reference level starts at L of the first
 * position. At each sub-step, while L - ref >= C the pixel emits an ON event (p = 1) and ref += C; while
 * ref - L >= C an OFF event (p = 0) and ref -= C. C = contrast * (1 + 0.05 g) per pixel, g a seeded
 * standard normal (threshold mismatch). Each event's time is uniform within its sub-step; background noise
 * adds Bernoulli(noiseRate) events of random polarity per pixel and sub-step. Events are sorted by time and
 * integrated into T frames by number, like the recorded DVS sets.
 *
 * Deterministic: sample i with seed s always uses the PRNG mulberry32(mix(s, i)).
 */
import { mulberry32, gaussian } from '../models/weights.js';
import { checkIndex, DatasetError, sampleSeed, type Dataset, type DvsFraming, type Split } from './dataset.js';
import { framedSize, integrateByNumber, type EventStream } from './frames.js';
import { FASHION_MNIST_CLASSES, defaultFashionMnistDir, loadIdxImages } from './mnist.js';
import type { IdxImages } from './idx.js';

export interface SaccadeOptions {
  /** Sensor side S in pixels (>= 28). */
  sensorSize: number;
  stepsPerSaccade: number;
  stepUs: number;
  /** Mean contrast threshold C in log-intensity units. */
  contrast: number;
  /** Probability of a noise event per pixel and sub-step. */
  noiseRate: number;
}

export const DEFAULT_SACCADE: SaccadeOptions = { sensorSize: 32, stepsPerSaccade: 8, stepUs: 1000, contrast: 0.2, noiseRate: 0.0005 };

const LOG_EPS = 0.05;

/** The DVS events of one 28x28 image (bytes `pixels[offset .. offset+784)`). */
export function saccadeEvents(pixels: Uint8Array, offset: number, o: SaccadeOptions, rand: () => number): EventStream {
  const S = o.sensorSize,
    k = Math.max(1, Math.floor(S / 32)),
    a = 2 * k;
  if (S < 28 * k + 2 * a) throw new DatasetError(`sensor size ${S} too small for the saccades (needs ${28 * k + 2 * a})`);
  const o0 = (S - 28 * k) / 2;
  const gauss = gaussian(rand);
  const thr = new Float32Array(S * S);
  for (let q = 0; q < S * S; q++) thr[q] = o.contrast * Math.max(0.5, 1 + 0.05 * gauss());
  // The image with a 1-pixel zero border, so bilinear taps never leave the array.
  const pad = new Float32Array(30 * 30);
  for (let yy = 0; yy < 28; yy++) for (let xx = 0; xx < 28; xx++) pad[(yy + 1) * 30 + xx + 1] = pixels[offset + yy * 28 + xx]! / 255;
  const tap = (yy: number, xx: number) => (yy < -1 || yy > 28 || xx < -1 || xx > 28 ? 0 : pad[(yy + 1) * 30 + xx + 1]!);
  const logFrame = (dx: number, dy: number, out: Float32Array) => {
    for (let v = 0; v < S; v++) {
      const iy = (v + 0.5 - o0 - dy) / k - 0.5,
        y0 = Math.floor(iy),
        fy = iy - y0;
      for (let u = 0; u < S; u++) {
        const ix = (u + 0.5 - o0 - dx) / k - 0.5,
          x0 = Math.floor(ix),
          fx = ix - x0;
        const I = (1 - fy) * ((1 - fx) * tap(y0, x0) + fx * tap(y0, x0 + 1)) + fy * ((1 - fx) * tap(y0 + 1, x0) + fx * tap(y0 + 1, x0 + 1));
        out[v * S + u] = Math.log(I + LOG_EPS);
      }
    }
  };
  const verts: [number, number][] = [
    [0, 0],
    [a / 2, a],
    [-a / 2, a],
    [0, 0],
  ];
  const ref = new Float32Array(S * S),
    cur = new Float32Array(S * S);
  logFrame(0, 0, ref);
  const ev: { t: number; x: number; y: number; p: number }[] = [];
  const steps = 3 * o.stepsPerSaccade;
  for (let s = 1; s <= steps; s++) {
    const edge = Math.min(2, Math.floor((s - 1) / o.stepsPerSaccade)),
      f = (s - edge * o.stepsPerSaccade) / o.stepsPerSaccade;
    const [ax, ay] = verts[edge]!,
      [bx, by] = verts[edge + 1]!;
    logFrame(ax + (bx - ax) * f, ay + (by - ay) * f, cur);
    const t0 = (s - 1) * o.stepUs;
    for (let q = 0; q < S * S; q++) {
      const c = thr[q]!;
      while (cur[q]! - ref[q]! >= c) {
        ref[q] = ref[q]! + c;
        ev.push({ t: t0 + rand() * o.stepUs, x: q % S, y: Math.floor(q / S), p: 1 });
      }
      while (ref[q]! - cur[q]! >= c) {
        ref[q] = ref[q]! - c;
        ev.push({ t: t0 + rand() * o.stepUs, x: q % S, y: Math.floor(q / S), p: 0 });
      }
      if (o.noiseRate > 0 && rand() < o.noiseRate)
        ev.push({ t: t0 + rand() * o.stepUs, x: q % S, y: Math.floor(q / S), p: rand() < 0.5 ? 0 : 1 });
    }
  }
  ev.sort((e1, e2) => e1.t - e2.t);
  const out: EventStream = {
    t: Float64Array.from(ev, (e) => e.t),
    x: Uint16Array.from(ev, (e) => e.x),
    y: Uint16Array.from(ev, (e) => e.y),
    p: Uint8Array.from(ev, (e) => e.p),
    width: S,
    height: S,
  };
  return out;
}

export interface FashionMnistDvsOptions {
  split: Split;
  timesteps: number;
  seed?: number;
  downsample?: number;
  saccade?: Partial<SaccadeOptions>;
}

/** fashion-mnist-dvs over already parsed IDX images. */
export function saccadeDataset(images: IdxImages, source: string, o: FashionMnistDvsOptions): Dataset {
  const sac: SaccadeOptions = { ...DEFAULT_SACCADE, ...o.saccade };
  const seed = o.seed ?? 0,
    downsample = o.downsample ?? 1;
  const { h, w } = framedSize({ width: sac.sensorSize, height: sac.sensorSize }, downsample);
  if (images.height !== 28 || images.width !== 28)
    throw new DatasetError(`fashion-mnist-dvs needs 28x28 images, got ${images.height}x${images.width}`);
  const framing: DvsFraming = {
    timesteps: o.timesteps,
    splitBy: 'number',
    sensorHeight: sac.sensorSize,
    sensorWidth: sac.sensorSize,
    downsample,
  };
  return Object.freeze({
    name: 'fashion-mnist-dvs',
    source: `${source} (seed ${seed})`,
    split: o.split,
    kind: 'dvs' as const,
    numClasses: 10,
    classNames: FASHION_MNIST_CLASSES,
    sampleShape: [o.timesteps, 2, h, w],
    normalization: { kind: 'none' as const },
    framing,
    length: images.count,
    get(i: number) {
      checkIndex(i, images.count, 'fashion-mnist-dvs');
      const ev = saccadeEvents(images.pixels, i * 784, sac, mulberry32(sampleSeed(seed, i)));
      return { x: integrateByNumber(ev, o.timesteps, downsample, `fashion-mnist-dvs sample ${i}`), label: images.labels[i]! };
    },
  });
}

export function loadFashionMnistDvs(path: string | undefined, o: FashionMnistDvsOptions): Dataset {
  const dir = path ?? defaultFashionMnistDir(o.split);
  return saccadeDataset(loadIdxImages(dir, o.split, 10), path ?? (o.split === 'test' ? 'embedded:data/fashion-mnist' : dir), o);
}
