import type { MaxPoolLayer } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';
import { noteInput, type StepContext, type Value } from './context.js';

/**
 * Max pool 3x3, stride 2, padding 1 (padding never wins). QKFormer pools BN outputs (dense, before the LIF);
 * Spikformer pools spikes, where max is an OR over the window.
 *
 * | input  | op  | count per (sample, t)                                              |
 * |--------|-----|--------------------------------------------------------------------|
 * | dense  | cmp | sum over outputs of (in-bounds window elements - 1)                 |
 * | events | cmp | sum over events of the outputs whose window holds it (event-driven OR) |
 */
export function runMaxPool(
  layer: MaxPoolLayer,
  ctx: StepContext,
  input: Value,
  out: { dense: Float64Array; events: EventBuffer; hit: Uint8Array },
): 'dense' | 'events' {
  noteInput(ctx, input);
  const { k, stride, pad } = layer;
  const C = layer.in.c,
    H = layer.in.h,
    W = layer.in.w,
    OH = layer.out.h,
    OW = layer.out.w;
  const { sink, counts: lc, t } = ctx;
  if (input.dense) {
    const x = input.dense,
      y = out.dense;
    let cmps = 0;
    // a core's own pool (the same doubles) leaves only the count to this loop
    const pooled = ctx.core.maxPoolDense !== undefined;
    if (pooled) ctx.core.maxPoolDense!(layer, x, y);
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        const y0 = Math.max(0, oy * stride - pad),
          y1 = Math.min(H, oy * stride - pad + k);
        const x0 = Math.max(0, ox * stride - pad),
          x1 = Math.min(W, ox * stride - pad + k);
        cmps += (y1 - y0) * (x1 - x0) - 1;
        if (pooled) continue;
        const ob = (oy * OW + ox) * C;
        // per channel the window is visited in the same (iy, ix) order; channels innermost read contiguous memory
        y.fill(-Infinity, ob, ob + C);
        for (let iy = y0; iy < y1; iy++)
          for (let ix = x0; ix < x1; ix++) {
            const ib = (iy * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[ib + c]!;
              if (v > y[ob + c]!) y[ob + c] = v;
            }
          }
      }
    sink.add(lc, t, 'cmp', cmps * C);
    return 'dense';
  }
  const ev = input.events!;
  const hit = out.hit;
  hit.fill(0);
  let cmps = 0;
  for (let i = 0; i < ev.count; i++) {
    const a = ev.addr[i]!,
      c = a % C,
      n = (a - c) / C,
      ix = n % W,
      iy = (n - ix) / W;
    // outputs whose window [o*s - p, o*s - p + k) holds the input coordinate
    const oy0 = Math.max(0, Math.ceil((iy + pad - k + 1) / stride)),
      oy1 = Math.min(OH - 1, Math.floor((iy + pad) / stride));
    const ox0 = Math.max(0, Math.ceil((ix + pad - k + 1) / stride)),
      ox1 = Math.min(OW - 1, Math.floor((ix + pad) / stride));
    for (let oy = oy0; oy <= oy1; oy++) {
      for (let ox = ox0; ox <= ox1; ox++) {
        cmps++;
        const o = (oy * OW + ox) * C + c;
        if (ev.mult[i]! > hit[o]!) hit[o] = ev.mult[i]!;
      }
    }
  }
  out.events.fromDense(hit);
  sink.add(lc, t, 'cmp', cmps);
  return 'events';
}
