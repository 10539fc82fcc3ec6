import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../../src/models/formats/safetensors.js';
import { randomWeights } from '../../src/models/weights.js';
import { zooModel } from '../../src/models/zoo.js';
import { resolveModel } from '../../src/pipeline/index.js';
import { InputError } from '../../src/errors.js';

test('a .safetensors checkpoint gives its spec from the metadata spikewatt train writes; a bare file is detected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-ckpt-'));
  try {
    const spec = zooModel('qkformer-cifar10', {
      imgSize: 8,
      inChannels: 1,
      embedDims: 32,
      depths: 3,
      timesteps: 2,
      numClasses: 10,
      attention: ['ssa'],
    });
    const tensors = randomWeights(spec, { seed: 3 });
    const path = join(dir, 'm.safetensors');
    writeFileSync(
      path,
      writeSafetensors(tensors, {
        spikewatt: JSON.stringify({ format: 'spikewatt-checkpoint', version: 1, zoo: 'qkformer-cifar10', config: spec.config }),
      }),
    );
    const m = resolveModel(path);
    assert.equal(m.checkpoint, path);
    assert.deepEqual(m.spec.config, spec.config);
    assert.deepEqual(
      m.spec.layers.map((l) => l.name),
      spec.layers.map((l) => l.name),
    );
    assert.equal(resolveModel(path, { overrides: { timesteps: 3 } }).spec.config.timesteps, 3);
    const bare = join(dir, 'bare.safetensors');
    writeFileSync(bare, writeSafetensors(tensors));
    // A file without that metadata: the architecture is read from its keys and shapes, flags fill the rest.
    const detected = resolveModel(bare, { overrides: { imgSize: 8, timesteps: 2 } });
    assert.deepEqual(detected.spec.config, spec.config);
    assert.match(
      detected.detected ?? '',
      /bare\.safetensors: model qkformer-cifar10 read from the weights \(qkformer-cifar, embed dims 32, depths 3/,
    );
    assert.throws(
      () => resolveModel(bare, { overrides: { embedDims: 64 } }),
      (e: unknown) =>
        e instanceof InputError &&
        /--embed-dims 64 gives embed dims 64 but the weights have 32 \(patch_embed3\.proj3_conv\.weight \[32,16,3,3\]\)/.test(e.message),
    );
    assert.throws(() => resolveModel(join(dir, 'official.pth')), /official\.pth: cannot read \(ENOENT\)/);
    assert.throws(() => resolveModel('qkformer-cifar11'), /unknown model 'qkformer-cifar11'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
