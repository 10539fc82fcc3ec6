/**
 * Tiny seeded synthetic datasets for tests and smoke runs (never for accuracy claims).
 *
 * - static: `[C,H,W]` images; class c is a bright bar at orientation c*pi/numClasses through the centre
 *   (value 1) on N(0, 0.1^2) noise. Learnable, cheap.
 * - dvs: `[T,2,H,W]` event counts of a dot moving one pixel per step in direction c*2pi/numClasses from the
 *   centre (ON events at its new position, OFF at its old one), plus sparse seeded noise events.
 * Sample i uses the PRNG mulberry32(sampleSeed(seed, i)), so samples are independent of the order they are read.
 */
import { mulberry32, gaussian } from '../models/weights.js';
import { checkIndex, sampleSeed, type Dataset, type Split } from './dataset.js';

export interface SyntheticOptions {
  kind: 'static' | 'dvs';
  split: Split;
  length?: number;
  numClasses?: number;
  channels?: number;
  size?: number;
  timesteps?: number;
  seed?: number;
}

export const SYNTHETIC_DEFAULTS = { length: 64, numClasses: 4, channels: 3, size: 16, timesteps: 4, seed: 0 } as const;

export function syntheticDataset(o: SyntheticOptions): Dataset {
  const n = o.length ?? SYNTHETIC_DEFAULTS.length,
    nc = o.numClasses ?? SYNTHETIC_DEFAULTS.numClasses;
  const S = o.size ?? SYNTHETIC_DEFAULTS.size,
    T = o.timesteps ?? SYNTHETIC_DEFAULTS.timesteps;
  const C = o.kind === 'dvs' ? 2 : (o.channels ?? SYNTHETIC_DEFAULTS.channels);
  // The test split draws from a different seed stream than train (same generator, disjoint samples).
  const seed = (o.seed ?? SYNTHETIC_DEFAULTS.seed) + (o.split === 'test' ? 0x5eed : 0);
  const name = o.kind === 'dvs' ? 'synthetic-dvs' : 'synthetic';
  const sampleShape = o.kind === 'dvs' ? [T, 2, S, S] : [C, S, S];
  const get = (i: number) => {
    checkIndex(i, n, name);
    const rand = mulberry32(sampleSeed(seed, i)),
      g = gaussian(rand);
    const label = Math.floor(rand() * nc);
    const mid = (S - 1) / 2;
    if (o.kind === 'static') {
      const x = new Float32Array(C * S * S),
        th = (label * Math.PI) / nc,
        cs = Math.cos(th),
        sn = Math.sin(th);
      for (let c = 0; c < C; c++) {
        for (let yy = 0; yy < S; yy++) {
          for (let xx = 0; xx < S; xx++) {
            const dist = Math.abs(-(xx - mid) * sn + (yy - mid) * cs);
            x[(c * S + yy) * S + xx] = (dist < 1 ? 1 : 0) + 0.1 * g();
          }
        }
      }
      return { x, label };
    }
    const x = new Float32Array(T * 2 * S * S),
      th = (label * 2 * Math.PI) / nc;
    const at = (t: number, p: number, yy: number, xx: number) => {
      const cx = Math.min(S - 1, Math.max(0, Math.round(xx))),
        cy = Math.min(S - 1, Math.max(0, Math.round(yy)));
      x[((t * 2 + p) * S + cy) * S + cx]! += 1;
    };
    for (let t = 0; t < T; t++) {
      const r0 = t,
        r1 = t + 1;
      at(t, 1, mid + r1 * Math.sin(th), mid + r1 * Math.cos(th));
      at(t, 0, mid + r0 * Math.sin(th), mid + r0 * Math.cos(th));
      if (rand() < 0.5) at(t, rand() < 0.5 ? 0 : 1, rand() * S, rand() * S);
    }
    return { x, label };
  };
  return Object.freeze({
    name,
    source: `seed ${o.seed ?? SYNTHETIC_DEFAULTS.seed}`,
    split: o.split,
    kind: o.kind,
    numClasses: nc,
    sampleShape,
    normalization: { kind: 'none' as const },
    length: n,
    get,
    ...(o.kind === 'dvs' ? { framing: { timesteps: T, splitBy: 'number' as const, sensorHeight: S, sensorWidth: S, downsample: 1 } } : {}),
  });
}
