import { convGroups, type ConvLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import type { ComputeCore } from '../core.js';
import type { EventBuffer } from '../events.js';
import { noteInput, type StepContext, type Value } from './context.js';

/**
 * Synaptic layer (Conv2d / Conv1d / Linear, BatchNorm folded): I[n_out][o] = b'_o + sum W'[o][c][ky][kx] * x, the
 * sum over the input channels c of o's group (all of them when groups = 1; the one channel o of a depth-wise conv).
 * Output travels dense (input currents of the LIF that follows, or of a max pool).
 *
 * | input  | op       | count per (sample, t)                                                               |
 * |--------|----------|-------------------------------------------------------------------------------------|
 * | events | ac       | sum over events of m * fanOut(position); fanOut = reached outputs x C_out / groups  |
 * | events | memRead  | the same (one weight word per synaptic op) + one word per event read                 |
 * | dense  | mac      | in-bounds taps: sum over outputs of (valid kernel taps) x C_in / groups x C_out       |
 * | dense  | memRead  | the same (weights) + one word per input element read                                |
 * | any    | add      | C_out x N_out when the layer has a bias (or folded BN shift)                          |
 *
 * fanOut counts borders and stride exactly: an input at a padded corner of a 3x3 conv reaches 4 outputs.
 *
 * groups > 1 is computed here, on the host, whatever the core: the reference core's scatter (events in address
 * order, each adding m * w into every output it reaches) in float64 over the group's C_out / groups outputs only, so
 * every core gives the same doubles (a depth-wise conv is a few ops per event; the cores' kernels are dense in C_in).
 */
export class ConvState {
  /** Reached output positions per input position, `[n_in]`. */
  readonly reach: Int32Array;
  /** The reach of every position when all are equal (a 1x1 conv of stride 1: 1), else null. */
  readonly uniformReach: number | null;
  readonly hasBias: boolean;
  readonly groups: number;
  /** groups > 1: the weights as `[C_in][ky][kx][C_out / groups]` (one event reads one contiguous row); else null. */
  readonly grouped: Float64Array | null;
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
    this.uniformReach = this.reach.every((r) => r === this.reach[0]) ? this.reach[0]! : null;
    this.hasBias = layer.bias || layer.bn !== null;
    this.groups = convGroups(layer);
    this.grouped = this.groups > 1 ? groupedRows(layer, w, this.groups) : null;
  }
}

/** Folded grouped weights `[C_out][C_in/g][k][k]` as `[C_in][ky][kx][C_out/g]`: channel c's row holds its group's outputs. */
function groupedRows(layer: ConvLayer, w: FoldedConv, groups: number): Float64Array {
  const { k } = layer,
    inC = layer.in.c,
    cinPer = inC / groups,
    coutPer = layer.out.c / groups;
  const rows = new Float64Array(inC * k * k * coutPer);
  for (let c = 0; c < inC; c++) {
    const g = Math.floor(c / cinPer),
      cl = c - g * cinPer;
    for (let j = 0; j < coutPer; j++)
      for (let ky = 0; ky < k; ky++)
        for (let kx = 0; kx < k; kx++)
          rows[((c * k + ky) * k + kx) * coutPer + j] = w.weight[(((g * coutPer + j) * cinPer + cl) * k + ky) * k + kx]!;
  }
  return rows;
}

/** acc[oy, ox, g * C_out/g + j] += m * W[c][ky][kx][j] for every output (oy, ox) input address `addr` reaches. */
function scatterGrouped(st: ConvState, rows: Float64Array, addr: number, m: number, acc: Float64Array): void {
  const { k, stride, pad } = st.layer;
  const inC = st.layer.in.c,
    inW = st.layer.in.w,
    outC = st.layer.out.c,
    outH = st.layer.out.h,
    outW = st.layer.out.w;
  const coutPer = outC / st.groups;
  const c = addr % inC,
    nIn = (addr - c) / inC,
    ix = nIn % inW,
    iy = (nIn - ix) / inW;
  const first = Math.floor(c / (inC / st.groups)) * coutPer;
  for (let ky = 0; ky < k; ky++) {
    const ty = iy + pad - ky;
    if (ty < 0 || ty % stride !== 0 || ty / stride >= outH) continue;
    for (let kx = 0; kx < k; kx++) {
      const tx = ix + pad - kx;
      if (tx < 0 || tx % stride !== 0 || tx / stride >= outW) continue;
      const base = ((ty / stride) * outW + tx / stride) * outC + first;
      const wb = ((c * k + ky) * k + kx) * coutPer;
      if (m === 1) for (let j = 0; j < coutPer; j++) acc[base + j]! += rows[wb + j]!;
      else for (let j = 0; j < coutPer; j++) acc[base + j]! += m * rows[wb + j]!;
    }
  }
}

/** sum over events of m * fanOut(position): with one reach for every position, the unit spikes times it. */
function synapticOps(st: ConvState, ev: EventBuffer, units: number): number {
  if (st.uniformReach !== null) return units * st.uniformReach * (st.layer.out.c / st.groups);
  let syn = 0;
  for (let i = 0; i < ev.count; i++) syn += ev.mult[i]! * st.reach[Math.floor(ev.addr[i]! / st.layer.in.c)]!;
  return syn * (st.layer.out.c / st.groups);
}

export function runConv(st: ConvState, ctx: StepContext, input: Value, out: Float64Array): void {
  countConv(st, ctx, input);
  computeConv(st, ctx.core, input, out);
}

/** What the table above counts for one (sample, t), and the layer's input statistics (no arithmetic on currents). */
export function countConv(st: ConvState, ctx: StepContext, input: Value): void {
  const { layer } = st;
  const units = noteInput(ctx, input);
  const outC = layer.out.c,
    inC = layer.in.c;
  const { sink, counts: lc, t } = ctx;
  if (input.events) {
    const syn = synapticOps(st, input.events, units);
    sink.add(lc, t, 'ac', syn);
    sink.add(lc, t, 'memRead', syn + input.events.count);
  } else if (input.dense) {
    let taps = 0;
    for (let n = 0; n < st.reach.length; n++) taps += st.reach[n]!;
    const macs = (taps * inC * outC) / st.groups;
    sink.add(lc, t, 'mac', macs);
    sink.add(lc, t, 'memRead', macs + input.dense.length);
  } else throw new Error(`${layer.name}: no input`);
  if (st.hasBias) sink.add(lc, t, 'add', outC * layer.out.h * layer.out.w);
}

/** out = bias + the conv of the input (events or dense), on the core (a grouped conv here). */
export function computeConv(st: ConvState, core: ComputeCore, input: Value, out: Float64Array): void {
  const { layer, w, grouped } = st;
  const outC = layer.out.c,
    nOut = layer.out.h * layer.out.w;
  const fromBias = input.events && !grouped ? core.convEventsFromBias : undefined;
  if (fromBias) fromBias.call(core, layer, input.events!, out);
  else for (let n = 0; n < nOut; n++) out.set(w.bias, n * outC);
  if (input.events) {
    const ev = input.events;
    if (grouped) for (let i = 0; i < ev.count; i++) scatterGrouped(st, grouped, ev.addr[i]!, ev.mult[i]!, out);
    else if (!fromBias) core.convEvents(layer, ev, out);
  } else if (input.dense) {
    const x = input.dense;
    if (grouped) {
      for (let a = 0; a < x.length; a++) if (x[a] !== 0) scatterGrouped(st, grouped, a, x[a]!, out);
    } else core.convDense(layer, x, out);
  }
}
