import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedFashionMnistDir, FASHION_MNIST_NORMALIZATION, loadFashionMnist } from '../../src/data/mnist.js';

test('the committed Fashion-MNIST test set loads 10000 samples, 1000 per label 0..9', () => {
  assert.match(embeddedFashionMnistDir(), /data[/\\]fashion-mnist$/);
  const d = loadFashionMnist(undefined, 'test');
  assert.equal(d.length, 10000);
  assert.equal(d.numClasses, 10);
  assert.deepEqual(d.sampleShape, [1, 28, 28]);
  assert.equal(d.classNames?.[9], 'Ankle boot');
  assert.deepEqual(d.normalization, FASHION_MNIST_NORMALIZATION);
  const counts = new Array<number>(10).fill(0);
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    const s = d.get(i);
    counts[s.label]! += 1;
    if (i < 200) for (const v of s.x) sum += v;
  }
  assert.deepEqual(counts, new Array<number>(10).fill(1000));
  // Normalised with the training statistics, the test images average near 0 (|mean| well below 0.1).
  assert.ok(Math.abs(sum / (200 * 784)) < 0.1, `mean ${sum / (200 * 784)}`);
  // The first test image is an ankle boot (label 9) in the published data.
  assert.equal(d.get(0).label, 9);
  const x0 = d.get(0).x;
  assert.ok(Math.abs(Math.min(...x0) - (0 - 0.286) / 0.353) < 1e-5);
});
