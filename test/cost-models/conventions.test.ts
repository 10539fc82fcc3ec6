import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyConvention, loadProfile, price, rowTotal, tablePerInference, type ConventionTable } from '../../src/cost-models/index.js';
import { zooModel } from '../../src/models/zoo.js';
import { NUM_OP_KINDS, opIndex, type OpKind } from '../../src/sim/ops.js';
import { emptyCounts, layer, setOps, uniformRateCounts } from './synthetic-counts.js';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
const at = (table: ConventionTable, name: string, t: number, kind: OpKind) => {
  const r = table.rows.find((x) => x.name === name);
  assert.ok(r, `row ${name}`);
  return r.ops[t * NUM_OP_KINDS + opIndex(kind)]!;
};

/** Small QKFormer (depths 3: stage 3 has one SSA block), 2 samples, T = 2; only input statistics are set. */
function qkRun() {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 2 });
  const c = emptyCounts(spec, 2);
  for (const l of c.layers) l.inputBinary = false;
  const events = (name: string, binary: boolean, unitSpikes: [number, number]) => {
    const lc = layer(c, name);
    lc.inputIsEvents = true;
    lc.inputBinary = binary;
    lc.inputUnitSpikes.set(unitSpikes);
    lc.inputEvents.set(unitSpikes);
  };
  events('patch_embed1.proj1_conv', true, [64, 128]); // 256 input elements per sample
  events('stage1.0.tssa.q_conv', false, [300, 0]); // fed by a SEW sum (multiplicities), 512 elements
  events('stage1.0.tssa.proj_conv', true, [32, 0]); // fed by the mask, 512 elements
  events('stage1.0.tssa.head_sum', true, [100, 0]); // Q spikes, 512 elements
  layer(c, 'stage1.0.tssa.k_lif').outputSpikes.set([200, 0]);
  events('stage3.0.ssa.product', true, [32, 0]); // Q: 128 elements
  layer(c, 'stage3.0.ssa.k_lif').outputSpikes.set([64, 0]);
  layer(c, 'stage3.0.ssa.v_lif').outputSpikes.set([128, 0]);
  return { spec, c };
}

test("exact: the simulator's counts, unchanged", () => {
  const { spec, c } = qkRun();
  setOps(c, 'patch_embed1.proj_lif', 1, 'neuronUpdate', 512);
  const tab = applyConvention('exact', c, spec);
  assert.equal(tab.rows.length, spec.layers.length);
  assert.equal(at(tab, 'patch_embed1.proj_lif', 1, 'neuronUpdate'), 512);
  assert.equal(tablePerInference(tab, 'neuronUpdate'), 256);
});

