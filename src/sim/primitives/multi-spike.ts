import type { MultiSpikeLayer, MultiSpikeRounding } from '../../models/spec.js';
import type { LayerCounts } from '../counts.js';
import type { EventBuffer } from '../events.js';
import { NUM_OP_KINDS, opIndex } from '../ops.js';
import { noteInput, requireDense, type StepContext, type Value } from './context.js';

/**
 * Multi-level integer spike (SDT v3's `MultiSpike`, stateless): m[i] = round(clamp(x[i], 0, D)), rounding half to
 * even as torch.round does (the base model), or half up, floor(clamp(x, 0, D) + 0.5) (Model_Large's `multispike`). Sent as integer events: one event of multiplicity m per nonzero element. The official
 * module outputs m / norm; fold.ts folds the 1/norm into the weights of the conv or head it feeds and into the scale
 * of an SSA product, so the events carry the integers themselves.
 *
 * Two exact views of one run. The counts carry the integer-event view for this layer:
 *
 * | op           | count per (sample, t)                                                   |
 * |--------------|-------------------------------------------------------------------------|
 * | neuronUpdate | N (one clamp and round per element; no state)                            |
 * | spike        | sum of m (unit spikes: an event of value m is m spikes)                  |
 * | memWrite     | integer events (one word per nonzero element: its address and m)         |
 *
 * The binary expansion over D virtual steps sends an event of value m as one unit spike in each of the first m of D
 * virtual steps, visiting every neuron in each: neuronUpdate D N, spike sum of m, memWrite sum of m (one word per
 * unit spike). `binaryExpansion` gives those numbers from this layer's counts (a documented second count: no op kind
 * of its own). The layers fed count sum of m x fan-out `ac` (conv.ts, head.ts) in both views: m unit spikes, or an
 * m-fold accumulate of the weight; their `inputEvents` (integer events) next to `inputUnitSpikes` (sum of m) give
 * the integer-event traffic.
 */
export function runMultiSpike(layer: MultiSpikeLayer, ctx: StepContext, input: Value, out: EventBuffer): void {
  noteInput(ctx, input);
  const x = requireDense(input, layer.name),
    D = layer.levels,
    rounding = layer.rounding ?? 'halfEven';
  out.clear();
  let units = 0;
  for (let i = 0; i < x.length; i++) {
    const m = quantise(x[i]!, D, rounding);
    if (m !== 0) {
      out.push(i, m);
      units += m;
    }
  }
  const { sink, counts: lc, t } = ctx;
  sink.add(lc, t, 'neuronUpdate', x.length);
  sink.add(lc, t, 'spike', units);
  sink.add(lc, t, 'memWrite', out.count);
  lc.outputSpikes[t]! += units;
  sink.recordSpikes(layer.name, ctx.sample, t, ctx.timesteps, units);
}

/**
 * round(clamp(x, 0, D)): 'halfEven' with torch.round's ties to even (0.5 -> 0, 1.5 -> 2, 2.5 -> 2); 'halfUp'
 * floor(x + 0.5) (0.5 -> 1, 1.5 -> 2, 2.5 -> 3; exact in float64 for a float32 x).
 */
export function quantise(x: number, D: number, rounding: MultiSpikeRounding = 'halfEven'): number {
  if (!(x > 0)) return 0;
  if (x >= D) return D;
  if (rounding === 'halfUp') return Math.floor(x + 0.5);
  const f = Math.floor(x),
    d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** A multi-spike layer's counts per t under the binary expansion over D virtual steps (see runMultiSpike). */
export interface BinaryExpansionCounts {
  virtualSteps: number;
  neuronUpdate: number[];
  spike: number[];
  memWrite: number[];
}

/** The binary expansion's counts of a multi-spike layer, from its integer-event counts (exact, per t). */
export function binaryExpansion(layer: MultiSpikeLayer, lc: LayerCounts): BinaryExpansionCounts {
  const T = lc.outputSpikes.length;
  const at = (t: number, kind: 'neuronUpdate' | 'spike') => lc.ops[t * NUM_OP_KINDS + opIndex(kind)]!;
  const per = (f: (t: number) => number) => Array.from({ length: T }, (_, t) => f(t));
  return {
    virtualSteps: layer.levels,
    neuronUpdate: per((t) => layer.levels * at(t, 'neuronUpdate')),
    spike: per((t) => at(t, 'spike')),
    memWrite: per((t) => lc.outputSpikes[t]!),
  };
}
