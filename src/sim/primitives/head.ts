import type { HeadLayer, TokenMeanLayer } from '../../models/spec.js';
import type { FoldedWeights } from '../../models/fold.js';
import { noteInput, requireDense, requireEvents, type StepContext, type Value } from './context.js';

/**
 * Read-out: f_t[c] = (1/N) sum_n x_t[n][c] (token mean of the SEW sums, or of the real MS residual stream), then
 * after the last step logits = W ((1/T) sum_t f_t) + b. The head runs once per sample; output neurons do not spike.
 * A head fed spikes (SDT's head_lif) is event-driven: each spike adds its column of W, W (1/T) sum_t s_t + b.
 *
 * | layer     | input  | op      | count per (sample, t)                                                |
 * |-----------|--------|---------|----------------------------------------------------------------------|
 * | tokenMean | events | add     | input events (each adds its multiplicity into its channel)           |
 * | tokenMean | dense  | add     | N x C (every real value added into its channel)                      |
 * | head      | dense  | add     | C per step (time accumulation); at the last step + classes (bias)    |
 * | head      | dense  | mac     | at the last step: C x classes                                        |
 * | head      | dense  | memRead | at the last step: C x classes + classes (weights and bias)           |
 * | head      | events | ac      | unit spikes x classes per step (a column of W per spike)             |
 * | head      | events | memRead | unit spikes x classes per step; at the last step + classes (bias)    |
 * | head      | events | add     | at the last step: classes (bias)                                     |
 * The 1/N and 1/T scalings are constant and folded into W (not counted).
 */
export function runTokenMean(layer: TokenMeanLayer, ctx: StepContext, input: Value, out: Float64Array): void {
  noteInput(ctx, input);
  const C = layer.out.c;
  out.fill(0);
  if (input.dense) {
    const x = input.dense,
      N = x.length / C;
    for (let i = 0; i < x.length; i++) out[i % C]! += x[i]!;
    for (let c = 0; c < C; c++) out[c]! /= N;
    ctx.sink.add(ctx.counts, ctx.t, 'add', x.length);
    return;
  }
  const ev = requireEvents(input, layer.name);
  const N = ev.size / C;
  for (let i = 0; i < ev.count; i++) out[ev.addr[i]! % C]! += ev.mult[i]!;
  for (let c = 0; c < C; c++) out[c]! /= N;
  ctx.sink.add(ctx.counts, ctx.t, 'add', ev.count);
}

export function runHead(
  layer: HeadLayer,
  ctx: StepContext,
  input: Value,
  featureSum: Float64Array,
  head: FoldedWeights['head'],
  logits: Float64Array,
): boolean {
  noteInput(ctx, input);
  const { sink, counts: lc, t } = ctx;
  const C = layer.inFeatures,
    K = layer.numClasses,
    T = ctx.timesteps;
  if (input.events) {
    const ev = input.events,
      units = ev.unitSpikes();
    for (let i = 0; i < ev.count; i++) featureSum[ev.addr[i]!]! += ev.mult[i]!;
    sink.add(lc, t, 'ac', units * K);
    sink.add(lc, t, 'memRead', units * K);
    if (t !== T - 1) return false;
    headLogits(featureSum, head, C, K, T, logits);
    sink.add(lc, t, 'add', K);
    sink.add(lc, t, 'memRead', K);
    return true;
  }
  const f = requireDense(input, layer.name);
  for (let c = 0; c < f.length; c++) featureSum[c]! += f[c]!;
  sink.add(lc, t, 'add', f.length);
  if (t !== T - 1) return false;
  headLogits(featureSum, head, C, K, T, logits);
  sink.add(lc, t, 'mac', C * K);
  sink.add(lc, t, 'add', K);
  sink.add(lc, t, 'memRead', C * K + K);
  return true;
}

/** logits = W (featureSum / T) + b. */
function headLogits(featureSum: Float64Array, head: FoldedWeights['head'], C: number, K: number, T: number, logits: Float64Array): void {
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += head.weight[k * C + c]! * (featureSum[c]! / T);
    logits[k] = s + head.bias[k]!;
  }
}
