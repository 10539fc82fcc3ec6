import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  applyExplicit,
  buildDetected,
  describeDetection,
  DetectConflictError,
  detectConfig,
  DetectError,
  summarizeDetection,
} from '../../../src/models/detect/detect.js';
import { foldWeights } from '../../../src/models/fold.js';
import { checkpointModel, readCheckpointBytes } from '../../../src/models/formats/checkpoint-file.js';
import { readSafetensors, writeSafetensors } from '../../../src/models/formats/safetensors.js';
import type { ModelSpec } from '../../../src/models/spec.js';
import type { TensorMap } from '../../../src/models/tensor.js';
import { readTorchCheckpoint } from '../../../src/models/formats/torch-checkpoint.js';
import { checkCheckpoint, mulberry32, randomWeights } from '../../../src/models/weights.js';
import { ZOO, zooModel, type ConfigOverrides, type ZooName } from '../../../src/models/zoo.js';
import { CORES } from '../../../src/sim/cores/index.js';
import { Simulator } from '../../../src/sim/schedule/time-major.js';
import { Namespace, stateDict, torchSave } from '../../helpers/torch-save.js';

/*
 * Official-layout state_dicts generated from zoo specs (their keys and shapes are the official module names), stored
 * as safetensors without spikewatt metadata, so the file says nothing about its architecture. Every family at two
 * sizes; the published HST-4-384 among them. `run` holds what the weights cannot fix, kept small for speed.
 */
interface Case {
  zoo: ZooName;
  size: ConfigOverrides;
  run: ConfigOverrides;
}
const CASES: Case[] = [
  { zoo: 'qkformer-cifar10', size: {}, run: { imgSize: 8, timesteps: 1 } },
  { zoo: 'qkformer-cifar100', size: { embedDims: 32, depths: 3 }, run: { imgSize: 8, timesteps: 2 } },
  { zoo: 'qkformer-imagenet-10-384', size: { embedDims: 48, depths: 4 }, run: { imgSize: 16, timesteps: 2 } },
  { zoo: 'qkformer-imagenet-10-384', size: { embedDims: 96, depths: 5, numClasses: 10, mlpRatio: 2 }, run: { imgSize: 16, timesteps: 1 } },
  { zoo: 'qkformer-cifar10dvs', size: { embedDims: 32 }, run: { imgSize: 32, timesteps: 2 } },
  { zoo: 'qkformer-dvs128', size: { embedDims: 64 }, run: { imgSize: 32, timesteps: 2 } },
  { zoo: 'spikformer-cifar10', size: { embedDims: 24, depths: 2 }, run: { imgSize: 8, timesteps: 2 } },
  { zoo: 'spikformer-cifar100', size: { embedDims: 48, depths: 1, mlpRatio: 2 }, run: { imgSize: 8, timesteps: 2 } },
  { zoo: 'spikformer-imagenet-8-384', size: { depths: 1 }, run: { imgSize: 16, timesteps: 1 } },
  { zoo: 'spikformer-imagenet-8-384', size: { embedDims: 96, depths: 2, numClasses: 10 }, run: { imgSize: 16, timesteps: 2 } },
  { zoo: 'spikformer-cifar10dvs', size: { embedDims: 32, depths: 1, imgSize: 32 }, run: { timesteps: 2 } },
  { zoo: 'spikformer-cifar10dvs', size: { embedDims: 64, mlpRatio: 2, imgSize: 48 }, run: { timesteps: 2 } },
];

/** A safetensors file holding only tensors, read back: what a user exports from torch with save_file(sd). */
function bareFile(t: TensorMap): TensorMap {
  const file = readSafetensors(writeSafetensors(t));
  assert.deepEqual(file.metadata, {});
  return file.tensors;
}

function logitsOf(spec: ModelSpec, t: TensorMap, seed: number): number[][] {
  const s = spec.inputShape;
  const per = (spec.config.input === 'dvs' ? spec.config.timesteps : 1) * s.c * s.h * s.w;
  const rand = mulberry32(seed);
  const x = Float32Array.from({ length: per }, () => (spec.config.input === 'dvs' ? Math.floor(3 * rand()) : rand()));
  const core = CORES.reference({});
  try {
    return new Simulator(spec, foldWeights(spec, t), { core, batchCoupling: 'independent' }).runBatch([x]).map((l) => Array.from(l));
  } finally {
    core.dispose();
  }
}

