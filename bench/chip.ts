/**
 * The chip model's overhead on the full-size model: the published HST-4-384 (qkformer-cifar10, T=4, 32x32) on the
 * full-size official fixture's weights (23 % mean firing), seeded N(0,1) images, simulated on wasm-f32 in one thread;
 * then the chip model of that run on `loihi` (weight sharing none and per-core). The bar: a profile with
 * `--hardware loihi` runs at >= 50 % of the speed of the same run without it, i.e. sim / (sim + chip) >= 0.5.
 *
 *   node --import tsx bench/chip.ts [--samples 4]
 *
 * Prints one JSON object (seconds, ratio, cores, chips, messages); writes nothing.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chipModel } from '../src/chip/index.js';
import { loadProfile } from '../src/cost-models/index.js';
import { foldWeights } from '../src/models/fold.js';
import { readSafetensors } from '../src/models/formats/safetensors.js';
import { gaussian, mulberry32 } from '../src/models/weights.js';
import { numel } from '../src/models/spec.js';
import { zooModel } from '../src/models/zoo.js';
import { runSamples } from '../src/sim/schedule/parallel.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', 'test', 'fixtures', 'official-full', 'qkformer-cifar10_e384_d4_T4_s32', 'weights.safetensors');
const { values } = parseArgs({ options: { samples: { type: 'string', default: '4' } } });
const samples = Number(values.samples);

const spec = zooModel('qkformer-cifar10');
const folded = foldWeights(spec, readSafetensors(new Uint8Array(readFileSync(FIXTURE)), FIXTURE).tensors);
const g = gaussian(mulberry32(2));
const xs = Array.from({ length: samples }, () => new Float32Array(numel(spec.inputShape)).map(() => g()));
const opts = { core: 'wasm-f32' as const, batchCoupling: 'independent' as const, batchSize: 1, workers: 1 };
await runSamples(spec, folded, 1, (i) => xs[i]!, opts); // warm-up: JIT, wasm compilation, weight tables
let t = performance.now();
const res = await runSamples(spec, folded, samples, (i) => xs[i]!, opts);
const simSeconds = (performance.now() - t) / 1000;
const loihi = loadProfile('loihi', (f) => readFileSync(f, 'utf8'));
const out: Record<string, unknown> = { model: spec.name, samples, simSeconds: Number(simSeconds.toFixed(3)) };
for (const weightSharing of ['none', 'per-core'] as const) {
  t = performance.now();
  const r = chipModel(spec, res.sink.counts, loihi, { weightSharing });
  const chipSeconds = (performance.now() - t) / 1000;
  if (!r?.mapped) throw new Error(`not mapped: ${r && !r.mapped ? r.reason : 'no architecture'}`);
  out[weightSharing] = {
    chipSeconds: Number(chipSeconds.toFixed(3)),
    speedRatio: Number((simSeconds / (simSeconds + chipSeconds)).toFixed(3)),
    cores: r.cores,
    chips: r.chips,
    messagesPerInference: Math.round(r.totals.messages),
    spikeSource: r.spikeSource,
  };
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
