import type { AvgPoolLayer } from '../../models/spec.js';
import { noteInput, requireDense, type StepContext, type Value } from './context.js';

/**
 * Average pooling of real values (nn.AvgPool2d), Max-Former's `Avg_Mixer` token mixer: 3x3, stride 1, padding 1,
 * count_include_pad False, on the real residual stream (its S_MLP starts with a LIF). As PyTorch computes it:
 *   out[o][c] = (sum of x[i][c] over the in-bounds inputs i of o's window) / d,
 *   d = the in-bounds count (countIncludePad false) or the window clipped to the padded map (true).
 * Max-Former's `Max_Mixer` is the max pool primitive (maxpool.ts) at kernel 3, stride 1, padding 1.
 *
 * | input | op  | count per (sample, t)                                                  |
 * |-------|-----|------------------------------------------------------------------------|
 * | dense | add | sum over outputs of (in-bounds window elements - 1), times C            |
 * | dense | mac | one per output element (the multiply by 1/d, which varies at the borders) |
 */
export function runAvgPool(layer: AvgPoolLayer, ctx: StepContext, input: Value, out: Float64Array): void {
  noteInput(ctx, input);
  const x = requireDense(input, layer.name);
  const { k, stride, pad } = layer;
  const C = layer.in.c,
    H = layer.in.h,
    W = layer.in.w,
    OH = layer.out.h,
    OW = layer.out.w;
  let adds = 0;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++) {
      const ys = oy * stride - pad,
        xs = ox * stride - pad;
      const y0 = Math.max(0, ys),
        y1 = Math.min(H, ys + k),
        x0 = Math.max(0, xs),
        x1 = Math.min(W, xs + k);
      const inBounds = (y1 - y0) * (x1 - x0);
      const d = layer.countIncludePad ? (Math.min(ys + k, H + pad) - ys) * (Math.min(xs + k, W + pad) - xs) : inBounds;
      adds += inBounds - 1;
      const ob = (oy * OW + ox) * C;
      out.fill(0, ob, ob + C);
      // per channel the window is summed in (iy, ix) order, as PyTorch's CPU kernel
      for (let iy = y0; iy < y1; iy++)
        for (let ix = x0; ix < x1; ix++) {
          const ib = (iy * W + ix) * C;
          for (let c = 0; c < C; c++) out[ob + c]! += x[ib + c]!;
        }
      for (let c = 0; c < C; c++) out[ob + c]! /= d;
    }
  ctx.sink.add(ctx.counts, ctx.t, 'add', adds * C);
  ctx.sink.add(ctx.counts, ctx.t, 'mac', OH * OW * C);
}
