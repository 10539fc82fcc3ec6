import * as tf from '@tensorflow/tfjs';

/**
 * Cross-entropy with label smoothing e (PyTorch's CrossEntropyLoss(label_smoothing=e)):
 *   target_c = (1 - e) [c = y] + e / K;  loss = mean_b ( - sum_c target_c log softmax(z_b)_c )
 */
export function smoothedCrossEntropy(logits: tf.Tensor2D, labels: Int32Array, smoothing: number): tf.Scalar {
  const K = logits.shape[1];
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), K);
  const target = tf.add(tf.mul(onehot, 1 - smoothing), smoothing / K);
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}
