import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer } from '../../../src/models/spec.js';
import type { FoldedConv } from '../../../src/models/fold.js';
import { mulberry32 } from '../../../src/models/weights.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { GpujsCore } from '../../../src/sim/cores/gpujs.js';
import { probeModes, resolveMode, GpuModeUnavailableError } from '../../../src/sim/cores/gpujs/modes.js';

const MODES = probeModes()
  .filter((m) => m.available)
  .map((m) => m.mode);

function convLayer(name: string, inC: number, h: number, w: number, outC: number, k: number, stride: number, pad: number): ConvLayer {
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1,
    ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  return {
    kind: 'conv',
    op: k === 1 ? 'conv1d' : 'conv2d',
    name,
    inputs: ['input'],
    in: { c: inC, h, w },
    out: { c: outC, h: oh, w: ow },
    k,
    stride,
    pad,
    bias: false,
    bn: null,
  };
}

function randomConv(l: ConvLayer, seed: number): FoldedConv {
  const r = mulberry32(seed);
  const weight = new Float64Array(l.out.c * l.in.c * l.k * l.k).map(() => (2 * r() - 1) * 0.7);
  const bias = new Float64Array(l.out.c).map(() => r() - 0.5);
  return { weight, bias };
}

/** Plain-loop definition: acc[n_out][o] = bias[o] + sum over in-bounds taps of x[n_in][c] * W[o][c][ky][kx]. */
function plainConv(l: ConvLayer, w: FoldedConv, x: Float64Array): Float64Array {
  const out = new Float64Array(l.out.h * l.out.w * l.out.c);
  for (let oy = 0; oy < l.out.h; oy++)
    for (let ox = 0; ox < l.out.w; ox++)
      for (let o = 0; o < l.out.c; o++) {
        let s = w.bias[o]!;
        for (let ky = 0; ky < l.k; ky++)
          for (let kx = 0; kx < l.k; kx++) {
            const iy = oy * l.stride - l.pad + ky,
              ix = ox * l.stride - l.pad + kx;
            if (iy < 0 || ix < 0 || iy >= l.in.h || ix >= l.in.w) continue;
            for (let c = 0; c < l.in.c; c++) s += x[(iy * l.in.w + ix) * l.in.c + c]! * w.weight[((o * l.in.c + c) * l.k + ky) * l.k + kx]!;
          }
        out[(oy * l.out.w + ox) * l.out.c + o] = s;
      }
  return out;
}

function withBias(l: ConvLayer, w: FoldedConv): Float64Array {
  const acc = new Float64Array(l.out.h * l.out.w * l.out.c);
  for (let n = 0; n < l.out.h * l.out.w; n++) acc.set(w.bias, n * l.out.c);
  return acc;
}

/**
 * Compensated float32 returns the synaptic sum r = want - bias to one float32 rounding (2^-24 |r|), plus the
 * weight-split residual (2^-36 of the terms); the naive float32 sum would be off by up to ~K * 2^-24 of the terms.
 */
