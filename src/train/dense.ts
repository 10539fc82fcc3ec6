import * as tf from '@tensorflow/tfjs';
import { BN_EPS } from '../models/fold.js';
import { ConfigError } from '../models/config-error.js';
import { convGroups, type ConvLayer, type LayerSpec, type ModelSpec } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import { shapeNumel } from '../models/tensor.js';
import { gaussian, mulberry32 } from '../models/weights.js';
import { conv2dNhwc } from './conv.js';
import { lifMultiStep } from './lif.js';
import { maxPoolNhwc } from './maxpool.js';

/** PyTorch BatchNorm momentum: running = (1 - m) * running + m * batch (running_var from the unbiased variance). */
export const BN_MOMENTUM = 0.1;

export type DenseMode = 'train' | 'eval';

let nextModelId = 0;

/**
 * Dense tfjs executor of any ModelSpec. Activations are NHWC with time merged into the batch, time-major:
 * row t*B + b is sample b at step t (the official code's `x.flatten(0, 1)`). Synaptic layers, pooling and the
 * attention products are stateless, so they run on all T steps at once; only the LIF layers loop over t.
 * This gives exactly the time-major simulation's values for independent samples.
 * Parameters are tf.Variables keyed by the official state_dict names, in the official layouts.
 */
export class DenseModel {
  readonly spec: ModelSpec;
  readonly vars = new Map<string, tf.Variable>();
  /** Keys of the trainable parameters (BN running statistics are not). */
  readonly trainable: string[] = [];
  batchesTracked = 0;
  /** tfjs variable names are global: each model prefixes its keys with a unique id. */
  private readonly prefix = `dense${nextModelId++}/`;

  constructor(spec: ModelSpec, weights: TensorMap) {
    this.spec = spec;
    for (const k of spec.stateKeys) {
      if (!k.used || k.key.endsWith('num_batches_tracked')) continue;
      const t = weights.get(k.key);
      if (!t) throw new Error(`weights lack ${k.key}`);
      if (shapeNumel(t.shape) !== shapeNumel(k.shape))
        throw new Error(`${k.key}: expected [${k.shape.join(',')}], got [${t.shape.join(',')}]`);
      const trainable = k.role === 'param';
      this.vars.set(k.key, tf.variable(tf.tensor(Float32Array.from(t.data), k.shape, 'float32'), trainable, this.prefix + k.key));
      if (trainable) this.trainable.push(k.key);
    }
  }

  /** The state_dict key of one of this model's tfjs variable names. */
  keyOf(variableName: string): string {
    return variableName.startsWith(this.prefix) ? variableName.slice(this.prefix.length) : variableName;
  }

  private v(key: string): tf.Variable {
    const x = this.vars.get(key);
    if (!x) throw new Error(`no parameter ${key}`);
    return x;
  }

  /**
   * Logits [B, classes]. `x`: static images [B, H, W, C] (repeated over T), or DVS frames [T*B, H, W, C]
   * time-major. In 'train' mode BatchNorm normalises with the batch statistics (over T*B*H*W, biased variance)
   * and `bnUpdates` receives the new running statistics (kept tensors; apply them with `applyBnUpdates`).
   */
  forward(x: tf.Tensor4D, mode: DenseMode, bnUpdates?: Map<string, tf.Tensor>): tf.Tensor2D {
    const T = this.spec.config.timesteps;
    const input =
      this.spec.config.input === 'static'
        ? tf.reshape(tf.tile(tf.expandDims(x, 0), [T, 1, 1, 1, 1]), [T * x.shape[0], x.shape[1], x.shape[2], x.shape[3]])
        : x;
    const acts = new Map<string, tf.Tensor>([['input', input]]);
    let logits: tf.Tensor2D | null = null;
    for (const l of this.spec.layers) {
      const ins = l.inputs.map((n) => {
        const a = acts.get(n);
        if (!a) throw new Error(`${l.name}: input ${n} not computed`);
        return a;
      });
      if (l.kind === 'head') {
        logits = this.head(l, ins[0]!, T);
        continue;
      }
      acts.set(l.name, this.layer(l, ins, T, mode, bnUpdates));
    }
    if (!logits) throw new Error(`model ${this.spec.name} has no head`);
    return logits;
  }

