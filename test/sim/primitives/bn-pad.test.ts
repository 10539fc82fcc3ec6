import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../../src/models/graph.js';
import { foldWeights } from '../../../src/models/fold.js';
import type { BnPadLayer } from '../../../src/models/spec.js';
import type { TensorMap } from '../../../src/models/tensor.js';
import { runBnPad } from '../../../src/sim/primitives/bn-pad.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, dense } from './helpers.js';

const t = (shape: number[], ...v: number[]) => ({ shape, data: Float32Array.from(v), dtype: 'F32' as const });

/** RepConv's first two modules on a 2-channel 2x2 input: body.0 (1x1 conv, no bias) -> body.1 (BN-and-pad, pad 1). */
function repConvHead() {
  const g = new GraphBuilder({ c: 2, h: 2, w: 2 });
  const c = g.conv({ name: 'body.0', input: 'input', outC: 2, bias: false, bn: 'body.1.bn' });
  g.bnPad('body.1', c, 1);
  g.head('head', g.tokenMean('mean', 'body.1'), 1);
  const w: TensorMap = new Map([
    ['body.0.weight', t([2, 2, 1, 1], 1, 0, 0, 1)],
    ['body.1.bn.weight', t([2], 2, 0.5)],
    ['body.1.bn.bias', t([2], 0.25, -1)],
    ['body.1.bn.running_mean', t([2], 1, -2)],
    ['body.1.bn.running_var', t([2], 3, 0.25)],
    ['head.weight', t([1, 2], 1, 1)],
    ['head.bias', t([1], 0)],
  ]);
  return { layers: g.layers, keys: g.keys, w };
}

test('BN-and-pad: the border is the BN offset beta - mean * gamma / sqrt(var + eps), as BNAndPadLayer computes it', () => {
  const { layers, keys, w } = repConvHead();
  const f = foldWeights({ name: 'rep', config: {} as never, inputShape: { c: 2, h: 2, w: 2 }, layers, stateKeys: keys }, w);
  // by hand: channel 0: 0.25 - 1 * 2 / sqrt(3.00001); channel 1: -1 - (-2) * 0.5 / sqrt(0.25001)
  const off = [0.25 - 2 / Math.sqrt(3 + 1e-5), -1 + 1 / Math.sqrt(0.25 + 1e-5)];
  const bias = Array.from(f.convs.get('body.0')!.bias);
  bias.forEach((b, c) => assert.ok(Math.abs(b - off[c]!) < 1e-7, `folded bias ${b} vs offset ${off[c]}`));
  const layer = layers[1] as BnPadLayer;
  assert.deepEqual(layer.out, { c: 2, h: 4, w: 4 });
  const ctx = ctxFor(layers, 'body.1');
  const out = new Float64Array(32);
  // interior [n][c], n = y * 2 + x: (0,0) = [1, 2], (0,1) = [3, 4], (1,0) = [5, 6], (1,1) = [7, 8]
  runBnPad(layer, ctx, dense(1, 2, 3, 4, 5, 6, 7, 8), Float64Array.from(off), out);
  const at = (y: number, x: number) => [out[(y * 4 + x) * 2]!, out[(y * 4 + x) * 2 + 1]!];
  assert.deepEqual(at(1, 1), [1, 2]);
  assert.deepEqual(at(1, 2), [3, 4]);
  assert.deepEqual(at(2, 1), [5, 6]);
  assert.deepEqual(at(2, 2), [7, 8]);
  for (const [y, x] of [
    [0, 0],
    [0, 3],
    [3, 0],
    [3, 3],
    [0, 1],
    [2, 3],
  ] as const)
    assert.deepEqual(at(y, x), off, `border (${y}, ${x})`);
  // 12 border positions x 2 channels written with the offset; the interior is the conv's output in place
  assert.equal(layerTotal(ctx.counts, 'memWrite'), 24);
  assert.equal(layerTotal(ctx.counts, 'mac') + layerTotal(ctx.counts, 'ac') + layerTotal(ctx.counts, 'add'), 0);
});

test('BN-and-pad: it reads a conv that carries its BN and no bias (else the border would not be BN(0))', () => {
  const g = new GraphBuilder({ c: 2, h: 2, w: 2 });
  const c = g.conv({ name: 'c', input: 'input', outC: 2, bias: true, bn: 'bn' });
  assert.throws(() => g.bnPad('p', c, 1), /p: a BN-and-pad reads a conv that carries its BatchNorm and no bias, not c/);
  const d = g.conv({ name: 'd', input: 'input', outC: 2, bias: false, bn: null });
  assert.throws(() => g.bnPad('q', d, 1), /q: a BN-and-pad reads a conv/);
});
