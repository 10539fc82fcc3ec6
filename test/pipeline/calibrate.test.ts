import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zooModel } from '../../src/models/zoo.js';
import { mulberry32, randomWeights } from '../../src/models/weights.js';
import { numel } from '../../src/models/spec.js';
import { calibrateInit, normalQuantile } from '../../src/pipeline/calibrate.js';
import { CORES, defaultCoreName } from '../../src/sim/cores/index.js';

test('normalQuantile inverts the normal CDF', () => {
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326347874) < 1e-6);
});

test('the calibrated init moves a near-silent seeded model into the firing band, deterministically', () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 64, depths: 3, imgSize: 16, timesteps: 2, heads: 2 });
  const r = mulberry32(4);
  const xs = [new Float32Array(numel(spec.inputShape)).map(() => 2 * r() - 1)];
  const opts = { makeCore: () => CORES[defaultCoreName()](), seed: 7 };
  const a = calibrateInit(spec, randomWeights(spec, { seed: 1 }), xs, opts);
  const rates = Object.values(a.rates);
  assert.ok(rates.length >= 10);
  const mean = rates.reduce((x, y) => x + y, 0) / rates.length;
  assert.ok(mean > 0.08 && mean < 0.3, `mean rate ${mean}`);
  assert.ok(
    rates.every((v) => v > 0.005),
    `every BN-driven LIF fires: ${rates.map((v) => v.toFixed(3)).join(' ')}`,
  );
  const seeded = Object.values(calibrateInit(spec, randomWeights(spec, { seed: 1 }), xs, { ...opts, iterations: 0 }).rates);
  const seededMean = seeded.reduce((x, y) => x + y, 0) / seeded.length;
  assert.ok(mean > 3 * seededMean, `calibrated ${mean} vs seeded ${seededMean}`);
  for (const [lif, want] of Object.entries(a.targets)) assert.ok(want >= 0.1 && want <= 0.25, lif);
  const b = calibrateInit(spec, randomWeights(spec, { seed: 1 }), xs, opts);
  assert.deepEqual(b.rates, a.rates);
});
