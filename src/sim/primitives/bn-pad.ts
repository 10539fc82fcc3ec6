import type { BnPadLayer } from '../../models/spec.js';
import { noteInput, requireDense, type StepContext, type Value } from './context.js';

/**
 * RepConv's BN-and-pad (SDT v2 / v3 `BNAndPadLayer`): out = pad(BN(x), p), the border of width p set per channel to
 * the BN's offset beta - mean * gamma / sqrt(var + eps), the value BN gives a zero input. The BN is folded into the
 * conv that feeds this layer (a conv without bias: its folded bias is exactly that offset), so the layer pads with
 * its feeder's folded bias and copies the interior. Real values in and out (dense).
 *
 * | op       | count per (sample, t)                                                                  |
 * |----------|----------------------------------------------------------------------------------------|
 * | memWrite | C x ((H + 2p)(W + 2p) - H W): the offset written into each border element                |
 * The interior is the feeder's output in place (its BN shift adds are counted by the conv), so it costs nothing here.
 *
 * NOTE: re-parameterisation. conv1x1 -> BN-and-pad -> depth-wise 3x3 (pad 0) -> 1x1 -> BN is linear in its spike
 * input and, because the pad value is BN(0), equals one 3x3 conv with zero padding on the spikes plus a bias
 * (W[o][c][k] = sum_j pw[o][j] dw[j][k] s_j w1[j][c]). Run that way it would cost sum over spikes of fan-out x C_out
 * ACs (the 3x3 conv's rule in conv.ts) with C_out x C_in x 9 weights, against the block as built: C_in ACs per spike
 * (the 1x1 on spikes), then 9 C MACs and C_out C MACs per position on real values. spikewatt runs and counts the
 * block as the official module computes it.
 */
export function runBnPad(layer: BnPadLayer, ctx: StepContext, input: Value, padValue: Float64Array, out: Float64Array): void {
  noteInput(ctx, input);
  const x = requireDense(input, layer.name);
  const { c: C, h: H, w: W } = layer.in,
    p = layer.pad,
    OW = layer.out.w,
    OH = layer.out.h;
  for (let n = 0; n < OH * OW; n++) out.set(padValue, n * C);
  for (let y = 0; y < H; y++) out.set(x.subarray(y * W * C, (y + 1) * W * C), ((y + p) * OW + p) * C);
  ctx.sink.add(ctx.counts, ctx.t, 'memWrite', C * (OH * OW - H * W));
}
