import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { makeBatch } from './batch.js';
import type { DenseModel } from './dense.js';
import { inTopK } from './top-k.js';

export interface EvalResult {
  samples: number;
  top1: number;
  top5: number;
  /** Arg-max class per sample (ties: lowest index). */
  predictions: Int32Array;
  labels: Int32Array;
}

export { inTopK } from './top-k.js';

/** Dense-engine evaluation (eval-mode BatchNorm) of the first `samples` samples of `d`. */
export function evaluateDense(
  model: DenseModel,
  d: Dataset,
  samples: number,
  batchSize: number,
  onProgress?: (done: number, total: number) => void,
): EvalResult {
  const n = Math.min(samples, d.length);
  const predictions = new Int32Array(n),
    labels = new Int32Array(n);
  let top1 = 0,
    top5 = 0;
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    const b = makeBatch(d, idx);
    const logits = tf.tidy(() => model.forward(tf.tensor4d(b.x, b.shape), 'eval'));
    const data = logits.dataSync();
    const K = logits.shape[1];
    logits.dispose();
    idx.forEach((_, j) => {
      const row = data.subarray(j * K, (j + 1) * K);
      let best = 0;
      for (let c = 1; c < K; c++) if (row[c]! > row[best]!) best = c;
      predictions[s + j] = best;
      labels[s + j] = b.labels[j]!;
      if (inTopK(row, b.labels[j]!, 1)) top1++;
      if (inTopK(row, b.labels[j]!, Math.min(5, K))) top5++;
    });
    onProgress?.(s + idx.length, n);
  }
  return { samples: n, top1: n ? top1 / n : 0, top5: n ? top5 / n : 0, predictions, labels };
}
