import type { ConvLayer, LifLayer } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';
import { noteDenseInput, noteInput, requireDense, type StepContext, type Value } from './context.js';
import { lifStepGeneral } from './lif-general.js';

/**
 * LIF neuron (spikingjelly MultiStepLIFNode, tau = 2, decay_input, v_reset = 0, detach_reset):
 *   h[t] = v[t-1] + (x[t] - v[t-1]) / 2;   s[t] = (h[t] >= v_th);   v[t] = h[t] * (1 - s[t])
 * v_th = 1, or 0.5 for attention LIFs; other tau, decay_input and reset in lif-general.ts. Membranes persist across t and are reset between samples; with
 * `--batch-coupling official` a 'timeBatch' LIF keeps one membrane that runs over t0b0, t0b1, ..., t1b0, ...
 *
 * | op           | count per (sample, t)                         |
 * |--------------|-----------------------------------------------|
 * | neuronUpdate | N (every neuron is charged each step)         |
 * | spike        | spikes emitted                                |
 * | memRead      | N (membrane words read)                       |
 * | memWrite     | N (membrane words written) + spikes (events)  |
 */
export function runLif(layer: LifLayer, ctx: StepContext, input: Value, v: Float64Array, out: EventBuffer): void {
  const x = requireDense(input, layer.name);
  // a core whose LIF step counts the nonzero inputs in its pass spares noteInput a scan of x (the same integer)
  let nonzero: number | undefined;
  if (layer.neuron) lifStepGeneral(v, x, layer.vThreshold, layer.neuron, out);
  else if (ctx.core.lifStepNonzero && x.length === v.length) nonzero = ctx.core.lifStepNonzero(v, x, layer.vThreshold, out);
  else ctx.core.lifStep(v, x, layer.vThreshold, out);
  // every core's step and lifStepGeneral emit multiplicity 1
  out.changed(true);
  noteInput(ctx, input, nonzero);
  countLif(layer, ctx, v.length, out.count);
}

/**
 * The LIF of a conv whose only reader it is, in one core call (the core's convEventsLif): the same spikes, membranes
 * and counts as runConv then runLif, without the currents written out. False where the core declines: the caller
 * then runs the two apart.
 */
export function runConvLif(
  layer: LifLayer,
  ctx: StepContext,
  conv: ConvLayer,
  ev: EventBuffer,
  v: Float64Array,
  out: EventBuffer,
): boolean {
  // [nonzero currents, every current 0 or 1]: the second checked only while the layer's inputs have all been binary
  STATS[1] = ctx.counts.inputBinary ? 1 : 0;
  if (!ctx.core.convEventsLif?.(conv, ev, v, layer.vThreshold, out, STATS)) return false;
  out.changed(true);
  noteDenseInput(ctx, v.length, STATS[0]!, STATS[1] === 1);
  countLif(layer, ctx, v.length, out.count);
  return true;
}
const STATS = new Int32Array(2);

/** The table above for n neurons and s spikes at (sample, t). */
function countLif(layer: LifLayer, ctx: StepContext, n: number, s: number): void {
  const { sink, counts: lc, t } = ctx;
  sink.add(lc, t, 'neuronUpdate', n);
  sink.add(lc, t, 'spike', s);
  sink.add(lc, t, 'memRead', n);
  sink.add(lc, t, 'memWrite', n + s);
  lc.outputSpikes[t]! += s;
  sink.recordSpikes(layer.name, ctx.sample, t, ctx.timesteps, s);
}
