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
 * E-SpikeFormer's large models (SDT v3 `Model_Large/spikformer.py`, `Spikformer`) against their official code
 * (test/fixtures/official-families/generate_sdt3_large.py; README.md there has the provenance): choice "large"
 * (spikformer12_768's blocks) and choice "base" (spikformer12_512's, with a rep_conv shortcut per block) at embed 8, 16,
 * 32, two blocks, 128 px. Every Multispike module's integers per sample and step equal, logits within 1e-5 relative, on
 * every core; parameter counts, state_dict keys and dense MACs per step at 224 px of the published sizes equal the
 * official classes' (the MACs counted by hooks on the official forward run on the meta device: shapes only).
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'official-families');

/** Fixture folder prefix -> the zoo entry whose class (choice) it runs, resized by the manifest's config. */
const ZOO_OF: [string, ZooName][] = [
  ['sdt3l-large_', 'sdt3-imagenet-12-768'],
  ['sdt3l-base_', 'sdt3-imagenet-12-512'],
];

interface Manifest {
  config: { embed_dims: number[]; depths: number; T: number; img_size: number; in_channels: number; num_classes: number };
  official_kwargs: { num_heads: number; mlp_ratios: number; choice: string; kd: boolean };
  param_count: number;
}
type Spikes = Record<string, { kind: string; norm: number; spikes_per_sample_per_t: number[][]; float64_run_identical: boolean }>;

const dirs = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory() && ZOO_OF.some(([p]) => d.startsWith(p)));
test('Model_Large fixtures are there (choice large and base)', () => assert.equal(dirs.length, 2));

for (const dir of dirs) {
  const zoo = ZOO_OF.find(([p]) => dir.startsWith(p))![1];
  const json = (f: string) => JSON.parse(readFileSync(join(ROOT, dir, f), 'utf8')) as unknown;
  const manifest = json('manifest.json') as Manifest;
  const c = manifest.config,
    k = manifest.official_kwargs;
  const sizes = {
    embedDims: c.embed_dims[2]!,
    depths: c.depths,
    timesteps: c.T,
    imgSize: c.img_size,
    inChannels: c.in_channels,
    numClasses: c.num_classes,
    heads: k.num_heads,
    mlpRatio: k.mlp_ratios,
  };
  const spec = zooModel(zoo, sizes);
  const bytes = new Uint8Array(readFileSync(join(ROOT, dir, 'weights.safetensors')));
  const weights = readSafetensors(bytes, 'weights').tensors;
  const inp = readSafetensors(new Uint8Array(readFileSync(join(ROOT, dir, 'input.safetensors'))), 'input').tensors.get('input')!;
  const per = inp.data.length / inp.shape[0]!;
  const inputs = Array.from({ length: inp.shape[0]! }, (_, b) => Float32Array.from(inp.data.subarray(b * per, (b + 1) * per)));
  const logits = (json('logits.json') as { logits: number[][] }).logits;
  const spikes = (json('spikes.json') as { modules: Spikes }).modules;

  test(`${dir}: the official state_dict loads key by key, with the official parameter count and one neuron per module`, () => {
    assert.equal(k.choice, spec.config.family === 'sdt3lb-imagenet' ? 'base' : 'large');
    assert.equal(k.kd, false);
    checkCheckpoint(spec, weights, dir);
    assert.equal(modelStats(spec).params, manifest.param_count);
    const neurons = spec.layers.filter((l) => l.kind === 'multiSpike');
    assert.deepEqual(neurons.map((l) => l.name).sort(), Object.keys(spikes).sort(), 'one multi-spike layer per official Multispike');
    for (const l of neurons) {
      assert.equal(spikes[l.name]!.kind, 'multiSpike', l.name);
      assert.equal(l.kind === 'multiSpike' && l.norm, spikes[l.name]!.norm, `${l.name}: norm`);
      assert.equal(l.kind === 'multiSpike' && l.rounding, 'halfUp', `${l.name}: floor(x + 0.5)`);
    }
  });

  test(`${dir}: the official state_dict loads by zoo name as a checkpoint file`, () => {
    const f = readCheckpointBytes(bytes, `${dir}/weights.safetensors`);
    const m = checkpointModel(f, zoo, sizes).spec;
    assert.equal(m.config.family, spec.config.family);
    assert.equal(modelStats(m).params, manifest.param_count);
  });

  for (const core of CORE_NAMES) {
    test(`${dir} on ${core}: integer spikes per module, sample and step equal the official; logits within 1e-5`, (t) => {
      const kc = coreOrSkip(t, core);
      if (!kc) return;
      const r = simulate(spec, foldWeights(spec, weights), inputs, { core: kc, batchCoupling: 'independent' });
      kc.dispose();
      let total = 0;
      for (const [name, s] of Object.entries(spikes)) {
        assert.ok(s.float64_run_identical, `${name}: the official float32 and float64 runs agree`);
        assert.deepEqual(r.sink.spikesPerSample.get(name), s.spikes_per_sample_per_t, name);
        total += s.spikes_per_sample_per_t.flat().reduce((a, b) => a + b, 0);
      }
      // the attention's own spikes are there (the product reaches the rounding thresholds)
      assert.ok(spikes['block3.0.attn.attn_lif']!.spikes_per_sample_per_t.flat().every((v) => v > 0));
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

test('Model_Large parameter counts, state_dict keys and dense MACs per step at 224 px equal the official classes', () => {
  const published = JSON.parse(readFileSync(join(ROOT, 'published-sizes.json'), 'utf8')) as Record<
    string,
    { models: Record<string, { param_count: number; state_dict_keys: number; dense_macs_per_step_224px: number }> }
  >;
  const rows = Object.entries(published['sdt3-large']!.models);
  assert.deepEqual(
    rows.map(([n]) => n),
    ['sdt3-imagenet-12-512', 'sdt3-imagenet-12-768'],
  );
  for (const [name, row] of rows) {
    const spec = zooModel(name as ZooName);
    const s = modelStats(spec);
    assert.equal(s.params, row.param_count, name);
    assert.equal(spec.stateKeys.length, row.state_dict_keys, `${name}: state_dict keys`);
    assert.equal(s.denseMacsPerStep, row.dense_macs_per_step_224px, `${name}: dense MACs per step`);
  }
});
