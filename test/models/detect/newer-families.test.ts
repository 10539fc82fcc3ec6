import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpointModel, readCheckpointBytes } from '../../../src/models/formats/checkpoint-file.js';
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
import { readSafetensors } from '../../../src/models/formats/safetensors.js';
import type { Family, ModelSpec } from '../../../src/models/spec.js';
import type { TensorMap } from '../../../src/models/tensor.js';
import { checkCheckpoint, randomWeights } from '../../../src/models/weights.js';
import { ZOO, ZOO_NAMES, zooModel, type ConfigOverrides, type ZooName } from '../../../src/models/zoo.js';
import { CORES } from '../../../src/sim/cores/index.js';
import { Simulator } from '../../../src/sim/schedule/time-major.js';
import { Namespace, stateDict, torchSave, type Py } from '../../helpers/torch-save.js';

/*
 * The newer families' official state_dicts (test/fixtures/official-families/: written by the official classes) are
 * detected from their keys and shapes to exactly the config the fixture's manifest states, and run to the zoo
 * build's logits (and the official logits within 1e-5); every zoo entry of these families at its published size
 * reads back from its own keys and shapes to its own config.
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'fixtures', 'official-families');

/** Fixture folder, the zoo entry the fidelity tests build it from, and what the pickled training args would add. */
const FIXTURES: [string, ZooName, Record<string, Py>][] = [
  ['spikingformer-cifar10_e32_d1_T2', 'spikingformer-cifar10', {}],
  ['spikingformer-imagenet_e64_d1_T2_s64', 'spikingformer-imagenet-8-384', {}],
  ['sdt-cifar_e32_d1_T2_s16', 'sdt-cifar10-2-512', { pooling_stat: '0011' }],
  ['sdt-imagenet_e64_d1_T2_s64', 'sdt-imagenet-8-384', { pooling_stat: '1111' }],
  ['sdt2-imagenet_e32_T2_s64', 'sdt2-imagenet-8-384', {}],
  ['sdt3-imagenet_e32_T1_s64', 'sdt3-imagenet-m', {}],
  ['sdt3l-base_e32_d2_T1_s128', 'sdt3-imagenet-12-512', {}],
  ['sdt3l-large_e32_d2_T1_s128', 'sdt3-imagenet-12-768', {}],
  ['maxformer-imagenet_e128_s3b1_T2_s64', 'maxformer-imagenet-10-384', {}],
  ['ms-qkformer-imagenet_e128_s3b1_T2_s64', 'ms-qkformer-imagenet-10-384', {}],
];

interface Manifest {
  config: {
    embed_dims: number | number[];
    depths: number;
    T: number;
    img_size: number;
    in_channels: number;
    num_classes: number;
    num_heads: number;
    mlp_ratio: number;
  };
}

interface Fixture {
  weights: TensorMap;
  bytes: Uint8Array;
  /** The manifest's config as size overrides (the fidelity tests' sizes). */
  sizes: Required<
    Pick<ConfigOverrides, 'embedDims' | 'depths' | 'timesteps' | 'imgSize' | 'inChannels' | 'numClasses' | 'heads' | 'mlpRatio'>
  >;
  /** What the weights cannot fix, as an official training script's argparse.Namespace holds it. */
  args: Record<string, Py>;
  input: Float32Array;
  officialLogits: number[];
}

function fixture(dir: string, extraArgs: Record<string, Py>): Fixture {
  const read = (f: string) => readFileSync(join(ROOT, dir, f));
  const c = (JSON.parse(read('manifest.json').toString('utf8')) as Manifest).config;
  const embedDims = Array.isArray(c.embed_dims) ? c.embed_dims[2]! : c.embed_dims;
  const sizes = {
    embedDims,
    depths: c.depths,
    timesteps: c.T,
    imgSize: c.img_size,
    inChannels: c.in_channels,
    numClasses: c.num_classes,
    heads: c.num_heads,
    mlpRatio: c.mlp_ratio,
  };
  const bytes = new Uint8Array(read('weights.safetensors'));
  const file = readSafetensors(bytes, dir);
  assert.deepEqual(file.metadata, {}, 'the fixture states no config: detection reads the keys');
  const x = readSafetensors(new Uint8Array(read('input.safetensors')), 'input').tensors.get('input')!;
  const per = x.data.length / x.shape[0]!;
  const logits = (JSON.parse(read('logits.json').toString('utf8')) as { logits: number[][] }).logits;
  return {
    weights: file.tensors,
    bytes,
    sizes,
    args: { T: c.T, img_size: c.img_size, num_heads: c.num_heads, lr: 0.001, ...extraArgs },
    input: Float32Array.from(x.data.subarray(0, per)),
    officialLogits: logits[0]!,
  };
}

