import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_ROOT, loadFixture } from '../helpers/fixtures.js';

const BIN = join(FIXTURE_ROOT, '..', '..', '..', 'bin', 'spikewatt.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('infer --json prints logits, spikes per LIF module and per-layer ops (official fixture, official coupling)', () => {
  const name = 'qkformer-dvs128_e64_T2_s32';
  const f = loadFixture(name);
  const dir = join(FIXTURE_ROOT, name);
  const r = run([
    'infer',
    '--model',
    'qkformer-dvs128',
    '--embed-dims',
    '64',
    '-T',
    '2',
    '--img-size',
    '32',
    '--weights',
    join(dir, 'weights.safetensors'),
    '--input',
    join(dir, 'input.safetensors'),
    '--batch-coupling',
    'official',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    logits: number[][];
    spikes: Record<string, { perT: number[]; perSamplePerT: number[][] }>;
    layers: Record<string, Record<string, number>>;
  };
  assert.equal(out.logits.length, 2);
  for (const [m, s] of Object.entries(f.spikes)) {
    assert.deepEqual(out.spikes[m]!.perT, s.spikes_per_t, m);
    assert.deepEqual(out.spikes[m]!.perSamplePerT, s.spikes_per_sample_per_t, m);
  }
  assert.ok(out.layers['patch_embed1.proj_conv']!.ac! > 0, 'DVS event counts drive the first conv as ACs');
  assert.equal(out.layers['stage1.0.tssa.attn_lif']!.neuronUpdate, 2 * 2 * 16 * 16, 'B x T x heads (16) x tokens (32/8 squared)');
});