for (const [i, c] of CASES.entries()) {
  const spec = zooModel(c.zoo, { ...c.size, ...c.run });
  const cfg = spec.config;
  test(`detect ${c.zoo} E${cfg.embedDims} depths ${cfg.depths}: exact config, provenance, same logits as the explicit load`, () => {
    const weights = bareFile(randomWeights(spec, { seed: 10 + i }));
    const d = detectConfig(weights);
    assert.equal(d.zoo, c.zoo);
    const z = ZOO[c.zoo];
    // What the weights fix is read; what they cannot comes from the zoo variant's published values.
    const want = { ...cfg, timesteps: z.timesteps, imgSize: cfg.family === 'spikformer-dvs' ? cfg.imgSize : z.imgSize };
    assert.deepEqual(d.config, want);
    assert.equal(d.provenance.timesteps.origin, 'default');
    assert.match(d.provenance.timesteps.note, new RegExp(`^default for ${c.zoo}; pass -T$`));
    for (const f of ['embedDims', 'mlpRatio', 'inChannels', 'numClasses', 'attention'] as const)
      assert.equal(d.provenance[f].origin, 'weights', f);
    assert.equal(d.provenance.depths.origin, cfg.family === 'qkformer-dvs' ? 'default' : 'weights');
    const lines = describeDetection(d);
    assert.ok(
      lines.every((l) => /^[\w ]+ .+ \(.+\)$/.test(l)),
      lines.join('\n'),
    );

    const resolved = applyExplicit(d, { overrides: c.run }, 'file');
    assert.deepEqual(resolved.config, cfg);
    const detected = buildDetected(resolved, 'file');
    checkCheckpoint(detected, weights, 'file');
    assert.deepEqual(detected.stateKeys, spec.stateKeys);
    checkCheckpoint(spec, weights, 'file');
    assert.deepEqual(logitsOf(detected, weights, i), logitsOf(spec, weights, i));
  });
}

test('torch.save-layout .pth of every case, with training args: checkpointModel recovers the exact config with no flags', () => {
  for (const [i, c] of CASES.entries()) {
    const spec = zooModel(c.zoo, { ...c.size, ...c.run });
    const cfg = spec.config;
    const args = new Namespace({ model: c.zoo, T: cfg.timesteps, img_size: cfg.imgSize, num_heads: cfg.heads[0]!, lr: 0.001, epochs: 300 });
    const bytes = torchSave({ model: stateDict(randomWeights(spec, { seed: 40 + i })), epoch: 7, max_test_acc1: 81.5, args });
    const f = readCheckpointBytes(bytes, `${c.zoo}.pth`);
    assert.equal(f.layout, 'zip');
    assert.equal(f.torch?.epoch, 7);
    const { spec: got, detection } = checkpointModel(f, undefined, {});
    assert.deepEqual(got.config, cfg, c.zoo);
    assert.deepEqual(got.stateKeys, spec.stateKeys);
    assert.equal(detection?.provenance.timesteps.note, 'args.T');
    assert.equal(detection?.provenance.heads.note, 'args.num_heads');
  }
});

test('a safetensors file that states its config: the stored values fill what the weights do not fix', () => {
  const spec = zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, heads: 2, timesteps: 3, imgSize: 16, numClasses: 10 });
  const w = randomWeights(spec, { seed: 8 });
  const meta = { name: 'mine', config: spec.config };
  const f = readCheckpointBytes(writeSafetensors(w, { spikewatt: JSON.stringify(meta) }), 'mine.safetensors');
  const { spec: got, detection } = checkpointModel(f, undefined, {});
  assert.deepEqual(got.config, spec.config);
  assert.equal(got.name, 'mine');
  assert.equal(detection?.provenance.heads.note, 'the config stored in the file');
  // Flags still win where the weights say nothing, and still may not contradict them.
  assert.equal(checkpointModel(f, undefined, { timesteps: 1 }).spec.config.timesteps, 1);
  assert.throws(() => checkpointModel(f, undefined, { embedDims: 64 }), DetectConflictError);
});

test('the published HST-4-384 reads as its zoo variant, with every value said where it came from', () => {
  const spec = zooModel('qkformer-cifar10');
  const d = detectConfig(randomWeights(spec, { seed: 1 }));
  assert.deepEqual(d.config, spec.config);
  const lines = describeDetection(d);
  assert.ok(lines.includes('embed dims 384 (from patch_embed3.proj3_conv.weight [384,192,3,3])'), lines.join('\n'));
  assert.ok(lines.includes('depths 4 (stage3 holds 2 blocks, stage3.0-1.*: depths-2)'), lines.join('\n'));
  assert.ok(lines.includes('T 4 (default for qkformer-cifar10; pass -T)'), lines.join('\n'));
  assert.ok(lines.includes('heads 8, 8, 8 (default for qkformer-cifar10; pass --heads)'), lines.join('\n'));
  assert.ok(lines.includes('attention qkta, qkta, ssa (stage1.0.tssa, stage2.0.tssa, stage3.0.ssa)'), lines.join('\n'));
  assert.equal(
    summarizeDetection(d, 'ck.pth'),
    'ck.pth: model qkformer-cifar10 read from the weights (qkformer-cifar, embed dims 384, depths 4, ' +
      'mlp ratio 4, 10 classes, attention qkta,qkta,ssa); not in the weights: heads 8, 8, 8 (default for qkformer-cifar10; pass --heads), ' +
      'T 4 (default for qkformer-cifar10; pass -T), img size 32 (default for qkformer-cifar10; pass --img-size)',
  );
  assert.ok(
    lines.includes('stage widths 96, 192, 384 (from stage1.0.tssa.q_conv.weight, stage2.0.tssa.q_conv.weight, stage3.0.ssa.q_conv.weight)'),
  );
});