  private layer(
    l: Exclude<LayerSpec, { kind: 'head' }>,
    ins: tf.Tensor[],
    T: number,
    mode: DenseMode,
    upd?: Map<string, tf.Tensor>,
  ): tf.Tensor {
    const a = ins[0]!;
    switch (l.kind) {
      case 'conv':
        return this.conv(l, a as tf.Tensor4D, mode, upd);
      case 'maxpool':
        return maxPoolNhwc(a as tf.Tensor4D, l.k, l.stride, l.pad);
      case 'avgpool':
        throw new ConfigError(`${l.name}: the dense executor has no average pooling`);
      case 'lif':
        if (l.neuron) throw new ConfigError(`${l.name}: the dense executor runs spikingjelly's default LIF only (tau 2, hard reset to 0)`);
        return lifMultiStep(a, T, l.vThreshold);
      case 'add':
      case 'membraneAdd':
        return tf.add(a, ins[1]!);
      case 'spikeAnd':
        return tf.mul(a, ins[1]!);
      case 'multiSpike':
        throw new ConfigError(`${l.name}: the dense executor runs LIF neurons only, not multi-level integer spikes`);
      case 'bnPad':
        throw new ConfigError(`${l.name}: the dense executor has no BN-and-pad (RepConv)`);
      case 'headSum': {
        const [n, h, w, c] = a.shape as [number, number, number, number];
        return tf.sum(tf.reshape(a, [n, h, w, l.heads, c / l.heads]), 4);
      }
      case 'tokenSum':
        return tf.sum(a, [1, 2], true);
      case 'tokenMean':
        return tf.mean(a, [1, 2], true);
      case 'mask': {
        const k = ins[1]!;
        if (l.mode === 'channel') return tf.mul(a, k);
        const [n, h, w, c] = k.shape as [number, number, number, number];
        return tf.reshape(tf.mul(tf.reshape(a, [n, h, w, l.heads, 1]), tf.reshape(k, [n, h, w, l.heads, c / l.heads])), [n, h, w, c]);
      }
      case 'ssaProduct': {
        const [n, h, w, c] = a.shape as [number, number, number, number];
        const d = c / l.heads,
          N = h * w;
        const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [n, N, l.heads, d]), [0, 2, 1, 3]);
        const q = split(a),
          k = split(ins[1]!),
          v = split(ins[2]!);
        const y = l.order === 'q(kv)' ? tf.matMul(q, tf.matMul(k, v, true, false)) : tf.matMul(tf.matMul(q, k, false, true), v);
        return tf.reshape(tf.transpose(tf.mul(y, l.scale), [0, 2, 1, 3]), [n, h, w, c]);
      }
    }
  }

  private conv(l: ConvLayer, x: tf.Tensor4D, mode: DenseMode, upd?: Map<string, tf.Tensor>): tf.Tensor {
    if (convGroups(l) !== 1) throw new ConfigError(`${l.name}: the dense executor runs groups 1 only (this conv has ${l.groups} groups)`);
    if (l.bn2 !== undefined) throw new ConfigError(`${l.name}: the dense executor runs one BatchNorm per conv, not two`);
    let y: tf.Tensor = conv2dNhwc(x, this.v(`${l.name}.weight`), l.k, l.stride, l.pad);
    if (l.bias) y = tf.add(y, this.v(`${l.name}.bias`));
    if (!l.bn) return y;
    const gamma = this.v(`${l.bn}.weight`),
      beta = this.v(`${l.bn}.bias`);
    const rm = this.v(`${l.bn}.running_mean`),
      rv = this.v(`${l.bn}.running_var`);
    if (mode === 'eval') {
      return tf.add(tf.mul(tf.sub(y, rm), tf.mul(gamma, tf.rsqrt(tf.add(rv, BN_EPS)))), beta);
    }
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    if (upd) {
      const count = y.size / y.shape[3]!;
      const unbiased = tf.mul(variance, count / Math.max(1, count - 1));
      upd.set(`${l.bn}.running_mean`, tf.keep(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM))));
      upd.set(`${l.bn}.running_var`, tf.keep(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM))));
    }
    return tf.add(tf.mul(tf.sub(y, mean), tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPS)))), beta);
  }

  private head(l: Extract<LayerSpec, { kind: 'head' }>, x: tf.Tensor, T: number): tf.Tensor2D {
    const c = l.inFeatures;
    const feat = tf.mean(tf.reshape(x, [T, x.shape[0]! / T, c]), 0) as tf.Tensor2D;
    return tf.add(tf.matMul(feat, this.v(`${l.name}.weight`), false, true), this.v(`${l.name}.bias`));
  }

  /** Writes the running statistics collected by a training forward and disposes them. */
  applyBnUpdates(upd: Map<string, tf.Tensor>): void {
    for (const [k, t] of upd) {
      this.v(k).assign(t);
      t.dispose();
    }
    upd.clear();
    this.batchesTracked++;
  }

  /** Current values as a TensorMap in the official layouts (float32). */
  toTensorMap(): TensorMap {
    const out: TensorMap = new Map();
    for (const [k, v] of this.vars) out.set(k, { shape: [...v.shape], data: Float32Array.from(v.dataSync()), dtype: 'F32' });
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/**
 * PyTorch-like training initialisation: conv/linear weights U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming
 * uniform with a = sqrt(5)), biases likewise, BatchNorm gamma 1, beta 0, running mean 0, var 1; the head
 * N(0, 0.02^2) with bias 0 (the official `_init_weights`). Seeded.
 */
export function trainingInit(spec: ModelSpec, seed: number): TensorMap {
  const rand = mulberry32(seed);
  const gauss = gaussian(rand);
  const out: TensorMap = new Map();
  const bnNames = new Set(spec.layers.flatMap((l) => (l.kind === 'conv' && l.bn ? [l.bn] : [])));
  const fanIn = new Map(
    spec.stateKeys
      .filter((k) => k.key.endsWith('.weight') && k.shape.length >= 2)
      .map((k) => [k.key.slice(0, -'.weight'.length), shapeNumel(k.shape.slice(1))]),
  );
  for (const k of spec.stateKeys) {
    if (!k.used || k.key.endsWith('num_batches_tracked')) continue;
    const n = shapeNumel(k.shape);
    const data = new Float32Array(n);
    const dot = k.key.lastIndexOf('.');
    const mod = k.key.slice(0, dot),
      field = k.key.slice(dot + 1);
    if (bnNames.has(mod)) {
      if (field === 'weight' || field === 'running_var') data.fill(1);
    } else if (mod === 'head' || spec.layers.some((l) => l.kind === 'head' && l.name === mod)) {
      if (field === 'weight') for (let i = 0; i < n; i++) data[i] = 0.02 * gauss();
    } else {
      const bound = 1 / Math.sqrt(fanIn.get(mod) ?? 1);
      for (let i = 0; i < n; i++) data[i] = (2 * rand() - 1) * bound;
    }
    out.set(k.key, { shape: [...k.shape], data, dtype: 'F32' });
  }
  return out;
}
