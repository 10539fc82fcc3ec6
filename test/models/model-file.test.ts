import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZOO_NAMES, ZOO, zooModel, type ConfigOverrides, type ZooName } from '../../src/models/zoo.js';
import { modelFileText, readModelFile, ModelFileError, MODEL_FILE_FORMAT } from '../../src/models/model-file.js';
import { modelStats } from '../../src/models/stats.js';
import { mulberry32, randomWeights } from '../../src/models/weights.js';
import { foldWeights } from '../../src/models/fold.js';
import { numel, type ModelSpec } from '../../src/models/spec.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { CORES } from '../../src/sim/cores/index.js';
import { resolveModel } from '../../src/pipeline/model.js';
import { saveSpec } from '../../src/pipeline/model-file.js';
import { writeSafetensors } from '../../src/models/formats/safetensors.js';

const sortedKeys = (s: ModelSpec) => [...s.stateKeys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** The same spec after a trip through the file: layers, config, input shape, state keys (as a set), parameters. */
function assertSameSpec(back: ModelSpec, spec: ModelSpec): void {
  assert.deepEqual(back.layers, spec.layers);
  assert.deepEqual(back.config, spec.config);
  assert.deepEqual(back.inputShape, spec.inputShape);
  assert.equal(back.name, spec.name);
  assert.deepEqual(sortedKeys(back), sortedKeys(spec));
  assert.deepEqual(modelStats(back), modelStats(spec));
}

for (const name of ZOO_NAMES) {
  test(`model file: ${name} at its published size reads back to the same spec and parameter count`, () => {
    const spec = zooModel(name);
    const back = readModelFile(modelFileText(spec), `${name}.json`);
    assertSameSpec(back, spec);
  });
}

/** Small sizes of each family: the file's spec simulates to the same spikes per LIF module, sample and step. */
const SMALL: [ZooName, ConfigOverrides][] = [
  ['qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 2, heads: 2 }],
  ['qkformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 16, timesteps: 2, heads: 2, numClasses: 5 }],
  ['qkformer-cifar10dvs', { embedDims: 32, imgSize: 16, timesteps: 2, heads: 4 }],
  ['spikformer-cifar10', { embedDims: 32, depths: 1, imgSize: 8, timesteps: 2, heads: 2 }],
  ['spikformer-cifar10dvs', { embedDims: 32, depths: 1, imgSize: 32, timesteps: 2, heads: 2 }],
  ['maxformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  ['ms-qkformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  ['sdt2-imagenet-8-384', { embedDims: 32, depths: 2, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  ['sdt3-imagenet-s', { embedDims: 32, depths: 2, imgSize: 32, timesteps: 1, heads: 2, numClasses: 5 }],
];
for (const [i, [name, o]] of SMALL.entries()) {
  test(`model file: ${name} ${JSON.stringify(o)} gives the same spikes as the zoo entry`, () => {
    const spec = zooModel(name, o);
    const back = readModelFile(modelFileText(spec), 'small.json');
    assertSameSpec(back, spec);
    const tensors = randomWeights(spec, { seed: 300 + i, quantize256: true });
    const r = mulberry32(400 + i);
    const n = numel(spec.inputShape) * (spec.config.input === 'dvs' ? spec.config.timesteps : 1);
    const dvs = spec.config.input === 'dvs';
    const inputs = [0, 1].map(() => Float32Array.from({ length: n }, () => (dvs ? (r() < 0.3 ? 1 : 0) : r() * 4 - 2)));
    const run = (s: ModelSpec) => simulate(s, foldWeights(s, tensors), inputs, { core: CORES.reference(), batchCoupling: 'independent' });
    const a = run(spec),
      b = run(back);
    let total = 0;
    for (const [layer, rows] of a.sink.spikesPerSample) {
      assert.deepEqual(b.sink.spikesPerSample.get(layer), rows, layer);
      total += rows.flat().reduce((x, y) => x + y, 0);
    }
    assert.ok(total > 0, 'the network spikes');
    assert.deepEqual(b.logits, a.logits);
  });
}

/** A hand-written network: conv-BN-LIF stem, one SSA block with SEW residuals, a head. */
function handWritten(): Record<string, unknown> {
  return {
    format: MODEL_FILE_FORMAT,
    version: 1,
    name: 'tiny-ssa',
    timesteps: 2,
    input: { kind: 'static', channels: 1, height: 8, width: 8 },
    nodes: [
      { name: 'stem.conv', kind: 'conv', inputs: ['input'], outChannels: 8, k: 3, pad: 1, stride: 2, bn: 'stem.bn' },
      { name: 'stem.lif', kind: 'lif', inputs: ['stem.conv'] },
      { name: 'attn.q', kind: 'conv', inputs: ['stem.lif'], outChannels: 8, bn: 'attn.q_bn' },
      { name: 'attn.q_lif', kind: 'lif', inputs: ['attn.q'] },
      { name: 'attn.k', kind: 'conv', inputs: ['stem.lif'], outChannels: 8, bn: 'attn.k_bn' },
      { name: 'attn.k_lif', kind: 'lif', inputs: ['attn.k'] },
      { name: 'attn.v', kind: 'conv', inputs: ['stem.lif'], outChannels: 8, bn: 'attn.v_bn' },
      { name: 'attn.v_lif', kind: 'lif', inputs: ['attn.v'] },
      {
        name: 'attn.product',
        kind: 'ssaProduct',
        inputs: ['attn.q_lif', 'attn.k_lif', 'attn.v_lif'],
        heads: 2,
        order: 'q(kv)',
        scale: 0.125,
      },
      { name: 'attn.attn_lif', kind: 'lif', inputs: ['attn.product'], vThreshold: 0.5 },
      { name: 'attn.proj', kind: 'conv', inputs: ['attn.attn_lif'], outChannels: 8, bias: true, bn: 'attn.proj_bn' },
      { name: 'attn.proj_lif', kind: 'lif', inputs: ['attn.proj'] },
      { name: 'res', kind: 'add', inputs: ['stem.lif', 'attn.proj_lif'] },
      { name: 'pool', kind: 'tokenMean', inputs: ['res'] },
      { name: 'head', kind: 'head', inputs: ['pool'], numClasses: 3 },
    ],
  };
}

test('model file: a hand-written network builds, takes --weights keyed by its names and runs end to end', () => {
  const spec = readModelFile(JSON.stringify(handWritten()), 'tiny.json');
  assert.equal(spec.config.family, 'graph');
  assert.deepEqual(
    spec.layers.map((l) => l.out),
    [
      { c: 8, h: 4, w: 4 },
      { c: 8, h: 4, w: 4 },
      ...new Array(10).fill({ c: 8, h: 4, w: 4 }),
      { c: 8, h: 4, w: 4 },
      { c: 8, h: 1, w: 1 },
      { c: 3, h: 1, w: 1 },
    ],
  );
  // stem conv 8*1*9 + BN 16; q, k, v 3 * (64 + 16); proj 64 + 8 + 16; head 24 + 3
  assert.equal(modelStats(spec).params, 72 + 16 + 3 * 80 + 88 + 27);
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-mf-'));
  try {
    const file = join(dir, 'tiny.json'),
      weights = join(dir, 'tiny.safetensors');
    writeFileSync(file, JSON.stringify(handWritten()));
    const tensors = randomWeights(spec, { seed: 7 });
    writeFileSync(weights, writeSafetensors(tensors, {}));
    const m = resolveModel(file, { weights });
    assert.equal(m.checkpoint, weights);
    const r = mulberry32(9);
    const inputs = [Float32Array.from({ length: 64 }, () => r() * 4)];
    const res = simulate(m.spec, foldWeights(m.spec, m.tensors), inputs, { core: CORES.reference(), batchCoupling: 'independent' });
    assert.equal(res.logits[0]!.length, 3);
    assert.ok([...res.sink.spikesPerSample.values()].some((rows) => rows[0]!.some((s) => s > 0)));
    // weights missing a node's tensor: the checkpoint check names the key
    const partial = new Map(tensors);
    partial.delete('attn.q.weight');
    writeFileSync(weights, writeSafetensors(partial, {}));
    assert.throws(() => resolveModel(file, { weights }), /missing 1: attn\.q\.weight/);
    // saveSpec writes a model file as a model file, unchanged
    const again = join(dir, 'again.json');
    saveSpec({ model: file, output: again });
    assertSameSpec(readModelFile(readFileSync(again, 'utf8'), 'again.json'), spec);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Each broken file gets one line naming the node and the field. */
const BAD: [string, (f: { nodes: Record<string, unknown>[] } & Record<string, unknown>) => void, RegExp][] = [
  ['a wrong field type', (f) => (f.nodes[2]!.outChannels = 'eight'), /^bad\.json: node 'attn\.q' \(nodes\[2\]\) field outChannels: /],
  [
    'an unknown field',
    (f) => (f.nodes[1]!.threshold = 2),
    /^bad\.json: node 'stem\.lif' \(nodes\[1\]\) field threshold: unknown key 'threshold'$/,
  ],
  ['an unknown kind', (f) => (f.nodes[3]!.kind = 'relu'), /^bad\.json: node 'attn\.q_lif' \(nodes\[3\]\) field kind: /],
  [
    'an unknown input',
    (f) => (f.nodes[3]!.inputs = ['attn.x']),
    /node 'attn\.q_lif' \(nodes\[3\]\) field inputs\.0: unknown tensor 'attn\.x'/,
  ],
  ['a duplicate name', (f) => (f.nodes[3]!.name = 'attn.q'), /node 'attn\.q' \(nodes\[3\]\) field name: 'attn\.q' is already a tensor/],
  [
    'spikes into a LIF',
    (f) => (f.nodes[3]!.inputs = ['stem.lif']),
    /field inputs\.0: a lif node takes real values \(dense\), but 'stem\.lif' carries spikes/,
  ],
  [
    'heads that do not divide',
    (f) => (f.nodes[8]!.heads = 3),
    /node 'attn\.product' \(nodes\[8\]\) field heads: 8 channels do not split into 3 heads/,
  ],
  ['a conv too big', (f) => (f.nodes[0]!.k = 11), /node 'stem\.conv' \(nodes\[0\]\) field k: /],
  ['a wrong version', (f) => (f.version = 2), /^bad\.json: field version: this spikewatt reads version 1, got 2$/],
  ['no head', (f) => f.nodes.pop(), /^bad\.json: field nodes: a network has exactly one head node, got 0$/],
];
for (const [what, breakIt, message] of BAD) {
  test(`model file: ${what} is one InputError naming node and field`, () => {
    const f = handWritten() as { nodes: Record<string, unknown>[] } & Record<string, unknown>;
    breakIt(f);
    assert.throws(
      () => readModelFile(JSON.stringify(f), 'bad.json'),
      (e: unknown) => e instanceof ModelFileError && message.test(e.message) && !e.message.includes('\n'),
    );
  });
}

test('model file: only --timesteps overrides a model file', () => {
  const spec = readModelFile(modelFileText(zooModel('spikformer-cifar10')), 's.json', 2);
  assert.equal(spec.config.timesteps, 2);
  assert.equal(ZOO['spikformer-cifar10'].timesteps, 4);
});

test('model file: LIF parameters, the membrane shortcut and spike AND round-trip; defaults are left out', () => {
  const f = handWritten() as { nodes: Record<string, unknown>[] } & Record<string, unknown>;
  Object.assign(f.nodes[3]!, { tau: 4, vReset: null });
  Object.assign(f.nodes[5]!, { tau: 2, decayInput: true, vReset: 0 });
  f.nodes.splice(
    12,
    1,
    { name: 'kv', kind: 'spikeAnd', inputs: ['attn.k_lif', 'attn.v_lif'] },
    { name: 'res', kind: 'add', inputs: ['stem.lif', 'kv'] },
  );
  f.nodes.splice(11, 0, { name: 'ms', kind: 'membraneAdd', inputs: ['attn.proj', 'stem.conv'] });
  const spec = readModelFile(JSON.stringify(f), 'p.json');
  const lif = (n: string) => spec.layers.find((l) => l.name === n);
  assert.deepEqual(lif('attn.q_lif'), { ...lif('attn.q_lif'), neuron: { tau: 4, decayInput: true, vReset: null } });
  assert.equal('neuron' in lif('attn.k_lif')!, false);
  assert.deepEqual(
    spec.layers.filter((l) => l.kind === 'membraneAdd' || l.kind === 'spikeAnd').map((l) => [l.kind, l.inputs]),
    [
      ['membraneAdd', ['attn.proj', 'stem.conv']],
      ['spikeAnd', ['attn.k_lif', 'attn.v_lif']],
    ],
  );
  const text = modelFileText(spec);
  assert.match(
    text,
    /"name":"attn\.q_lif","kind":"lif","inputs":\["attn\.q"\],"vThreshold":1,"timeAxis":"time","tau":4,"decayInput":true,"vReset":null\}/,
  );
  assert.match(text, /"name":"attn\.k_lif","kind":"lif","inputs":\["attn\.k"\],"vThreshold":1,"timeAxis":"time"\}/);
  assertSameSpec(readModelFile(text, 'p2.json'), spec);
  // a membrane add takes real values: spikes into it are named
  f.nodes[11]!.inputs = ['attn.attn_lif', 'stem.conv'];
  assert.throws(
    () => readModelFile(JSON.stringify(f), 'p.json'),
    /node 'ms' \(nodes\[11\]\) field inputs\.0: a membraneAdd node takes real values/,
  );
});
