import * as tf from '@tensorflow/tfjs';

/**
 * Max pooling (PyTorch MaxPool2d: window k, stride s, padding p with -inf, floor rounding) on NHWC, as one
 * host-computed op with its own gradient: dL/dx[argmax of each window] += dL/dy (the first maximum in
 * row-major window order wins ties, as in PyTorch).
 * NOTE: written by hand because tfjs-backend-wasm's MaxPoolGrad returns wrong gradients for some shapes
 * with batch and channels > 1 (see test/train/maxpool.test.ts).
 */
export function maxPoolNhwc(x: tf.Tensor4D, k: number, s: number, p: number): tf.Tensor4D {
  const key = `${k}:${s}:${p}`;
  let f = cache.get(key);
  if (!f) {
    f = make(k, s, p);
    cache.set(key, f);
  }
  return f(x) as tf.Tensor4D;
}

const cache = new Map<string, (x: tf.Tensor) => tf.Tensor>();

function make(k: number, s: number, p: number): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((x, save) => {
    const xt = x as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xt]);
    const { y, shape } = pool(xt.dataSync() as Float32Array, xt.shape, k, s, p);
    return {
      value: tf.tensor4d(y, shape),
      gradFunc: (dy, saved) => {
        const sx = saved[0] as tf.Tensor4D;
        const g = ((Array.isArray(dy) ? dy[0] : dy) as tf.Tensor).dataSync() as Float32Array;
        const { arg } = pool(sx.dataSync() as Float32Array, sx.shape, k, s, p);
        const dx = new Float32Array(sx.size);
        for (let i = 0; i < arg.length; i++) dx[arg[i]!]! += g[i]!;
        return tf.tensor4d(dx, sx.shape);
      },
    };
  }) as (x: tf.Tensor) => tf.Tensor;
}

/** Forward max pooling with the flat input index of each output's maximum. */
export function pool(
  x: Float32Array,
  shape: readonly number[],
  k: number,
  s: number,
  p: number,
): { y: Float32Array; arg: Int32Array; shape: [number, number, number, number] } {
  const [n, h, w, c] = shape as [number, number, number, number];
  const oh = Math.floor((h + 2 * p - k) / s) + 1,
    ow = Math.floor((w + 2 * p - k) / s) + 1;
  const y = new Float32Array(n * oh * ow * c),
    arg = new Int32Array(y.length);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity,
            bi = -1;
          for (let dy = 0; dy < k; dy++) {
            const iy = oy * s + dy - p;
            if (iy < 0 || iy >= h) continue;
            for (let dx = 0; dx < k; dx++) {
              const ix = ox * s + dx - p;
              if (ix < 0 || ix >= w) continue;
              const idx = ((b * h + iy) * w + ix) * c + ch;
              if (x[idx]! > best || bi < 0) {
                best = x[idx]!;
                bi = idx;
              }
            }
          }
          const o = ((b * oh + oy) * ow + ox) * c + ch;
          y[o] = best;
          arg[o] = bi;
        }
      }
    }
  }
  return { y, arg, shape: [n, oh, ow, c] };
}