function assertClose(l: ConvLayer, w: FoldedConv, got: Float64Array, want: Float64Array, what: string, ulps = 1, absTol = 1e-10): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const r = want[i]! - w.bias[i % l.out.c]!;
    const tol = ulps * 2 ** -24 * Math.abs(r) * 1.01 + absTol;
    if (Math.abs(got[i]! - want[i]!) > tol) assert.fail(`${what}: cell ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

const SHAPES: [string, ConvLayer][] = [
  ['3x3 s1 p1', convLayer('a', 5, 6, 7, 8, 3, 1, 1)],
  ['3x3 s2 p1', convLayer('b', 4, 7, 6, 6, 3, 2, 1)],
  ['1x1 (conv1d/linear)', convLayer('c', 12, 4, 4, 10, 1, 1, 0)],
];

test('mode resolution: auto picks an available mode; an unavailable explicit mode is a one-line error', () => {
  const probe = [
    { mode: 'headlessgl' as const, available: false, why: 'no gl' },
    { mode: 'webasm' as const, available: true, why: '' },
    { mode: 'cpu' as const, available: true, why: '' },
  ];
  assert.equal(resolveMode('auto', probe), 'webasm');
  assert.equal(resolveMode('cpu', probe), 'cpu');
  assert.throws(
    () => resolveMode('headlessgl', probe),
    (e: unknown) => e instanceof GpuModeUnavailableError && !e.message.includes('\n') && e.message.includes('no gl'),
  );
  assert.equal(resolveMode('auto', [{ mode: 'headlessgl', available: true, why: '' }, ...probe.slice(1)]), 'headlessgl');
  assert.ok(MODES.includes('cpu'));
});

for (const mode of MODES) {
  for (const [label, l] of SHAPES) {
    test(`gpujs/${mode}: convEvents ${label} equals the plain loop, kernels reused across calls`, () => {
      const core = new GpujsCore({ mode });
      const w = randomConv(l, 7);
      core.prepareConv(l, w);
      const r = mulberry32(11);
      for (let step = 0; step < 3; step++) {
        // Sparse integer inputs with multiplicities 1..3 (SEW residual sums), including an empty step.
        const x = new Float64Array(l.in.h * l.in.w * l.in.c).map(() => (step === 2 ? 0 : r() < 0.3 ? 1 + Math.floor(r() * 3) : 0));
        const ev = new EventBuffer(x.length).fromDense(x);
        const acc = withBias(l, w);
        core.convEvents(l, ev, acc);
        assertClose(l, w, acc, plainConv(l, w, x), `${label} step ${step}`);
      }
      const s = core.stats();
      assert.equal(s.kernelsCompiled, 1);
      assert.equal(s.kernelCalls, 3);
      core.dispose();
    });
  }

  test(`gpujs/${mode}: convDense on real inputs equals the plain loop`, () => {
    const l = convLayer('d', 3, 8, 8, 6, 3, 1, 1);
    const core = new GpujsCore({ mode });
    const w = randomConv(l, 3);
    core.prepareConv(l, w);
    const r = mulberry32(5);
    const x = new Float64Array(l.in.h * l.in.w * l.in.c).map(() => 4 * r() - 2);
    const acc = withBias(l, w);
    core.convDense(l, x, acc);
    // NOTE: under GLSL (ANGLE on Mesa llvmpipe) the dense kernel's compensation is not effective (the shader compiler
    // may reorder or contract it): errors there are those of a plain float32 sum: <= K 2^-24 sum|x w|, K = 27, |x w| <= 1.4.
    assertClose(l, w, acc, plainConv(l, w, x), 'dense', 1, mode === 'headlessgl' ? 27 * 2 ** -24 * 27 * 2 * 0.7 : 1e-10);
    core.dispose();
  });

  test(`gpujs/${mode}: LIF step (host and device) matches h = v + (x - v)/2, fire on h >= vTh, reset 0`, () => {
    const r = mulberry32(9);
    const n = 500;
    const v0 = new Float64Array(n).map(() => r() * 0.9);
    const x = new Float64Array(n).map(() => 3 * r() - 0.5);
    for (const lif of ['host', 'device'] as const) {
      const core = new GpujsCore({ mode, lif });
      const v = v0.slice();
      const out = new EventBuffer(n);
      core.lifStep(v, x, 1, out);
      const want: number[] = [];
      for (let i = 0; i < n; i++) {
        const h = v0[i]! + (x[i]! - v0[i]!) / 2;
        if (h >= 1) {
          want.push(i);
          assert.equal(v[i], 0);
        } else assert.ok(Math.abs(v[i]! - h) <= 1e-7 * Math.max(1, Math.abs(h)), `${lif} v[${i}]`);
      }
      assert.deepEqual(Array.from(out.addr.subarray(0, out.count)), want, lif);
      assert.ok(want.length > 50 && want.length < n - 50);
      core.dispose();
    }
  });
}
