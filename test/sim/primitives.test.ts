import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer, LifLayer, MaskLayer, HeadSumLayer, SsaProductLayer, ModelSpec, LayerSpec } from '../../src/models/spec.js';
import { ConvState, runConv } from '../../src/sim/primitives/conv.js';
import { runLif } from '../../src/sim/primitives/lif.js';
import { runHeadSum, runMask } from '../../src/sim/primitives/qk-attention.js';
import { runSsaProduct, ssaScratch } from '../../src/sim/primitives/ssa.js';
import { EventBuffer } from '../../src/sim/events.js';
import { CountingSink, layerTotal } from '../../src/sim/counts.js';
import { ReferenceCore } from '../../src/sim/cores/reference.js';
import type { StepContext } from '../../src/sim/primitives/context.js';

function ctxFor(layers: LayerSpec[], name: string, t = 0, T = 4): StepContext {
  const spec = { name: 'unit', layers } as unknown as ModelSpec;
  const sink = new CountingSink(spec, T);
  return { t, timesteps: T, sample: 0, slot: 0, core: new ReferenceCore(), sink, counts: sink.layer(name) };
}

test('one spike in the corner of a padded 3x3 conv reaches 4 outputs: fan-out 4*C_out', () => {
  const Cin = 2,
    Cout = 5;
  const layer: ConvLayer = {
    kind: 'conv',
    op: 'conv2d',
    name: 'c',
    inputs: ['input'],
    in: { c: Cin, h: 4, w: 4 },
    out: { c: Cout, h: 4, w: 4 },
    k: 3,
    stride: 1,
    pad: 1,
    bias: false,
    bn: null,
  };
  const weight = Float64Array.from({ length: Cout * Cin * 9 }, (_, i) => i + 1);
  const st = new ConvState(layer, { weight, bias: new Float64Array(Cout) });
  const ctx = ctxFor([layer], 'c');
  ctx.core.prepareConv(layer, st.w);
  const ev = new EventBuffer(Cin * 16);
  ev.push(0 * Cin + 1, 1); // token (0,0), channel 1
  const out = new Float64Array(Cout * 16);
  runConv(st, ctx, { events: ev, dense: null }, out);
  assert.equal(layerTotal(ctx.counts, 'ac'), 4 * Cout);
  // output (0,0), channel o sees the input through the kernel centre (ky=kx=1)
  for (let o = 0; o < Cout; o++) assert.equal(out[o], weight[((o * Cin + 1) * 3 + 1) * 3 + 1]);
  // output (1,1) sees it through ky=kx=0
  assert.equal(out[(1 * 4 + 1) * Cout + 2], weight[((2 * Cin + 1) * 3 + 0) * 3 + 0]);
  // a centre spike reaches 9 outputs; a multiplicity-2 event counts as two unit spikes
  const ev2 = new EventBuffer(Cin * 16);
  ev2.push((1 * 4 + 1) * Cin, 2);
  const ctx2 = ctxFor([layer], 'c');
  ctx2.core.prepareConv(layer, st.w);
  runConv(st, ctx2, { events: ev2, dense: null }, out);
  assert.equal(layerTotal(ctx2.counts, 'ac'), 2 * 9 * Cout);
  // stride 2, 1x1: an input at an odd position reaches nothing
  const s2: ConvLayer = { ...layer, name: 's2', k: 1, pad: 0, stride: 2, out: { c: Cout, h: 2, w: 2 } };
  const st2 = new ConvState(s2, { weight: new Float64Array(Cout * Cin), bias: new Float64Array(Cout) });
  assert.deepEqual(Array.from(st2.reach), [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
});

test('LIF trace over 4 steps: charge, fire on >=, hard reset', () => {
  const layer: LifLayer = { kind: 'lif', name: 'l', inputs: ['x'], out: { c: 1, h: 1, w: 1 }, vThreshold: 1, officialTimeAxis: 'time' };
  const v = new Float64Array(1);
  const out = new EventBuffer(1);
  const xs = [1.5, 0.8, 1.2, 2.0];
  // h = v + (x - v)/2: 0.75 (no), 0.775 (no), 0.9875 (no), 1.49375 (spike, reset)
  const expectH = [0.75, 0.775, 0.9875, 1.49375];
  const spikes: number[] = [];
  const ctx = ctxFor([layer], 'l');
  xs.forEach((x, t) => {
    runLif(layer, { ...ctx, t }, { events: null, dense: Float64Array.of(x) }, v, out);
    spikes.push(out.count);
    if (!out.count) assert.ok(Math.abs(v[0]! - expectH[t]!) < 1e-12);
  });
  assert.deepEqual(spikes, [0, 0, 0, 1]);
  assert.equal(v[0], 0);
  assert.equal(layerTotal(ctx.counts, 'neuronUpdate'), 4);
  assert.equal(layerTotal(ctx.counts, 'spike'), 1);
  // attention LIF: an exact tie h == 0.5 fires
  const a: LifLayer = { ...layer, name: 'a', vThreshold: 0.5 };
  const va = new Float64Array(1);
  runLif(a, ctxFor([a], 'a'), { events: null, dense: Float64Array.of(1) }, va, out);
  assert.equal(out.count, 1);
});

test('QKTA: per-head channel sums, then the mask keeps K only where the head fires', () => {
  // N = 2 tokens, C = 4 channels, 2 heads (channels 0-1 head 0, 2-3 head 1)
  const hs: HeadSumLayer = { kind: 'headSum', name: 'hs', inputs: ['q'], out: { c: 2, h: 1, w: 2 }, heads: 2 };
  const q = new EventBuffer(8);
  q.push(0 * 4 + 1, 1);
  q.push(1 * 4 + 2, 1);
  q.push(1 * 4 + 3, 1); // token0: ch1; token1: ch2, ch3
  const sums = new Float64Array(4);
  runHeadSum(hs, ctxFor([hs], 'hs'), { events: q, dense: null }, sums);
  assert.deepEqual(Array.from(sums), [1, 0, 0, 2]); // [n][h]
  const attn = new EventBuffer(4);
  attn.push(0 * 2 + 0, 1);
  attn.push(1 * 2 + 1, 1); // the head bits that fired
  const k = new EventBuffer(8);
  for (let a = 0; a < 8; a++) k.push(a, 1); // K all ones
  const mk: MaskLayer = { kind: 'mask', name: 'm', inputs: ['a', 'k'], out: { c: 4, h: 1, w: 2 }, mode: 'token', heads: 2 };
  const out = new EventBuffer(8);
  const ctx = ctxFor([mk], 'm');
  runMask(mk, ctx, { events: attn, dense: null }, { events: k, dense: null }, new Uint8Array(4), out);
  assert.deepEqual(Array.from(out.addr.subarray(0, out.count)), [0, 1, 6, 7]);
  assert.equal(layerTotal(ctx.counts, 'mask'), 8);
});

test('SSA products on 2x2 heads: Q (K^T V) and (Q K^T) V agree, with their AC counts', () => {
  // N = 2, C = 4, 2 heads of d = 2. token-major [n][c]
  const Q = [1, 0, 1, 1, 1, 1, 0, 1],
    K = [1, 1, 0, 1, 0, 1, 1, 1],
    V = [0, 1, 1, 0, 1, 1, 1, 1];
  const ev = (x: number[]) => new EventBuffer(8).fromDense(x);
  const results: number[][] = [];
  const acs: number[] = [];
  for (const order of ['q(kv)', 'qk(v)'] as const) {
    const l: SsaProductLayer = {
      kind: 'ssaProduct',
      name: 'p',
      inputs: ['q', 'k', 'v'],
      out: { c: 4, h: 1, w: 2 },
      heads: 2,
      order,
      scale: 0.125,
    };
    const ctx = ctxFor([l], 'p');
    const out = new Float64Array(8);
    runSsaProduct(
      l,
      ctx,
      { events: ev(Q), dense: null },
      { events: ev(K), dense: null },
      { events: ev(V), dense: null },
      ssaScratch(l),
      out,
    );
    results.push(Array.from(out));
    acs.push(layerTotal(ctx.counts, 'ac'));
  }
  // head 0: Q=[[1,0],[1,1]] K=[[1,1],[0,1]] V=[[0,1],[1,1]]; QK^T=[[1,0],[2,1]]; (QK^T)V=[[0,1],[1,3]]
  // head 1: Q=[[1,1],[0,1]] K=[[0,1],[1,1]] V=[[1,0],[1,1]]; QK^T=[[1,2],[1,1]]; (QK^T)V=[[3,2],[2,1]]
  const expected = [0, 1, 3, 2, 1, 3, 2, 1].map((x) => x * 0.125);
  assert.deepEqual(results[0], expected);
  assert.deepEqual(results[1], expected);
  // q(kv): K^T V updates = sum over tokens |K_n,h| |V_n,h| = (2*1 + 1*2) + (1*1 + 2*2) = 9; Q rows: 6 spikes x d=2 = 12 -> 21
  // qk(v): Q K^T updates = sum over channels |Q_c||K_c| = (2*1 + 1*2) + (1*1 + 2*2) = 9; A V: nonzero A entries hit by V spikes:
  //   head0 A=[[1,0],[2,1]]: V(m=0,j=1) -> nnz(A[:,0]) = 2; V(m=1,*) 2 spikes x nnz(A[:,1]) = 1 -> 2+2 = 4
  //   head1 A=[[1,2],[1,1]]: V(m=0,j=0) -> 2; V(m=1,*) 2 spikes x 2 -> 6
  assert.deepEqual(acs, [21, 19]);
});
