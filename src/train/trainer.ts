import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { mulberry32 } from '../models/weights.js';
import { AdamW } from './adamw.js';
import type { TrainHyperparameters } from '../models/detect/checkpoint-config.js';
import { makeBatch, shuffled, type AugmentOptions } from './batch.js';
import type { DenseModel } from './dense.js';
import { smoothedCrossEntropy } from './loss.js';
import { cosineLr } from './schedule.js';

export interface TrainOptions extends TrainHyperparameters {
  epochs: number;
  augment: AugmentOptions;
}

export interface StepInfo {
  epoch: number;
  step: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  loss: number;
  lr: number;
  trainAcc: number;
  samplesDone: number;
}
export interface EpochInfo {
  epoch: number;
  step: number;
  loss: number;
  lr: number;
  trainAcc: number;
}

export interface TrainCallbacks {
  onStep?(s: StepInfo): void;
  /** After each epoch; may evaluate and save. */
  onEpoch?(e: EpochInfo): void;
}

/**
 * Surrogate-gradient BPTT training (the dense executor's forward in 'train' mode; gradients through the
 * LIF time loop with the Sigmoid surrogate and detached reset). Epoch e (0-based) shuffles with the seed
 * `seed + e` and augments with `seed * 7919 + e`, so a resumed run sees the same batches as an unbroken one.
 * Weight decay applies to conv/linear weights only (not to biases or BatchNorm).
 */
export function trainEpochs(
  model: DenseModel,
  data: Dataset,
  o: TrainOptions,
  startEpoch: number,
  opt: AdamW,
  cb: TrainCallbacks = {},
): void {
  const stepsPerEpoch = Math.floor(data.length / o.batchSize);
  if (stepsPerEpoch < 1) throw new Error(`batch size ${o.batchSize} exceeds the ${data.length} training samples`);
  const sched = { lr: o.lr, minLr: o.minLr, warmupSteps: Math.round(o.warmupEpochs * stepsPerEpoch), totalSteps: o.epochs * stepsPerEpoch };
  const bnKeys = new Set(model.spec.layers.flatMap((l) => (l.kind === 'conv' && l.bn ? [l.bn] : [])));
  const decay = (key: string) => key.endsWith('.weight') && !bnKeys.has(key.slice(0, -'.weight'.length));
  const vars = model.trainable.map((k) => model.vars.get(k)!);
  opt.opts.weightDecay = o.weightDecay;
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    const order = shuffled(data.length, mulberry32(o.seed + epoch));
    const augRand = mulberry32(o.seed * 7919 + epoch);
    let lossSum = 0,
      correct = 0,
      seen = 0,
      lr = o.lr;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const step = epoch * stepsPerEpoch + s;
      lr = cosineLr(sched, step);
      const b = makeBatch(data, order.slice(s * o.batchSize, (s + 1) * o.batchSize), o.augment, augRand);
      const upd = new Map<string, tf.Tensor>();
      const x = tf.tensor4d(b.x, b.shape);
      let predicted: Int32Array = new Int32Array(0);
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward(x, 'train', upd);
        predicted = tf.argMax(logits, 1).dataSync() as Int32Array;
        return smoothedCrossEntropy(logits, b.labels, o.labelSmoothing);
      }, vars);
      const loss = value.dataSync()[0]!;
      const named: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(grads)) named[model.keyOf(k)] = g;
      opt.apply(model.vars, named, lr, decay);
      model.applyBnUpdates(upd);
      tf.dispose([x, value]);
      tf.dispose(grads);
      lossSum += loss * b.labels.length;
      seen += b.labels.length;
      for (let i = 0; i < b.labels.length; i++) if (predicted[i] === b.labels[i]) correct++;
      cb.onStep?.({ epoch, step: step + 1, stepInEpoch: s + 1, stepsPerEpoch, loss, lr, trainAcc: correct / seen, samplesDone: seen });
    }
    cb.onEpoch?.({ epoch: epoch + 1, step: (epoch + 1) * stepsPerEpoch, loss: lossSum / seen, lr, trainAcc: correct / seen });
  }
}
