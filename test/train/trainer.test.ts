import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf } from '../../src/train/backend.js';
import { AdamW } from '../../src/train/adamw.js';
import { makeBatch, shuffled } from '../../src/train/batch.js';
import { DenseModel, trainingInit } from '../../src/train/dense.js';
import { smoothedCrossEntropy } from '../../src/train/loss.js';
import { cosineLr } from '../../src/train/schedule.js';
import { trainEpochs } from '../../src/train/trainer.js';
import { syntheticDataset } from '../../src/data/synthetic.js';
import { zooModel } from '../../src/models/zoo.js';
import { mulberry32 } from '../../src/models/weights.js';

await initTf({ prefer: 'wasm' });

const tinySpec = () =>
  zooModel('qkformer-cifar10', { imgSize: 8, inChannels: 1, embedDims: 16, depths: 3, heads: 2, timesteps: 2, numClasses: 4 });

function lossOn(m: DenseModel, x: tf.Tensor4D, labels: Int32Array): number {
  return tf.tidy(() => smoothedCrossEntropy(m.forward(x, 'train'), labels, 0).dataSync()[0]!);
}

test('a few AdamW steps lower the loss on a tiny synthetic set', () => {
  const data = syntheticDataset({ kind: 'static', split: 'train', length: 16, numClasses: 4, channels: 1, size: 8 });
  const spec = tinySpec();
  const m = new DenseModel(spec, trainingInit(spec, 0));
  const b = makeBatch(
    data,
    Array.from({ length: 16 }, (_, i) => i),
  );
  const x = tf.tensor4d(b.x, b.shape);
  const before = lossOn(m, x, b.labels);
  trainEpochs(
    m,
    data,
    {
      epochs: 12,
      batchSize: 16,
      lr: 1e-2,
      minLr: 1e-2,
      warmupEpochs: 0,
      weightDecay: 0,
      labelSmoothing: 0,
      seed: 1,
      augment: { cropPad: 0, flip: false },
    },
    0,
    new AdamW(),
  );
  const after = lossOn(m, x, b.labels);
  assert.ok(after < before * 0.8, `loss ${before} -> ${after}`);
  m.dispose();
});

test('cosine schedule: linear warm-up, peak, decay to minLr', () => {
  const s = { lr: 1, minLr: 0.1, warmupSteps: 4, totalSteps: 14 };
  assert.equal(cosineLr(s, 0), 0.25);
  assert.equal(cosineLr(s, 3), 1);
  assert.equal(cosineLr(s, 4), 1);
  assert.ok(Math.abs(cosineLr(s, 9) - 0.55) < 1e-12);
  assert.ok(Math.abs(cosineLr(s, 14) - 0.1) < 1e-12);
});

test('AdamW: first step moves each weight by lr (sign of the gradient) plus decoupled decay', () => {
  const p = tf.variable(tf.tensor1d([1, -2]));
  const opt = new AdamW({ weightDecay: 0.5 });
  opt.apply(new Map([['w', p]]), { w: tf.tensor1d([3, -0.001]) }, 0.1, () => true);
  const v = p.dataSync();
  // p * (1 - lr*wd) - lr * m_hat / (sqrt(v_hat) + eps), m_hat/sqrt(v_hat) = sign(g)
  assert.ok(Math.abs(v[0]! - (1 * 0.95 - 0.1)) < 1e-5);
  assert.ok(Math.abs(v[1]! - (-2 * 0.95 + 0.1)) < 1e-4);
  assert.equal(opt.state().step, 1);
});

test('seeded shuffling and augmentation are reproducible; crop and flip move pixels', () => {
  assert.deepEqual(shuffled(10, mulberry32(3)), shuffled(10, mulberry32(3)));
  assert.notDeepEqual(shuffled(10, mulberry32(3)), shuffled(10, mulberry32(4)));
  const data = syntheticDataset({ kind: 'static', split: 'train', length: 8, numClasses: 4, channels: 1, size: 8 });
  const idx = [0, 1, 2, 3, 4, 5, 6, 7];
  const a = makeBatch(data, idx, { cropPad: 2, flip: true }, mulberry32(5));
  const b = makeBatch(data, idx, { cropPad: 2, flip: true }, mulberry32(5));
  const plain = makeBatch(data, idx);
  assert.deepEqual(a.x, b.x);
  assert.notDeepEqual(a.x, plain.x);
  // Flip only: sample 0's row is mirrored.
  const f = makeBatch(data, [0], { cropPad: 0, flip: true }, () => 0.1);
  for (let x = 0; x < 8; x++) assert.equal(f.x[x], plain.x[7 - x]);
});
