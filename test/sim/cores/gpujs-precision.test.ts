import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer } from '../../../src/models/spec.js';
import { mulberry32 } from '../../../src/models/weights.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { GpujsCore } from '../../../src/sim/cores/gpujs.js';
import { probeModes } from '../../../src/sim/cores/gpujs/modes.js';

/**
 * How often float32 arithmetic flips a spike against the float64 reference, on membranes placed near threshold.
 * A linear layer (inC 384, 20% of inputs spiking, 6000 output neurons) gets a bias chosen so that the float64
 * input current lands uniformly within +-BAND of the threshold; the spike is h >= vTh with v = 0 (h = x / 2).
 * Compared: a naive float32 scatter (Math.fround after every add, the sum a float32 core would do) and the gpujs
 * core's compensated float32 kernels. A physical run has few membranes this close: the flip rate per neuron
 * update is (flips / neurons) x P(|h - vTh| < BAND).
 */
const BAND = 2 ** -20;

test('float32 vs float64 spike flips on near-threshold membranes: naive and compensated', (t) => {
  const inC = 384,
    outC = 24,
    tokens = 250,
    vTh = 1;
  const layer: ConvLayer = {
    kind: 'conv',
    op: 'conv1d',
    name: 'p',
    inputs: ['input'],
    in: { c: inC, h: 1, w: tokens },
    out: { c: outC, h: 1, w: tokens },
    k: 1,
    stride: 1,
    pad: 0,
    bias: true,
    bn: null,
  };
  const r = mulberry32(2024);
  const weight = new Float64Array(outC * inC).map(() => ((2 * r() - 1) * 3) / Math.sqrt(inC));
  const x = new Float64Array(tokens * inC).map(() => (r() < 0.2 ? 1 : 0));
  const ev = new EventBuffer(x.length).fromDense(x);
  const n = tokens * outC;
  // float64 synaptic sums (reference order: events in address order) and naive float32 sums.
  const s64 = new Float64Array(n),
    s32 = new Float64Array(n);
  for (let tok = 0; tok < tokens; tok++)
    for (let o = 0; o < outC; o++) {
      let a = 0,
        b = 0;
      for (let c = 0; c < inC; c++)
        if (x[tok * inC + c]) {
          const w = weight[o * inC + c]!;
          a += w;
          b = Math.fround(b + Math.fround(w));
        }
      s64[tok * outC + o] = a;
      s32[tok * outC + o] = b;
    }
  // Per-neuron bias so that the float64 current x = bias + s lands at 2 vTh + delta (h = x / 2 at vTh + delta / 2).
  const delta = new Float64Array(n).map(() => (2 * r() - 1) * BAND);
  const bias = new Float64Array(n);
  for (let i = 0; i < n; i++) bias[i] = 2 * vTh + delta[i]! - s64[i]!;
  const fire = (cur: number) => cur / 2 >= vTh;
  let naiveFlips = 0;
  for (let i = 0; i < n; i++) if (fire(bias[i]! + s64[i]!) !== fire(bias[i]! + s32[i]!)) naiveFlips++;

  const mode = probeModes().find((m) => m.mode === 'webasm' && m.available) ? 'webasm' : 'cpu';
  const core = new GpujsCore({ mode });
  core.prepareConv(layer, { weight, bias: new Float64Array(outC) });
  const acc = new Float64Array(n);
  core.convEvents(layer, ev, acc);
  core.dispose();
  let compFlips = 0;
  for (let i = 0; i < n; i++) if (fire(bias[i]! + s64[i]!) !== fire(bias[i]! + acc[i]!)) compFlips++;

  t.diagnostic(
    `neurons within +-2^-20 of threshold: ${n}; spike flips vs float64: naive float32 ${naiveFlips} (${((100 * naiveFlips) / n).toFixed(2)}%), gpujs compensated float32 (${mode}) ${compFlips} (${((100 * compFlips) / n).toFixed(2)}%)`,
  );
  // Naive float32 accumulates ~sqrt(K) roundings of the partial sums; compensation leaves one rounding of the result.
  assert.ok(naiveFlips > 0, 'a naive float32 sum flips some near-threshold spikes');
  assert.ok(compFlips < naiveFlips / 2, `compensated flips ${compFlips} should be well under naive ${naiveFlips}`);
  // One float32 rounding of a sum of magnitude <= ~4 is <= 2^-22 absolute, against deltas spread over 2^-19.
  assert.ok(compFlips / n < 0.1, `compensated flip rate ${compFlips / n}`);
});
