import type { ConvLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import { noteInput, type StepContext, type Value } from './context.js';

/**
 * Synaptic layer (Conv2d / Conv1d / Linear, BatchNorm folded): I[n_out][o] = b'_o + sum W'[o][c][ky][kx] * x.
 * Output travels dense (input currents of the LIF that follows, or of a max pool).
 *
 * | input  | op       | count per (sample, t)                                                   |
 * |--------|----------|-------------------------------------------------------------------------|
 * | events | ac       | sum over events of m * fanOut(position); fanOut = reached outputs x C_out |
 * | events | memRead  | the same (one weight word per synaptic op) + one word per event read     |
 * | dense  | mac      | in-bounds taps: sum over outputs of (valid kernel taps) x C_in x C_out   |
 * | dense  | memRead  | the same (weights) + one word per input element read                    |
 * | any    | add      | C_out x N_out when the layer has a bias (or folded BN shift)              |
 *
 * fanOut counts borders and stride exactly: an input at a padded corner of a 3x3 conv reaches 4 outputs.
 */
export class ConvState {
  /** Reached output positions per input position, `[n_in]`. */
  readonly reach: Int32Array;
  readonly hasBias: boolean;
  constructor(
    readonly layer: ConvLayer,
    readonly w: FoldedConv,
  ) {
    const { k, stride, pad } = layer;
    const count = (i: number, outLen: number) => {
      let r = 0;
      for (let kk = 0; kk < k; kk++) {
        const t = i + pad - kk;
        if (t >= 0 && t % stride === 0 && t / stride < outLen) r++;
      }
      return r;
    };
    const ry = Array.from({ length: layer.in.h }, (_, y) => count(y, layer.out.h));
    const rx = Array.from({ length: layer.in.w }, (_, x) => count(x, layer.out.w));
    this.reach = new Int32Array(layer.in.h * layer.in.w);
    for (let y = 0; y < layer.in.h; y++) for (let x = 0; x < layer.in.w; x++) this.reach[y * layer.in.w + x] = ry[y]! * rx[x]!;
    this.hasBias = layer.bias || layer.bn !== null;
  }
}

export function runConv(st: ConvState, ctx: StepContext, input: Value, out: Float64Array): void {
  const { layer, w } = st;
  noteInput(ctx, input);
  const outC = layer.out.c,
    inC = layer.in.c,
    nOut = layer.out.h * layer.out.w;
  for (let n = 0; n < nOut; n++) out.set(w.bias, n * outC);
  const { sink, counts: lc, t } = ctx;
  if (input.events) {
    const ev = input.events;
    ctx.core.convEvents(layer, ev, out);
    let syn = 0;
    for (let i = 0; i < ev.count; i++) syn += ev.mult[i]! * st.reach[Math.floor(ev.addr[i]! / inC)]!;
    syn *= outC;
    sink.add(lc, t, 'ac', syn);
    sink.add(lc, t, 'memRead', syn + ev.count);
  } else if (input.dense) {
    ctx.core.convDense(layer, input.dense, out);
    let taps = 0;
    for (let n = 0; n < st.reach.length; n++) taps += st.reach[n]!;
    const macs = taps * inC * outC;
    sink.add(lc, t, 'mac', macs);
    sink.add(lc, t, 'memRead', macs + input.dense.length);
  } else throw new Error(`${layer.name}: no input`);
  if (st.hasBias) sink.add(lc, t, 'add', outC * nOut);
}
