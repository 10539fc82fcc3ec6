import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer } from '../../../src/models/spec.js';
import { ConvState, runConv } from '../../../src/sim/primitives/conv.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { GraphBuilder } from '../../../src/models/graph.js';
import { denseMacs, weightWords } from '../../../src/models/stats.js';
import { ConfigError } from '../../../src/models/config-error.js';
import { ctxFor, dense, events } from './helpers.js';

/** A padded 3x3 conv over a 3x3 map, token-major addresses n * C + c. */
function conv(C: number, groups: number): ConvLayer {
  return {
    kind: 'conv',
    op: 'conv2d',
    name: 'dw',
    inputs: ['input'],
    in: { c: C, h: 3, w: 3 },
    out: { c: C, h: 3, w: 3 },
    k: 3,
    stride: 1,
    pad: 1,
    bias: true,
    bn: null,
    groups,
  };
}

test('depth-wise 3x3: a corner spike reaches 4 outputs of its own channel only (fan-out 4 x C_out / groups = 4)', () => {
  const layer = conv(2, 2);
  // weight [C_out][C_in / groups = 1][3][3]: channel o's taps are 10 o + (ky * 3 + kx)
  const weight = Float64Array.from({ length: 2 * 9 }, (_, i) => 10 * Math.floor(i / 9) + (i % 9));
  const st = new ConvState(layer, { weight, bias: Float64Array.from([0.5, -0.5]) });
  const ctx = ctxFor([layer], 'dw');
  const out = new Float64Array(2 * 9);
  runConv(st, ctx, events(18, [0 * 2 + 1, 1]), out); // token (0,0), channel 1
  // output (oy, ox) sees input (0,0) through tap (ky, kx) = (1 - oy, 1 - ox); channel 0 keeps its bias
  const at = (oy: number, ox: number, c: number) => out[(oy * 3 + ox) * 2 + c];
  assert.equal(at(0, 0, 1), -0.5 + 10 + 4);
  assert.equal(at(0, 1, 1), -0.5 + 10 + 3);
  assert.equal(at(1, 0, 1), -0.5 + 10 + 1);
  assert.equal(at(1, 1, 1), -0.5 + 10 + 0);
  assert.equal(at(2, 2, 1), -0.5);
  for (let n = 0; n < 9; n++) assert.equal(out[n * 2], 0.5);
  assert.equal(layerTotal(ctx.counts, 'ac'), 4);
  assert.equal(layerTotal(ctx.counts, 'memRead'), 4 + 1);
  assert.equal(layerTotal(ctx.counts, 'add'), 2 * 9);
});

test('groups 2 of 4 channels: a centre spike of channel 2 reaches 9 outputs x channels 2 and 3; multiplicity 2 counts twice', () => {
  const layer = conv(4, 2);
  // weight [4][2][3][3] = i (its flat index)
  const weight = Float64Array.from({ length: 4 * 2 * 9 }, (_, i) => i);
  const st = new ConvState(layer, { weight, bias: new Float64Array(4) });
  const ctx = ctxFor([layer], 'dw');
  const out = new Float64Array(4 * 9);
  runConv(st, ctx, events(36, [4 * 4 + 2, 2]), out); // token (1,1), channel 2 = channel 0 of group 1, m = 2
  // output (0,0) sees it through tap (2,2): o = 2 reads W[2][0][2][2], o = 3 reads W[3][0][2][2]
  assert.equal(out[2], 2 * ((2 * 2 + 0) * 9 + 8));
  assert.equal(out[3], 2 * ((3 * 2 + 0) * 9 + 8));
  assert.equal(out[0], 0);
  assert.equal(out[1], 0);
  assert.equal(layerTotal(ctx.counts, 'ac'), 2 * 9 * 2);
  assert.equal(layerTotal(ctx.counts, 'memRead'), 2 * 9 * 2 + 1);
});

test('grouped conv on real values: the same currents as the equivalent block-diagonal conv; MACs = taps x C_in / groups x C_out', () => {
  const layer = conv(4, 2);
  const weight = Float64Array.from({ length: 4 * 2 * 9 }, (_, i) => Math.sin(i + 1));
  const x = Array.from({ length: 36 }, (_, i) => (i % 5 === 0 ? 0 : Math.cos(i)));
  const ctx = ctxFor([layer], 'dw');
  const out = new Float64Array(36);
  runConv(new ConvState(layer, { weight, bias: new Float64Array(4) }), ctx, dense(...x), out);
  // the block-diagonal groups-1 conv on the reference core: same terms in the same order (zeros add nothing)
  const full: ConvLayer = { ...layer, name: 'full', groups: 1 };
  const wFull = new Float64Array(4 * 4 * 9);
  for (let o = 0; o < 4; o++)
    for (let cl = 0; cl < 2; cl++)
      for (let t = 0; t < 9; t++) wFull[(o * 4 + Math.floor(o / 2) * 2 + cl) * 9 + t] = weight[(o * 2 + cl) * 9 + t]!;
  const ctxFull = ctxFor([full], 'full');
  const stFull = new ConvState(full, { weight: wFull, bias: new Float64Array(4) });
  ctxFull.core.prepareConv(full, stFull.w);
  const outFull = new Float64Array(36);
  runConv(stFull, ctxFull, dense(...x), outFull);
  assert.deepEqual(Array.from(out), Array.from(outFull));
  // taps of a padded 3x3 over 3x3: corners 4, edges 6, centre 9 = 49
  assert.equal(layerTotal(ctx.counts, 'mac'), (49 * 4 * 4) / 2);
  assert.equal(layerTotal(ctxFull.counts, 'mac'), 49 * 4 * 4);
});

test('GraphBuilder: a grouped conv holds weight [C_out][C_in / groups][k][k]; static costs divide by groups; groups must divide', () => {
  const g = new GraphBuilder({ c: 8, h: 4, w: 4 });
  g.conv({ name: 'dw', input: 'input', outC: 8, k: 7, pad: 3, bias: true, bn: null, groups: 8 });
  assert.deepEqual(g.keys[0], { key: 'dw.weight', shape: [8, 1, 7, 7], role: 'param', used: true });
  const l = g.layers[0]!;
  assert.equal(l.kind === 'conv' && l.groups, 8);
  assert.equal(denseMacs(l), 8 * 16 * 49);
  assert.equal(weightWords(l), 8 * 49 + 8);
  // groups 1 is left out of the spec (specs written before groups existed read the same)
  g.conv({ name: 'pw', input: 'dw', outC: 8, bias: false, bn: null, groups: 1 });
  assert.equal('groups' in g.layers[1]!, false);
  assert.throws(() => g.conv({ name: 'bad', input: 'dw', outC: 6, bias: false, bn: null, groups: 4 }), ConfigError);
});
