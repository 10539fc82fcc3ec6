import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeadLayer, TokenMeanLayer } from '../../../src/models/spec.js';
import { runHead, runTokenMean } from '../../../src/sim/primitives/head.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, dense, events } from './helpers.js';

test('token mean of real values (the MS residual stream): N x C adds', () => {
  const l: TokenMeanLayer = { kind: 'tokenMean', name: 'm', inputs: ['x'], out: { c: 2, h: 1, w: 1 } };
  const ctx = ctxFor([l], 'm');
  const out = new Float64Array(2);
  // tokens (1, 2), (3, -4): means 2 and -1
  runTokenMean(l, ctx, dense(1, 2, 3, -4), out);
  assert.deepEqual(Array.from(out), [2, -1]);
  assert.equal(layerTotal(ctx.counts, 'add'), 4);
});

test('a head fed spikes (SDT head_lif) is event-driven: a column of W per spike per step, bias once', () => {
  const l: HeadLayer = { kind: 'head', name: 'head', inputs: ['head_lif'], out: { c: 3, h: 1, w: 1 }, inFeatures: 2, numClasses: 3 };
  const w = { weight: Float64Array.of(1, 2, 3, 4, 5, 6), bias: Float64Array.of(0.5, 0, -0.5), inFeatures: 2, numClasses: 3 };
  const T = 2;
  const ctx = ctxFor([l], 'head', 0, T);
  const sum = new Float64Array(2),
    logits = new Float64Array(3);
  runHead(l, { ...ctx, t: 0 }, events(2, [0, 1], [1, 1]), sum, w, logits);
  runHead(l, { ...ctx, t: 1 }, events(2, [1, 1]), sum, w, logits);
  // mean spikes over T: (0.5, 1); logits = W (0.5, 1) + b = (0.5 + 2 + 0.5, 1.5 + 4, 2.5 + 6 - 0.5)
  assert.deepEqual(Array.from(logits), [3, 5.5, 8]);
  assert.equal(layerTotal(ctx.counts, 'ac'), 3 * 3);
  assert.equal(layerTotal(ctx.counts, 'mac'), 0);
  assert.equal(layerTotal(ctx.counts, 'add'), 3);
  assert.equal(layerTotal(ctx.counts, 'memRead'), 3 * 3 + 3);
});
