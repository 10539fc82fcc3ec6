/**
 * The GPU check's measuring half (bench/device.sh runs the test suites first, then this):
 *
 *   node --import tsx bench/device.ts --tests-log LOG [--out DIR] [--samples N] [--runs R]
 *
 * 1. probes the WebGPU adapter (the webgpu core's device worker, Dawn over Vulkan);
 * 2. reads the TAP summary of the webgpu test run from LOG (conformance, official fixtures, kernel tests);
 * 3. runs the full-size official fixture (qkformer-cifar10 HST-4-384, T=4, 23 % firing) on the webgpu core in both
 *    batch couplings, and batched (layer-major): every spike count of the 35 LIF modules and the logits within 1e-4;
 * 4. benchmarks full-size qkformer-cifar10 on the same weights and seeded N(0,1) images: the best CPU core (`wasm`
 *    on every CPU) against `webgpu` time-major (runSamples, 1 and all-CPU workers, each worker its own device
 *    stream) and layer-major (one thread, 8 and all samples per dispatch); checks that every webgpu run's op counts
 *    equal wasm's exactly; reports images/s (median of R runs) and best webgpu / best CPU;
 * 5. writes bench/results/device-<date>-<adapter>.json, or device-<date>-no-gpu-rehearsal.json without an adapter
 *    (then only the CPU part runs: a rehearsal, not a result to commit).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { foldWeights } from '../src/models/fold.js';
import { gaussian, mulberry32 } from '../src/models/weights.js';
import { numel } from '../src/models/spec.js';
import { perImageTotals } from '../src/sim/counts.js';
import { OP_KINDS } from '../src/sim/ops.js';
import type { CoreName } from '../src/sim/cores/index.js';
import { describeAdapter, probeWebgpu, WebgpuCore } from '../src/sim/cores/webgpu.js';
import { runSamples } from '../src/sim/schedule/parallel.js';
import { simulateLayerMajor } from '../src/sim/schedule/layer-major.js';
import { simulate } from '../src/sim/schedule/time-major.js';
import { FULL_FIXTURE, FULL_FIXTURE_ROOT, loadFixture, samplesOf } from '../test/helpers/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));

function fail(msg: string): never {
  process.stderr.write(`device: ${msg}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { 'tests-log': { type: 'string' }, out: { type: 'string' }, samples: { type: 'string' }, runs: { type: 'string' } },
});
const cpus = os.availableParallelism?.() ?? os.cpus().length;
const samples = Number(values.samples ?? Math.max(16, 2 * cpus));
const runs = Number(values.runs ?? 3);
if (!Number.isInteger(samples) || samples < 1) fail(`--samples must be a positive integer, got '${values.samples}'`);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, got '${values.runs}'`);

// 1. the adapter
const probe = probeWebgpu();
const adapterName = probe.available ? describeAdapter(probe.adapter) : null;
console.log(probe.available ? `adapter: ${adapterName}` : `no adapter: ${probe.why}`);

// 2. the webgpu tests' outcome, from the TAP log: `ok N - name [# SKIP reason]`, `not ok N - name`; only tests whose
// name says webgpu count (the others are the name filter's skips)
interface Suites {
  pass: number;
  fail: number;
  skipped: number;
  skipReasons: string[];
  failed: string[];
  log: string;
}
function suites(log: string | undefined): Suites | null {
  if (!log) return null;
  const s: Suites = { pass: 0, fail: 0, skipped: 0, skipReasons: [], failed: [], log };
  for (const m of readFileSync(log, 'utf8').matchAll(/^\s*(not )?ok \d+ - (.*?)(?: # SKIP(.*))?$/gm)) {
    const [, not, name = '', skip] = m;
    if (!name.includes('webgpu')) continue;
    if (not) {
      s.fail++;
      s.failed.push(name);
    } else if (skip !== undefined) {
      s.skipped++;
      if (!s.skipReasons.includes(skip.trim())) s.skipReasons.push(skip.trim());
    } else s.pass++;
  }
  return s;
}
const tests = suites(values['tests-log']);
if (tests) console.log(`webgpu tests: ${tests.pass} pass, ${tests.fail} fail, ${tests.skipped} skipped`);

// 3. the full-size official fixture on the GPU path
const f = loadFixture(FULL_FIXTURE, FULL_FIXTURE_ROOT);
const folded = foldWeights(f.spec, f.weights);
interface FixtureCheck {
  coupling: 'official' | 'independent';
  scheduler: 'time-major' | 'layer-major';
  spikesMatch: boolean;
  modulesDiffering: string[];
  maxLogitRelErr: number;
  ok: boolean;
}
const fixture: FixtureCheck[] = [];
function record(coupling: 'official' | 'independent', scheduler: 'time-major' | 'layer-major', r: ReturnType<typeof simulate>): void {
  const exp = coupling === 'official' ? f.logits.logits : f.logits.logits_batch1;
  let maxRel = 0;
  r.logits.forEach((row, b) =>
    row.forEach((v, k) => {
      const e = exp[b]![k]!;
      maxRel = Math.max(maxRel, Math.abs(v - e) / Math.max(Math.abs(e), 1e-2));
    }),
  );
  const differing = Object.keys(f.spikes).filter(
    (m) =>
      JSON.stringify(r.sink.spikesPerSample.get(m)) !==
      JSON.stringify(coupling === 'official' ? f.spikes[m]!.spikes_per_sample_per_t : f.spikes[m]!.spikes_per_sample_per_t_batch1_runs),
  );
  const ok = differing.length === 0 && maxRel <= 1e-4;
  fixture.push({ coupling, scheduler, spikesMatch: differing.length === 0, modulesDiffering: differing, maxLogitRelErr: maxRel, ok });
  console.log(
    `full-size fixture, ${coupling} coupling, ${scheduler}: ${ok ? 'match' : 'MISMATCH'} (${differing.length} modules differ, ` +
      `logits ${maxRel.toExponential(2)})`,
  );
}
if (probe.available) {
  for (const coupling of ['official', 'independent'] as const) {
    const core = new WebgpuCore();
    record(coupling, 'time-major', simulate(f.spec, folded, samplesOf(f.input), { core, batchCoupling: coupling }));
    core.dispose();
  }
  // the batched path (independent samples only): both fixture samples in one dispatch per layer and step
  const core = new WebgpuCore();
  record('independent', 'layer-major', simulateLayerMajor(f.spec, folded, samplesOf(f.input), core, { batchSize: 2 }));
  core.dispose();
}

// 4. the benchmark: same weights, seeded N(0,1) images (as bench/realistic.ts)
const spec = f.spec;
const r = mulberry32(2),
  g = gaussian(r);
const xs = Array.from({ length: samples }, () => new Float32Array(numel(spec.inputShape)).map(() => g()));
interface Bench {
  core: CoreName;
  scheduler: string;
  workers: number;
  imagesPerSecond: number[];
  medianImagesPerSecond: number;
  opsPerImage: Record<string, number>;
}
async function bench(core: CoreName, workers: number): Promise<Bench> {
  const opts = { core, batchCoupling: 'independent' as const, batchSize: 1, workers };
  await runSamples(spec, folded, Math.min(workers, samples), (i) => xs[i]!, opts); // warm-up: JIT, compilation, device start
  const ips: number[] = [];
  let ops: Record<string, number> = {};
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    const res = await runSamples(spec, folded, samples, (i) => xs[i]!, opts);
    ips.push(samples / ((performance.now() - t0) / 1000));
    ops = perImageTotals(res.sink.counts);
  }
  const sorted = [...ips].sort((a, b) => a - b);
  const b = {
    core,
    scheduler: 'time-major (runSamples)',
    workers,
    imagesPerSecond: ips,
    medianImagesPerSecond: sorted[Math.floor(sorted.length / 2)]!,
    opsPerImage: ops,
  };
  console.log(`${core} x${workers}: ${b.medianImagesPerSecond.toFixed(2)} images/s (${ips.map((v) => v.toFixed(2)).join(', ')})`);
  return b;
}
// the best CPU configuration is wasm on every CPU (1 worker is ~cpus times slower and would only cost minutes)
const cpu: Bench[] = [await bench('wasm', cpus)];
const workerCounts = [...new Set([1, cpus])];
/** The batched path: layer-major scheduler in this thread, `batch` samples per dispatch. */
function benchLayerMajor(batch: number): Bench {
  const warm = new WebgpuCore();
  simulateLayerMajor(spec, folded, xs.slice(0, Math.min(batch, samples)), warm, { batchSize: batch });
  warm.dispose();
  const ips: number[] = [];
  let ops: Record<string, number> = {};
  for (let k = 0; k < runs; k++) {
    const core = new WebgpuCore(),
      t0 = performance.now();
    const res = simulateLayerMajor(spec, folded, xs, core, { batchSize: batch });
    ips.push(samples / ((performance.now() - t0) / 1000));
    core.dispose();
    ops = perImageTotals(res.sink.counts);
  }
  const sorted = [...ips].sort((a, b) => a - b);
  const b: Bench = {
    core: 'webgpu',
    scheduler: `layer-major, batch ${batch}`,
    workers: 1,
    imagesPerSecond: ips,
    medianImagesPerSecond: sorted[Math.floor(sorted.length / 2)]!,
    opsPerImage: ops,
  };
  console.log(
    `webgpu layer-major batch ${batch}: ${b.medianImagesPerSecond.toFixed(2)} images/s (${ips.map((v) => v.toFixed(2)).join(', ')})`,
  );
  return b;
}
const gpu: Bench[] = [];
if (probe.available) {
  for (const w of workerCounts) gpu.push(await bench('webgpu', w));
  for (const batch of [...new Set([Math.min(8, samples), samples])]) gpu.push(benchLayerMajor(batch));
}
const best = (bs: Bench[]): Bench | null =>
  bs.reduce<Bench | null>((a, b) => (!a || b.medianImagesPerSecond > a.medianImagesPerSecond ? b : a), null);
