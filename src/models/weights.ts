import type { ModelSpec } from './spec.js';
import type { Tensor, TensorMap } from './tensor.js';
import { shapeNumel } from './tensor.js';
import { InputError } from '../errors.js';

export class CheckpointMismatchError extends InputError {}

/**
 * Checks a checkpoint against a model's official state_dict keys. `num_batches_tracked` and unused
 * parameters (Spikformer's LayerNorms) may be absent. One error names every missing, unexpected and
 * mis-shaped key.
 */
export function checkCheckpoint(spec: ModelSpec, t: TensorMap, what = 'checkpoint'): void {
  const missing: string[] = [],
    shapes: string[] = [];
  const known = new Set<string>();
  for (const k of spec.stateKeys) {
    known.add(k.key);
    const got = t.get(k.key);
    const optional = k.key.endsWith('num_batches_tracked') || !k.used;
    if (!got) {
      if (!optional) missing.push(k.key);
      continue;
    }
    if (got.shape.length !== k.shape.length || got.shape.some((d, i) => d !== k.shape[i])) {
      // A scalar stored as [1] is the same thing.
      if (!(shapeNumel(got.shape) === 1 && shapeNumel(k.shape) === 1)) {
        shapes.push(`${k.key} (expected [${k.shape.join(',')}], got [${got.shape.join(',')}])`);
      }
    }
  }
  const unexpected = [...t.keys()].filter((k) => !known.has(k));
  if (missing.length || unexpected.length || shapes.length) {
    const parts: string[] = [];
    const list = (xs: string[]) => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, ... (${xs.length} in all)` : xs.join(', '));
    if (missing.length) parts.push(`missing ${missing.length}: ${list(missing)}`);
    if (unexpected.length) parts.push(`unexpected ${unexpected.length}: ${list(unexpected)}`);
    if (shapes.length) parts.push(`mis-shaped ${shapes.length}: ${list(shapes)}`);
    throw new CheckpointMismatchError(`${what} does not fit model ${spec.name}: ${parts.join('; ')}`);
  }
  // NOTE: a NaN or Inf weight would not fail anywhere later: it silences or saturates neurons and the run prices nonsense
  for (const k of spec.stateKeys) {
    const got = t.get(k.key);
    if (!got) continue;
    const i = firstNonFinite(got.data);
    if (i >= 0) {
      throw new CheckpointMismatchError(
        `${what}: tensor ${k.key} holds ${got.data[i]} at flat index ${i} of ${got.data.length} ` +
          '(NaN or Inf: a diverged training run or a corrupt file)',
      );
    }
  }
}

/** Index of the first NaN or infinite value, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** mulberry32: small seeded PRNG; every random thing in spikewatt goes through a seeded generator. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12),
      v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export interface InitOptions {
  seed: number;
  /** Round every weight to a multiple of 1/256 (sums then exact in any order). */
  quantize256?: boolean;
}

/**
 * Seeded random initialisation of every official key: conv weights kaiming-uniform-like U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)) scaled up 3x so that spikes flow in untrained nets, BN with non-trivial statistics,
 * head N(0, 1/fan_in).
 */
export function randomWeights(spec: ModelSpec, opts: InitOptions): TensorMap {
  const rand = mulberry32(opts.seed);
  const gauss = gaussian(rand);
  const q = (x: number) => (opts.quantize256 ? Math.round(x * 256) / 256 : x);
  const out: TensorMap = new Map();
  for (const k of spec.stateKeys) {
    const n = shapeNumel(k.shape);
    const data = new Float32Array(n);
    const key = k.key;
    if (key.endsWith('num_batches_tracked')) continue;
    if (key.endsWith('running_mean')) for (let i = 0; i < n; i++) data[i] = q(0.1 * gauss());
    else if (key.endsWith('running_var')) for (let i = 0; i < n; i++) data[i] = q(0.5 + rand());
    else if (/_bn\d?\.weight$/.test(key)) for (let i = 0; i < n; i++) data[i] = q(0.75 + 0.5 * rand());
    else if (/_bn\d?\.bias$/.test(key)) for (let i = 0; i < n; i++) data[i] = q(0.2 * gauss() + 0.2);
    else if (key.endsWith('.bias')) for (let i = 0; i < n; i++) data[i] = q(0.1 * gauss());
    else if (k.shape.length >= 2) {
      const fanIn = shapeNumel(k.shape.slice(1));
      const a = 3 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) data[i] = q((2 * rand() - 1) * a);
    } else for (let i = 0; i < n; i++) data[i] = q(key.endsWith('weight') ? 1 : 0);
    const t: Tensor = { shape: [...k.shape], data, dtype: 'F32' };
    out.set(key, t);
  }
  return out;
}
