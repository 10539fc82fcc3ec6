import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import { datasetForms, datasetKinds, describeDataset, hardwareProfile, listCores, listModels, zooSpec } from '../../src/pipeline/index.js';

test('the catalogues: zoo parameters, dataset kinds and one dataset described, cores, profiles', () => {
  const [cifar] = listModels(['qkformer-cifar10']);
  assert.equal(cifar!.params, 6_706_234);
  assert.deepEqual(cifar!.inputShape, [3, 32, 32]);
  assert.deepEqual(listModels(['qkformer-cifar10'], { attention: ['ssa'] })[0]!.attention, ['ssa', 'ssa', 'ssa']);
  assert.throws(
    () => zooSpec('resnet'),
    (e: unknown) => e instanceof InputError && /unknown model 'resnet'/.test(e.message),
  );

  assert.ok(datasetKinds().some((d) => d.name === 'synthetic' && d.path === 'none'));
  assert.match(datasetForms(), /fashion-mnist\[:PATH\]/);
  const d = describeDataset('synthetic', { limit: 10 });
  assert.equal(d.scanned, 10);
  assert.equal(
    d.labelCounts.reduce((a, b) => a + b, 0),
    10,
  );
  assert.throws(() => describeDataset('synthetic', { split: 'val' }), /unknown --split 'val' \(use train, test\)/);
  assert.throws(
    () => describeDataset('cifar10:/nonexistent'),
    (e: unknown) => e instanceof InputError,
  );

  const cores = listCores();
  assert.ok(cores.cores.some((c) => c.name === 'reference' && c.mode === 'float64'));
  assert.throws(() => listCores('opengl'), /unknown --gpu-mode 'opengl'/);

  const odin = hardwareProfile('odin');
  assert.equal(odin.profile.name, 'odin');
  assert.match(odin.file, /hardware-profiles\/odin\.json$/);
});