function logitsOf(spec: ModelSpec, t: TensorMap, x: Float32Array): number[] {
  const core = CORES.reference({});
  try {
    return Array.from(new Simulator(spec, foldWeights(spec, t), { core, batchCoupling: 'independent' }).runBatch([x])[0]!);
  } finally {
    core.dispose();
  }
}

/** The config fields a tensor fixes in every one of these families. */
const FROM_WEIGHTS = ['embedDims', 'depths', 'mlpRatio', 'inChannels', 'numClasses', 'attention'] as const;

for (const [dir, zoo, extra] of FIXTURES) {
  const sdt1 = dir.startsWith('sdt-');
  test(`${dir}: detected from keys and shapes (the rest from training args) to the manifest's config; zoo and official logits`, () => {
    const f = fixture(dir, extra);
    const spec = zooModel(zoo, f.sizes);
    const d = detectConfig(f.weights, { args: f.args as Record<string, unknown> });
    for (const k of FROM_WEIGHTS) assert.equal(d.provenance[k].origin, 'weights', k);
    // SDT v1's never-called talking_heads Conv1d is [heads, heads, 1]; its CIFAR / ImageNet code comes from pooling_stat;
    // Max-Former's and MS-QKFormer's classes compute embed_dims // 64 heads whatever the args say
    const mf = dir.startsWith('maxformer') || dir.startsWith('ms-qkformer');
    assert.equal(d.provenance.heads.origin, sdt1 ? 'weights' : mf ? 'default' : 'args');
    if (mf) assert.match(d.provenance.heads.note, /^embed dims 128 \/\/ 64, as the official class computes them; pass --heads$/);
    assert.equal(d.provenance.family.origin, sdt1 ? 'args' : 'weights');
    assert.equal(d.provenance.timesteps.note, 'args.T');
    const lines = describeDetection(d);
    assert.ok(
      lines.every((l) => /^[\w ]+ .+ \(.+\)$/.test(l)),
      lines.join('\n'),
    );
    const resolved = applyExplicit(d, { overrides: {} }, dir);
    assert.deepEqual(resolved.config, spec.config);
    const detected = buildDetected(resolved, dir);
    checkCheckpoint(detected, f.weights, dir);
    assert.deepEqual(detected.layers, spec.layers);
    const got = logitsOf(detected, f.weights, f.input);
    assert.deepEqual(got, logitsOf(spec, f.weights, f.input));
    got.forEach((v, i) => {
      const e = f.officialLogits[i]!;
      assert.ok(Math.abs(v - e) <= 1e-5 * Math.max(1, Math.abs(e)), `logit ${i}: ${v} vs official ${e}`);
    });
  });

  test(`${dir}: an official-layout .pth with its training args loads with no --model; flags do the same without args`, () => {
    const f = fixture(dir, extra);
    const want = zooModel(zoo, f.sizes);
    const pth = torchSave({ model: stateDict(f.weights), epoch: 11, max_test_acc1: 70.5, args: new Namespace(f.args) });
    const ck = readCheckpointBytes(pth, `${dir}.pth`);
    assert.equal(ck.layout, 'zip');
    const { spec, detection } = checkpointModel(ck, undefined, {});
    assert.deepEqual(spec.config, want.config);
    assert.deepEqual(spec.stateKeys, want.stateKeys);
    assert.equal(detection?.provenance.imgSize.note, 'args.img_size');
    // no args: what the weights do not fix from flags; a zoo name with the sizes as the fidelity tests load it
    const bare = readCheckpointBytes(f.bytes, `${dir}/weights.safetensors`);
    const { timesteps, imgSize, heads } = f.sizes;
    // (SDT v1's ImageNet code at 10 classes reads as the nearest, CIFAR10's, without its name: see below)
    if (!dir.startsWith('sdt-imagenet'))
      assert.deepEqual(checkpointModel(bare, undefined, { timesteps, imgSize, heads }).spec.config, want.config);
    assert.deepEqual(checkpointModel(bare, zoo, f.sizes).spec.config, want.config);
  });
}

