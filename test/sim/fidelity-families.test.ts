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

/**
 * The new families against their official code (test/fixtures/official-families/: generate.py runs the official
 * model classes at a pinned commit; README.md there has the provenance). Every LIF module's spikes per sample and
 * step equal, logits within 1e-5 relative, on every core; parameter counts at the published sizes equal.
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'official-families');

/** Fixture folder prefix -> the zoo entry its official file builds. */
const ZOO_OF: [string, ZooName][] = [
  ['spikingformer-cifar10_', 'spikingformer-cifar10'],
  ['spikingformer-imagenet_', 'spikingformer-imagenet-8-384'],
  ['sdt-cifar_', 'sdt-cifar10-2-512'],
  ['sdt-imagenet_', 'sdt-imagenet-8-384'],
];

interface Manifest {
  config: {
    embed_dims: number;
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
type Spikes = Record<string, { spikes_per_sample_per_t: number[][]; float64_run_identical: boolean }>;

/**
 * Fixture folders another test file checks (its family's own builders): Max-Former and MS-QKFormer in
 * fidelity-maxformer.test.ts, SDT v2 / v3 in fidelity-sdt23.test.ts, SDT v3 Model_Large in fidelity-sdt3-large.test.ts.
 */
const ELSEWHERE = ['maxformer-', 'ms-qkformer-', 'sdt2-', 'sdt3-', 'sdt3l-'];
const dirs = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory() && !ELSEWHERE.some((p) => d.startsWith(p)));
test('official-families fixtures are there', () => assert.ok(dirs.length >= 2));

for (const dir of dirs) {
  const zoo = ZOO_OF.find(([p]) => dir.startsWith(p))?.[1];
  if (!zoo) throw new Error(`fixture ${dir}: no zoo entry`);
  const json = (f: string) => JSON.parse(readFileSync(join(ROOT, dir, f), 'utf8')) as unknown;
  const manifest = json('manifest.json') as Manifest;
  const c = manifest.config;
  const spec = zooModel(zoo, {
    embedDims: c.embed_dims,
    depths: c.depths,
    timesteps: c.T,
    imgSize: c.img_size,
    inChannels: c.in_channels,
    numClasses: c.num_classes,
    heads: c.num_heads,
    mlpRatio: c.mlp_ratio,
  });
  const weights = readSafetensors(new Uint8Array(readFileSync(join(ROOT, dir, 'weights.safetensors'))), 'weights').tensors;
  const inp = readSafetensors(new Uint8Array(readFileSync(join(ROOT, dir, 'input.safetensors'))), 'input').tensors.get('input')!;
  const per = inp.data.length / inp.shape[0]!;
  const inputs = Array.from({ length: inp.shape[0]! }, (_, b) => Float32Array.from(inp.data.subarray(b * per, (b + 1) * per)));
  const logits = (json('logits.json') as { logits: number[][] }).logits;
  const spikes = (json('spikes.json') as { modules: Spikes }).modules;

  test(`${dir}: the official state_dict loads key by key and the parameter count is the official one`, () => {
    checkCheckpoint(spec, weights, dir);
    assert.equal(modelStats(spec).params, manifest.param_count);
    const lifs = spec.layers.filter((l) => l.kind === 'lif').map((l) => l.name);
    assert.deepEqual(lifs.sort(), Object.keys(spikes).sort(), 'one LIF layer per official LIF module');
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

test('parameter counts at the published sizes equal the official classes', () => {
  const published = json0('published-sizes.json') as Record<string, { models: Record<string, { param_count: number }> }>;
  let n = 0;
  for (const fam of Object.values(published)) {
    for (const [name, row] of Object.entries(fam.models)) {
      assert.equal(modelStats(zooModel(name as ZooName)).params, row.param_count, name);
      n++;
    }
  }
  assert.ok(n >= 5);
});

function json0(f: string): unknown {
  return JSON.parse(readFileSync(join(ROOT, f), 'utf8')) as unknown;
}
