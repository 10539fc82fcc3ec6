import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf } from '../../src/train/backend.js';
import { conv2dNhwc, convIm2col } from '../../src/train/conv.js';
import { mulberry32 } from '../../src/models/weights.js';

/**
 * Our convolutions (run on wasm, which lacks Conv2DBackpropFilter) against tfjs's own conv2d and its gradients
 * on the cpu backend.
 */
interface Case {
  n: number;
  h: number;
  c: number;
  o: number;
  k: number;
  stride: number;
  pad: number;
}
const CASES: Case[] = [
  { n: 2, h: 6, c: 3, o: 4, k: 3, stride: 1, pad: 1 },
  { n: 2, h: 7, c: 2, o: 3, k: 1, stride: 2, pad: 0 },
  { n: 1, h: 6, c: 4, o: 2, k: 1, stride: 1, pad: 0 },
  { n: 2, h: 7, c: 2, o: 3, k: 3, stride: 2, pad: 1 },
];

function data(len: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: len }, () => 2 * r() - 1);
}

type Fn = (x: tf.Tensor4D, w: tf.Tensor) => tf.Tensor4D;
function run(fn: Fn, cs: Case, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const xt = tf.tensor4d(x, [cs.n, cs.h, cs.h, cs.c]);
  const wt = tf.tensor(w, [cs.o, cs.c, cs.k, cs.k]);
  const y = fn(xt, wt);
  const dyt = tf.tensor(dy, y.shape);
  const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor4D, b), dyt)))([xt, wt]);
  return {
    y: y.dataSync().slice() as Float32Array,
    shape: y.shape,
    gx: gx!.dataSync().slice() as Float32Array,
    gw: gw!.dataSync().slice() as Float32Array,
  };
}

function close(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  assert.ok(worst < 1e-4, `${what}: max abs diff ${worst}`);
}

test('wasm has no Conv2DBackpropFilter (why conv.ts exists)', async () => {
  await initTf({ prefer: 'wasm' });
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
});

for (const cs of CASES) {
  test(`conv k${cs.k} s${cs.stride} p${cs.pad} ${cs.h}x${cs.h}x${cs.c}->${cs.o}: values and gradients match tfjs cpu`, async () => {
    const x = data(cs.n * cs.h * cs.h * cs.c, 1),
      w = data(cs.o * cs.c * cs.k * cs.k, 2);
    const outH = Math.floor((cs.h + 2 * cs.pad - cs.k) / cs.stride) + 1;
    const dy = data(cs.n * outH * outH * cs.o, 3);
    await initTf({ prefer: 'wasm' });
    const ours = run((a, b) => conv2dNhwc(a, b, cs.k, cs.stride, cs.pad), cs, x, w, dy);
    const im2col = run((a, b) => convIm2col(a, b, cs.k, cs.stride, cs.pad), cs, x, w, dy);
    await tf.setBackend('cpu');
    const ref = run(
      (a, b) => {
        const [o, c, k] = b.shape as [number, number, number, number];
        const f = tf.transpose(tf.reshape(b, [o, c, k, k]), [2, 3, 1, 0]) as tf.Tensor4D;
        return tf.conv2d(
          a,
          f,
          cs.stride,
          cs.pad === 0
            ? 'valid'
            : [
                [0, 0],
                [cs.pad, cs.pad],
                [cs.pad, cs.pad],
                [0, 0],
              ],
        );
      },
      cs,
      x,
      w,
      dy,
    );
    await tf.setBackend('wasm');
    assert.deepEqual(ours.shape, ref.shape);
    for (const [name, r] of [
      ['conv2dNhwc', ours],
      ['convIm2col', im2col],
    ] as const) {
      close(r.y, ref.y, `${name} forward`);
      close(r.gx, ref.gx, `${name} input gradient`);
      close(r.gw, ref.gw, `${name} filter gradient`);
    }
  });
}
