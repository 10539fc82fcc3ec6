import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import { initNir, parseRecord, priceRecord, profile, profileWithRecord, recordJson, type ProgressEvent } from '../../src/pipeline/index.js';

const SMALL = { imgSize: 16, embedDims: 32, numClasses: 4, depths: 2, timesteps: 2, heads: 2 };
const RUN = { model: 'qkformer-cifar10', dataset: 'synthetic', samples: 3, batchSize: 2, overrides: SMALL } as const;

test('profile() reports progress through the callback and re-pricing its saved run record equals pricing the run', async () => {
  const events: ProgressEvent[] = [];
  const both = await profile({ ...RUN, hardware: ['cmos45-fp32', 'loihi'], allowUnpriced: true, onProgress: (e) => events.push(e) });
  // with worker threads, batches complete in any order: the counts grow to the total
  const done = events.flatMap((e) => (e.kind === 'simulate' ? [e.done] : []));
  assert.equal(done.at(-1), 3);
  assert.ok(
    done.every((d, i) => i === 0 || d > done[i - 1]!),
    `progress ${done.join(',')}`,
  );
  assert.deepEqual(both.config.hardware, ['cmos45-fp32', 'loihi']);
  const one = await profileWithRecord({ ...RUN, hardware: ['cmos45-fp32'] });
  // the record holds the resolved model config: re-pricing needs no size overrides
  const saved = parseRecord(recordJson(one.record), 'counts.json');
  assert.deepEqual(priceRecord(saved, { hardware: ['cmos45-fp32', 'loihi'], allowUnpriced: true }), both);
  // a record whose layers this spikewatt builds differently is refused, not priced wrongly
  const other = parseRecord(recordJson(one.record), 'counts.json');
  other.outShapes[0] = [1, 1, 1];
  assert.throws(() => priceRecord(other, { hardware: ['loihi'], allowUnpriced: true }), /builds differently/);
});

test('profile() checks its options before simulating; bad input is an InputError naming the option', async () => {
  const bad = [
    { ...RUN, core: 'fast' as never },
    { ...RUN, convention: 'paper' as never },
    { ...RUN, batchCoupling: 'loose' as never },
    { ...RUN, samples: 0 },
    { ...RUN, hardware: ['no-such-chip'] },
    { ...RUN, model: 'qkformer-cifar11' },
  ];
  const expected = [
    /unknown core 'fast'/,
    /unknown convention 'paper'/,
    /unknown batch coupling 'loose'/,
    /--samples must be a positive integer/,
    /unknown hardware profile 'no-such-chip'/,
    /unknown model 'qkformer-cifar11'/,
  ];
  for (const [i, o] of bad.entries()) {
    await assert.rejects(profile(o), (e: unknown) => e instanceof InputError && expected[i]!.test(e.message));
  }
});

test('a run record of a model file or a NIR graph (IF neurons: tau Infinity) re-prices from its counts.json alone', async () => {
  await initNir();
  for (const [model, dataset] of [
    ['examples/models/tiny-sdsa.json', 'synthetic'],
    ['test/fixtures/nir/cnn_sinabs.nir', 'synthetic-dvs'],
  ] as const) {
    const run = await profileWithRecord({ model, dataset, samples: 2, workers: 1, hardware: ['cmos45-fp32'] });
    assert.ok(run.record.model.graph !== undefined, `${model}: the record carries the graph its config cannot rebuild`);
    const again = priceRecord(parseRecord(recordJson(run.record), 'counts.json'));
    assert.deepEqual(again, run.report, model);
  }
});
