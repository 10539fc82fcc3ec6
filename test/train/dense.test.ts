import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, tf } from '../../src/train/backend.js';
import { DenseModel, trainingInit } from '../../src/train/dense.js';
import { smoothedCrossEntropy } from '../../src/train/loss.js';
import { zooModel } from '../../src/models/zoo.js';
import { mulberry32 } from '../../src/models/weights.js';
import type { AttentionKind } from '../../src/models/spec.js';

await initTf({ prefer: 'wasm' });

function lossAndGrads(attention: AttentionKind[], x: Float32Array, B: number) {
  const spec = zooModel('qkformer-cifar10', { imgSize: 8, inChannels: 1, embedDims: 16, depths: 3, heads: 2, timesteps: 2, attention });
  const m = new DenseModel(spec, trainingInit(spec, 5));
  const labels = Int32Array.from({ length: B }, (_, i) => i % 10);
  const xt = tf.tensor4d(x, [B, 8, 8, 1]);
  const upd = new Map<string, tf.Tensor>();
  const { value, grads } = tf.variableGrads(
    () => smoothedCrossEntropy(m.forward(xt, 'train', upd), labels, 0.1),
    m.trainable.map((k) => m.vars.get(k)!),
  );
  const out = {
    loss: value.dataSync()[0]!,
    grads: new Map(Object.entries(grads).map(([k, g]) => [m.keyOf(k), g.dataSync().slice()])),
    running: new Map([...upd].map(([k, t]) => [k, t.dataSync().slice()])),
  };
  m.dispose();
  return out;
}

for (const attention of [
  ['qkta', 'qkta', 'ssa'],
  ['qkca', 'ssa', 'qkta'],
] as AttentionKind[][]) {
  test(`whole-model surrogate gradients on wasm equal those on the tfjs cpu backend (${attention.join(',')})`, async () => {
    const B = 3,
      r = mulberry32(9);
    const x = Float32Array.from({ length: B * 64 }, () => 4 * r() - 1);
    await initTf({ prefer: 'wasm' });
    const a = lossAndGrads(attention, x, B);
    await tf.setBackend('cpu');
    const b = lossAndGrads(attention, x, B);
    await tf.setBackend('wasm');
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5, `loss ${a.loss} vs ${b.loss}`);
    assert.equal(a.grads.size, b.grads.size);
    // Float32 summation order differs between the backends, so a few near-zero gradients (conv biases that a
    // BatchNorm cancels) differ relatively; a wrong gradient op (wasm's MaxPoolGrad was one) shifts nearly all.
    let nonzero = 0,
      tight = 0;
    for (const [k, ga] of a.grads) {
      const gb = b.grads.get(k)!;
      let worst = 0,
        scale = 1e-6;
      for (let i = 0; i < ga.length; i++) {
        worst = Math.max(worst, Math.abs(ga[i]! - gb[i]!));
        scale = Math.max(scale, Math.abs(gb[i]!));
      }
      assert.ok(worst <= 3e-2 * scale + 1e-6, `${k}: max diff ${worst} (scale ${scale})`);
      if (worst <= 1e-3 * scale + 1e-7) tight++;
      if (scale > 1e-5) nonzero++;
    }
    assert.ok(tight >= a.grads.size * 0.9, `only ${tight}/${a.grads.size} parameters agree within 0.1%`);
    // Gradients reach (nearly) every parameter through the spiking layers.
    assert.ok(nonzero >= a.grads.size * 0.8, `only ${nonzero}/${a.grads.size} parameters get gradient`);
    for (const [k, ra] of a.running) {
      const rb = b.running.get(k)!;
      for (let i = 0; i < ra.length; i++) assert.ok(Math.abs(ra[i]! - rb[i]!) < 1e-4, `${k}[${i}]`);
    }
  });
}

test('BatchNorm: train mode normalises with batch statistics and updates running stats with momentum 0.1', async () => {
  await initTf({ prefer: 'wasm' });
  const spec = zooModel('qkformer-cifar10', { imgSize: 8, inChannels: 1, embedDims: 16, depths: 3, heads: 2, timesteps: 2 });
  const m = new DenseModel(spec, trainingInit(spec, 1));
  const x = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
  const upd = new Map<string, tf.Tensor>();
  m.forward(x, 'train', upd);
  // First BN sees conv(x) over T*B*H*W; running_mean = 0.9*0 + 0.1*batch mean.
  const w = m.vars.get('patch_embed1.proj_conv.weight')!;
  const y = tf.conv2d(tf.tile(x, [2, 1, 1, 1]), tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, 1, 1);
  const mean = tf.mean(y, [0, 1, 2]).dataSync();
  const rm = upd.get('patch_embed1.proj_bn.running_mean')!.dataSync();
  for (let c = 0; c < mean.length; c++) assert.ok(Math.abs(rm[c]! - 0.1 * mean[c]!) < 1e-5);
  m.applyBnUpdates(upd);
  assert.equal(m.batchesTracked, 1);
  assert.ok(Math.abs(m.vars.get('patch_embed1.proj_bn.running_mean')!.dataSync()[0]! - rm[0]!) < 1e-7);
  m.dispose();
});
