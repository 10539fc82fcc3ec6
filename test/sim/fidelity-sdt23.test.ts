import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../src/models/formats/safetensors.js';
import { zooModel, type ZooName } from '../../src/models/zoo.js';
import { modelStats } from '../../src/models/stats.js';
import { checkCheckpoint } from '../../src/models/weights.js';
import { foldWeights } from '../../src/models/fold.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { CORE_NAMES } from '../../src/sim/cores/index.js';
import { coreOrSkip } from '../helpers/cores.js';
import { checkpointModel, readCheckpointBytes } from '../../src/models/formats/checkpoint-file.js';

/**
 * Meta-SpikeFormer (SDT v2) and E-SpikeFormer (SDT v3) against their official code (test/fixtures/official-families/:
 * generate_sdt23.py runs the official classes at the pinned commits; README.md there has the provenance). Every neuron
 * module's unit spikes per sample and step equal (a LIF's spikes; a MultiSpike's integers summed), logits within
 * 1e-5 relative, on every core; the parameter counts at the published sizes equal the official classes'.
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'official-families');

/** Fixture folder prefix -> the zoo entry its official class builds (resized by the manifest's config). */
const ZOO_OF: [string, ZooName][] = [
  ['sdt2-', 'sdt2-imagenet-8-384'],
  ['sdt3-', 'sdt3-imagenet-m'],
];

interface Manifest {
  config: {
    embed_dims: number[];
    depths: number;
    T: number;
    img_size: number;
    in_channels: number;
    num_classes: number;
    num_heads: number;
    mlp_ratio: number;
  };
  param_count: number;
}
type Spikes = Record<string, { kind: 'lif' | 'multiSpike'; spikes_per_sample_per_t: number[][]; float64_run_identical: boolean }>;

const dirs = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory() && ZOO_OF.some(([p]) => d.startsWith(p)));
test('SDT v2 and v3 fixtures are there', () => assert.equal(dirs.length, 2));

for (const dir of dirs) {
  const zoo = ZOO_OF.find(([p]) => dir.startsWith(p))![1];
  const json = (f: string) => JSON.parse(readFileSync(join(ROOT, dir, f), 'utf8')) as unknown;
  const manifest = json('manifest.json') as Manifest;
  const c = manifest.config;
  const sizes = {
    embedDims: c.embed_dims[2]!,
    depths: c.depths,
    timesteps: c.T,
    imgSize: c.img_size,
    inChannels: c.in_channels,
    numClasses: c.num_classes,
    heads: c.num_heads,
    mlpRatio: c.mlp_ratio,
  };
  const spec = zooModel(zoo, sizes);
  const bytes = new Uint8Array(readFileSync(join(ROOT, dir, 'weights.safetensors')));
  const weights = readSafetensors(bytes, 'weights').tensors;
  const inp = readSafetensors(new Uint8Array(readFileSync(join(ROOT, dir, 'input.safetensors'))), 'input').tensors.get('input')!;
  const per = inp.data.length / inp.shape[0]!;
  const inputs = Array.from({ length: inp.shape[0]! }, (_, b) => Float32Array.from(inp.data.subarray(b * per, (b + 1) * per)));
  const logits = (json('logits.json') as { logits: number[][] }).logits;
  const spikes = (json('spikes.json') as { modules: Spikes }).modules;

  test(`${dir}: the official state_dict loads key by key, the widths are the official ones, and so is the parameter count`, () => {
    checkCheckpoint(spec, weights, dir);
    assert.equal(modelStats(spec).params, manifest.param_count);
    const neurons = spec.layers.filter((l) => l.kind === 'lif' || l.kind === 'multiSpike');
    assert.deepEqual(neurons.map((l) => l.name).sort(), Object.keys(spikes).sort(), 'one neuron layer per official neuron module');
    for (const l of neurons) assert.equal(l.kind, spikes[l.name]!.kind, l.name);
  });

  test(`${dir}: the official state_dict is detected with no --model and loads by zoo name, never taken for another family`, () => {
    const f = readCheckpointBytes(bytes, `${dir}/weights.safetensors`);
    assert.equal(checkpointModel(f, zoo, sizes).spec.config.family, spec.config.family);
    const named = dir.startsWith('sdt2-') ? /RepConv q_conv\.0\.body/ : /conv-BN q_conv\.0 and a 4x wider v_conv/;
    // what the weights do not fix from flags (test/models/detect/newer-families.test.ts checks the rest)
    const got = checkpointModel(f, undefined, { timesteps: sizes.timesteps, imgSize: sizes.imgSize, heads: sizes.heads });
    assert.deepEqual(got.spec.config, spec.config);
    assert.match(got.detection?.provenance.family.note ?? '', named);
  });

  for (const core of CORE_NAMES) {
    test(`${dir} on ${core}: spikes per neuron module, sample and step equal the official; logits within 1e-5`, (t) => {
      const k = coreOrSkip(t, core);
      if (!k) return;
      const r = simulate(spec, foldWeights(spec, weights), inputs, { core: k, batchCoupling: 'independent' });
      k.dispose();
      let total = 0;
      for (const [name, s] of Object.entries(spikes)) {
        assert.ok(s.float64_run_identical, `${name}: the official float32 and float64 runs agree`);
        assert.deepEqual(r.sink.spikesPerSample.get(name), s.spikes_per_sample_per_t, name);
        total += s.spikes_per_sample_per_t.flat().reduce((a, b) => a + b, 0);
      }
      assert.ok(total > 0);
      r.logits.forEach((row, b) =>
        row.forEach((v, i) => {
          const e = logits[b]![i]!;
          assert.ok(Math.abs(v - e) <= 1e-5 * Math.max(1, Math.abs(e)), `logit [${b}][${i}] ${v} vs official ${e}`);
        }),
      );
    });
  }
}

test('SDT v2 and v3 parameter counts and dense MACs at the published sizes equal the official classes', () => {
  const published = JSON.parse(readFileSync(join(ROOT, 'published-sizes.json'), 'utf8')) as Record<
    string,
    { models: Record<string, { param_count: number; state_dict_keys: number; dense_macs_per_step_224px?: number }> }
  >;
  let n = 0,
    macs = 0;
  for (const fam of ['sdt2', 'sdt3']) {
    for (const [name, row] of Object.entries(published[fam]!.models)) {
      const spec = zooModel(name as ZooName);
      assert.equal(modelStats(spec).params, row.param_count, name);
      assert.equal(spec.stateKeys.length, row.state_dict_keys, `${name}: state_dict keys`);
      // counted on the official forward with hooks on every Conv/Linear (all but the 124 M model, never run)
      if (row.dense_macs_per_step_224px !== undefined) {
        assert.equal(modelStats(spec).denseMacsPerStep, row.dense_macs_per_step_224px, `${name}: dense MACs per step`);
        macs++;
      }
      n++;
    }
  }
  assert.equal(n, 8);
  assert.equal(macs, 7);
});
