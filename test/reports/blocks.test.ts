import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockOf, mixingOf, sumBlocks, tokenMixings } from '../../src/reports/blocks.js';
import { zooModel } from '../../src/models/zoo.js';
import { incompleteNote, totalText, unitFor, wilson95 } from '../../src/reports/format.js';
import { renderProfileHtml } from '../../src/reports/profile-html.js';
import { paperCheck } from '../../src/reports/paper.js';
import { tinyReport } from './tiny-report.js';

test('layers map to their blocks by official module name', () => {
  assert.deepEqual(blockOf('patch_embed2.proj3_conv'), { type: 'patchEmbed', stage: 'patch_embed2', instance: 'patch_embed2' });
  assert.deepEqual(blockOf('stage2.1.tssa.q_lif'), { type: 'attention', stage: 'stage2', instance: 'stage2.1.attn' });
  assert.deepEqual(blockOf('stage3.0.attn_add'), { type: 'attention', stage: 'stage3', instance: 'stage3.0.attn' });
  assert.deepEqual(blockOf('block.3.mlp.fc1_conv'), { type: 'mlp', stage: 'block', instance: 'block.3.mlp' });
  assert.deepEqual(blockOf('stage1.0.mlp_add'), { type: 'mlp', stage: 'stage1', instance: 'stage1.0.mlp' });
  assert.equal(blockOf('head.token_mean').type, 'head');
  assert.equal(blockOf('patch_embed.rpe_add').type, 'patchEmbed');
  // SDT v1: SDSA's layers and the membrane shortcut in the attention block, head_lif in the head
  assert.deepEqual(blockOf('block.1.attn.kv'), { type: 'attention', stage: 'block', instance: 'block.1.attn' });
  assert.deepEqual(blockOf('block.1.attn_add'), { type: 'attention', stage: 'block', instance: 'block.1.attn' });
  assert.deepEqual(blockOf('head_lif'), { type: 'head', stage: 'head', instance: 'head' });
  // Max-Former's token mixers take the attention's place
  assert.deepEqual(blockOf('stage1.0.mixer.conv5_neuron'), { type: 'attention', stage: 'stage1', instance: 'stage1.0.mixer' });
  assert.deepEqual(blockOf('stage2.1.mixer_add'), { type: 'attention', stage: 'stage2', instance: 'stage2.1.mixer' });
});

test('SDT v2 / v3 layers map to their blocks, and their attention is named', () => {
  assert.deepEqual(blockOf('downsample1_2.encode_lif'), { type: 'patchEmbed', stage: 'downsample1_2', instance: 'downsample1_2' });
  assert.deepEqual(blockOf('ConvBlock1_1.0.Conv.dwconv'), { type: 'attention', stage: 'ConvBlock1_1', instance: 'ConvBlock1_1.0.conv' });
  assert.deepEqual(blockOf('ConvBlock2_2.0.conv_add'), { type: 'attention', stage: 'ConvBlock2_2', instance: 'ConvBlock2_2.0.conv' });
  assert.deepEqual(blockOf('ConvBlock1_1.0.spike2'), { type: 'mlp', stage: 'ConvBlock1_1', instance: 'ConvBlock1_1.0.mlp' });
  assert.deepEqual(blockOf('ConvBlock1_1.0.conv1'), { type: 'mlp', stage: 'ConvBlock1_1', instance: 'ConvBlock1_1.0.mlp' });
  assert.deepEqual(blockOf('block3.0.conv.pwconv1.0'), { type: 'attention', stage: 'block3', instance: 'block3.0.conv' });
  assert.deepEqual(blockOf('block4.0.attn.q_conv.0.body.1'), { type: 'attention', stage: 'block4', instance: 'block4.0.attn' });
  assert.equal(blockOf('lif').type, 'head');
  assert.equal(blockOf('spike').type, 'head');
  const kinds = (...k: string[]) => mixingOf(new Set(k));
  assert.equal(kinds('lif', 'conv', 'bnPad', 'ssaProduct', 'membraneAdd'), 'linear SDSA (RepConv)');
  assert.equal(kinds('multiSpike', 'conv', 'ssaProduct', 'membraneAdd'), 'linear SDSA (integer spikes)');
  assert.equal(kinds('multiSpike', 'conv', 'membraneAdd'), 'conv');
});

