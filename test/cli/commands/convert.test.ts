import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../../src/models/formats/safetensors.js';
import { readTorchCheckpoint } from '../../../src/models/formats/torch-checkpoint.js';
import { zooModel } from '../../../src/models/zoo.js';
import { resolveModel } from '../../../src/pipeline/index.js';

const BIN = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
const FIX = fileURLToPath(new URL('../../fixtures/torch/', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const SIZE = ['--embed-dims', '32', '--depths', '4', '--img-size', '16', '-T', '2', '--heads', '2', '--num-classes', '10'];

test('convert: an ImageNet-layout .pth becomes safetensors that profile/eval resolve, values unchanged', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-convert-'));
  try {
    const out = join(tmp, 'qk.safetensors');
    const r = run(['convert', '--model', 'qkformer-imagenet-10-384', ...SIZE, join(FIX, 'imagenet-checkpoint-3.pth'), out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.tensors, 200);
    assert.equal(j.source.epoch, 3);
    assert.equal(j.source.stateDictKey, 'model');
    assert.equal(j.source.args.model, 'QKFormer_10_384');
    const spec = zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 16, timesteps: 2, heads: 2, numClasses: 10 });
    const file = readSafetensors(new Uint8Array(readFileSync(out)));
    const meta = JSON.parse(file.metadata.spikewatt!);
    assert.equal(meta.format, 'spikewatt-converted');
    assert.equal(meta.zoo, 'qkformer-imagenet-10-384');
    assert.deepEqual(meta.config, spec.config);
    const src = readTorchCheckpoint(new Uint8Array(readFileSync(join(FIX, 'imagenet-checkpoint-3.pth')))).tensors;
    assert.equal(file.tensors.size, src.size);
    for (const [k, t] of src) assert.deepEqual(Array.from(file.tensors.get(k)!.data), Array.from(t.data), k);
    const resolved = resolveModel(out);
    assert.deepEqual(resolved.spec.config, spec.config);
    assert.equal(resolved.checkpoint, out);
    assert.deepEqual(readdirSync(tmp), ['qk.safetensors']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('convert: wrong sizes, a disallowed global, a bad output name: one line, exit 2, no output file', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-convert-'));
  try {
    const out = join(tmp, 'x.safetensors');
    const mis = run(['convert', '--model', 'qkformer-imagenet-10-384', join(FIX, 'imagenet-checkpoint-3.pth'), out]);
    assert.equal(mis.status, 2);
    assert.match(
      mis.stderr,
      new RegExp(
        '^spikewatt: .*imagenet-checkpoint-3\\.pth: the command line disagrees with the weights: ' +
          '--model qkformer-imagenet-10-384 gives embed dims 384 but the weights have 32 \\(patch_embed3\\.proj3_conv\\.weight \\[32,16,3,3\\]\\); ' +
          '--model qkformer-imagenet-10-384 gives depths 10 but the weights have 4 .*; ' +
          '--model qkformer-imagenet-10-384 gives classes 1000 but the weights have 10 \\(head\\.weight \\[10,32\\]\\)\n$',
      ),
    );
    const evil = run(['convert', '--model', 'qkformer-cifar10', join(FIX, 'evil-state-dict.pth'), out]);
    assert.equal(evil.status, 2);
    assert.match(evil.stderr, /^spikewatt: .*state_dict entry 'bn\.running_var' is (posix|os)\.system\(\.\.\.\)/);
    const name = run(['convert', '--model', 'qkformer-cifar10', join(FIX, 'cifar-model_best.pth.tar'), join(tmp, 'x.bin')]);
    assert.equal(name.status, 2);
    assert.match(name.stderr, /must end in \.safetensors/);
    assert.deepEqual(readdirSync(tmp), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('convert: a timm CheckpointSaver .pth.tar with DataParallel prefixes, human output', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-convert-'));
  try {
    const out = join(tmp, 'c.safetensors');
    const r = run([
      'convert',
      '--model',
      'qkformer-cifar10',
      '--embed-dims',
      '16',
      '--depths',
      '3',
      '--img-size',
      '16',
      '-T',
      '2',
      '--heads',
      '2',
      '--num-classes',
      '4',
      join(FIX, 'cifar-model_best.pth.tar'),
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /checkpoint\['state_dict'\] in a zip archive 'model_best\.pth', 'module\.' prefix removed/);
    assert.match(r.stdout, /epoch 299, arch QKFormer, metric 96\.18/);
    assert.ok(readSafetensors(new Uint8Array(readFileSync(out))).tensors.has('head.weight'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('convert without --model: the architecture is read from keys, shapes and args, and stored with the weights', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-convert-'));
  try {
    const out = join(tmp, 'd.safetensors');
    const r = run(['convert', '--heads', '2', join(FIX, 'imagenet-checkpoint-3.pth'), out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\n {2}config {4}embed dims 32 \(from patch_embed3\.proj3_conv\.weight \[32,16,3,3\]\)\n/);
    assert.match(r.stdout, /\n {2}config {4}T 4 \(args\.time_step\)\n/);
    const meta = JSON.parse(readSafetensors(new Uint8Array(readFileSync(out))).metadata.spikewatt!);
    const want = zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, heads: 2, numClasses: 10, timesteps: 4 }).config;
    assert.deepEqual(meta.config, want);
    assert.equal(meta.zoo, 'qkformer-imagenet-10-384');
    // Without --heads the default 6 heads cannot split the 8 channels of stage 1: one line says so.
    const bad = run(['convert', join(FIX, 'imagenet-checkpoint-3.pth'), join(tmp, 'e.safetensors')]);
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /^spikewatt: .*heads 6 \(default for qkformer-imagenet-10-384; pass --heads\) do not divide stage 1's width 8 .*\n$/,
    );
    const wrong = run([
      'convert',
      '--heads',
      '2',
      '--attention',
      'ssa',
      join(FIX, 'imagenet-checkpoint-3.pth'),
      join(tmp, 'e.safetensors'),
    ]);
    assert.equal(wrong.status, 2);
    assert.match(
      wrong.stderr,
      /--attention ssa gives attention ssa, ssa, ssa but the weights have qkta, qkta, ssa \(stage1\.0\.tssa, stage2\.0\.tssa, stage3\.0\.attn\)\n$/,
    );
    assert.deepEqual(readdirSync(tmp), ['d.safetensors']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
