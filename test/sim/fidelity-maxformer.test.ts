import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../src/models/formats/safetensors.js';
import { applyOverrides, ZOO, zooModel, type ZooName } from '../../src/models/zoo.js';
import { buildMaxformer, type TokenMixer } from '../../src/models/maxformer.js';
import type { ModelSpec } from '../../src/models/spec.js';
import { modelStats } from '../../src/models/stats.js';
import { checkCheckpoint } from '../../src/models/weights.js';
import { foldWeights } from '../../src/models/fold.js';
import { checkpointModel, readCheckpointBytes } from '../../src/models/formats/checkpoint-file.js';
import { DetectError } from '../../src/models/detect/detect.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { CORE_NAMES } from '../../src/sim/cores/index.js';
import { coreOrSkip } from '../helpers/cores.js';

/**
 * Max-Former and MS-QKFormer against their official code (bic-L/MaxFormer; test/fixtures/official-families/
 * generate_maxformer.py runs the official classes at a pinned commit, README.md there has the provenance): every LIF
 * module's spikes per sample and step equal, logits within 1e-5 relative, on every core; the official state_dicts
 * load key by key and are named by detection; parameter counts at the published sizes equal the official classes'.
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'official-families');

interface Manifest {
  config: {
    embed_dims: number;
    depths: number;
    T: number;
    img_size: number;
    num_classes: number;
    num_heads: number;
    mixers: string[] | null;
  };
  param_count: number;
}
type Spikes = Record<string, { spikes_per_sample_per_t: number[][]; float64_run_identical: boolean }>;

/** Fixture folder -> the zoo entry its official class builds, the stage 1-2 mixers, the keys detection names the family by. */
const FIXTURES: [string, ZooName, [TokenMixer, TokenMixer] | null, RegExp][] = [
  ['maxformer-imagenet_e128_s3b1_T2_s64', 'maxformer-imagenet-10-384', null, /Embed_Orig_ImageNet/],
  ['ms-qkformer-imagenet_e128_s3b1_T2_s64', 'ms-qkformer-imagenet-10-384', null, /PatchEmbedInit/],
  // Block_Max in stage 1, Block_Avg in stage 2: the pooling token mixers of mixer_hub.py
  [
    'maxformer-mixers_e64_s3b1_T2_s32',
    'maxformer-imagenet-10-384',
    ['max', 'avg'],
    /stage1\.0\.mixer is not the published depth-wise 7x7 conv/,
  ],
];

for (const [dir, zoo, mixers, named] of FIXTURES) {
  const json = (f: string) => JSON.parse(readFileSync(join(ROOT, dir, f), 'utf8')) as unknown;
  const manifest = json('manifest.json') as Manifest;
  const c = manifest.config;
  const sizes = {
    embedDims: c.embed_dims,
    depths: c.depths,
    timesteps: c.T,
    imgSize: c.img_size,
    numClasses: c.num_classes,
    heads: c.num_heads,
  };
  const spec: ModelSpec = mixers ? buildMaxformer(dir, applyOverrides(ZOO[zoo], sizes), mixers) : zooModel(zoo, sizes);
  const bytes = new Uint8Array(readFileSync(join(ROOT, dir, 'weights.safetensors')));
  const weights = readSafetensors(bytes, 'weights').tensors;
  const inp = readSafetensors(new Uint8Array(readFileSync(join(ROOT, dir, 'input.safetensors'))), 'input').tensors.get('input')!;
  const per = inp.data.length / inp.shape[0]!;
  const inputs = Array.from({ length: inp.shape[0]! }, (_, b) => Float32Array.from(inp.data.subarray(b * per, (b + 1) * per)));
  const logits = (json('logits.json') as { logits: number[][] }).logits;
  const spikes = (json('spikes.json') as { modules: Spikes }).modules;

  test(`${dir}: the official state_dict loads key by key, the parameter count is the official one`, () => {
    checkCheckpoint(spec, weights, dir);
    assert.equal(modelStats(spec).params, manifest.param_count);
    const lifs = spec.layers.filter((l) => l.kind === 'lif').map((l) => l.name);
    assert.deepEqual(lifs.sort(), Object.keys(spikes).sort(), 'one LIF layer per official LIF module that runs');
  });

  if (!mixers)
    test(`${dir}: the official state_dict is detected with no --model and loads by zoo name, never taken for QKFormer`, () => {
      const f = readCheckpointBytes(bytes, `${dir}/weights.safetensors`);
      assert.equal(checkpointModel(f, zoo, sizes).spec.config.family, spec.config.family);
      // what the weights do not fix from flags (test/models/detect/newer-families.test.ts checks the rest)
      const got = checkpointModel(f, undefined, { timesteps: sizes.timesteps, imgSize: sizes.imgSize, heads: sizes.heads });
      assert.deepEqual(got.spec.config, spec.config);
      assert.match(got.detection?.provenance.family.note ?? '', named);
    });
  else
    test(`${dir}: the pooling mixers, which no config states, are refused by detection in one line`, () => {
      const f = readCheckpointBytes(bytes, `${dir}/weights.safetensors`);
      assert.throws(
        () => checkpointModel(f, undefined, {}),
        (e: unknown) => e instanceof DetectError && named.test(e.message) && /give the architecture: --model/.test(e.message),
      );
    });

  for (const core of CORE_NAMES) {
    test(`${dir} on ${core}: spikes per LIF module, sample and step equal the official; logits within 1e-5`, (t) => {
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

test('Max-Former and MS-QKFormer at the published sizes: parameter counts and dense MACs per step equal the official classes', () => {
  const published = JSON.parse(readFileSync(join(ROOT, 'published-sizes.json'), 'utf8')) as Record<
    string,
    { models: Record<string, { param_count: number; dense_macs_per_step_224px: number }> }
  >;
  const rows = [...Object.entries(published['maxformer']!.models), ...Object.entries(published['ms-qkformer']!.models)];
  assert.equal(rows.length, 5);
  for (const [name, row] of rows) {
    const s = modelStats(zooModel(name as ZooName));
    assert.equal(s.params, row.param_count, name);
    // the official forward's Conv/Linear outputs x fan-in (C_in / groups x taps), counted by hooks at 224 px, T = 1
    assert.equal(s.denseMacsPerStep, row.dense_macs_per_step_224px, name);
  }
});