test('infer without --model: the architecture is read from the weights, logits as with the explicit flags', () => {
  const name = 'qkformer-dvs128_e64_T2_s32';
  const dir = join(FIXTURE_ROOT, name);
  const args = [
    '--weights',
    join(dir, 'weights.safetensors'),
    '--input',
    join(dir, 'input.safetensors'),
    '--batch-coupling',
    'official',
    '--json',
  ];
  const explicit = run(['infer', '--model', 'qkformer-dvs128', '--embed-dims', '64', '-T', '2', '--img-size', '32', ...args]);
  const detected = run(['infer', '-T', '2', '--img-size', '32', ...args]);
  assert.equal(detected.status, 0, detected.stderr);
  assert.deepEqual(JSON.parse(detected.stdout).logits, JSON.parse(explicit.stdout).logits);
  assert.match(
    detected.stderr,
    /^spikewatt: note: .*weights\.safetensors: model qkformer-dvs128 read from the weights \(qkformer-dvs, embed dims 64, .*; not in the weights: heads 16, 16 \(default for qkformer-dvs128; pass --heads\), T 2 \(-T 2\), img size 32 \(--img-size 32\), depths 4 \(default for qkformer-dvs128; the DVS code/,
  );
  const wrong = run(['infer', '-T', '2', '--img-size', '32', '--num-classes', '10', ...args]);
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /^spikewatt: .*--num-classes 10 gives classes 10 but the weights have 11 \(head\.weight \[11,64\]\)\n$/);
});

test('infer: bad input is one line on stderr and exit code 2', () => {
  const dir = join(FIXTURE_ROOT, 'qkformer-dvs128_e64_T2_s32');
  const wrongSize = run([
    'infer',
    '--model',
    'qkformer-dvs128',
    '--weights',
    join(dir, 'weights.safetensors'),
    '--input',
    join(dir, 'input.safetensors'),
  ]);
  assert.equal(wrongSize.status, 2);
  assert.match(
    wrongSize.stderr,
    /^spikewatt: .*weights\.safetensors: the command line disagrees with the weights: --model qkformer-dvs128 gives embed dims 256 but the weights have 64 \(patch_embed2\.proj_conv\.weight \[64,32,3,3\]\)/,
  );
  assert.equal(wrongSize.stderr.trim().split('\n').length, 1);
  const missing = run(['infer', '--model', 'qkformer-dvs128', '--weights', '/nonexistent.safetensors', '--input', 'x']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read weights \/nonexistent\.safetensors: ENOENT/);
  const unknown = run(['infer', '--model', 'resnet', '--weights', 'a', '--input', 'b']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown model 'resnet'/);
});

test('models --json gives the official counts', () => {
  const r = run(['models', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as {
    name: string;
    params: number;
    paramsUsed: number;
    denseMacsPerStep: number;
    attentionFlopsPerStep: number;
    timesteps: number;
    inputShape: number[];
  }[];
  const by = new Map(rows.map((x) => [x.name, x]));
  assert.equal(by.get('qkformer-cifar10')!.params, 6_706_234);
  assert.equal(by.get('qkformer-imagenet-10-768')!.params, 64_962_760);
  assert.equal(by.get('spikformer-cifar10')!.paramsUsed, 9_324_730);
  assert.deepEqual(by.get('qkformer-cifar10dvs')!.inputShape, [16, 2, 128, 128]);
  assert.deepEqual(Object.keys(rows[0]!).sort(), [
    'attentionFlopsPerStep',
    'denseMacsPerStep',
    'family',
    'inputShape',
    'name',
    'params',
    'paramsUsed',
    'timesteps',
    'tokenMixing',
  ]);
  // every published size of the newer families, with the parameter count their official class constructs
  const published = JSON.parse(
    readFileSync(new URL('../fixtures/official-families/published-sizes.json', import.meta.url), 'utf8'),
  ) as Record<string, { models: Record<string, { param_count: number }> }>;
  const families = new Set<string>();
  for (const [family, f] of Object.entries(published))
    for (const [name, m] of Object.entries(f.models)) {
      assert.equal(by.get(name)?.params, m.param_count, `${family}: ${name}`);
      families.add((by.get(name) as unknown as { family: string }).family);
    }
  // Spikingformer (CIFAR, ImageNet), SDT v1 (CIFAR, ImageNet), v2, v3, Max-Former, MS-QKFormer
  assert.ok(families.size >= 8, [...families].join(', '));
});

test('infer --convention syops reproduces syops-counter per-image totals; --hardware adds energy per profile', () => {
  for (const name of ['qkformer-cifar10_e64_d3_T2_s16', 'spikformer-cifar10_e32_d1_T2']) {
    const f = loadFixture(name);
    const dir = join(FIXTURE_ROOT, name);
    const c = f.manifest.config;
    const zoo = name.startsWith('spikformer') ? 'spikformer-cifar10' : 'qkformer-cifar10';
    const r = run([
      'infer',
      '--model',
      zoo,
      '--embed-dims',
      String(c.embed_dims),
      '--depths',
      String(c.depths),
      '-T',
      String(c.T),
      '--img-size',
      String(c.img_size),
      '--heads',
      String(c.num_heads),
      '--weights',
      join(dir, 'weights.safetensors'),
      '--input',
      join(dir, 'input.safetensors'),
      '--batch-coupling',
      'official',
      '--convention',
      'syops',
      '--hardware',
      'cmos45-paper',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { totals: Record<string, number>; energy: Record<string, { totalMj: number }> };
    assert.ok(
      Math.abs(out.totals.ac! - f.ops.syops.total_ACs_per_image) < 1e-6 * f.ops.syops.total_ACs_per_image,
      `${name} ACs ${out.totals.ac}`,
    );
    assert.ok(
      Math.abs(out.totals.mac! - f.ops.syops.total_MACs_per_image) < 1e-6 * f.ops.syops.total_MACs_per_image,
      `${name} MACs ${out.totals.mac}`,
    );
    const mj = (0.9 * out.totals.ac! + 4.6 * out.totals.mac!) * 1e-9;
    assert.ok(Math.abs(out.energy['cmos45-paper']!.totalMj - mj) < 1e-12, 'cmos45-paper = 0.9 pJ/AC + 4.6 pJ/MAC');
  }
});
