import * as tf from '@tensorflow/tfjs';
import { detach, heavisideSigmoid, SURROGATE_ALPHA } from './surrogate.js';

/**
 * spikingjelly MultiStepLIFNode (tau 2, decay_input, v_reset 0, detach_reset) over the leading time axis:
 *   h_t = v_{t-1} + (x_t - v_{t-1}) / 2
 *   s_t = Heaviside(h_t - v_th)            (surrogate gradient: see surrogate.ts)
 *   v_t = h_t * (1 - detach(s_t))          (hard reset to 0; the reset carries no gradient)
 * BPTT through it (g = the surrogate derivative at h_t - v_th):
 *   dL/dh_t = dL/ds_t * g_t + dL/dv_t * (1 - s_t);   dL/dx_t = dL/dh_t / 2;   dL/dv_{t-1} = dL/dh_t / 2
 * `x` is [T*B, ...] with time-major rows (all samples of t = 0 first); returns the spikes, same shape.
 * NOTE: one fused op computed on host typed arrays: the per-step tf ops cost far more in dispatch than in math.
 */
export function lifMultiStep(x: tf.Tensor, timesteps: number, vThreshold: number): tf.Tensor {
  return fusedFor(timesteps, vThreshold)(x);
}

const fusedCache = new Map<string, (x: tf.Tensor) => tf.Tensor>();
function fusedFor(T: number, vth: number): (x: tf.Tensor) => tf.Tensor {
  const key = `${T}:${vth}`;
  let f = fusedCache.get(key);
  if (!f) {
    f = tf.customGrad((x, save) => {
      const xt = x as tf.Tensor;
      (save as tf.GradSaveFunc)([xt]);
      const xs = xt.dataSync() as Float32Array;
      const { spikes } = lifForward(xs, T, vth);
      return {
        value: tf.tensor(spikes, xt.shape, 'float32'),
        gradFunc: (dy, saved) => {
          const g = (Array.isArray(dy) ? dy[0]! : dy) as tf.Tensor;
          const sx = saved[0]!;
          return tf.tensor(lifBackward(sx.dataSync() as Float32Array, g.dataSync() as Float32Array, T, vth), sx.shape, 'float32');
        },
      };
    }) as (x: tf.Tensor) => tf.Tensor;
    fusedCache.set(key, f);
  }
  return f;
}

/** Forward pass on flat time-major data; returns spikes and the pre-reset membranes h. */
export function lifForward(x: Float32Array, T: number, vth: number): { spikes: Float32Array; h: Float32Array } {
  const n = x.length / T;
  const spikes = new Float32Array(x.length),
    h = new Float32Array(x.length);
  const v = new Float32Array(n);
  for (let t = 0; t < T; t++) {
    const o = t * n;
    for (let i = 0; i < n; i++) {
      const hv = v[i]! + (x[o + i]! - v[i]!) * 0.5;
      h[o + i] = hv;
      const s = hv >= vth ? 1 : 0;
      spikes[o + i] = s;
      v[i] = s ? 0 : hv;
    }
  }
  return { spikes, h };
}

/** dL/dx from dL/ds (BPTT, detached reset, Sigmoid surrogate with alpha 4). */
export function lifBackward(x: Float32Array, dSpikes: Float32Array, T: number, vth: number): Float32Array {
  const { spikes, h } = lifForward(x, T, vth);
  const n = x.length / T;
  const dx = new Float32Array(x.length);
  const dv = new Float32Array(n);
  for (let t = T - 1; t >= 0; t--) {
    const o = t * n;
    for (let i = 0; i < n; i++) {
      const sg = 1 / (1 + Math.exp(-SURROGATE_ALPHA * (h[o + i]! - vth)));
      const dh = dSpikes[o + i]! * SURROGATE_ALPHA * sg * (1 - sg) + dv[i]! * (1 - spikes[o + i]!);
      dx[o + i] = dh * 0.5;
      dv[i] = dh * 0.5;
    }
  }
  return dx;
}

/** The same neuron from per-step tf ops (autograd through the loop): the reference the fused op is tested against. */
export function lifMultiStepOps(x: tf.Tensor, timesteps: number, vThreshold: number): tf.Tensor {
  const shape = x.shape;
  const b = shape[0]! / timesteps;
  const xs = tf.unstack(tf.reshape(x, [timesteps, b, ...shape.slice(1)]));
  let v: tf.Tensor | null = null;
  const spikes: tf.Tensor[] = [];
  for (const xt of xs) {
    const h: tf.Tensor = v === null ? tf.mul(xt, 0.5) : tf.add(v, tf.mul(tf.sub(xt, v), 0.5));
    const s = heavisideSigmoid(tf.sub(h, vThreshold));
    v = tf.mul(h, tf.sub(1, detach(s)));
    spikes.push(s);
  }
  return tf.reshape(tf.stack(spikes), shape);
}
