import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelFileOf, ModelFileError, readModelFile, specOfModelFile } from '../../src/models/model-file.js';
import { exportNir } from '../../src/models/formats/nir.js';
import { importNir } from '../../src/models/formats/nir-import.js';
import type { TensorMap } from '../../src/models/tensor.js';

/** A depth-wise 3x3 conv (4 channels, groups 4), a LIF, a token mean and a head. */
const file = (groups: unknown) =>
  JSON.stringify({
    format: 'spikewatt-model',
    version: 1,
    name: 'dw',
    timesteps: 2,
    input: { kind: 'static', channels: 4, height: 5, width: 5 },
    nodes: [
      { name: 'dw', kind: 'conv', inputs: ['input'], outChannels: 4, k: 3, pad: 1, bias: true, groups },
      { name: 'dw_lif', kind: 'lif', inputs: ['dw'] },
      { name: 'mean', kind: 'tokenMean', inputs: ['dw_lif'] },
      { name: 'head', kind: 'head', inputs: ['mean'], numClasses: 3 },
    ],
  });

test('model file: a conv node takes groups (default 1), writes it back, and its weight key has C_in / groups channels', () => {
  const spec = readModelFile(file(4), 'dw.json');
  const conv = spec.layers[0]!;
  assert.equal(conv.kind === 'conv' && conv.groups, 4);
  assert.deepEqual(spec.stateKeys.find((k) => k.key === 'dw.weight')?.shape, [4, 1, 3, 3]);
  const written = modelFileOf(spec);
  assert.equal((written.nodes[0] as { groups?: number }).groups, 4);
  assert.deepEqual(readModelFile(JSON.stringify(written), 'back.json').layers, spec.layers);
  // groups 1 is never written, so a file of groups-1 convs reads and writes as before
  const one = modelFileOf(readModelFile(file(1), 'one.json'));
  assert.equal('groups' in one.nodes[0]!, false);
});

test('model file: groups that do not divide the channels are one error naming the node and the field', () => {
  assert.throws(
    () => readModelFile(file(3), 'bad.json'),
    (e: unknown) => e instanceof ModelFileError && /node 'dw' \(nodes\[0\]\) field groups: 3 groups do not divide 4 input/.test(e.message),
  );
  assert.throws(
    () => readModelFile(file(0), 'zero.json'),
    (e: unknown) => e instanceof ModelFileError && /field groups/.test(e.message),
  );
});

test('NIR: a grouped conv is exported as Conv2d with its groups and weight [C_out][C_in / groups][k][k], and imported back', () => {
  const spec = readModelFile(file(4), 'dw.json');
  const tensors: TensorMap = new Map();
  for (const k of spec.stateKeys) {
    const n = k.shape.reduce((a, b) => a * b, 1);
    tensors.set(k.key, { shape: [...k.shape], data: Float32Array.from({ length: n }, (_, i) => (i % 7) / 8 - 0.25), dtype: 'F32' });
  }
  const { graph } = exportNir(spec, tensors);
  const node = graph.nodes.get('dw')!;
  const groups = node.params.get('groups');
  const weight = node.params.get('weight');
  assert.ok(typeof groups !== 'string' && groups !== undefined && typeof weight !== 'string' && weight !== undefined);
  assert.equal(groups.data[0], 4);
  assert.deepEqual(weight.shape, [4, 1, 3, 3]);
  const back = importNir(graph, 'back');
  const conv = back.file.nodes.find((n) => n.kind === 'conv' && n.name === 'dw');
  assert.equal(conv?.kind === 'conv' && conv.groups, 4);
  // the LIF's Euler input gain (1 / tau = 1/2 with decay_input) is folded into the conv that feeds it, tap for tap
  const wBack = Array.from(back.tensors.get('dw.weight')!.data);
  assert.deepEqual(
    wBack,
    Array.from(tensors.get('dw.weight')!.data, (v) => v / 2),
  );
  const s = specOfModelFile(back.file, 'back');
  assert.equal(s.layers.find((l) => l.name === 'dw')?.kind === 'conv' && (s.layers[0] as { groups?: number }).groups, 4);
});
