import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf } from '../../src/train/backend.js';
import { maxPoolNhwc, pool } from '../../src/train/maxpool.js';
import { mulberry32 } from '../../src/models/weights.js';

await initTf({ prefer: 'wasm' });

test('maxpool 3/2/1 forward: hand example (PyTorch padding, first maximum wins ties)', () => {
  // 1x4x4x1: windows rows/cols {-1,0,1} and {1,2,3}.
  const x = Float32Array.from([1, 5, 3, 2, 7, 4, 0, 6, 9, 8, 2, 1, 3, 4, 6, 5]);
  const r = pool(x, [1, 4, 4, 1], 3, 2, 1);
  assert.deepEqual(Array.from(r.y), [7, 6, 9, 8]);
  assert.deepEqual(Array.from(r.arg), [4, 7, 8, 9]);
  const ties = pool(new Float32Array(4).fill(2), [1, 2, 2, 1], 3, 2, 1);
  assert.deepEqual(Array.from(ties.arg), [0]);
});

test('maxpool forward and gradient equal tfjs cpu (where wasm MaxPoolGrad is wrong)', async () => {
  const shape: [number, number, number, number] = [3, 7, 7, 4];
  const r = mulberry32(4);
  const x = Float32Array.from({ length: 3 * 49 * 4 }, () => r());
  const w = Float32Array.from({ length: 3 * 16 * 4 }, () => r() - 0.5);
  const xt = tf.tensor4d(x, shape),
    wt = tf.tensor4d(w, [3, 4, 4, 4]);
  const ours = maxPoolNhwc(xt, 3, 2, 1).dataSync();
  const gOurs = tf
    .grad((v: tf.Tensor) => tf.sum(tf.mul(maxPoolNhwc(v as tf.Tensor4D, 3, 2, 1), wt)))(xt)
    .dataSync();
  await tf.setBackend('cpu');
  const ref = tf.maxPool(xt, 3, 2, 1).dataSync();
  const gRef = tf
    .grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 3, 2, 1), wt)))(xt)
    .dataSync();
  await tf.setBackend('wasm');
  assert.deepEqual(Array.from(ours), Array.from(ref));
  for (let i = 0; i < gRef.length; i++) assert.ok(Math.abs(gOurs[i]! - gRef[i]!) < 1e-6, `grad ${i}: ${gOurs[i]} vs ${gRef[i]}`);
});
