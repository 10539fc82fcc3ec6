import type { ComputeCore } from '../core.js';
import type { CountingSink, LayerCounts } from '../counts.js';
import type { EventBuffer } from '../events.js';

/**
 * A tensor in flight between layers at one (sample, t): spiking activity as events, or real values dense
 * (token-major `[n][c]`). Exactly one of the two is set by the producing layer at each step.
 */
export interface Value {
  events: EventBuffer | null;
  dense: Float64Array | null;
}

/** What a primitive sees at one (sample, t). */
export interface StepContext {
  t: number;
  timesteps: number;
  /** Index of the sample within the whole run (for per-sample spike records). */
  sample: number;
  /** Index of the sample within the current batch (selects per-sample state). */
  slot: number;
  core: ComputeCore;
  sink: CountingSink;
  counts: LayerCounts;
}

/**
 * Records what a layer received: events, unit spikes, whether every value was 0/1. `denseNonzero`: the nonzero count
 * of a dense input when a kernel already counted it (the LIF step of a native core), else counted here.
 * Returns the input's unit spikes (events) or nonzero count (dense).
 */
export function noteInput(ctx: StepContext, v: Value, denseNonzero?: number): number {
  const lc = ctx.counts;
  if (v.events) {
    const ev = v.events;
    lc.inputIsEvents = true;
    lc.inputEvents[ctx.t]! += ev.count;
    const units = ev.unitSpikes();
    if (!ev.allOnes()) lc.inputBinary = false;
    lc.inputUnitSpikes[ctx.t]! += units;
    lc.inputElements = ev.size;
    return units;
  }
  if (v.dense) {
    const x = v.dense;
    let binary = lc.inputBinary;
    for (let i = 0; binary && i < x.length; i++) binary = x[i] === 0 || x[i] === 1;
    let nz = denseNonzero ?? 0;
    if (denseNonzero === undefined) for (let i = 0; i < x.length; i++) if (x[i] !== 0) nz++;
    noteDenseInput(ctx, x.length, nz, binary);
    return nz;
  }
  return 0;
}

/** noteInput's record of a dense input of `length` values, `nonzero` of them x !== 0, `binary` when all are 0 or 1. */
export function noteDenseInput(ctx: StepContext, length: number, nonzero: number, binary: boolean): void {
  const lc = ctx.counts;
  lc.inputElements = length;
  if (!binary) lc.inputBinary = false;
  lc.inputEvents[ctx.t]! += nonzero;
}

export function requireEvents(v: Value, layer: string): EventBuffer {
  if (!v.events) throw new Error(`${layer}: expected spiking (event) input`);
  return v.events;
}
export function requireDense(v: Value, layer: string): Float64Array {
  if (!v.dense) throw new Error(`${layer}: expected dense input`);
  return v.dense;
}