/** A state_dict of only keys and shapes (detection reads nothing else): the published sizes without their weights. */
function shapesOf(spec: ModelSpec): TensorMap {
  return new Map(spec.stateKeys.map((k) => [k.key, { shape: k.shape, data: new Float32Array(0), dtype: 'F32' as const }]));
}

const NEWER: Family[] = [
  'spikingformer-cifar',
  'spikingformer-imagenet',
  'sdt-cifar',
  'sdt-imagenet',
  'sdt2-imagenet',
  'sdt3-imagenet',
  'sdt3lb-imagenet',
  'sdt3l-imagenet',
  'maxformer-imagenet',
  'ms-qkformer-imagenet',
];

test('every zoo entry of the newer families at its published size: its keys and shapes detect to its own config', () => {
  const names = ZOO_NAMES.filter((n) => NEWER.includes(ZOO[n].family));
  assert.equal(names.length, 27);
  for (const name of names) {
    const spec = zooModel(name);
    const d = detectConfig(shapesOf(spec));
    assert.equal(d.zoo, name);
    const resolved = applyExplicit(d, { overrides: {} }, name);
    assert.deepEqual(resolved.config, ZOO[name], name);
    assert.deepEqual(buildDetected(resolved, name).stateKeys, spec.stateKeys, name);
  }
});

