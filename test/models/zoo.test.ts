import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZOO_NAMES, zooModel, applyOverrides, ZOO } from '../../src/models/zoo.js';
import { modelStats } from '../../src/models/stats.js';
import { fixtureNames, loadFixture } from '../helpers/fixtures.js';

// Official parameter counts (training logs / analytic counts of the official code).
const PARAMS: Record<string, [number, number]> = {
  'qkformer-cifar10': [6_706_234, 6_706_234],
  'qkformer-cifar100': [6_740_884, 6_740_884],
  'qkformer-cifar10dvs': [1_504_138, 1_504_138],
  'qkformer-dvs128': [1_999_371, 1_999_371],
  'qkformer-imagenet-10-384': [16_473_688, 16_473_688],
  'qkformer-imagenet-10-512': [29_079_336, 29_079_336],
  'qkformer-imagenet-10-768': [64_962_760, 64_962_760],
  'spikformer-cifar10': [9_330_874, 9_324_730],
  'spikformer-cifar100': [9_365_524, 9_359_380],
  'spikformer-cifar10dvs': [2_585_610, 2_566_666],
  'spikformer-imagenet-8-384': [16_828_312, 16_816_024],
  'spikformer-imagenet-8-512': [29_705_768, 29_689_384],
  'spikformer-imagenet-8-768': [66_363_208, 66_338_632],
  // Spikingformer: the official classes constructed by test/fixtures/official-families/generate.py (published-sizes.json)
  'spikingformer-cifar10': [9_326_266, 9_320_122],
  'spikingformer-cifar100': [9_360_916, 9_354_772],
  'spikingformer-imagenet-8-384': [16_828_312, 16_816_024],
  'spikingformer-imagenet-8-512': [29_705_768, 29_689_384],
  'spikingformer-imagenet-8-768': [66_363_208, 66_338_632],
  // SDT v1: the official class constructed at its conf/*.yml sizes (published-sizes.json); talking_heads is never called
  'sdt-cifar10-2-512': [10_233_546, 10_233_418],
  'sdt-cifar100-2-512': [10_279_716, 10_279_588],
  'sdt-imagenet-8-384': [16_816_536, 16_816_024],
  'sdt-imagenet-6-512': [23_373_736, 23_373_352],
  'sdt-imagenet-8-512': [29_689_896, 29_689_384],
  'sdt-imagenet-10-512': [36_006_056, 36_005_416],
  'sdt-imagenet-8-768': [66_339_144, 66_338_632],
  // Meta-SpikeFormer and E-SpikeFormer (test/fixtures/official-families/published-sizes.json): every parameter used
  'sdt2-imagenet-8-256': [15_112_208, 15_112_208],
  'sdt2-imagenet-8-384': [31_333_864, 31_333_864],
  'sdt2-imagenet-8-512': [55_350_248, 55_350_248],
  'sdt2-imagenet-8-768': [123_741_160, 123_741_160],
  'sdt3-imagenet-t': [2_702_048, 2_702_048],
  'sdt3-imagenet-s': [5_105_608, 5_105_608],
  'sdt3-imagenet-m': [10_023_112, 10_023_112],
  'sdt3-imagenet-l': [18_987_504, 18_987_504],
  // E-SpikeFormer large (SDT v3 Model_Large spikformer12_512 / 12_768, kd off; published-sizes.json key sdt3-large)
  'sdt3-imagenet-12-512': [82_502_952, 82_502_952],
  'sdt3-imagenet-12-768': [170_971_714, 170_971_714],
  // Max-Former (63.99 M in the paper) and MS-QKFormer: the official classes at the released sizes (published-sizes.json)
  'maxformer-imagenet-10-384': [16_237_240, 16_237_240],
  'maxformer-imagenet-10-512': [28_653_480, 28_653_480],
  'maxformer-imagenet-10-768': [63_992_200, 63_992_200],
  'ms-qkformer-imagenet-10-384': [16_473_688, 16_473_688],
  'ms-qkformer-imagenet-10-768': [64_962_760, 64_962_760],
};

