import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors.js';
import { convert, inspect, inspectFile, readCheckpointFile, resolveModel } from '../../src/pipeline/index.js';
import { zooModel } from '../../src/models/zoo.js';

const FIX = fileURLToPath(new URL('../fixtures/torch/', import.meta.url));

test('convert as a library: writes only the output, which then resolves to the detected model; inspect reads it back', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-convert-lib-'));
  try {
    const output = join(tmp, 'imagenet.safetensors');
    const r = convert({ input: join(FIX, 'imagenet-checkpoint-3.pth'), output, overrides: { heads: 2 } });
    assert.deepEqual(readdirSync(tmp), ['imagenet.safetensors']);
    const want = zooModel('qkformer-imagenet-10-384', { embedDims: 32, depths: 4, heads: 2, numClasses: 10, timesteps: 4 });
    assert.deepEqual(r.config, want.config);
    assert.equal(r.zoo, 'qkformer-imagenet-10-384');
    assert.equal(r.source.format, 'zip');
    assert.equal(r.source.epoch, 3);
    assert.ok(r.detected?.lines.some((l) => /^T 4 \(args\.time_step\)$/.test(l)));
    assert.deepEqual(resolveModel(output).spec.config, want.config);
    const back = inspect({ file: output });
    assert.deepEqual(back.storedConfig, want.config);
    assert.equal(back.layout, 'safetensors');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('convert and inspect: bad input is an InputError; inspect equals inspectFile of the same file', () => {
  assert.throws(
    () => convert({ input: join(FIX, 'cifar-model_best.pth.tar'), output: '/tmp/x.bin', model: 'qkformer-cifar10' }),
    (e: unknown) => e instanceof InputError && /output \/tmp\/x\.bin must end in \.safetensors/.test(e.message),
  );
  assert.throws(() => convert({ input: '/nonexistent.pth', output: '/tmp/x.safetensors' }), /cannot read \/nonexistent\.pth: ENOENT/);
  assert.throws(() => inspect({ file: join(FIX, 'cifar-model_best.pth.tar'), model: 'resnet' }), /unknown model 'resnet'/);
  const file = join(FIX, 'cifar-model_best.pth.tar');
  assert.deepEqual(inspect({ file, overrides: { heads: 2 } }), inspectFile(readCheckpointFile(file), { heads: 2 }, undefined));
});
