import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zooModel, type ZooName, type ConfigOverrides } from '../../src/models/zoo.js';
import { randomWeights, mulberry32 } from '../../src/models/weights.js';
import { foldWeights } from '../../src/models/fold.js';
import { numel } from '../../src/models/spec.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { CORE_NAMES } from '../../src/sim/cores/index.js';
import { coreOrSkip } from '../helpers/cores.js';
import { OP_KINDS } from '../../src/sim/ops.js';
import { layerTotal } from '../../src/sim/counts.js';
import { denseForward } from '../helpers/dense-forward.js';

/**
 * The conformance suite: every registered core, on seeded random weights of every variant family at small sizes,
 * must give the spikes and logits of an independent dense forward, and all cores the same counts.
 * Weights are multiples of 1/256 with small magnitude, so sums are exact in any order.
 */
const CASES: [ZooName, ConfigOverrides][] = [
  ['qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 3, heads: 2 }],
  ['qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8, timesteps: 2, heads: 2, attention: ['qkca', 'ssa', 'qkta'], speds: false }],
  ['qkformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 16, timesteps: 2, heads: 2, numClasses: 5 }],
  ['qkformer-cifar10dvs', { embedDims: 32, imgSize: 16, timesteps: 3, heads: 4 }],
  ['spikformer-cifar10', { embedDims: 32, depths: 1, imgSize: 8, timesteps: 2, heads: 2 }],
  ['spikformer-imagenet-8-384', { embedDims: 32, depths: 1, imgSize: 32, timesteps: 2, heads: 2, numClasses: 7 }],
  ['spikformer-cifar10dvs', { embedDims: 32, depths: 1, imgSize: 32, timesteps: 2, heads: 2 }],
  ['spikingformer-cifar10', { embedDims: 32, depths: 1, imgSize: 8, timesteps: 2, heads: 2 }],
  ['spikingformer-imagenet-8-384', { embedDims: 32, depths: 1, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  ['sdt-cifar10-2-512', { embedDims: 32, depths: 1, imgSize: 8, timesteps: 3, heads: 2, mlpRatio: 1 }],
  ['sdt-imagenet-8-384', { embedDims: 32, depths: 1, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  // Max-Former: depth-wise 7x7 / 5x5 conv mixers (grouped convs on the host), Embed_Max's max pools; mlp ratio 1: S_MLP.res
  ['maxformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  ['maxformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 32, timesteps: 3, heads: 2, mlpRatio: 1 }],
  ['ms-qkformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  // Meta-SpikeFormer: SepConv's depth-wise 7x7, RepConv (BN-and-pad, two BNs); E-SpikeFormer: multi-level spikes, a wider V
  ['sdt2-imagenet-8-384', { embedDims: 32, depths: 2, imgSize: 32, timesteps: 2, heads: 2, numClasses: 5 }],
  ['sdt3-imagenet-s', { embedDims: 32, depths: 2, imgSize: 32, timesteps: 1, heads: 2, numClasses: 5 }],
  // E-SpikeFormer large (Model_Large): half-up multi-spikes, RepConv's real-input second conv, layer scales; choice base's rep_conv
  ['sdt3-imagenet-12-768', { embedDims: 32, depths: 2, imgSize: 32, timesteps: 1, heads: 2, numClasses: 5 }],
  ['sdt3-imagenet-12-512', { embedDims: 32, depths: 1, imgSize: 32, timesteps: 1, heads: 2, numClasses: 5 }],
];

function inputsFor(spec: ReturnType<typeof zooModel>, seed: number, B: number): Float32Array[] {
  const r = mulberry32(seed);
  const n = numel(spec.inputShape) * (spec.config.input === 'dvs' ? spec.config.timesteps : 1);
  return Array.from({ length: B }, () =>
    Float32Array.from({ length: n }, () =>
      spec.config.input === 'dvs' ? (r() < 0.3 ? 1 + Math.floor(r() * 2) : 0) : Math.round((r() * 4 - 2) * 256) / 256,
    ),
  );
}

for (const [i, [zoo, o]] of CASES.entries()) {
  const spec = zooModel(zoo, o);
  const tensors = randomWeights(spec, { seed: 100 + i, quantize256: true });
  const inputs = inputsFor(spec, 200 + i, 2);
  const dense = denseForward(spec, tensors, inputs);
  const perCore = new Map<string, ReturnType<typeof simulate>>();
  for (const core of CORE_NAMES) {
    test(`conformance ${core}: ${zoo} ${JSON.stringify(o)}`, (t) => {
      const c = coreOrSkip(t, core);
      if (!c) return;
      const r = simulate(spec, foldWeights(spec, tensors), inputs, { core: c, batchCoupling: 'independent' });
      c.dispose();
      perCore.set(core, r);
      let anySpikes = 0;
      for (const [name, rows] of dense.spikes) {
        assert.deepEqual(r.sink.spikesPerSample.get(name), rows, name);
        anySpikes += rows.flat().reduce((a, b) => a + b, 0);
      }
      assert.ok(anySpikes > 0, 'the test network must spike');
      r.logits.forEach((row, b) =>
        row.forEach((v, k) => {
          const e = dense.logits[b]![k]!;
          assert.ok(Math.abs(v - e) <= 1e-6 * Math.max(1, Math.abs(e)), `logit ${v} vs ${e}`);
        }),
      );
      const ref = perCore.get('reference');
      if (ref && core !== 'reference') {
        r.sink.counts.layers.forEach((lc, li) => {
          for (const k of OP_KINDS) assert.equal(layerTotal(lc, k), layerTotal(ref.sink.counts.layers[li]!, k), `${lc.name} ${k}`);
        });
      }
    });
  }
}
