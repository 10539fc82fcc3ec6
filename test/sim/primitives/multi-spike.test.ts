import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MultiSpikeLayer } from '../../../src/models/spec.js';
import { GraphBuilder } from '../../../src/models/graph.js';
import { foldWeights } from '../../../src/models/fold.js';
import type { TensorMap } from '../../../src/models/tensor.js';
import { binaryExpansion, quantise, runMultiSpike } from '../../../src/sim/primitives/multi-spike.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, dense } from './helpers.js';

const layer: MultiSpikeLayer = { kind: 'multiSpike', name: 'q_spike', inputs: ['q_conv'], out: { c: 3, h: 1, w: 2 }, levels: 4, norm: 4 };

test('multi-spike: round(clamp(x, 0, 4)) with ties to even, as torch.round', () => {
  const cases: [number, number][] = [
    [-1.5, 0],
    [0, 0],
    [0.49, 0],
    [0.5, 0],
    [0.51, 1],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [3.7, 4],
    [9, 4],
    [Number.NaN, 0],
  ];
  for (const [x, m] of cases) assert.equal(quantise(x, 4), m, `x = ${x}`);
});

test("multi-spike: Model_Large's floor(clamp(x, 0, 4) + 0.5) rounds ties up; the counts are the same table", () => {
  const cases: [number, number][] = [
    [-1.5, 0],
    [0, 0],
    [0.49, 0],
    [0.5, 1],
    [1.5, 2],
    [2.5, 3],
    [3.49, 3],
    [3.5, 4],
    [9, 4],
    [Number.NaN, 0],
  ];
  for (const [x, m] of cases) assert.equal(quantise(x, 4, 'halfUp'), m, `x = ${x}`);
  // the largest float32 below 1/2: floor(x + 0.5) in float64 is 0 (exact), where float32 arithmetic would round x + 0.5 to 1
  assert.equal(quantise(Math.fround(0.5 - 2 ** -25), 4, 'halfUp'), 0);
  const up: MultiSpikeLayer = { ...layer, rounding: 'halfUp' };
  const ctx = ctxFor([up], 'q_spike', 0, 1);
  const out = new EventBuffer(6);
  // m = 0, 1, 3, 4, 0, 2 (halfEven would give 0, 0, 2, 4, 0, 2): four events, 10 unit spikes
  runMultiSpike(up, ctx, dense(-1, 0.5, 2.5, 3.5, 0.2, 1.5), out);
  assert.deepEqual(Array.from(out.mult.subarray(0, out.count)), [1, 3, 4, 2]);
  assert.equal(layerTotal(ctx.counts, 'neuronUpdate'), 6);
  assert.equal(layerTotal(ctx.counts, 'spike'), 10);
  assert.equal(layerTotal(ctx.counts, 'memWrite'), 4);
});

test('multi-spike: integer events with their multiplicity; N updates, sum-of-m spikes, one word per event', () => {
  const ctx = ctxFor([layer], 'q_spike', 1, 2);
  const out = new EventBuffer(6);
  // m = 0, 2, 4, 0, 1, 3: four integer events, 10 unit spikes
  runMultiSpike(layer, ctx, dense(-0.3, 2.4, 7, 0.5, 1.2, 2.6), out);
  assert.deepEqual(Array.from(out.addr.subarray(0, out.count)), [1, 2, 4, 5]);
  assert.deepEqual(Array.from(out.mult.subarray(0, out.count)), [2, 4, 1, 3]);
  assert.equal(layerTotal(ctx.counts, 'neuronUpdate'), 6);
  assert.equal(layerTotal(ctx.counts, 'spike'), 10);
  assert.equal(layerTotal(ctx.counts, 'memWrite'), 4);
  assert.equal(layerTotal(ctx.counts, 'memRead'), 0);
  assert.deepEqual(Array.from(ctx.counts.outputSpikes), [0, 10]);
  assert.deepEqual(ctx.sink.spikesPerSample.get('q_spike'), [[0, 10]]);
  // the binary expansion over D = 4 virtual steps: every neuron visited in each, one word per unit spike
  assert.deepEqual(binaryExpansion(layer, ctx.counts), { virtualSteps: 4, neuronUpdate: [0, 24], spike: [0, 10], memWrite: [0, 10] });
});

test('multi-spike: real values only (a spike is not a current)', () => {
  const ctx = ctxFor([layer], 'q_spike');
  const ev = new EventBuffer(6);
  assert.throws(() => runMultiSpike(layer, ctx, { events: ev, dense: null }, ev), /q_spike: expected dense input/);
});

test('multi-spike: the 1/norm is folded into the conv and head that read it, and joins an SSA product scale', () => {
  const g = new GraphBuilder({ c: 2, h: 1, w: 1 });
  const s = g.multiSpike('spike', 'input');
  const c = g.conv({ name: 'fc', input: s, outC: 1, bias: true, bn: null });
  const p = g.ssaProduct('prod', g.multiSpike('s2', c), g.multiSpike('s3', c), g.multiSpike('s4', c, 4, 2), 1, 'qk(v)', 0.5);
  g.head(
    'head',
    g.multiSpike('head_spike', g.tokenMean('mean', g.conv({ name: 'fc2', input: p, outC: 2, bias: false, bn: null })), 4, 1),
    3,
  );
  const t = (shape: number[], ...v: number[]) => ({ shape, data: Float32Array.from(v), dtype: 'F32' as const });
  const w: TensorMap = new Map([
    ['fc.weight', t([1, 2], 2, -6)],
    ['fc.bias', t([1], 0.25)],
    ['fc2.weight', t([2, 1], 1, 1)],
    ['head.weight', t([3, 2], 1, 2, 3, 4, 5, 6)],
    ['head.bias', t([3], 0, 0, 0)],
  ]);
  const f = foldWeights({ name: 'm', config: {} as never, inputShape: { c: 2, h: 1, w: 1 }, layers: g.layers, stateKeys: g.keys }, w);
  assert.deepEqual(Array.from(f.convs.get('fc')!.weight), [0.5, -1.5]);
  assert.deepEqual(Array.from(f.convs.get('fc')!.bias), [0.25]);
  assert.deepEqual(Array.from(f.head.weight), [1, 2, 3, 4, 5, 6]);
  assert.equal(f.eventScale.get('prod'), 1 / 32);
});

test('multi-spike: only a conv, a head or an SSA product may read a divided multi-spike', () => {
  const g = new GraphBuilder({ c: 2, h: 1, w: 1 });
  const s = g.multiSpike('spike', 'input');
  assert.throws(() => g.tokenMean('mean', s), /mean: a tokenMean cannot read spike, a multi-level spike divided by 4/);
  assert.throws(() => g.multiSpike('bad', 'input', 0), /bad: levels must be a positive integer/);
});
