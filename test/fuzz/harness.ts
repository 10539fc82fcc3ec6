import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InputError } from '../../src/errors.js';

/** Runs per parser: thousands, seeded, so a failure reproduces (fast-check prints the seed and the path). */
export const RUNS = Number(process.env.SPIKEWATT_FUZZ_RUNS ?? 2000);
export const SEED = Number(process.env.SPIKEWATT_FUZZ_SEED ?? 20261201);

/** Values that break length fields and offsets: zero, one, off-by-one around a power of two, the u32/i32 edges. */
const EDGE_U32 = [0, 1, 2, 7, 8, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'u32'; at: number; value: number; le: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'repeat'; at: number; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x22, 0x7b, 0x2e) }),
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.constantFrom(...EDGE_U32), le: fc.boolean() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
);

function apply(buf: Uint8Array, m: Mutation): Uint8Array {
  const n = buf.length,
    at = n ? m.at % (n + 1) : 0;
  switch (m.kind) {
    case 'flip': {
      if (!n) return buf;
      const b = Uint8Array.from(buf);
      b[at % n]! ^= 1 << m.bit;
      return b;
    }
    case 'set': {
      if (!n) return buf;
      const b = Uint8Array.from(buf);
      b[at % n] = m.byte;
      return b;
    }
    case 'u32': {
      if (n < 4) return buf;
      const b = Uint8Array.from(buf);
      new DataView(b.buffer).setUint32(at % (n - 3), m.value >>> 0, m.le);
      return b;
    }
    case 'truncate':
      return buf.slice(0, at);
    case 'delete':
      return Uint8Array.from([...buf.subarray(0, at), ...buf.subarray(at + m.len)]);
    case 'insert':
      return Uint8Array.from([...buf.subarray(0, at), ...m.bytes, ...buf.subarray(at)]);
    case 'repeat':
      return Uint8Array.from([...buf.subarray(0, at), ...buf.subarray(at, at + m.len), ...buf.subarray(at)]);
    default: {
      const never: never = m;
      throw new Error(`mutation ${JSON.stringify(never)}`);
    }
  }
}

/** Inputs seeded from valid files: a seed with 1..4 mutations, a seed as is, or plain random bytes. */
export function bytesFrom(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(seed, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([s, ms]) => ms.reduce(apply, s)) },
    { weight: 1, arbitrary: seed },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  );
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A value that breaks schemas: NaN-like and huge numbers, wrong types, empty and odd strings. */
const hostile: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, -1e308, 2 ** 53, 0.5, '', 'NaN', 'Infinity', '<script>', [], {}),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/**
 * A JSON document with 1..3 values replaced or keys deleted, seeded from valid documents. Each edit walks down
 * from the root, one child per step (so deep leaves are as reachable as shallow ones, in O(depth)).
 */
export function jsonFrom(seeds: readonly Json[]): fc.Arbitrary<Json> {
  const edit = fc.record({ steps: fc.array(fc.nat(), { maxLength: 10 }), del: fc.boolean(), value: hostile });
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([seed, edits]) => {
    let doc = structuredClone(seed);
    for (const e of edits) {
      let parent: Json[] | { [k: string]: Json } | null = null,
        key: string | number = '',
        node: Json = doc;
      for (const step of e.steps) {
        if (node === null || typeof node !== 'object') break;
        const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
        if (!keys.length) break;
        parent = node;
        key = keys[step % keys.length]!;
        node = (node as Record<string | number, Json>)[key]!;
      }
      if (parent === null) doc = e.value;
      else if (e.del && !Array.isArray(parent)) delete parent[key as string];
      else (parent as Record<string | number, Json>)[key] = e.value;
    }
    return doc;
  });
}

/**
 * The property every parser keeps: any input gives a result or the project's InputError (one line for the
 * user), never another exception. Each case is also timed, so a near-hang shows as a failure with its input.
 */
export function neverThrowsOtherThanInputError<T>(
  input: fc.Arbitrary<T>,
  parse: (x: T) => unknown,
  o: { runs?: number; maxMs?: number } = {},
): void {
  const maxMs = o.maxMs ?? 2000;
  const r = fc.check(
    fc.property(input, (x) => {
      const start = performance.now();
      try {
        parse(x);
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`not an InputError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        assert.ok(!e.message.includes('\n'), `a multi-line message: ${e.message}`);
      }
      const ms = performance.now() - start;
      if (ms > maxMs) throw new Error(`one case took ${ms.toFixed(0)} ms`);
    }),
    { numRuns: o.runs ?? RUNS, seed: SEED },
  );
  if (r.failed) {
    const cause = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
    const base64 = (_k: string, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v);
    const shown = JSON.stringify(r.counterexample?.[0], base64);
    throw new Error(
      `${cause}\n  after ${r.numRuns} cases (seed ${r.seed}, path ${r.counterexamplePath}); input (bytes as base64): ` +
        `${(shown ?? 'undefined').slice(0, 600)}`,
    );
  }
}
