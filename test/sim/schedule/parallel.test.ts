import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureNames, loadFixture, samplesOf } from '../../helpers/fixtures.js';
import { foldWeights } from '../../../src/models/fold.js';
import { randomWeights, mulberry32 } from '../../../src/models/weights.js';
import { zooModel } from '../../../src/models/zoo.js';
import { numel } from '../../../src/models/spec.js';
import { closeWorkerPool, prestartWorkers, runSamples } from '../../../src/sim/schedule/parallel.js';
import { defaultCoreName } from '../../../src/sim/cores/index.js';

/** Worker threads change nothing: counts, spike records and logits equal the 1-worker run exactly. */
test('2 workers give exactly the counts, spikes and logits of 1 worker', async () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 2, heads: 2 });
  const folded = foldWeights(spec, randomWeights(spec, { seed: 3 }));
  const r = mulberry32(9);
  const xs = Array.from({ length: 7 }, () => new Float32Array(numel(spec.inputShape)).map(() => 2 * r() - 1));
  const opts = { core: defaultCoreName(), batchCoupling: 'independent' as const, batchSize: 2 };
  const one = await runSamples(spec, folded, xs.length, (i) => xs[i]!, { ...opts, workers: 1 });
  const two = await runSamples(spec, folded, xs.length, (i) => xs[i]!, { ...opts, workers: 2 });
  assert.equal(two.workers, 2);
  assert.equal(two.done, 7);
  assert.deepEqual(two.logits, one.logits);
  assert.deepEqual([...two.sink.spikesPerSample], [...one.sink.spikesPerSample]);
  assert.deepEqual(two.sink.counts, one.sink.counts);
});

test('a stop request ends the run at a batch boundary with a prefix of the samples', async () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 2, heads: 2 });
  const folded = foldWeights(spec, randomWeights(spec, { seed: 3 }));
  const xs = Array.from({ length: 9 }, (_, i) => new Float32Array(numel(spec.inputShape)).fill(i / 9));
  let batches = 0;
  const res = await runSamples(spec, folded, xs.length, (i) => xs[i]!, {
    core: defaultCoreName(),
    batchCoupling: 'independent',
    batchSize: 1,
    workers: 2,
    onBatch: () => {
      batches++;
    },
    shouldStop: () => batches >= 3,
  });
  assert.ok(res.done >= 3 && res.done < 9, `stopped after ${res.done}`);
  assert.equal(res.sink.counts.samples, res.done);
  assert.equal(res.logits.length, res.done);
  for (const rows of res.sink.spikesPerSample.values()) assert.equal(rows.length, res.done);
});

for (const name of fixtureNames()) {
  test(`${name}: the default core with 2 workers reproduces the official spikes (independent coupling)`, async () => {
    const f = loadFixture(name);
    const xs = samplesOf(f.input);
    const r = await runSamples(f.spec, foldWeights(f.spec, f.weights), xs.length, (i) => xs[i]!, {
      core: defaultCoreName(),
      batchCoupling: 'independent',
      batchSize: 1,
      workers: 2,
    });
    assert.equal(r.workers, 2);
    for (const m of Object.keys(f.spikes))
      assert.deepEqual(r.sink.spikesPerSample.get(m), f.spikes[m]!.spikes_per_sample_per_t_batch1_runs, m);
  });
}

test('a kept worker pool starts each run afresh: a second run of the same model gives the same counts', async () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 2, heads: 2 });
  const folded = foldWeights(spec, randomWeights(spec, { seed: 3 }));
  const xs = Array.from({ length: 5 }, (_, i) => new Float32Array(numel(spec.inputShape)).fill((i + 1) / 7));
  const opts = { core: defaultCoreName(), batchCoupling: 'independent' as const, batchSize: 1, workers: 2 };
  const a = await runSamples(spec, folded, xs.length, (i) => xs[i]!, opts);
  const b = await runSamples(spec, folded, xs.length, (i) => xs[i]!, opts);
  assert.deepEqual(b.sink.counts, a.sink.counts);
  assert.deepEqual(b.logits, a.logits);
  await closeWorkerPool();
});

test('prestarted workers, then another model on the same pool: each run equals its own 1-worker run', async () => {
  // same layer names, other sizes and weights: an init request must give the workers a fresh core and simulator
  const small = zooModel('qkformer-cifar10', { embedDims: 32, depths: 3, imgSize: 8, timesteps: 2, heads: 2 });
  const wide = zooModel('qkformer-cifar10', { embedDims: 48, depths: 3, imgSize: 8, timesteps: 2, heads: 2 });
  const xs = Array.from({ length: 6 }, (_, i) => new Float32Array(numel(small.inputShape)).fill((i + 1) / 9));
  const opts = { core: defaultCoreName(), batchCoupling: 'independent' as const, batchSize: 16, workers: 2 };
  prestartWorkers(opts, xs.length);
  for (const [spec, seed] of [
    [small, 3],
    [wide, 4],
    [small, 5],
  ] as const) {
    const folded = foldWeights(spec, randomWeights(spec, { seed }));
    const one = await runSamples(spec, folded, xs.length, (i) => xs[i]!, { ...opts, workers: 1 });
    const two = await runSamples(spec, folded, xs.length, (i) => xs[i]!, opts);
    // 6 samples in batches of 16: every worker still takes part
    assert.equal(two.workers, 2);
    assert.deepEqual(two.logits, one.logits, `${spec.config.embedDims} seed ${seed}`);
    assert.deepEqual(two.sink.counts, one.sink.counts);
    assert.deepEqual([...two.sink.spikesPerSample], [...one.sink.spikesPerSample]);
  }
  await closeWorkerPool();
});
