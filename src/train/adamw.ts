import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}
export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };

/**
 * AdamW (Loshchilov & Hutter; PyTorch's torch.optim.AdamW):
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p = p - lr * wd * p  (decoupled decay, only for keys in `decay`)
 *   p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 */
export class AdamW {
  readonly opts: AdamWOptions;
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(opts: Partial<AdamWOptions> = {}) {
    this.opts = { ...ADAMW_DEFAULTS, ...opts };
  }

  apply(params: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number, decay: (key: string) => boolean): void {
    this.step++;
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.opts;
    const c1 = 1 - b1 ** this.step,
      c2 = 1 - b2 ** this.step;
    for (const [key, g] of Object.entries(grads)) {
      const p = params.get(key);
      if (!p) throw new Error(`gradient for unknown parameter ${key}`);
      tf.tidy(() => {
        const m = this.slot(this.m, key, p),
          v = this.slot(this.v, key, p);
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        let next: tf.Tensor = p;
        if (decay(key) && weightDecay > 0) next = tf.mul(next, 1 - lr * weightDecay);
        next = tf.sub(next, tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps)), lr));
        p.assign(next);
      });
    }
  }

  private slot(map: Map<string, tf.Variable>, key: string, p: tf.Variable): tf.Variable {
    let s = map.get(key);
    if (!s) {
      s = tf.variable(tf.zerosLike(p), false);
      map.set(key, s);
    }
    return s;
  }

  /** Moment estimates as named tensors (for resuming). */
  state(): { step: number; tensors: Map<string, { shape: number[]; data: Float32Array }> } {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, t] of this.m) tensors.set(`m.${k}`, { shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
    for (const [k, t] of this.v) tensors.set(`v.${k}`, { shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
    return { step: this.step, tensors };
  }

  load(step: number, tensors: Map<string, { shape: number[]; data: Float32Array | Float64Array }>): void {
    this.step = step;
    for (const [name, t] of tensors) {
      const which = name.startsWith('m.') ? this.m : name.startsWith('v.') ? this.v : null;
      if (!which) continue;
      which.get(name.slice(2))?.dispose();
      which.set(name.slice(2), tf.variable(tf.tensor(Float32Array.from(t.data), t.shape, 'float32'), false));
    }
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }
}
