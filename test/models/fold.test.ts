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
