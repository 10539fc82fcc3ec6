import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldConv, BN_EPS } from '../../src/models/fold.js';
import type { ConvLayer } from '../../src/models/spec.js';
import type { TensorMap } from '../../src/models/tensor.js';
import { mulberry32 } from '../../src/models/weights.js';

test('BN folding equals conv followed by BatchNorm (eval statistics)', () => {
  const r = mulberry32(7);
  const inC = 3,
    outC = 4,
    k = 3;
  const layer: ConvLayer = {
    kind: 'conv',
    op: 'conv2d',
    name: 'c',
    inputs: ['input'],
    in: { c: inC, h: 5, w: 5 },
    out: { c: outC, h: 5, w: 5 },
    k,
    stride: 1,
    pad: 1,
    bias: true,
    bn: 'bn',
  };
  const f32 = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const t: TensorMap = new Map([
    ['c.weight', { shape: [outC, inC, k, k], data: f32(outC * inC * k * k, () => r() - 0.5), dtype: 'F32' }],
    ['c.bias', { shape: [outC], data: f32(outC, () => r() - 0.5), dtype: 'F32' }],
    ['bn.weight', { shape: [outC], data: f32(outC, () => 0.5 + r()), dtype: 'F32' }],
    ['bn.bias', { shape: [outC], data: f32(outC, () => r() - 0.5), dtype: 'F32' }],
    ['bn.running_mean', { shape: [outC], data: f32(outC, () => r() - 0.5), dtype: 'F32' }],
    ['bn.running_var', { shape: [outC], data: f32(outC, () => 0.2 + r()), dtype: 'F32' }],
  ]);
  const folded = foldConv(layer, t);
  const x = Array.from({ length: inC * k * k }, () => r() * 2 - 1); // one receptive field
  const g = (key: string) => t.get(key)!.data;
  for (let o = 0; o < outC; o++) {
    let conv = g('c.bias')[o]!,
      fold = folded.bias[o]!;
    for (let i = 0; i < inC * k * k; i++) {
      conv += g('c.weight')[o * inC * k * k + i]! * x[i]!;
      fold += folded.weight[o * inC * k * k + i]! * x[i]!;
    }
    const bn = ((conv - g('bn.running_mean')[o]!) / Math.sqrt(g('bn.running_var')[o]! + BN_EPS)) * g('bn.weight')[o]! + g('bn.bias')[o]!;
    assert.ok(Math.abs(bn - fold) < 1e-12, `channel ${o}: ${bn} vs ${fold}`);
  }
});

test('a layer scale multiplies the BatchNorm output per channel: folded into weights and bias', () => {
  const layer: ConvLayer = {
    kind: 'conv',
    op: 'conv1d',
    name: 'fc2_conv',
    inputs: ['x'],
    in: { c: 2, h: 1, w: 1 },
    out: { c: 2, h: 1, w: 1 },
    k: 1,
    stride: 1,
    pad: 0,
    bias: true,
    bn: 'fc2_bn',
    layerScale: 'layer_scale2',
  };
  const v = (...d: number[]) => ({ shape: [d.length], data: Float32Array.from(d), dtype: 'F32' as const });
  const t: TensorMap = new Map([
    ['fc2_conv.weight', { shape: [2, 2, 1], data: Float32Array.from([1, 2, 3, 4]), dtype: 'F32' as const }],
    ['fc2_conv.bias', v(1, -1)],
    ['fc2_bn.weight', v(2, 1)],
    ['fc2_bn.bias', v(0.5, 0)],
    ['fc2_bn.running_mean', v(0, 1)],
    ['fc2_bn.running_var', v(1 - BN_EPS, 4 - BN_EPS)],
    ['layer_scale2', v(0.5, 4)],
  ]);
  // channel 0: s = 2, l = 0.5: W' = 0.5 * 2 * [1, 2] = [1, 2], b' = 0.5 * (2 * (1 - 0) + 0.5) = 1.25
  // channel 1: s = 1 / 2, l = 4: W' = 4 * 0.5 * [3, 4] = [6, 8], b' = 4 * (0.5 * (-1 - 1) + 0) = -4
  const f = foldConv(layer, t);
  // (running_var + eps is 1 and 4 up to float32 rounding of the stored variance)
  Array.from(f.weight).forEach((w, i) => assert.ok(Math.abs(w - [1, 2, 6, 8][i]!) < 1e-6, `weight ${i}: ${w}`));
  Array.from(f.bias).forEach((b, i) => assert.ok(Math.abs(b - [1.25, -4][i]!) < 1e-6, `bias ${i}: ${b}`));
});