test('training args give heads, T and image size; weights still win for what they fix', () => {
  const spec = zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, heads: 2 });
  const w = randomWeights(spec, { seed: 2 });
  const d = detectConfig(w, { args: { num_heads: 2, time_step: 3, input_size: 64, nb_classes: 1000, model: 'QKFormer_10_384' } });
  assert.deepEqual(d.config.heads, [2, 2, 2]);
  assert.equal(d.config.timesteps, 3);
  assert.equal(d.config.imgSize, 64);
  assert.deepEqual(
    [d.provenance.heads.note, d.provenance.timesteps.note, d.provenance.imgSize.note],
    ['args.num_heads', 'args.time_step', 'args.input_size'],
  );
  // Without args the default heads (6 for HST-10-384) cannot split a width of 8: one error asks for --heads.
  assert.throws(
    () => applyExplicit(detectConfig(w), { overrides: {} }, 'f'),
    (e: unknown) =>
      e instanceof DetectError &&
      /^f: heads 6 \(default for qkformer-imagenet-10-384; pass --heads\) do not divide stage 1's width 8 /.test(e.message),
  );
  assert.deepEqual(
    applyExplicit(detectConfig(w, { args: { T: 2, img_size: [16, 16], num_heads: 2 } }), { overrides: {} }, 'f').config.imgSize,
    16,
  );
  const dvs = zooModel('spikformer-cifar10dvs', { embedDims: 32, depths: 1, imgSize: 64 });
  const dd = detectConfig(randomWeights(dvs, { seed: 3 }), { args: { img_size: 128 } });
  assert.equal(dd.config.imgSize, 64);
  assert.match(dd.provenance.imgSize.note, /^pos_embed \[1,16,32\]: 4x4 patches of 16 pixels; args\.img_size 128 disagrees$/);
});

