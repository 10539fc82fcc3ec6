import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf } from '../../src/train/backend.js';
import { heavisideSigmoid, surrogateGradient, SURROGATE_ALPHA } from '../../src/train/surrogate.js';
import { lifBackward, lifForward, lifMultiStep, lifMultiStepOps } from '../../src/train/lif.js';
import { mulberry32 } from '../../src/models/weights.js';

await initTf({ prefer: 'wasm' });

test('Sigmoid surrogate: alpha/4 = 1 at 0, symmetric, decaying', () => {
  assert.equal(SURROGATE_ALPHA, 4);
  assert.equal(surrogateGradient(0), 1);
  assert.ok(Math.abs(surrogateGradient(0.5) - surrogateGradient(-0.5)) < 1e-12);
  const s = 1 / (1 + Math.exp(-2));
  assert.ok(Math.abs(surrogateGradient(0.5) - 4 * s * (1 - s)) < 1e-12);
  assert.ok(surrogateGradient(2) < 0.01);
});

test('heavisideSigmoid: Heaviside forward, surrogate backward through tf.grad', () => {
  const xs = [-1, -0.25, 0, 0.25, 1];
  const x = tf.tensor1d(xs);
  assert.deepEqual(Array.from(heavisideSigmoid(x).dataSync()), [0, 0, 1, 1, 1]);
  const g = tf
    .grad((v: tf.Tensor) => tf.sum(heavisideSigmoid(v)))(x)
    .dataSync();
  xs.forEach((v, i) => assert.ok(Math.abs(g[i]! - surrogateGradient(v)) < 1e-6, `x=${v}: ${g[i]} vs ${surrogateGradient(v)}`));
  assert.ok(Math.abs(g[2]! - 1) < 1e-6);
});

test('LIF forward: charge, fire at h >= v_th, hard reset (hand-computed)', () => {
  // T = 3, one neuron, constant input 1.5, v_th 1: h0 = 0.75 (no spike), h1 = 0.75 + 0.375 = 1.125 (spike, v=0), h2 = 0.75.
  const { spikes, h } = lifForward(Float32Array.from([1.5, 1.5, 1.5]), 3, 1);
  assert.deepEqual(Array.from(spikes), [0, 1, 0]);
  assert.deepEqual(Array.from(h), [0.75, 1.125, 0.75]);
  // v_th 0.5 (attention LIF): input 1 fires at every step.
  assert.deepEqual(Array.from(lifForward(Float32Array.from([1, 1]), 2, 0.5).spikes), [1, 1]);
});

test('fused LIF equals autograd through the per-step tf ops (spikes and BPTT gradients)', () => {
  const rand = mulberry32(3);
  const T = 4,
    n = 2 * 3 * 5;
  const x = tf.tensor(
    Float32Array.from({ length: T * n }, () => 3 * rand() - 0.5),
    [T * 2, 3, 5],
  );
  const w = tf.tensor(
    Float32Array.from({ length: T * n }, () => rand() - 0.5),
    [T * 2, 3, 5],
  );
  for (const vth of [1, 0.5]) {
    const a = lifMultiStep(x, T, vth).dataSync(),
      b = lifMultiStepOps(x, T, vth).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.ok(a.some((v) => v === 1) && a.some((v) => v === 0), 'test input must both fire and not fire');
    const ga = tf
      .grad((v: tf.Tensor) => tf.sum(tf.mul(lifMultiStep(v, T, vth), w)))(x)
      .dataSync();
    const gb = tf
      .grad((v: tf.Tensor) => tf.sum(tf.mul(lifMultiStepOps(v, T, vth), w)))(x)
      .dataSync();
    for (let i = 0; i < ga.length; i++) assert.ok(Math.abs(ga[i]! - gb[i]!) < 1e-5, `grad ${i}: ${ga[i]} vs ${gb[i]}`);
  }
});

test('LIF BPTT: the reset is detached, the leak carries gradient to earlier steps', () => {
  // Two steps, x = [0.5, 0.5], v_th 1: h0 = 0.25, h1 = 0.25 + 0.125 = 0.375; loss = s1.
  // dL/dh1 = g(0.375 - 1); dL/dx1 = dL/dh1 / 2; dL/dh0 = dL/dv0 * (1 - s0) = dL/dh1 / 2; dL/dx0 = dL/dh1 / 4.
  const dx = lifBackward(Float32Array.from([0.5, 0.5]), Float32Array.from([0, 1]), 2, 1);
  const g = surrogateGradient(0.375 - 1);
  assert.ok(Math.abs(dx[1]! - g / 2) < 1e-6);
  assert.ok(Math.abs(dx[0]! - g / 4) < 1e-6);
  // After a spike at t = 0 the reset cuts the path: x = [4, 0], loss = s1 gives dL/dx0 = g(h0 - 1) * 0 path only.
  const dx2 = lifBackward(Float32Array.from([4, 0]), Float32Array.from([0, 1]), 2, 1);
  assert.equal(dx2[0], 0);
});
