import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf } from '../../src/train/backend.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointMeta } from '../../src/train/checkpoint.js';
import { DenseModel, trainingInit } from '../../src/train/dense.js';
import { evaluateDense, inTopK } from '../../src/train/evaluate.js';
import { foldWeights } from '../../src/models/fold.js';
import { checkCheckpoint, randomWeights } from '../../src/models/weights.js';
import { buildModel, zooModel } from '../../src/models/zoo.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { ReferenceCore } from '../../src/sim/cores/reference.js';
import { syntheticDataset } from '../../src/data/synthetic.js';
import { makeBatch } from '../../src/train/batch.js';

await initTf({ prefer: 'wasm' });

const spec = zooModel('qkformer-cifar10', { imgSize: 8, inChannels: 1, embedDims: 16, depths: 3, heads: 2, timesteps: 2, numClasses: 4 });

test('checkpoint round trip: tensors, official keys and metadata', () => {
  const m = new DenseModel(spec, trainingInit(spec, 2));
  const meta: CheckpointMeta = {
    format: 'spikewatt-checkpoint',
    version: 1,
    zoo: 'qkformer-cifar10',
    config: spec.config,
    dataset: { name: 'synthetic', source: 'seed 0', trainSamples: 16, normalization: { kind: 'none' } },
    epochsDone: 1,
    epochs: 2,
    optimizerSteps: 3,
    train: {
      batchSize: 4,
      lr: 1e-3,
      minLr: 1e-5,
      warmupEpochs: 0,
      weightDecay: 0.01,
      labelSmoothing: 0.1,
      seed: 0,
      cropPad: 1,
      flip: true,
    },
    testTop1: 0.5,
    testTop5: 1,
    testSamples: 4,
    trainSeconds: 1,
    backend: 'wasm',
  };
  const bytes = encodeCheckpoint(m.toTensorMap(), meta);
  const back = decodeCheckpoint(bytes, 'mem');
  assert.deepEqual(back.meta, meta);
  const rebuilt = buildModel(back.meta!.zoo, back.meta!.config);
  checkCheckpoint(rebuilt, back.tensors, 'mem');
  const m2 = new DenseModel(rebuilt, back.tensors);
  for (const [k, t] of m.toTensorMap()) assert.deepEqual(Array.from(m2.toTensorMap().get(k)!.data), Array.from(t.data), k);
  assert.deepEqual(
    back.tensors.get('patch_embed1.proj_conv.weight')!.shape,
    [1, 1, 3, 3].map((d, i) => (i === 0 ? 2 : d)),
  );
  assert.equal(decodeCheckpoint(encodeCheckpoint(m.toTensorMap(), meta).slice(), 'x').meta?.testTop1, 0.5);
  m.dispose();
  m2.dispose();
});

test('inTopK breaks ties toward the lower class', () => {
  assert.ok(inTopK([1, 3, 3], 1, 1));
  assert.ok(!inTopK([1, 3, 3], 2, 1));
  assert.ok(inTopK([1, 3, 3], 2, 2));
});

test('dense executor (eval mode) and event-driven simulator agree on spikes-driven logits and predictions', () => {
  // Weights on a 1/256 grid with BN statistics, the simulator folds BN in float64, the dense engine applies it
  // in float32: logits agree to float32 rounding unless a membrane lands on the threshold.
  for (const attention of [['qkta', 'qkta', 'ssa'], ['ssa']] as const) {
    const s = zooModel('qkformer-cifar10', {
      imgSize: 8,
      inChannels: 1,
      embedDims: 16,
      depths: 3,
      heads: 2,
      timesteps: 2,
      numClasses: 4,
      attention: [...attention],
    });
    const w = randomWeights(s, { seed: 11, quantize256: true });
    const data = syntheticDataset({ kind: 'static', split: 'test', length: 12, numClasses: 4, channels: 1, size: 8 });
    const m = new DenseModel(s, w);
    const dense = evaluateDense(m, data, 12, 6);
    const b = makeBatch(
      data,
      Array.from({ length: 12 }, (_, i) => i),
    );
    const dl = tf.tidy(() => m.forward(tf.tensor4d(b.x, b.shape), 'eval')).arraySync() as number[][];
    const sim = simulate(
      s,
      foldWeights(s, w),
      Array.from({ length: 12 }, (_, i) => data.get(i).x),
      { core: new ReferenceCore(), batchSize: 12 },
    );
    let agree = 0,
      worst = 0;
    sim.logits.forEach((row, i) => {
      let best = 0;
      for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
      if (best === dense.predictions[i]) agree++;
      for (let c = 0; c < row.length; c++) worst = Math.max(worst, Math.abs(row[c]! - dl[i]![c]!));
    });
    assert.equal(agree, 12, `${attention.join(',')}: ${agree}/12 predictions agree`);
    assert.ok(worst < 1e-3, `${attention.join(',')}: logits differ by ${worst}`);
    // The logits are not trivially equal (the network is doing something).
    assert.ok(new Set(dense.predictions).size > 1 || dl.some((r) => r.some((v) => v !== dl[0]![0])));
    m.dispose();
  }
});