test('syops on a hand example: dense MACs on real or multi-level input, rate x dense ACs on 0/1 input, BN and LIF counted', () => {
  const { spec, c } = qkRun();
  const tab = applyConvention('syops', c, spec);
  // encoding conv: 4 x 8 x 8 outputs x 3 x 9 = 6912 MACs per sample per step, x 2 samples
  assert.equal(at(tab, 'patch_embed1.proj_conv', 0, 'mac'), 13824);
  assert.equal(at(tab, 'patch_embed1.proj_conv', 1, 'mac'), 13824);
  // its BatchNorm: 2 ops per output element (256), as MACs, own row under the official name
  assert.equal(at(tab, 'patch_embed1.proj_bn', 0, 'mac'), 1024);
  assert.equal(tab.rows.find((r) => r.name === 'patch_embed1.proj_bn')!.kind, 'batchNorm');
  // 0/1 input: dense 8 x 64 x 4 x 9 = 18432 x (unit spikes / input elements) = 18432 x 64/256, 18432 x 128/256
  assert.equal(at(tab, 'patch_embed1.proj1_conv', 0, 'ac'), 4608);
  assert.equal(at(tab, 'patch_embed1.proj1_conv', 1, 'ac'), 9216);
  // SEW sum input (not 0/1): dense MACs whatever the rate: 8 x 64 x 8 = 4096 x 2 samples
  assert.equal(at(tab, 'stage1.0.tssa.q_conv', 0, 'mac'), 8192);
  assert.equal(at(tab, 'stage1.0.tssa.q_conv', 0, 'ac'), 0);
  // conv1d with bias: (4096 + 512 bias ops) x 32/512
  assert.equal(at(tab, 'stage1.0.tssa.proj_conv', 0, 'ac'), 288);
  // every LIF: one AC per input element
  assert.equal(at(tab, 'patch_embed1.proj_lif', 1, 'ac'), 512);
  // max pool on the real conv output: its input element count (16 x 8 x 8) as MACs
  assert.equal(at(tab, 'patch_embed2.proj4_maxpool', 0, 'mac'), 2048);
  // head: once, at the last step: 32 x 10 per sample + bias 10 per forward call (one call)
  assert.equal(at(tab, 'head', 1, 'mac'), 650);
  assert.equal(at(tab, 'head', 0, 'mac'), 0);
  // attention products and residual adds: not counted
  for (const n of ['stage1.0.tssa.head_sum', 'stage1.0.tssa.mask', 'stage3.0.ssa.product', 'stage1.0.attn_add']) {
    const r = tab.rows.find((x) => x.name === n)!;
    assert.equal(
      r.ops.reduce((a, b) => a + b, 0),
      0,
      n,
    );
  }
  // nothing but ac and mac
  for (const k of ['neuronUpdate', 'spike', 'memRead', 'memWrite', 'add', 'cmp', 'mask'] as const)
    assert.equal(tablePerInference(tab, k), 0, k);
});

test('syops: Linear biases once per forward call, max pool on spikes as AC x rate', () => {
  const spec = zooModel('spikformer-cifar10', { embedDims: 32, depths: 1, imgSize: 8, timesteps: 2, heads: 2 });
  const c = emptyCounts(spec, 2);
  const fc2 = layer(c, 'block.0.mlp.fc2_linear'); // 128 x 4 input elements, binary
  fc2.inputIsEvents = true;
  fc2.inputUnitSpikes.set([64, 192]);
  const mp = layer(c, 'patch_embed.maxpool2'); // 16 x 8 x 8 input elements, binary
  mp.inputIsEvents = true;
  mp.inputUnitSpikes.set([100, 50]);
  const one = applyConvention('syops', c, spec);
  // dense 16384 per step: ac_t = 16384 x U_t / 512 (U over 2 samples of 512 elements: rates 0.0625, 0.1875);
  // bias 32 per forward call x the call's rate (0.125)
  close(
    rowTotal(
      one.rows.find((r) => r.name === 'block.0.mlp.fc2_linear')!,
      'ac',
    ),
    (16384 * 256) / 512 + 32 * 0.125,
  );
  const perSample = applyConvention('syops', c, spec, { syopsBatchSize: 1 });
  close(
    rowTotal(
      perSample.rows.find((r) => r.name === 'block.0.mlp.fc2_linear')!,
      'ac',
    ),
    (16384 * 256) / 512 + 2 * 32 * 0.125,
  );
  // max pool on 0/1 input: input elements x rate = the unit spikes
  assert.equal(at(one, 'patch_embed.maxpool2', 0, 'ac'), 100);
  assert.equal(at(one, 'patch_embed.maxpool2', 1, 'ac'), 50);
});