test('published sizes read as facts: stage widths, blocks per stage and heads where the weights hold them', () => {
  const lines = (n: ZooName) => describeDetection(detectConfig(shapesOf(zooModel(n))));
  const s = lines('sdt3-imagenet-s');
  assert.ok(s.includes('embed dims 128 (from downsample3.encode_conv.weight [128,64,3,3])'), s.join('\n'));
  assert.ok(s.some((l) => l.startsWith('stage widths 32, 64, 128, 192 (from downsample1_2.encode_conv.weight')));
  assert.ok(s.includes('depths 8 (6 blocks, block3.0-5.* + 2 blocks, block4.0-1.*)'), s.join('\n'));
  assert.deepEqual(detectConfig(shapesOf(zooModel('sdt3-imagenet-s'))).config.stageDims, [32, 64, 128, 192]);
  const sdt = lines('sdt-imagenet-8-768');
  assert.ok(sdt.includes('heads 8 (from block.0.attn.talking_heads.weight [8,8,1])'), sdt.join('\n'));
  const mf = lines('maxformer-imagenet-10-768');
  assert.ok(mf.includes('depths 10 (stage3 holds 7 blocks, stage3.0-6.*: depths-3 (the official class builds 7, depths 10))'));
  assert.ok(mf.includes('heads 12 (embed dims 768 // 64, as the official class computes them; pass --heads)'));
  const ms = lines('ms-qkformer-imagenet-10-768');
  assert.ok(ms.some((l) => /^attention qkta, qkta, ssa \(stage1\.0\.attn \(Token_QK_Attention: q, k\)/.test(l)));
  assert.ok(ms.includes('T 1 (default for ms-qkformer-imagenet-10-768; pass -T)'));
});

test("SDT v1: CIFAR or ImageNet is not in the weights (max pools only): args, else the nearest zoo variant, and --model's wins", () => {
  const f = fixture('sdt-imagenet_e64_d1_T2_s64', {});
  const d = detectConfig(f.weights);
  // 10 classes at embed 64: the nearest variant is CIFAR10's; said so, and not a weights fact
  assert.equal(d.config.family, 'sdt-cifar');
  assert.equal(d.provenance.family.origin, 'default');
  assert.match(summarizeDetection(d, 'f'), /; not in the weights: family sdt-cifar \(.*pass --model; defaults from sdt-cifar10-2-512\)/);
  const byName = applyExplicit(d, { model: 'sdt-imagenet-8-384', overrides: f.sizes }, 'f');
  assert.equal(byName.config.family, 'sdt-imagenet');
  assert.deepEqual(byName.provenance.family, { origin: 'flag', note: '--model sdt-imagenet-8-384' });
  assert.equal(detectConfig(f.weights, { args: { dataset: 'imagenet' } }).config.family, 'sdt-imagenet');
  assert.throws(() => detectConfig(f.weights, { args: { pooling_stat: '0111' } }), /args\.pooling_stat is 0111; spikewatt builds SDT v1/);
  assert.throws(
    () => applyExplicit(d, { model: 'spikingformer-cifar10', overrides: {} }, 'f'),
    (e: unknown) => e instanceof DetectConflictError && /--model spikingformer-cifar10 is a spikingformer-cifar model/.test(e.message),
  );
  assert.throws(
    () => applyExplicit(d, { overrides: { heads: 4, depths: 2 } }, 'ck.pth'),
    (e: unknown) =>
      e instanceof DetectConflictError &&
      /--depths 2 gives depths 2 but the weights have 1 \(1 block, block\.0\.\*\); --heads 4 gives heads 4 but the weights have 2 \(block\.0\.attn\.talking_heads\.weight \[2,2,1\]\)$/.test(
        e.message,
      ),
  );
});

test('what the official classes do not build, or the config cannot state, is one line naming the keys', () => {
  const refuse = (t: TensorMap, re: RegExp) =>
    assert.throws(
      () => detectConfig(t),
      (e: unknown) => e instanceof DetectError && re.test(e.message) && !e.message.includes('\n'),
    );
  // Max-Former with the pooling mixers of the paper's ablation (Block_Max, Block_Avg): no weights say which
  const mixers = readSafetensors(new Uint8Array(readFileSync(join(ROOT, 'maxformer-mixers_e64_s3b1_T2_s32', 'weights.safetensors'))));
  refuse(
    mixers.tensors,
    /^stage1\.0\.mixer is not the published depth-wise 7x7 conv \(stage1\.0\.mixer\.conv5\.weight \[16,1,7,7\]\): no mixer weights/,
  );
  // SDT v2 with two blocks in block4 and one in block3: not how spikewatt splits depths 3
  const v2 = randomWeights(zooModel('sdt2-imagenet-8-384', { embedDims: 32, depths: 2, heads: 2 }), { seed: 1 });
  for (const [k, v] of [...v2]) if (k.startsWith('block4.0.')) v2.set(k.replace('block4.0.', 'block4.1.'), v);
  refuse(v2, /^block3 holds 1 and block4 2 blocks; spikewatt builds depths 3 as block4 max\(1, round\(depths \/ 4\)\) = 1/);
  // MS-QKFormer with two blocks in stage 1 (the official class builds one)
  const ms = shapesOf(zooModel('ms-qkformer-imagenet-10-384', { embedDims: 64, depths: 4, heads: 2 }));
  for (const [k, v] of [...ms]) if (k.startsWith('stage1.0.')) ms.set(k.replace('stage1.0.', 'stage1.1.'), v);
  refuse(ms, /^stage1 holds 2 blocks, stage1\.0-1\.\*; the official class builds 1$/);
  // E-SpikeFormer whose V is not four times as wide as Q
  const v3 = shapesOf(zooModel('sdt3-imagenet-t', { embedDims: 32, depths: 2, heads: 2 }));
  v3.set('block3.0.attn.v_conv.0.weight', { shape: [64, 32, 1, 1], data: new Float32Array(0), dtype: 'F32' });
  refuse(v3, /^block3\.0\.attn\.v_conv\.0\.weight is \[64,32,1,1\]; E-SpikeFormer's V is 4 x 32 wide/);
  // a Spikingformer tokenizer whose widths are not E/8 ... E
  const sf = shapesOf(zooModel('spikingformer-cifar10', { embedDims: 32, depths: 1, heads: 2 }));
  sf.set('patch_embed.block1_conv.weight', { shape: [6, 4, 3, 3], data: new Float32Array(0), dtype: 'F32' });
  refuse(sf, /^widths 4, 6, 16, 32, 32 \(patch_embed\.block0_conv\.weight, .*\) are not E\/8, E\/4, E\/2, E, E of embed dims 32/);
});

test('a checkpoint with the pooling mixers and no --model: one line naming the mixer and asking for the architecture', () => {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'maxformer-mixers_e64_s3b1_T2_s32', 'weights.safetensors')));
  assert.throws(
    () => checkpointModel(readCheckpointBytes(bytes, 'mixers.safetensors'), undefined, {}),
    (e: unknown) =>
      e instanceof DetectError &&
      /^mixers\.safetensors: stage1\.0\.mixer is not the published depth-wise 7x7 conv .* give the architecture: --model/.test(e.message),
  );
});
