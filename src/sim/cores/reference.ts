import type { ConvLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import type { ComputeCore } from '../core.js';
import type { EventBuffer } from '../events.js';

interface Prepared {
  wT: Float64Array;
  layer: ConvLayer;
}

/**
 * The reference core: plain loops over typed arrays, float64 accumulation. The living spec every other core is
 * checked against. Weights are re-laid out once as `[inC][ky][kx][outC]` so one input event touches contiguous
 * weight rows; accumulators are `[n_out][outC]`.
 */
export class ReferenceCore implements ComputeCore {
  readonly name = 'reference';
  private readonly prepared = new Map<string, Prepared>();

  prepareConv(layer: ConvLayer, w: FoldedConv): void {
    this.prepared.set(layer.name, { wT: relayoutConv(layer, w), layer });
  }

  private get(layer: ConvLayer): Float64Array {
    const p = this.prepared.get(layer.name);
    if (!p) throw new Error(`conv ${layer.name} was not prepared`);
    return p.wT;
  }

  convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    const wT = this.get(layer);
    for (let i = 0; i < ev.count; i++) scatterInto(layer, wT, ev.addr[i]!, ev.mult[i]!, acc);
  }

  convDense(layer: ConvLayer, x: Float64Array, acc: Float64Array): void {
    const wT = this.get(layer);
    for (let a = 0; a < x.length; a++) {
      const v = x[a]!;
      if (v !== 0) scatterInto(layer, wT, a, v, acc);
    }
  }

  lifStep(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void {
    lifStepF64(v, x, vThreshold, out);
  }

  dispose(): void {
    this.prepared.clear();
  }
}

/**
 * The LIF step in float64 (tau 2, decay_input, hard reset to 0): h = v + (x - v) / 2; spike when h >= vThreshold.
 * Every core whose membranes live in float64 on the host runs this one.
 */
export function lifStepF64(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void {
  out.clear();
  for (let i = 0; i < v.length; i++) {
    const h = v[i]! + (x[i]! - v[i]!) / 2;
    if (h >= vThreshold) {
      out.push(i, 1);
      v[i] = 0;
    } else v[i] = h;
  }
}

/** Folded weights `[outC][inC][k][k]` copied to the index `to(o, c, ky, kx)` gives: a core's own weight layout. */
export function relayoutWeights(
  layer: ConvLayer,
  w: FoldedConv,
  to: (o: number, c: number, ky: number, kx: number) => number,
): Float64Array {
  const { k } = layer,
    inC = layer.in.c,
    outC = layer.out.c;
  const out = new Float64Array(w.weight.length);
  for (let o = 0; o < outC; o++)
    for (let c = 0; c < inC; c++)
      for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) out[to(o, c, ky, kx)] = w.weight[((o * inC + c) * k + ky) * k + kx]!;
  return out;
}

/** Folded weights re-laid out as `[inC][ky][kx][outC]`: one input event reads contiguous rows. */
export function relayoutConv(layer: ConvLayer, w: FoldedConv): Float64Array {
  const { k } = layer,
    outC = layer.out.c;
  return relayoutWeights(layer, w, (o, c, ky, kx) => ((c * k + ky) * k + kx) * outC + o);
}

/** acc[oy, ox, o] += m * W[o, c, ky, kx] for every (oy, ox) with oy*s - p + ky = iy (and likewise x). */
export function scatterInto(layer: ConvLayer, wT: Float64Array, addr: number, m: number, acc: Float64Array): void {
  const { k, stride, pad } = layer;
  const inC = layer.in.c,
    inW = layer.in.w,
    outC = layer.out.c,
    outH = layer.out.h,
    outW = layer.out.w;
  const c = addr % inC,
    nIn = (addr - c) / inC;
  const ix = nIn % inW,
    iy = (nIn - ix) / inW;
  for (let ky = 0; ky < k; ky++) {
    const ty = iy + pad - ky;
    if (ty < 0 || ty % stride !== 0) continue;
    const oy = ty / stride;
    if (oy >= outH) continue;
    for (let kx = 0; kx < k; kx++) {
      const tx = ix + pad - kx;
      if (tx < 0 || tx % stride !== 0) continue;
      const ox = tx / stride;
      if (ox >= outW) continue;
      const base = (oy * outW + ox) * outC;
      const wb = ((c * k + ky) * k + kx) * outC;
      if (m === 1) for (let o = 0; o < outC; o++) acc[base + o]! += wT[wb + o]!;
      else for (let o = 0; o < outC; o++) acc[base + o]! += m * wT[wb + o]!;
    }
  }
}
