import * as tf from '@tensorflow/tfjs';

/**
 * Spike with spikingjelly's Sigmoid surrogate (alpha = 4):
 *   forward  s = Heaviside(x) = [x >= 0]
 *   backward ds/dx = alpha * sigmoid(alpha x) * (1 - sigmoid(alpha x))   (= alpha/4 = 1 at x = 0)
 * where x = h - v_th.
 */
export const SURROGATE_ALPHA = 4;

export function surrogateGradient(x: number, alpha = SURROGATE_ALPHA): number {
  const s = 1 / (1 + Math.exp(-alpha * x));
  return alpha * s * (1 - s);
}

export const heavisideSigmoid: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x, save) => {
  const xt = x as tf.Tensor;
  (save as tf.GradSaveFunc)([xt]);
  return {
    value: tf.cast(tf.greaterEqual(xt, 0), 'float32'),
    gradFunc: (dy, saved) => {
      const sg = tf.sigmoid(tf.mul(saved[0]!, SURROGATE_ALPHA));
      return tf.mul(dy, tf.mul(tf.mul(sg, tf.sub(1, sg)), SURROGATE_ALPHA));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** Identity forward, zero gradient (PyTorch's `.detach()`; tfjs has no stopGradient op). */
export const detach: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x) => {
  const xt = x as tf.Tensor;
  return { value: tf.clone(xt), gradFunc: (dy) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;
