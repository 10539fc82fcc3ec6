import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderInspect } from '../../../src/cli/commands/inspect.js';
import { inspectFile, readCheckpointFile } from '../../../src/pipeline/index.js';
import { UserError } from '../../../src/cli/errors.js';
import { writeSafetensors } from '../../../src/models/formats/safetensors.js';
import { modelStats } from '../../../src/models/stats.js';
import { randomWeights } from '../../../src/models/weights.js';
import { zooModel } from '../../../src/models/zoo.js';

const FIX = fileURLToPath(new URL('../../fixtures/torch/', import.meta.url));

test('inspect an official ImageNet-layout .pth: layout, dtypes, parameters, detected config with provenance, epoch and args', () => {
  const r = inspectFile(readCheckpointFile(join(FIX, 'imagenet-checkpoint-3.pth')), { heads: 2 }, undefined);
  assert.equal(r.layout, 'zip');
  assert.deepEqual(r.dtypes, { F32: 165, I64: 31, F16: 3, BF16: 1 });
  assert.equal(r.tensors, 200);
  const spec = zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, heads: 2, numClasses: 10, timesteps: 4 });
  assert.equal(r.parameters, modelStats(spec).params);
  assert.equal(r.problem, null);
  assert.deepEqual(r.detected?.config, spec.config);
  assert.equal(r.model?.name, 'qkformer-imagenet-10-384');
  assert.equal(r.training.epoch, 3);
  assert.equal(r.training.args?.model, 'QKFormer_10_384');
  assert.equal(r.torch?.stateDictKey, 'model');
  const text = renderInspect(r);
  assert.match(text, /^.*imagenet-checkpoint-3\.pth: PyTorch zip \(torch >= 1\.6\), archive 'archive', [\d,]+ bytes\n/);
  assert.match(text, /\n {4}embed dims 32 \(from patch_embed3\.proj3_conv\.weight \[32,16,3,3\]\)\n/);
  assert.match(text, /\n {4}T 4 \(args\.time_step\)\n/);
  assert.match(text, /\n {4}heads 2, 2, 2 \(--heads 2\)\n/);
  assert.match(text, /\n {2}training {4}epoch 3\n/);
  JSON.parse(JSON.stringify(r));
});

test('inspect: timm .pth.tar with metric, legacy file that is no model, a bare safetensors', () => {
  const cifar = inspectFile(readCheckpointFile(join(FIX, 'cifar-model_best.pth.tar')), {}, undefined);
  assert.deepEqual(cifar.training.accuracy, { metric: 96.18 });
  assert.equal(cifar.training.arch, 'QKFormer');
  assert.equal(cifar.detected?.config.family, 'qkformer-cifar');
  // The default 8 heads cannot split a width of 4: reported, not fatal, since inspect only describes the file.
  assert.match(cifar.problem ?? '', /heads 8 \(default for qkformer-cifar10; pass --heads\) do not divide stage 1's width 4/);
  const legacy = inspectFile(readCheckpointFile(join(FIX, 'legacy.pth')), {}, undefined);
  assert.equal(legacy.layout, 'legacy');
  assert.equal(legacy.detected, null);
  assert.match(legacy.problem ?? '', /^not a QKFormer or Spikformer state_dict/);

  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-inspect-'));
  try {
    const spec = zooModel('spikformer-cifar10dvs', { embedDims: 32, depths: 1, imgSize: 32 });
    const path = join(tmp, 'foreign.safetensors');
    writeFileSync(path, writeSafetensors(randomWeights(spec, { seed: 1 })));
    const r = inspectFile(readCheckpointFile(path), {}, undefined);
    assert.equal(r.layout, 'safetensors');
    assert.equal(r.storedConfig, null);
    assert.deepEqual(r.detected?.config, { ...spec.config, timesteps: 16 });
    assert.match(renderInspect(r), /\n {4}img size 32 \(pos_embed \[1,4,32\]: 2x2 patches of 16 pixels\)\n/);
    assert.equal(r.model?.params, modelStats(spec).params);
    // A file that states its config: shown, and it fills what the weights do not fix (here T).
    const stated = join(tmp, 'stated.safetensors');
    writeFileSync(
      stated,
      writeSafetensors(randomWeights(spec, { seed: 1 }), {
        spikewatt: JSON.stringify({ zoo: 'spikformer-cifar10dvs', config: spec.config }),
      }),
    );
    const s = inspectFile(readCheckpointFile(stated), {}, undefined);
    assert.deepEqual(s.storedConfig, spec.config);
    assert.deepEqual(s.detected?.config, spec.config);
    assert.match(renderInspect(s), /\n {2}stored {6}the file states its config/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('inspect: flags the weights contradict are one error; unknown files are one line', () => {
  const f = readCheckpointFile(join(FIX, 'imagenet-checkpoint-3.pth'));
  assert.throws(
    () => inspectFile(f, { heads: 2, numClasses: 1000 }, undefined),
    (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(
        e.message,
        /imagenet-checkpoint-3\.pth: the command line disagrees with the weights: --num-classes 1000 gives classes 1000 but the weights have 10 \(head\.weight \[10,32\]\)$/,
      );
      return true;
    },
  );
  assert.throws(
    () => inspectFile(f, {}, 'qkformer-cifar10'),
    /--model qkformer-cifar10 is a qkformer-cifar model but the weights are qkformer-imagenet/,
  );
  assert.throws(
    () => readCheckpointFile('/nonexistent.pth'),
    /^Error: cannot read \/nonexistent\.pth: ENOENT$|cannot read \/nonexistent\.pth: ENOENT/,
  );
});

test('spikewatt inspect on the command line: text, --json, and a contradicting flag is one line with exit 2', () => {
  const bin = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
  const run = (args: string[]) => spawnSync(process.execPath, [bin, 'inspect', ...args], { encoding: 'utf8' });
  const pth = join(FIX, 'cifar-model_best.pth.tar');
  const text = run([pth, '--heads', '2']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /\n {4}classes 4 \(from head\.weight \[4,16\]\)\n/);
  const json = run([pth, '--heads', '2', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const r = JSON.parse(json.stdout) as { layout: string; detected: { config: { embedDims: number } }; training: { epoch: number } };
  assert.deepEqual([r.layout, r.detected.config.embedDims, r.training.epoch], ['zip', 16, 299]);
  const bad = run([pth, '--heads', '2', '--embed-dims', '384']);
  assert.equal(bad.status, 2);
  assert.match(
    bad.stderr,
    /^spikewatt: .*--embed-dims 384 gives embed dims 384 but the weights have 16 \(patch_embed3\.proj3_conv\.weight \[16,8,3,3\]\)\n$/,
  );
});
