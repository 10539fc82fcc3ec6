import type { LayerSpec, ModelSpec } from '../../../src/models/spec.js';
import { CountingSink } from '../../../src/sim/counts.js';
import { ReferenceCore } from '../../../src/sim/cores/reference.js';
import { EventBuffer } from '../../../src/sim/events.js';
import type { StepContext, Value } from '../../../src/sim/primitives/context.js';

/** A step context of one layer of a throwaway spec (its own counting sink). */
export function ctxFor(layers: LayerSpec[], name: string, t = 0, T = 4): StepContext {
  const spec = { name: 'unit', layers } as unknown as ModelSpec;
  const sink = new CountingSink(spec, T);
  return { t, timesteps: T, sample: 0, slot: 0, core: new ReferenceCore(), sink, counts: sink.layer(name) };
}

export const dense = (...x: number[]): Value => ({ events: null, dense: Float64Array.from(x) });

/** Events of `size` addresses: [address, multiplicity] pairs in address order. */
export function events(size: number, ...pairs: [number, number][]): Value {
  const ev = new EventBuffer(size);
  for (const [a, m] of pairs) ev.push(a, m);
  return { events: ev, dense: null };
}
