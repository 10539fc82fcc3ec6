import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LifLayer, MaskLayer, SpikeAndLayer, TokenSumLayer } from '../../../src/models/spec.js';
import { runSpikeAnd } from '../../../src/sim/primitives/spike-and.js';
import { runMask, runTokenSum } from '../../../src/sim/primitives/qk-attention.js';
import { runLif } from '../../../src/sim/primitives/lif.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, events } from './helpers.js';

/** 3 tokens x 2 channels, token-major: address = n * 2 + c. */
const shape = { c: 2, h: 1, w: 3 };
const and: SpikeAndLayer = { kind: 'spikeAnd', name: 'kv', inputs: ['k', 'v'], out: shape };

test('spike AND: K AND V per address; one mask op per K spike', () => {
  const ctx = ctxFor([and], 'kv');
  const out = new EventBuffer(6);
  // K at (n0,c0) (n1,c1) (n2,c0); V at (n0,c0) (n2,c0) (n2,c1)
  runSpikeAnd(and, ctx, events(6, [0, 1], [3, 1], [4, 1]), events(6, [0, 1], [4, 1], [5, 1]), new Int32Array(6), out);
  assert.deepEqual(Array.from(out.addr.subarray(0, out.count)), [0, 4]);
  assert.equal(layerTotal(ctx.counts, 'mask'), 3);
  assert.equal(ctx.counts.outputSpikes[0], 2);
});

test('SDSA by hand: K AND V, sum over tokens per channel, LIF 0.5, channel mask of Q', () => {
  const sum: TokenSumLayer = { kind: 'tokenSum', name: 'kv_sum', inputs: ['kv'], out: { c: 2, h: 1, w: 1 } };
  const lif: LifLayer = {
    kind: 'lif',
    name: 'talking_heads_lif',
    inputs: ['kv_sum'],
    out: { c: 2, h: 1, w: 1 },
    vThreshold: 0.5,
    officialTimeAxis: 'time',
  };
  const mask: MaskLayer = { kind: 'mask', name: 'x', inputs: ['talking_heads_lif', 'q'], out: shape, mode: 'channel', heads: 1 };
  const layers = [and, sum, lif, mask];
  const kv = new EventBuffer(6);
  runSpikeAnd(and, ctxFor(layers, 'kv'), events(6, [0, 1], [3, 1], [4, 1]), events(6, [0, 1], [4, 1], [5, 1]), new Int32Array(6), kv);
  // channel 0 has K AND V at tokens 0 and 2 (sum 2), channel 1 none (sum 0)
  const s = new Float64Array(2);
  const ctxSum = ctxFor(layers, 'kv_sum');
  runTokenSum(sum, ctxSum, { events: kv, dense: null }, s);
  assert.deepEqual(Array.from(s), [2, 0]);
  assert.equal(layerTotal(ctxSum.counts, 'add'), 2);
  // LIF 0.5: h = 2/2 = 1 >= 0.5 fires channel 0; channel 1 h = 0
  const a = new EventBuffer(2);
  runLif(lif, ctxFor(layers, 'talking_heads_lif'), { events: null, dense: s }, new Float64Array(2), a);
  assert.deepEqual(Array.from(a.addr.subarray(0, a.count)), [0]);
  // Q at (n0,c1) (n1,c0) (n2,c0): only channel-0 spikes pass
  const x = new EventBuffer(6);
  const ctxMask = ctxFor(layers, 'x');
  runMask(mask, ctxMask, { events: a, dense: null }, events(6, [1, 1], [2, 1], [4, 1]), new Uint8Array(2), x);
  assert.deepEqual(Array.from(x.addr.subarray(0, x.count)), [2, 4]);
  assert.equal(layerTotal(ctxMask.counts, 'mask'), 3);
});

test('spike AND of integer events multiplies multiplicities (k.mul(v) on integers)', () => {
  const out = new EventBuffer(6);
  runSpikeAnd(and, ctxFor([and], 'kv'), events(6, [1, 2]), events(6, [1, 3]), new Int32Array(6), out);
  assert.equal(out.count, 1);
  assert.equal(out.mult[0], 6);
});