test('an attention block names its kind from its layers: QKTA, SSA, SDSA, QKCA, or the token mixer in its place', () => {
  const kinds = (...k: string[]) => mixingOf(new Set(k));
  assert.equal(kinds('conv', 'lif', 'headSum', 'mask', 'add'), 'QKTA');
  assert.equal(kinds('lif', 'conv', 'ssaProduct', 'membraneAdd'), 'SSA');
  assert.equal(kinds('lif', 'conv', 'spikeAnd', 'tokenSum', 'mask', 'membraneAdd'), 'SDSA');
  assert.equal(kinds('conv', 'lif', 'tokenSum', 'mask', 'add'), 'QKCA');
  assert.equal(kinds('lif', 'conv', 'membraneAdd'), 'conv');
  assert.equal(kinds('maxpool'), 'max pooling');
  assert.equal(kinds('avgpool'), 'avg pooling');
  assert.equal(kinds('lif'), null);
  const r = tinyReport();
  const attention = r.energy[0]!.blocks!.filter((b) => b.type === 'attention');
  assert.ok(attention.length > 0 && attention.every((b) => b.mixing === 'QKTA' || b.mixing === 'SSA'));
  assert.match(renderProfileHtml(r, '/* Chart */'), /stage\d\.\d\.attn \(attention: (QKTA|SSA)\)/);
});

test('block energies add up to each total; an incomplete total is never shown bare', () => {
  const r = tinyReport();
  for (const e of r.energy) {
    const types = sumBlocks(e.blocks!, 'type');
    const sum = types.reduce((s, b) => s + b.energyPj, 0);
    assert.ok(Math.abs(sum - e.totalMj * 1e9) < 1e-6 * e.totalMj * 1e9, e.profile);
    assert.ok(Math.abs(types.reduce((s, b) => s + b.share, 0) - 1) < 1e-9);
    assert.deepEqual(
      types.map((t) => t.type),
      ['patchEmbed', 'attention', 'mlp', 'head'],
    );
  }
  // odin prices only synaptic ops: an incomplete total (loihi prices the rest on its processor)
  const odin = r.energy.find((e) => e.profile === 'odin')!;
  assert.equal(odin.complete, false);
  const html = renderProfileHtml(r, '/* Chart */');
  const pj = odin.totalMj * 1e9,
    unit = unitFor(r.energy.map((e) => e.totalMj * 1e9));
  assert.ok(html.includes(totalText(pj, false, unit)) && totalText(pj, false, unit).startsWith('≥ '));
  assert.ok(html.includes(incompleteNote(odin.unpriced.map((u) => u.op))));
  assert.match(html, /patch_embed1\.proj_conv<\/td>.*unpriced: mac/);
  assert.doesNotMatch(html, /not priced \(see the memory table\)/);
});

test('Wilson 95 % interval', () => {
  const [lo, hi] = wilson95(172, 200);
  assert.ok(Math.abs(lo - 0.8051) < 1e-4 && Math.abs(hi - 0.9013) < 1e-4, `${lo} ${hi}`);
  assert.deepEqual(wilson95(0, 0), [0, 1]);
});

test('paper check: HST-10-768 at 224 px, scaled by FLOPs to 288 and 384 px, lands near the published 64.27 / 113.64 mJ', () => {
  const r = tinyReport();
  const c = r.model.config!;
  r.model.name = 'qkformer-imagenet-10-768';
  r.model.config = {
    ...c,
    family: 'qkformer-imagenet',
    embedDims: 768,
    depths: 10,
    heads: [12, 12, 12],
    imgSize: 224,
    timesteps: 4,
    numClasses: 1000,
  };
  r.energy[0]!.convention = 'spikformer';
  r.energy[0]!.totalMj = 38.91;
  const p = paperCheck(r)!;
  const at = (px: number) => p.rows.find((x) => x.imgSize === px && x.timesteps === 4)!;
  assert.equal(at(224).matches, true);
  assert.ok(Math.abs(p.spikewatt[0]!.ratioToPaper! - 1) < 1e-12);
  for (const [px, mj] of [
    [288, 64.27],
    [384, 113.64],
  ] as const) {
    const est = at(px).scaledMj![0]!.energyMj;
    assert.ok(Math.abs(est / mj - 1) < 0.02, `${px} px: ${est} vs ${mj}`);
  }
});

test('tokenMixings names what mixes the tokens of every family, in layer order', () => {
  assert.deepEqual(tokenMixings(zooModel('qkformer-cifar10').layers), ['QKTA', 'SSA']);
  assert.deepEqual(tokenMixings(zooModel('spikformer-cifar10').layers), ['SSA']);
  assert.deepEqual(tokenMixings(zooModel('sdt-cifar10-2-512').layers), ['SDSA']);
  assert.deepEqual(tokenMixings(zooModel('maxformer-imagenet-10-384').layers), ['conv', 'SSA']);
  assert.deepEqual(tokenMixings(zooModel('sdt2-imagenet-8-256').layers), ['conv', 'linear SDSA (RepConv)']);
  assert.deepEqual(tokenMixings(zooModel('sdt3-imagenet-t').layers), ['conv', 'linear SDSA (integer spikes)']);
});
