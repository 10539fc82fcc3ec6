import { readFileSync } from 'node:fs';
import { loadProfile, price, derivedMetrics } from '../../src/cost-models/index.js';
import { foldWeights } from '../../src/models/fold.js';
import { randomWeights } from '../../src/models/weights.js';
import { zooModel } from '../../src/models/zoo.js';
import { ReferenceCore } from '../../src/sim/cores/reference.js';
import { Simulator } from '../../src/sim/schedule/time-major.js';
import { mulberry32 } from '../../src/models/weights.js';
import { accuracy } from '../../src/reports/accuracy.js';
import { buildProfileReport } from '../../src/reports/profile-report.js';
import type { ProfileReport } from '../../src/reports/schema.js';

/** A real profile report of a tiny random QKFormer on 4 seeded random images, priced on cmos45-fp32, loihi and odin. */
export function tinyReport(): ProfileReport {
  const spec = zooModel('qkformer-cifar10', { imgSize: 8, embedDims: 32, depths: 3, timesteps: 2, numClasses: 10 });
  const sim = new Simulator(spec, foldWeights(spec, randomWeights(spec, { seed: 1 })), { core: new ReferenceCore() });
  const rand = mulberry32(7);
  const inputs = Array.from({ length: 4 }, () => Float32Array.from({ length: 3 * 8 * 8 }, () => 2 * rand()));
  const logits = sim.runBatch(inputs);
  const counts = sim.sink.counts;
  const priced = ['cmos45-fp32', 'loihi', 'odin'].map((n) => {
    const profile = loadProfile(n, (p) => readFileSync(p, 'utf8'));
    const pricing = price(counts, spec, profile, 'exact', { allowUnpriced: true });
    return { profile, pricing, derived: derivedMetrics(pricing, counts, spec, profile) };
  });
  return buildProfileReport({
    spikewattVersion: 'test',
    config: {
      model: 'qkformer-cifar10',
      checkpoint: null,
      dataset: 'hand-made',
      samples: 4,
      hardware: ['cmos45-fp32', 'loihi', 'odin'],
      convention: 'exact',
      core: 'reference',
      batchCoupling: 'independent',
      batchSize: 4,
      seed: 1,
    },
    spec,
    weights: 'random (seed 1) <b>&</b>',
    dataset: {
      name: 'hand-made <script>alert(1)</script>',
      source: 'test',
      split: 'test',
      kind: 'static',
      numClasses: 10,
      sampleShape: [3, 8, 8],
    },
    accuracy: accuracy(logits, [0, 1, 2, 3]),
    counts,
    priced,
  });
}

export function chartJsText(): string {
  return readFileSync(new URL('../../node_modules/chart.js/dist/chart.umd.js', import.meta.url), 'utf8');
}
