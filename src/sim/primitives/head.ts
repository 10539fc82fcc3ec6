import type { HeadLayer, TokenMeanLayer } from '../../models/spec.js';
import type { FoldedWeights } from '../../models/fold.js';
import { noteInput, requireDense, requireEvents, type StepContext, type Value } from './context.js';

/**
 * Read-out: f_t[c] = (1/N) sum_n x_t[n][c] (token mean of the SEW sums), then after the last step
 * logits = W ((1/T) sum_t f_t) + b. The head runs once per sample; output neurons do not spike.
 *
 * | layer     | op      | count per (sample, t)                                                    |
 * |-----------|---------|--------------------------------------------------------------------------|
 * | tokenMean | add     | input events (each adds its multiplicity into its channel)               |
 * | head      | add     | C per step (time accumulation); at the last step + classes (bias)        |
 * | head      | mac     | at the last step: C x classes                                            |
 * | head      | memRead | at the last step: C x classes + classes (weights and bias)               |
 * The 1/N and 1/T scalings are constant and folded into W (not counted).
 */
export function runTokenMean(layer: TokenMeanLayer, ctx: StepContext, input: Value, out: Float64Array): void {
  noteInput(ctx, input);
  const ev = requireEvents(input, layer.name);
  const C = layer.out.c,
    N = ev.size / C;
  out.fill(0);
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
  const f = requireDense(input, layer.name);
  for (let c = 0; c < f.length; c++) featureSum[c]! += f[c]!;
  const { sink, counts: lc, t } = ctx;
  sink.add(lc, t, 'add', f.length);
  if (t !== ctx.timesteps - 1) return false;
  const C = layer.inFeatures,
    K = layer.numClasses,
    T = ctx.timesteps;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += head.weight[k * C + c]! * (featureSum[c]! / T);
    logits[k] = s + head.bias[k]!;
  }
  sink.add(lc, t, 'mac', C * K);
  sink.add(lc, t, 'add', K);
  sink.add(lc, t, 'memRead', C * K + K);
  return true;
}
