import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors.js';
import { exportNir } from '../../src/models/formats/nir.js';
import { resolveModel } from '../../src/pipeline/model.js';
import { nirExport } from '../../src/pipeline/nir-export.js';
import { initNir, nirModel, readNirFile } from '../../src/pipeline/nir-file.js';
import { profileWithRecord } from '../../src/pipeline/profile.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/nir/', import.meta.url));
const DEMO = fileURLToPath(new URL('../../checkpoints/fmnist-qkformer.safetensors', import.meta.url));
let tmp = '';
before(async () => {
  await initNir();
  tmp = mkdtempSync(join(tmpdir(), 'spikewatt-nir-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('the demo checkpoint exported with --partial reads back node for node, edge for edge', async () => {
  const out = join(tmp, 'demo.nir');
  const r = await nirExport({ model: DEMO, out, partial: true });
  const m = resolveModel(DEMO);
  const { graph } = exportNir(m.spec, m.tensors, { partial: true });
  const back = readNirFile(out);
  assert.equal(back.version, graph.version);
  assert.deepEqual([...back.nodes.keys()].sort(), [...graph.nodes.keys()].sort());
  for (const [name, n] of graph.nodes) {
    const b = back.nodes.get(name)!;
    assert.equal(b.type, n.type, name);
    assert.deepEqual([...b.params.keys()].sort(), [...n.params.keys()].sort(), name);
    for (const [k, v] of n.params) {
      const w = b.params.get(k)!;
      if (typeof v === 'string') {
        assert.equal(w, v, `${name}.${k}`);
        continue;
      }
      assert.ok(typeof w !== 'string');
      assert.deepEqual(w.shape, v.shape, `${name}.${k} shape`);
      assert.equal(w.int, v.int, `${name}.${k} dtype`);
      // written as float32 (integers as int64): equal to the float32 rounding of what was exported
      assert.deepEqual(w.data, v.int ? v.data : Float64Array.from(Float32Array.from(v.data)), `${name}.${k}`);
    }
  }
  assert.deepEqual(back.edges, graph.edges);
  assert.equal(r.nodes, graph.nodes.size);
  assert.deepEqual(
    [...new Set(r.leftOut.map((l) => l.kind))].sort(),
    ['headSum', 'mask', 'maxpool', 'ssaProduct'],
    'what NIR cannot express is listed',
  );
});

test('without --partial, a model NIR cannot express is refused in one line naming what and why', async () => {
  await assert.rejects(nirExport({ model: DEMO, out: join(tmp, 'no.nir') }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /NIR cannot express 11 node\(s\).*maxpool \(NIR has no max pooling.*ssaProduct.*--partial/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

/** A plain spiking CNN as a model file: conv-LIF, conv-LIF (stride 2), token mean, head. */
const PLAIN = {
  format: 'spikewatt-model',
  version: 1,
  name: 'plain',
  timesteps: 3,
  input: { kind: 'static', channels: 1, height: 8, width: 8 },
  nodes: [
    { name: 'c1', kind: 'conv', inputs: ['input'], outChannels: 4, k: 3, pad: 1, bn: 'c1_bn' },
    { name: 'l1', kind: 'lif', inputs: ['c1'] },
    { name: 'c2', kind: 'conv', inputs: ['l1'], outChannels: 6, k: 3, stride: 2, pad: 1, bias: true },
    { name: 'l2', kind: 'lif', inputs: ['c2'], vThreshold: 0.5 },
    { name: 'pool', kind: 'tokenMean', inputs: ['l2'] },
    { name: 'head', kind: 'head', inputs: ['pool'], numClasses: 4 },
  ],
};

test('a plain network exported and imported again spikes the same, layer by layer, and predicts the same', async () => {
  const json = join(tmp, 'plain.json'),
    nir = join(tmp, 'plain.nir');
  writeFileSync(json, JSON.stringify(PLAIN));
  const r = await nirExport({ model: json, out: nir });
  assert.deepEqual(r.leftOut, [], 'nothing left out');
  const imported = nirModel(nir);
  assert.deepEqual(
    imported.spec.layers.map((l) => `${l.name}:${l.kind}`),
    // the token mean (AvgPool2d) folds into the head's Affine; the Output becomes an identity readout
    ['c1:conv', 'l1:lif', 'c2:conv', 'l2:lif', 'head:conv', 'output:head'],
  );
  const run = { dataset: 'synthetic', samples: 6, hardware: ['cmos45-fp32'], core: 'reference' as const, workers: 1, allowUnpriced: true };
  const a = await profileWithRecord({ ...run, model: json });
  // a NIR file holds no step count: the model file's T is given
  const b = await profileWithRecord({ ...run, model: nir, overrides: { timesteps: PLAIN.timesteps } });
  const spikes = (rec: typeof a.record, name: string) => [...rec.counts.layers.find((l) => l.name === name)!.outputSpikes];
  for (const lif of ['l1', 'l2']) assert.deepEqual(spikes(b.record, lif), spikes(a.record, lif), lif);
  assert.ok(
    spikes(a.record, 'l1').some((s) => s > 0),
    'the network spikes',
  );
  assert.deepEqual(
    b.record.predictions.map((p) => p.top5[0]),
    a.record.predictions.map((p) => p.top5[0]),
  );
});

test("the NIR repository's Sinabs CNN (N-MNIST, IF neurons, sum pooling) imports and profiles end to end", async () => {
  const path = join(FIXTURES, 'cnn_sinabs.nir');
  const m = nirModel(path);
  assert.deepEqual(
    m.spec.layers.filter((l) => l.kind === 'conv').map((l) => (l.kind === 'conv' ? [l.name, l.k, l.stride, l.pad, l.out.c, l.out.h] : [])),
    [
      ['0', 5, 2, 1, 16, 16],
      ['2', 3, 1, 1, 16, 16],
      // 2x2 sum pooling folded into the next 3x3 conv: a 6x6 kernel of stride 2
      ['5', 6, 2, 2, 8, 8],
      ['9', 8, 2, 0, 256, 1],
      ['11', 1, 1, 0, 10, 1],
    ],
  );
  const { report } = await profileWithRecord({
    model: path,
    dataset: 'synthetic-dvs',
    samples: 2,
    hardware: ['cmos45-fp32', 'loihi'],
    workers: 1,
    allowUnpriced: true,
  });
  assert.equal(report.layers.length, m.spec.layers.length);
  assert.ok(
    report.energy.some((e) => e.profile === 'loihi' && e.chip !== undefined),
    'mapped onto the chip',
  );
  assert.ok(report.neurobench !== undefined);
  for (const f of ['lif_norse.nir', 'lif_rockpool.nir']) {
    const lif = nirModel(join(FIXTURES, f)).spec.layers.find((l) => l.kind === 'lif');
    // Norse and Rockpool write tau = 2.5 ms: 25 steps at dt = 0.1 ms
    assert.ok(lif?.kind === 'lif' && Math.abs(lif.neuron!.tau - 25) < 1e-3, f);
  }
});

test('a NIR node spikewatt cannot run is one line naming the node and its type', () => {
  assert.throws(
    () => nirModel(join(FIXTURES, 'braille_noDelay_bias_zero.nir')),
    (e: unknown) => e instanceof InputError && /^NIR node 'lif1\.lif' \(CubaLIF\)/.test(e.message) && !e.message.includes('\n'),
  );
});

test('a SEW residual exported as two edges into one node reads back as an add: the same spikes again', async () => {
  const sew = {
    ...PLAIN,
    name: 'sew',
    nodes: [
      { name: 'c1', kind: 'conv', inputs: ['input'], outChannels: 4, k: 3, pad: 1 },
      { name: 'l1', kind: 'lif', inputs: ['c1'] },
      { name: 'c2', kind: 'conv', inputs: ['l1'], outChannels: 4, k: 3, pad: 1 },
      { name: 'l2', kind: 'lif', inputs: ['c2'] },
      { name: 'res', kind: 'add', inputs: ['l1', 'l2'] },
      { name: 'c3', kind: 'conv', inputs: ['res'], outChannels: 6, k: 3, stride: 2, pad: 1 },
      { name: 'l3', kind: 'lif', inputs: ['c3'] },
      { name: 'pool', kind: 'tokenMean', inputs: ['l3'] },
      { name: 'head', kind: 'head', inputs: ['pool'], numClasses: 4 },
    ],
  };
  const json = join(tmp, 'sew.json'),
    nir = join(tmp, 'sew.nir');
  writeFileSync(json, JSON.stringify(sew));
  await nirExport({ model: json, out: nir });
  const back = readNirFile(nir);
  assert.deepEqual(
    back.edges.filter(([, b]) => b === 'c3'),
    [
      ['l1', 'c3'],
      ['l2', 'c3'],
    ],
  );
  const imported = nirModel(nir);
  assert.ok(imported.spec.layers.some((l) => l.kind === 'add' && l.name === 'c3.sum1'));
  const run = { dataset: 'synthetic', samples: 4, hardware: ['cmos45-fp32'], core: 'reference' as const, workers: 1, allowUnpriced: true };
  const a = await profileWithRecord({ ...run, model: json });
  const b = await profileWithRecord({ ...run, model: nir, overrides: { timesteps: sew.timesteps } });
  const spikes = (rec: typeof a.record, name: string) => [...rec.counts.layers.find((l) => l.name === name)!.outputSpikes];
  for (const lif of ['l1', 'l2', 'l3']) assert.deepEqual(spikes(b.record, lif), spikes(a.record, lif), lif);
});