test('a flag that disagrees with the weights: one error naming every key and shape', () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3 });
  const d = detectConfig(randomWeights(spec, { seed: 4 }));
  const conflict = (ex: Parameters<typeof applyExplicit>[1], re: RegExp) =>
    assert.throws(
      () => applyExplicit(d, ex, 'ck.pth'),
      (e: unknown) => {
        assert.ok(e instanceof DetectConflictError, String(e));
        assert.match(e.message, re);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  conflict(
    { overrides: { embedDims: 64, numClasses: 100 } },
    new RegExp(
      '^ck\\.pth: the command line disagrees with the weights: ' +
        '--embed-dims 64 gives embed dims 64 but the weights have 32 \\(patch_embed3\\.proj3_conv\\.weight \\[32,16,3,3\\]\\); ' +
        '--num-classes 100 gives classes 100 but the weights have 10 \\(head\\.weight \\[10,32\\]\\)$',
    ),
  );
  conflict(
    { overrides: { attention: ['ssa'], depths: 5 } },
    /--depths 5 gives depths 5 but the weights have 3 \(stage3 holds 1 block, stage3\.0\.\*: depths-2\).*--attention ssa gives attention ssa, ssa, ssa but the weights have qkta, qkta, ssa \(stage1\.0\.tssa/,
  );
  conflict(
    { overrides: { speds: false, mlpRatio: 2 } },
    /--mlp-ratio 2 .*stage3\.0\.mlp\.mlp1_conv\.weight \[128,32,1,1\].*--no-speds gives SPEDS no but the weights have yes/,
  );
  conflict(
    { model: 'qkformer-cifar10', overrides: {} },
    /--model qkformer-cifar10 gives embed dims 384 but the weights have 32 .*--model qkformer-cifar10 gives depths 4 but the weights have 3/,
  );
  conflict(
    { model: 'spikformer-cifar10', overrides: {} },
    /^ck\.pth: --model spikformer-cifar10 is a spikformer-cifar model but the weights are qkformer-cifar \(patch_embed1-3/,
  );
  // The zoo name plus overrides that match the weights is accepted, and flags win where the weights say nothing.
  const ok = applyExplicit(d, { model: 'qkformer-cifar10', overrides: { embedDims: 32, depths: 3, heads: 4, timesteps: 2 } }, 'ck.pth');
  assert.deepEqual(ok.config, { ...spec.config, heads: [4, 4, 4], timesteps: 2 });
  assert.equal(ok.provenance.heads.note, '--heads 4');
  const dvs = detectConfig(randomWeights(zooModel('spikformer-cifar10dvs', { embedDims: 32, depths: 1, imgSize: 32 }), { seed: 5 }));
  assert.equal(applyExplicit(dvs, { overrides: { imgSize: 47 } }, 'f').config.imgSize, 47);
  assert.throws(
    () => applyExplicit(dvs, { overrides: { imgSize: 64 } }, 'f'),
    /--img-size 64 gives img size 64 but the weights have 32 \(pos_embed \[1,4,32\]/,
  );
});

test('official .pth fixtures: detection from the pickled state_dict and args', () => {
  const dir = new URL('../../fixtures/torch/', import.meta.url);
  const im = readTorchCheckpoint(new Uint8Array(readFileSync(new URL('imagenet-checkpoint-3.pth', dir))));
  const d = applyExplicit(detectConfig(im.tensors, { args: im.meta.args }), { overrides: { heads: 2 } }, 'f');
  assert.deepEqual(d.config, {
    ...zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, heads: 2, numClasses: 10 }).config,
    timesteps: 4,
  });
  assert.equal(d.provenance.timesteps.note, 'args.time_step');
  assert.equal(d.provenance.imgSize.note, 'args.input_size');
  const cf = readTorchCheckpoint(new Uint8Array(readFileSync(new URL('cifar-model_best.pth.tar', dir))));
  const c = applyExplicit(detectConfig(cf.tensors, { args: cf.meta.args }), { overrides: { heads: 2 } }, 'f');
  assert.deepEqual(c.config, zooModel('qkformer-cifar10', { embedDims: 16, depths: 3, heads: 2, numClasses: 4 }).config);
  checkCheckpoint(buildDetected(c, 'f'), cf.tensors);
});

test('ablations: QKCA stages (module qkca) and no SPEDS are read from the keys', () => {
  const spec = zooModel('qkformer-cifar10', {
    embedDims: 32,
    depths: 3,
    attention: ['qkca', 'qkta', 'qkca'],
    speds: false,
    imgSize: 8,
    timesteps: 1,
  });
  const w = bareFile(randomWeights(spec, { seed: 7 }));
  const d = applyExplicit(detectConfig(w), { overrides: { imgSize: 8, timesteps: 1 } }, 'f');
  assert.deepEqual(d.config, spec.config);
  assert.equal(d.provenance.attention.note, 'stage1.0.qkca, stage2.0.tssa, stage3.0.qkca');
  assert.equal(d.provenance.speds.note, 'no patch_embed*.proj_res_conv keys');
  assert.deepEqual(logitsOf(buildDetected(d, 'f'), w, 1), logitsOf(spec, w, 1));
});

test('layouts are told apart by their bytes, whatever the first byte of a safetensors header length is', () => {
  const spec = zooModel('spikformer-cifar10', { embedDims: 24, depths: 1 });
  const w = randomWeights(spec, { seed: 9 });
  // A header length whose low byte is 0x80 (the pickle PROTO opcode) must still read as safetensors.
  const b = writeSafetensors(w, { pad: 'y' });
  const n = Number(new DataView(b.buffer).getBigUint64(0, true));
  const pad = 'y'.repeat(1 + ((0x80 - (n % 256) + 256) % 256));
  const c = writeSafetensors(w, { pad });
  assert.equal(c[0], 0x80);
  assert.equal(readCheckpointBytes(c, 'f').layout, 'safetensors');
  assert.equal(readCheckpointBytes(torchSave({ model: stateDict(w) }), 'f').layout, 'zip');
});

test('not a QKFormer / Spikformer state_dict: one line', () => {
  const t: TensorMap = new Map([['conv.weight', { shape: [3, 2, 1, 1], data: new Float32Array(6), dtype: 'F32' }]]);
  assert.throws(
    () => detectConfig(t),
    /not a QKFormer or Spikformer state_dict: no patch_embed1\.proj_conv\.weight or patch_embed\.proj_conv\.weight \(first keys: conv\.weight\); nor a Spikingformer, SDT v1-v3, Max-Former or MS-QKFormer one$/,
  );
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3 });
  const w = randomWeights(spec, { seed: 6 });
  w.delete('stage2.0.mlp.mlp1_conv.weight');
  assert.throws(() => detectConfig(w), /no stage2\.0\.mlp\.mlp1_conv \/ fc1_conv \/ fc1_linear weight/);
});
