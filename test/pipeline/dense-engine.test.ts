import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDenseEngine, missingPackage } from '../../src/pipeline/dense-engine.js';

test('missingPackage names the package of a module-not-found error, scoped or not, and nothing else', () => {
  const err = (message: string, code: string) => Object.assign(new Error(message), { code });
  const scoped = err("Cannot find package '@tensorflow/tfjs' imported from /x/dist/train/adamw.js", 'ERR_MODULE_NOT_FOUND');
  assert.equal(missingPackage(scoped), '@tensorflow/tfjs');
  assert.equal(missingPackage(err("Cannot find module 'gpu.js/dist/index.js'\nRequire stack:", 'MODULE_NOT_FOUND')), 'gpu.js');
  assert.equal(missingPackage(err("Cannot find package '@tensorflow/tfjs'", 'EACCES')), null);
  assert.equal(missingPackage(new Error('boom')), null);
  assert.equal(missingPackage(null), null);
});

test('the dense engine loads when tfjs is installed (a checkout has it as a dev dependency)', async () => {
  const tf = await loadDenseEngine('eval');
  assert.equal(typeof tf.initTf, 'function');
  assert.equal(typeof tf.DenseModel, 'function');
  assert.equal(typeof tf.evaluateDense, 'function');
});