const bestCpu = best(cpu)!,
  bestGpu = best(gpu);
// exact counts: every op kind per image equals the CPU core's (counts come from the events, so equal spikes give equal counts)
const countsEqual = gpu.length ? gpu.every((g) => OP_KINDS.every((k) => g.opsPerImage[k] === bestCpu.opsPerImage[k])) : null;
const ratio = bestGpu ? bestGpu.medianImagesPerSecond / bestCpu.medianImagesPerSecond : null;
if (ratio !== null) console.log(`webgpu / best CPU (wasm x${bestCpu.workers}): ${ratio.toFixed(2)}; counts equal: ${countsEqual}`);

// 5. the results file
const today = new Date().toISOString().slice(0, 10);
// Dawn's null backend (SPIKEWATT_DAWN_FLAGS=backend=null) runs every code path with no GPU: a rehearsal, not a result
const nullBackend = probe.available && probe.adapter.device === 'null-backend';
const kind = !probe.available ? 'no-gpu-rehearsal' : nullBackend ? 'null-backend-rehearsal' : 'gpu';
const slug =
  kind !== 'gpu'
    ? kind
    : adapterName!
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60);
const out = join(values.out ?? join(here, 'results'), `device-${today}-${slug}.json`);
const doc = {
  kind,
  note:
    kind === 'gpu'
      ? undefined
      : kind === 'no-gpu-rehearsal'
        ? 'no WebGPU adapter: only the CPU part ran; a rehearsal of the script, not a GPU result'
        : 'Dawn null backend: every code path ran, no shader executed; the GPU numbers are meaningless',
  date: new Date().toISOString(),
  machine: {
    cpus,
    cpuModel: os.cpus()[0]?.model ?? '',
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  adapter: probe.available ? { name: adapterName, ...probe.adapter } : { name: null, why: probe.why },
  tests,
  fullSizeFixture: probe.available ? { name: FULL_FIXTURE, checks: fixture, ok: fixture.every((c) => c.ok) } : null,
  benchmark: {
    workload: 'qkformer-cifar10 HST-4-384 T=4 32x32, full-size official fixture weights (23 % firing), seeded N(0,1) images',
    samplesPerRun: samples,
    runs,
    cpu,
    gpu,
    bestCpu: { core: bestCpu.core, workers: bestCpu.workers, imagesPerSecond: bestCpu.medianImagesPerSecond },
    bestGpu: bestGpu
      ? { core: bestGpu.core, scheduler: bestGpu.scheduler, workers: bestGpu.workers, imagesPerSecond: bestGpu.medianImagesPerSecond }
      : null,
    gpuOverBestCpu: ratio,
    countsEqualCpu: countsEqual,
  },
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, `${JSON.stringify(doc, null, 1)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`wrote ${out}`);
process.exit(0);