test('spikformer on a hand example: first conv as MACs, rate x FLOPs ACs elsewhere, attention by the split rule', () => {
  const { spec, c } = qkRun();
  const tab = applyConvention('spikformer', c, spec);
  assert.match(tab.notes[0]!, /once per inference/);
  assert.equal(at(tab, 'patch_embed1.proj_conv', 0, 'mac'), 13824);
  assert.equal(at(tab, 'patch_embed1.proj_conv', 1, 'mac'), 0);
  const perStep = applyConvention('spikformer', c, spec, { firstLayerTimesteps: 'perStep' });
  assert.equal(at(perStep, 'patch_embed1.proj_conv', 1, 'mac'), 13824);
  assert.equal(at(tab, 'patch_embed1.proj1_conv', 0, 'ac'), 4608);
  assert.equal(at(tab, 'patch_embed1.proj1_conv', 1, 'ac'), 9216);
  // multi-level SEW input: unit spikes count their multiplicity: 4096 x 300/512
  assert.equal(at(tab, 'stage1.0.tssa.q_conv', 0, 'ac'), 2400);
  // bias ignored (BN fused): 4096 x 32/512
  assert.equal(at(tab, 'stage1.0.tssa.proj_conv', 0, 'ac'), 256);
  // QKTA: F = 2 N C = 1024; Q sum F/4 x fr_Q = 256 x 100/1024 x 2 samples; mask F/4 x fr_K = 256 x 200/1024 x 2
  assert.equal(at(tab, 'stage1.0.tssa.head_sum', 0, 'ac'), 50);
  assert.equal(at(tab, 'stage1.0.tssa.mask', 0, 'ac'), 100);
  // SSA Q(K^T V): F = 4 N C^2 / H = 2048; F/4 x (min(fr_K, fr_V) + fr_Q) x 2 = 512 x (min(0.25, 0.5) + 0.125) x 2
  assert.equal(at(tab, 'stage3.0.ssa.product', 0, 'ac'), 384);
  assert.equal(at(tab, 'head', 1, 'mac'), 640);
  // BN, LIF, max pool, residual adds: nothing
  assert.equal(
    tab.rows.some((r) => r.kind === 'batchNorm'),
    false,
  );
  for (const n of ['patch_embed1.proj_lif', 'patch_embed2.proj4_maxpool', 'stage1.0.attn_add']) {
    assert.equal(
      tab.rows.find((x) => x.name === n)!.ops.reduce((a, b) => a + b, 0),
      0,
      n,
    );
  }
});

test('spikformer: DVS input defaults to counting the encoding conv at every step', () => {
  const spec = zooModel('qkformer-dvs128', { embedDims: 32, depths: 1, imgSize: 16, timesteps: 2 });
  const tab = applyConvention('spikformer', emptyCounts(spec, 1), spec);
  assert.match(tab.notes[0]!, /perStep/);
  const first = spec.layers[0]!;
  assert.ok(at(tab, first.name, 0, 'mac') > 0 && at(tab, first.name, 1, 'mac') === at(tab, first.name, 0, 'mac'));
});

test('spikformer convention against the paper: HST-10-768 energy scales with image size as published', () => {
  // Same firing rates at every size; QKFormer Table 1: 38.91 / 64.27 / 113.64 mJ at 224 / 288 / 384 px, T = 4
  const paper = loadProfile('cmos45-paper', (p) => readFileSync(p, 'utf8'));
  const mj = [224, 288, 384].map((imgSize) => {
    const spec = zooModel('qkformer-imagenet-10-768', { imgSize });
    return price(uniformRateCounts(spec, 1, 0.25), spec, paper, 'spikformer').energyMjPerInference;
  });
  const r288 = mj[1]! / mj[0]!,
    r384 = mj[2]! / mj[0]!;
  assert.ok(Math.abs(r288 / (64.27 / 38.91) - 1) < 0.01, `288/224: ${r288} vs ${64.27 / 38.91}`);
  assert.ok(Math.abs(r384 / (113.64 / 38.91) - 1) < 0.01, `384/224: ${r384} vs ${113.64 / 38.91}`);
  // and the absolute scale: a mean input rate near 0.46 reproduces 38.91 mJ at 224 (qkformer.md §4 estimate)
  const spec = zooModel('qkformer-imagenet-10-768', { imgSize: 224 });
  const at046 = price(uniformRateCounts(spec, 1, 0.4587), spec, paper, 'spikformer').energyMjPerInference;
  assert.ok(Math.abs(at046 - 38.91) < 0.05, `${at046} mJ`);
});