// Dense MACs per image per step (reference/qkformer.md §7.2), in units of 1e9, 3 decimals.
const GMACS: Record<string, number> = {
  'qkformer-cifar10': 1.511,
  'qkformer-cifar10dvs': 0.507,
  'qkformer-dvs128': 0.557,
  'qkformer-imagenet-10-384': 5.831,
  'qkformer-imagenet-10-512': 10.338,
  'qkformer-imagenet-10-768': 23.194,
  'spikformer-cifar10': 0.921,
  'spikformer-cifar10dvs': 0.374,
  'spikformer-imagenet-8-384': 4.661,
  'spikformer-imagenet-8-512': 8.257,
  'spikformer-imagenet-8-768': 18.512,
};

test('every zoo entry has the official parameter count (total and used)', () => {
  assert.deepEqual(new Set(ZOO_NAMES), new Set(Object.keys(PARAMS)));
  for (const name of ZOO_NAMES) {
    const s = modelStats(zooModel(name));
    assert.deepEqual([s.params, s.paramsUsed], PARAMS[name], name);
  }
});

test('dense MACs per step match the official models', () => {
  for (const [name, g] of Object.entries(GMACS)) {
    const s = modelStats(zooModel(name as keyof typeof ZOO));
    assert.equal(Math.round(s.denseMacsPerStep / 1e6) / 1e3, g, name);
  }
  assert.equal(Math.round(modelStats(zooModel('qkformer-imagenet-10-768', { imgSize: 288 })).denseMacsPerStep / 1e6) / 1e3, 38.341);
  assert.equal(Math.round(modelStats(zooModel('qkformer-imagenet-10-768', { imgSize: 384 })).denseMacsPerStep / 1e6) / 1e3, 68.161);
});

test('state_dict keys and shapes equal the official ones for every fixture model', () => {
  for (const name of fixtureNames()) {
    const f = loadFixture(name);
    const ours = new Map(f.spec.stateKeys.filter((k) => !k.key.endsWith('num_batches_tracked')).map((k) => [k.key, k.shape]));
    const theirs = new Map(f.manifest.state_dict.map((k) => [k.key, k.shape]));
    assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), name);
    for (const [k, s] of theirs) assert.deepEqual(ours.get(k), s, `${name} ${k}`);
    assert.equal(modelStats(f.spec).params, f.manifest.param_count, name);
  }
});

test('official module names appear as layer names', () => {
  const spec = zooModel('qkformer-imagenet-10-384');
  const names = new Set(spec.layers.map((l) => l.name));
  for (const n of ['patch_embed1.proj_maxpool', 'stage1.0.tssa.attn_lif', 'stage2.1.mlp.fc2_lif', 'stage3.6.attn.proj_lif', 'head']) {
    assert.ok(names.has(n), n);
  }
  assert.equal(spec.layers.filter((l) => l.name.startsWith('stage3.') && l.name.endsWith('.attn.proj_lif')).length, 7);
  const cifar = zooModel('qkformer-cifar10', { depths: 6 });
  assert.equal(cifar.layers.filter((l) => l.name.endsWith('.ssa.proj_lif')).length, 4);
});

test('overrides: heads for every stage, attention per stage, SPEDS off', () => {
  const c = applyOverrides(ZOO['qkformer-cifar10'], { heads: 4, attention: ['ssa'] });
  assert.deepEqual(c.heads, [4, 4, 4]);
  assert.deepEqual(c.attention, ['ssa', 'ssa', 'ssa']);
  const ssaOnly = zooModel('qkformer-cifar10', { attention: ['ssa'] });
  assert.ok(ssaOnly.layers.some((l) => l.name === 'stage1.0.ssa.product'));
  const noSpeds = zooModel('qkformer-cifar10', { speds: false });
  assert.ok(!noSpeds.layers.some((l) => l.name.includes('proj_res')));
  assert.ok(modelStats(noSpeds).params < 6_706_234);
  const qkca = zooModel('qkformer-cifar10', { attention: ['qkca', 'qkca', 'ssa'] });
  assert.equal(modelStats(qkca).params, 6_706_234, 'QKCA has the same parameters as QKTA');
  assert.throws(() => applyOverrides(ZOO['qkformer-cifar10'], { attention: ['qkta', 'ssa'] }), /1 or 3 kinds/);
  assert.throws(() => zooModel('qkformer-cifar10', { heads: 7 }), /divisible/);
  assert.throws(() => zooModel('qkformer-imagenet-10-384', { depths: 2 }), /at least 3/);
});
