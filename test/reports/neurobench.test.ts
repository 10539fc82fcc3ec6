import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerSpec, ModelSpec, StateKey } from '../../src/models/spec.js';
import type { TensorMap } from '../../src/models/tensor.js';
import type { LayerCounts, OpCounts } from '../../src/sim/counts.js';
import { NUM_OP_KINDS } from '../../src/sim/ops.js';
import { connectionZeros, neurobenchMetrics, pairsPerAddress } from '../../src/reports/neurobench.js';

/*
 * A network counted by hand, T = 2, one sample:
 *   input 1x3x3 -> conv1 (1->2, 3x3, pad 1) -> lif1 (2x3x3) -> conv2 (2->1, 3x3, pad 1) -> ... -> head (3 -> 2)
 * A 3x3 kernel with pad 1 on a 3x3 map reaches 4 outputs from a corner input, 6 from an edge, 9 from the centre:
 * 4*4 + 4*6 + 9 = 49 = (3*3-2)^2 pairs per input and output channel, no zero padding counted.
 */
const conv = (name: string, input: string, cin: number, cout: number): LayerSpec => ({
  kind: 'conv',
  op: 'conv2d',
  name,
  inputs: [input],
  in: { c: cin, h: 3, w: 3 },
  out: { c: cout, h: 3, w: 3 },
  k: 3,
  stride: 1,
  pad: 1,
  bias: true,
  bn: null,
});
const layers: LayerSpec[] = [
  conv('conv1', 'input', 1, 2),
  { kind: 'lif', name: 'lif1', inputs: ['conv1'], out: { c: 2, h: 3, w: 3 }, vThreshold: 1, officialTimeAxis: 'time' },
  conv('conv2', 'lif1', 2, 1),
  { kind: 'head', name: 'head', inputs: ['conv2'], out: { c: 2, h: 1, w: 1 }, inFeatures: 3, numClasses: 2 },
];
const key = (k: string, shape: number[], role: StateKey['role'] = 'param'): StateKey => ({ key: k, shape, role, used: true });
const spec = {
  name: 'hand',
  config: {} as ModelSpec['config'],
  inputShape: { c: 1, h: 3, w: 3 },
  layers,
  stateKeys: [
    key('conv1.weight', [2, 1, 3, 3]),
    key('conv1.bias', [2]),
    key('conv2.weight', [1, 2, 3, 3]),
    key('conv2.bias', [1]),
    key('head.weight', [2, 3]),
    key('head.bias', [2]),
    key('bn.running_mean', [2], 'buffer'),
    key('bn.num_batches_tracked', [], 'buffer'),
  ],
} satisfies ModelSpec;

const T = 2;
function lc(name: string, kind: LayerSpec['kind'], o: Partial<LayerCounts> & { outputElements: number }): LayerCounts {
  return {
    name,
    kind,
    ops: new Float64Array(T * NUM_OP_KINDS),
    inputEvents: new Float64Array(T),
    inputUnitSpikes: new Float64Array(T),
    outputSpikes: new Float64Array(T),
    inputElements: 0,
    inputBinary: true,
    inputIsEvents: false,
    ...o,
  };
}
// lif1's spikes, token-major [n][c] (address = (y*3 + x)*2 + c): t0 at (0,0,c0) (1,1,c1) (2,2,c0) (0,2,c1); t1 at (1,1,c0) (2,0,c1)
const spikes = new Uint32Array(T * 18);
for (const a of [0, 9, 16, 5]) spikes[a] = 1;
for (const a of [8, 13]) spikes[18 + a] = 1;
const counts: OpCounts = {
  model: 'hand',
  timesteps: T,
  samples: 1,
  layers: [
    lc('conv1', 'conv', { outputElements: 18, inputElements: 9, inputBinary: false, inputEvents: Float64Array.of(9, 9) }),
    lc('lif1', 'lif', { outputElements: 18, outputSpikes: Float64Array.of(4, 2), neuronSpikes: spikes }),
    lc('conv2', 'conv', { outputElements: 9, inputElements: 18, inputIsEvents: true, inputEvents: Float64Array.of(4, 2) }),
    lc('head', 'head', { outputElements: 2, inputElements: 3, inputBinary: false, inputEvents: Float64Array.of(0, 3) }),
  ],
};
const tensor = (shape: number[], zeros: number) => {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5);
  data.fill(0, 0, zeros);
  return { shape, data, dtype: 'F32' as const };
};
const tensors: TensorMap = new Map([
  ['conv1.weight', tensor([2, 1, 3, 3], 0)],
  ['conv2.weight', tensor([1, 2, 3, 3], 0)],
  ['head.weight', tensor([2, 3], 1)],
]);
const connections = connectionZeros(spec, tensors);
const nb = neurobenchMetrics({ spec, counts, top1: 0.5, weights: connections });

