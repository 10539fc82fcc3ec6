import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import { CountingSink, type LayerCounts, type OpCounts } from '../sim/counts.js';
import type { z } from 'zod';
import { decodeNeurons, encodeNeurons } from '../record/file.js';
import type { rawCountsSchema } from '../reports/schema.js';

/** Shard `index` of `count` (0-based), as `--shard i/n` gives it. */
export interface Shard {
  index: number;
  count: number;
}

/** A slice [first, end) of a run's samples. */
export interface SampleSlice {
  first: number;
  end: number;
}

export type RawCounts = z.infer<typeof rawCountsSchema>;
type ExactCount = RawCounts['layers'][number]['ops'][number];

export function parseShard(s: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  if (!m) throw new InputError(`--shard ${s}: expected i/n (0-based shard i of n, e.g. 0/4)`);
  const index = Number(m[1]),
    count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new InputError(`--shard ${s}: n must be at least 1`);
  if (index >= count) throw new InputError(`--shard ${s}: i must be below n (shards are numbered 0..${count - 1})`);
  return { index, count };
}

/**
 * The samples of shard i of n over `total` samples: contiguous, deterministic, sizes differing by at most one
 * unit. The unit is one sample, or one batch under `official` coupling, which couples the samples of a batch:
 * there a slice must start on a batch boundary so that every batch is the one the unsharded run simulates.
 */
export function shardSlice(shard: Shard, total: number, coupling: BatchCoupling, batchSize: number): SampleSlice {
  const unit = coupling === 'official' ? batchSize : 1;
  const units = Math.ceil(total / unit);
  if (shard.count > units) {
    throw new InputError(
      `--shard ${shard.index}/${shard.count}: ${total} samples make only ${units} ` +
        `${unit === 1 ? 'samples' : `batches of ${unit}`}; use at most ${units} shards`,
    );
  }
  const at = (i: number) => Math.min(total, Math.floor((i * units) / shard.count) * unit);
  return { first: at(shard.index), end: at(shard.index + 1) };
}

/**
 * SHA-256 of the weights a run simulates: every tensor in key order (key, shape, float64 values), so the
 * parts of one run agree whether the weights came from a file or from a seeded init.
 */
export function weightsDigest(tensors: TensorMap): string {
  const h = createHash('sha256');
  // the float64 bytes of every value, converted through one small buffer: a float64 copy of a whole model would cost
  // more in fresh pages than the hash itself
  const chunk = new Float64Array(1 << 16),
    bytes = new Uint8Array(chunk.buffer);
  for (const key of [...tensors.keys()].sort()) {
    const t = tensors.get(key)!;
    h.update(`${key}\0${t.shape.join('x')}\0`);
    for (let i = 0; i < t.data.length; i += chunk.length) {
      const part = t.data.subarray(i, i + chunk.length);
      chunk.set(part);
      h.update(bytes.subarray(0, part.length * 8));
    }
  }
  return h.digest('hex');
}

const exact = (v: number): ExactCount => v;

/** The integer counts of a run as JSON (numbers; every count of one process is a double below 2^53). */
export function rawCounts(c: OpCounts): RawCounts {
  return {
    samples: c.samples,
    layers: c.layers.map((l) => ({
      name: l.name,
      ops: Array.from(l.ops, exact),
      inputEvents: Array.from(l.inputEvents, exact),
      inputUnitSpikes: Array.from(l.inputUnitSpikes, exact),
      outputSpikes: Array.from(l.outputSpikes, exact),
      inputElements: l.inputElements,
      inputBinary: l.inputBinary,
      inputIsEvents: l.inputIsEvents,
      ...(l.neuronSpikes ? { neuronSpikes: encodeNeurons(l.neuronSpikes) } : {}),
    })),
  };
}

const big = (v: ExactCount): bigint => BigInt(v);
/** A BigInt sum as JSON: a number while exact in a double, else its digits. */
const fromBig = (v: bigint): ExactCount => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

/**
 * Sums raw counts of disjoint sample sets as integers (BigInt, so totals past 2^53 stay exact); the input
 * statistics combine as the simulator's own merge does (max of elements, AND of binariness, OR of events).
 */
export function sumRawCounts(parts: readonly RawCounts[], what = 'parts'): RawCounts {
  const first = parts[0];
  if (!first) throw new InputError(`no ${what} to sum`);
  const layers = first.layers.map((l, i) => {
    const vec = (pick: (x: RawCounts['layers'][number]) => readonly ExactCount[]) => {
      const acc = pick(l).map(big);
      for (const p of parts.slice(1)) {
        const other = p.layers[i];
        const v = other ? pick(other) : [];
        if (!other || other.name !== l.name || v.length !== acc.length) {
          throw new InputError(`${what} do not have the same layers (layer ${i}: ${l.name} vs ${other?.name ?? 'none'})`);
        }
        v.forEach((x, j) => {
          acc[j]! += big(x);
        });
      }
      return acc.map(fromBig);
    };
    return {
      name: l.name,
      ops: vec((x) => x.ops),
      inputEvents: vec((x) => x.inputEvents),
      inputUnitSpikes: vec((x) => x.inputUnitSpikes),
      outputSpikes: vec((x) => x.outputSpikes),
      inputElements: Math.max(...parts.map((p) => p.layers[i]!.inputElements)),
      inputBinary: parts.every((p) => p.layers[i]!.inputBinary),
      inputIsEvents: parts.some((p) => p.layers[i]!.inputIsEvents),
    };
  });
  for (const p of parts) {
    if (p.layers.length !== layers.length) throw new InputError(`${what} do not have the same number of layers`);
  }
  return { samples: parts.reduce((s, p) => s + p.samples, 0), layers };
}

/**
 * Raw counts back into the simulator's table for `spec`, checked against it (layer names, lengths). A total
 * past 2^53 becomes the nearest double, which is what any per-inference figure divides anyway.
 */
export function countsFromRaw(raw: RawCounts, spec: ModelSpec, what: string): OpCounts {
  const T = spec.config.timesteps;
  const c = new CountingSink(spec, T).counts;
  if (raw.layers.length !== c.layers.length) {
    throw new InputError(`${what}: ${raw.layers.length} layers of counts, the model has ${c.layers.length}`);
  }
  c.samples = raw.samples;
  c.layers.forEach((lc: LayerCounts, i) => {
    const r = raw.layers[i]!;
    if (r.name !== lc.name) throw new InputError(`${what}: counts of layer ${r.name} where the model has ${lc.name}`);
    const fill = (into: Float64Array, from: readonly ExactCount[], field: string) => {
      if (from.length !== into.length) {
        throw new InputError(`${what}: ${lc.name}.${field} has ${from.length} values, expected ${into.length}`);
      }
      from.forEach((v, j) => {
        into[j] = Number(v);
      });
    };
    fill(lc.ops, r.ops, 'ops');
    fill(lc.inputEvents, r.inputEvents, 'inputEvents');
    fill(lc.inputUnitSpikes, r.inputUnitSpikes, 'inputUnitSpikes');
    fill(lc.outputSpikes, r.outputSpikes, 'outputSpikes');
    lc.inputElements = r.inputElements;
    lc.inputBinary = r.inputBinary;
    lc.inputIsEvents = r.inputIsEvents;
    if (r.neuronSpikes) lc.neuronSpikes = decodeNeurons(r.neuronSpikes.data, T * lc.outputElements, `${what}: ${lc.name}`);
  });
  return c;
}