test('reach per input address: corners 4, edges 6, centre 9 outputs of a padded 3x3 conv', () => {
  const fan = pairsPerAddress(layers[2] as Parameters<typeof pairsPerAddress>[0], () => 1);
  // channel 0 of each token, row by row
  assert.deepEqual(
    [...Array(9).keys()].map((n) => fan[n * 2]),
    [4, 6, 4, 6, 9, 6, 4, 6, 4],
  );
});

test('footprint: every parameter and buffer, float32 4 B, num_batches_tracked int64 8 B', () => {
  // parameters 18 + 2 + 18 + 1 + 6 + 2 = 47, buffer 2: 49 x 4 B, plus 8 B
  assert.equal(nb.static.footprint, 49 * 4 + 8);
  assert.equal(nb.static.parameter_count, 47);
});

test('connection sparsity: zero weights / all weights of Conv and Linear, biases excluded', () => {
  assert.deepEqual(
    connections.map((c) => [c.module, c.zeros, c.weights]),
    [
      ['conv1', 0, 18],
      ['conv2', 0, 18],
      ['head', 1, 6],
    ],
  );
  assert.equal(nb.static.connection_sparsity, 1 / 42);
  assert.equal(neurobenchMetrics({ spec, counts, top1: 0.5, weights: null }).static.connection_sparsity, null);
});

test('activation sparsity: 1 - spikes / (neurons x steps x samples) over the LIF layers', () => {
  assert.equal(nb.workload.activation_sparsity, 1 - 6 / 36);
  assert.equal(nb.workload.classification_accuracy, 0.5);
});

test('synaptic operations: dense pairs without padding, effective pairs of nonzero inputs and weights, AC only for 0/1 inputs', () => {
  const byName = new Map(nb.layers.map((l) => [l.name, l]));
  // conv1: a real-valued image, all 9 pixels nonzero at both steps: MAC, effective = dense = 49 x 2 out x 2 steps
  assert.deepEqual(byName.get('conv1'), { name: 'conv1', kind: 'mac', effective: 196, dense: 196, exact: true });
  // conv2: spikes at t0 corner + centre + corner + corner = 4 + 9 + 4 + 4, at t1 centre + corner = 9 + 4; dense 49 x 2 in x 2 steps
  assert.deepEqual(byName.get('conv2'), { name: 'conv2', kind: 'ac', effective: 34, dense: 196, exact: true });
  // head: once per sample on the T-mean, 3 nonzero inputs x 2 classes, 5 of its 6 weights nonzero
  assert.deepEqual(byName.get('head'), { name: 'head', kind: 'mac', effective: 5, dense: 6, exact: false });
  assert.deepEqual(nb.workload.synaptic_operations, { Effective_MACs: 201, Effective_ACs: 34, Dense: 398 });
  assert.match(nb.estimate, /spikewatt's estimate/);
  assert.ok(nb.notes.some((n) => n.includes('head')));
});
