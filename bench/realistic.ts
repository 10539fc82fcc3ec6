/**
 * The realistic benchmark: the workloads users run, on every compute core available here.
 *
 *   npm run bench                              everything (about 10 minutes on 2 cores)
 *   npm run bench -- --quick                   fewer runs and samples (a smoke run)
 *   npm run bench -- --workloads qkformer-cifar10 --cores native,native-f32,wasm,wasm-f32
 *
 * Workloads (weights that fire like trained networks):
 *  - qkformer-cifar10: the published HST-4-384, T=4, 32x32, on the full-size official fixture's weights (official
 *    PyTorch code, BN statistics calibrated to 23 % mean firing), seeded N(0,1) images;
 *  - qkformer-cifar10dvs: HST-2-256, T=16, 2x128x128 event frames, calibrated seeded init, seeded sparse events;
 *  - qkformer-imagenet-10-384 at 224 px, calibrated seeded init, seeded N(0,1) images, a few samples.
 * Each configuration (workload x core x workers) runs in its own child process, so its peak memory (maxRSS) is its
 * own. It reports images/s and synaptic ops/s as median and min-max over the runs, the workload's mean firing
 * rate, and the dense tfjs executor's images/s on the same model and inputs. Every worker runs one thread (the
 * cores do not start threads of their own), so `xN` is N threads.
 * The reference speed (issue 22): the official QKFormer PyTorch class, dense and uncounted, on the same fixture
 * weights, batch 1, as many torch threads as CPUs, images 5-16 of each run timed, over the same number of runs
 * (bench/torch-dense.sh; needs python3 with torch and a clone of the official repository in QKFORMER_REPO, else it
 * says so and every ratio to it is absent), measured before the cores and again after the end-to-end job, the ratios to
 * the median of both halves (a shared machine's speed drifts over minutes). Each qkformer-cifar10 row and the end-to-end job get `ratioToTorchDense`
 * (median over median). `--no-torch` skips it. Writes bench/results/<date>-<machine>.json (or --out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { zooModel, type ZooName } from '../src/models/zoo.js';
import { gaussian, mulberry32, randomWeights } from '../src/models/weights.js';
import { foldWeights } from '../src/models/fold.js';
import { readSafetensors, writeSafetensors } from '../src/models/formats/safetensors.js';
import { numel, type ModelSpec } from '../src/models/spec.js';
import type { TensorMap } from '../src/models/tensor.js';
import { calibrateInit } from '../src/pipeline/calibrate.js';
import { CORES, CORE_NAMES, cpuCoreUnavailable, defaultCoreName, type CoreName } from '../src/sim/cores/index.js';
import { wasmUnavailableReason } from '../src/sim/cores/wasm.js';
import { probeModes } from '../src/sim/cores/gpujs/modes.js';
import { probeWebgpu } from '../src/sim/cores/webgpu.js';
import { perImageTotals } from '../src/sim/counts.js';
import { runSamples } from '../src/sim/schedule/parallel.js';
import type { SampleInput } from '../src/sim/schedule/time-major.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', 'test', 'fixtures', 'official-full', 'qkformer-cifar10_e384_d4_T4_s32', 'weights.safetensors');

interface Workload {
  name: string;
  zoo: ZooName;
  imgSize?: number;
  weights: string;
  samples: number;
  slowSamples: number;
}
const WORKLOADS: Workload[] = [
  { name: 'qkformer-cifar10', zoo: 'qkformer-cifar10', weights: 'official fixture (23 % firing)', samples: 16, slowSamples: 1 },
  { name: 'qkformer-cifar10dvs', zoo: 'qkformer-cifar10dvs', weights: 'calibrated seeded init (band 10-25 %)', samples: 4, slowSamples: 1 },
  {
    name: 'qkformer-imagenet-10-384',
    zoo: 'qkformer-imagenet-10-384',
    imgSize: 224,
    weights: 'calibrated seeded init (band 10-25 %)',
    samples: 2,
    slowSamples: 0,
  },
];

/** One configuration's measurement, from the child process. */
interface Measured {
  workload: string;
  core: string;
  workers: number;
  /** Threads in all: one per worker (no core starts threads of its own). */
  threads: number;
  samplesPerRun: number;
  runs: number;
  imagesPerSecond: number[];
  synapticOpsPerImage: number;
  meanFiringRate: number;
  maxRssMiB: number;
  setupSeconds: number;
}

function inputsFor(spec: ModelSpec, count: number, seed: number): SampleInput[] {
  const r = mulberry32(seed),
    g = gaussian(r);
  const dvs = spec.config.input === 'dvs';
  const n = (dvs ? spec.config.timesteps : 1) * numel(spec.inputShape);
  // static: normalised pixels ~N(0,1); DVS: 5 % of pixel-polarity cells hold 1-2 events per frame
  return Array.from({ length: count }, () => new Float32Array(n).map(() => (dvs ? (r() < 0.05 ? 1 + Math.floor(r() * 2) : 0) : g())));
}

/** Where the parent leaves a workload's calibrated weights for its children (calibration is deterministic). */
const cachePath = (w: Workload, parent = process.ppid) => join(os.tmpdir(), `spikewatt-bench-${parent}-${w.name}.safetensors`);

function specOf(w: Workload): ModelSpec {
  return zooModel(w.zoo, w.imgSize ? { imgSize: w.imgSize } : {});
}

/** The workload's weights: the official fixture, or the calibrated seeded init (made once by the parent). */
function calibrate(w: Workload): TensorMap {
  const spec = specOf(w);
  const fast: CoreName = wasmUnavailableReason() === null ? 'wasm-f32' : 'reference';
  return calibrateInit(spec, randomWeights(spec, { seed: 1 }), inputsFor(spec, 1, 99), { makeCore: () => CORES[fast](), seed: 1 }).tensors;
}

function load(w: Workload): { spec: ModelSpec; tensors: TensorMap } {
  const spec = specOf(w);
  const file = w.zoo === 'qkformer-cifar10' ? FIXTURE : cachePath(w);
  return { spec, tensors: readSafetensors(new Uint8Array(readFileSync(file)), file).tensors };
}

async function child(arg: string): Promise<void> {
  const { workload, core, workers, samples, runs, gpuMode } = JSON.parse(arg) as {
    workload: string;
    core: CoreName;
    workers: number;
    samples: number;
    runs: number;
    gpuMode?: string;
  };
  const w = WORKLOADS.find((x) => x.name === workload)!;
  const t0 = performance.now();
  const { spec, tensors } = load(w);
  const folded = foldWeights(spec, tensors);
  const xs = inputsFor(spec, samples, 2);
  const setupSeconds = (performance.now() - t0) / 1000;
  const ips: number[] = [];
  let syn = 0,
    rate = 0;
  const opts = { core, coreOptions: gpuMode ? { gpuMode } : {}, batchCoupling: 'independent' as const, batchSize: 1, workers };
  // warm-up, one sample per worker: JIT tiers, wasm compilation, premultiplied weight tables, the kept worker pool
  // (a long run pays these once; the end-to-end row below includes them)
  await runSamples(spec, folded, Math.min(samples, workers), (i) => xs[i]!, opts);
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    const res = await runSamples(spec, folded, samples, (i) => xs[i]!, opts);
    ips.push(samples / ((performance.now() - s) / 1000));
    const tot = perImageTotals(res.sink.counts);
    syn = tot.ac + tot.mac;
    let spikes = 0,
      neuronSteps = 0;
    for (const lc of res.sink.counts.layers)
      if (lc.kind === 'lif') {
        for (const v of lc.outputSpikes) spikes += v;
        neuronSteps += lc.outputElements * spec.config.timesteps * res.sink.counts.samples;
      }
    rate = spikes / neuronSteps;
  }
  const m: Measured = {
    workload,
    core: gpuMode ? `${core}/${gpuMode}` : core,
    workers,
    threads: workers,
    samplesPerRun: samples,
    runs,
    imagesPerSecond: ips,
    synapticOpsPerImage: syn,
    meanFiringRate: rate,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    setupSeconds,
  };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

async function denseChild(arg: string): Promise<void> {
  const { workload, runs } = JSON.parse(arg) as { workload: string; runs: number };
  const w = WORKLOADS.find((x) => x.name === workload)!;
  const { initTf, tf } = await import('../src/train/backend.js');
  const { DenseModel } = await import('../src/train/dense.js');
  const backend = await initTf({ prefer: 'auto' });
  const { spec, tensors } = load(w);
  const m = new DenseModel(spec, tensors);
  const xs = inputsFor(spec, 1, 2);
  const s = spec.inputShape,
    T = spec.config.timesteps;
  // NHWC: static [1, H, W, C]; DVS [T, H, W, C] time-major
  const toNhwc = (x: Float32Array, frames: number) => {
    const out = new Float32Array(x.length),
      hw = s.h * s.w;
    for (let f = 0; f < frames; f++)
      for (let c = 0; c < s.c; c++) for (let p = 0; p < hw; p++) out[(f * hw + p) * s.c + c] = x[(f * s.c + c) * hw + p]!;
    return tf.tensor4d(out, [frames, s.h, s.w, s.c]);
  };
  const frames = spec.config.input === 'dvs' ? T : 1;
  const once = () => tf.tidy(() => m.forward(toNhwc(xs[0]!, frames), 'eval').dataSync());
  once();
  const ips: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    once();
    ips.push(1 / ((performance.now() - t0) / 1000));
  }
  process.stdout.write(
    `${JSON.stringify({ workload, backend, imagesPerSecond: ips, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

/**
 * The job users run, end to end: `profile` with every output written (profile.json, counts.json, CSVs, report.html,
 * PNGs), through the library pipeline, on the default core and all CPUs, default options; the wall time includes
 * loading, folding, worker start, pricing, the chip model and rendering. `simulateSeconds` runs from the start to the
 * last batch done (progress events), `afterSimulateSeconds` is the rest (record, pricing, chip model, NeuroBench,
 * rendering, writing). The parent runs it at two sample counts: the steady rate is the difference quotient.
 */
/**
 * The bench's own images (`inputsFor`, seed 2, ~N(0,1)) as a CIFAR-10 binary test batch, so that the job reads them
 * through a dataset as users do: pixel = round(255 (x std_c + mean_c)) clamped to 0..255, which the loader maps back
 * to x within 1/510 of a std (clamped beyond about 2 std). Labels i mod 10.
 */
function writeCifarBatch(dir: string, count: number): void {
  const spec = zooModel('qkformer-cifar10'),
    xs = inputsFor(spec, count, 2);
  const mean = [0.4914, 0.4822, 0.4465],
    std = [0.247, 0.2435, 0.2616];
  const buf = new Uint8Array(count * 3073);
  xs.forEach((x, i) => {
    buf[i * 3073] = i % 10;
    for (let j = 0; j < 3072; j++) {
      const c = Math.floor(j / 1024);
      buf[i * 3073 + 1 + j] = Math.max(0, Math.min(255, Math.round(255 * (x[j]! * std[c]! + mean[c]!))));
    }
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'test_batch.bin'), buf);
}

async function endToEndChild(arg: string): Promise<void> {
  const { samples, data } = JSON.parse(arg) as { samples: number; data: string };
  const { profile } = await import('../src/pipeline/index.js');
  const out = mkdtempSync(join(os.tmpdir(), 'spikewatt-bench-e2e-'));
  let last = 0, // ms from t0 to the last batch done
    simulated = 0;
  const t0 = performance.now();
  const report = await profile({
    model: 'qkformer-cifar10',
    weights: FIXTURE,
    dataset: `cifar10:${data}`,
    samples,
    hardware: ['cmos45-fp32', 'loihi'],
    allowUnpriced: true,
    out: join(out, 'report'),
    onProgress: (e) => {
      if (e.kind !== 'simulate') return;
      last = performance.now() - t0;
      simulated = e.done;
    },
  });
  const ms = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({
      workload: 'qkformer-cifar10',
      command:
        `spikewatt profile --model qkformer-cifar10 --weights <fixture> --dataset cifar10:<bench images> --samples ${samples} ` +
        '--hardware cmos45-fp32,loihi --allow-unpriced --out DIR',
      core: report.config.core,
      samples,
      simulated,
      seconds: ms / 1000,
      imagesPerSecond: samples / (ms / 1000),
      simulateSeconds: last / 1000,
      afterSimulateSeconds: (ms - last) / 1000,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
const stat = (xs: number[]) => ({ median: +median(xs).toFixed(3), min: +Math.min(...xs).toFixed(3), max: +Math.max(...xs).toFixed(3) });

function spawnChild(flag: string, arg: object): unknown {
  const outText = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), flag, JSON.stringify(arg)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  return JSON.parse(outText.trim().split('\n').pop()!);
}

/** The dense PyTorch forward of the official code (bench/torch-dense.sh), or why it was not measured. */
type TorchDense = { workload: string; imagesPerSecond: number[]; threads: number; backend: string } | { workload: string; absent: string };

function torchDense(runs: number, threads: number): TorchDense {
  const workload = 'qkformer-cifar10';
  const r = spawnSync('bash', [join(here, 'torch-dense.sh'), '--runs', String(runs), '--threads', String(threads)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const said = r.stderr.trim().split('\n').filter(Boolean);
  if (r.status !== 0) return { workload, absent: said.pop() ?? `torch-dense.sh exited ${r.status}` };
  for (const line of said) console.log(line);
  return {
    workload,
    ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as { imagesPerSecond: number[]; threads: number; backend: string }),
  };
}

/** Seconds of whole PyTorch processes (spawn to exit) running `images` dense forwards after their start-up, `times` runs. */
function torchEndToEnd(images: number, threads: number, times: number): number[] {
  return Array.from({ length: times }, () => {
    const t0 = performance.now();
    const r = spawnSync(
      'bash',
      [join(here, 'torch-dense.sh'), '--runs', '1', '--images', String(images), '--warmup', '0', '--threads', String(threads)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (r.status !== 0) throw new Error(`torch-dense.sh exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
    return (performance.now() - t0) / 1000;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workloads: { type: 'string' },
      cores: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      child: { type: 'string' },
      dense: { type: 'string' },
      e2e: { type: 'string' },
      'no-torch': { type: 'boolean' },
    },
  });
  if (values.child) return child(values.child);
  if (values.dense) return denseChild(values.dense);
  if (values.e2e) return endToEndChild(values.e2e);
  const runs = Number(values.runs ?? (values.quick ? 2 : 5));
  const workloads = values.workloads ? WORKLOADS.filter((w) => values.workloads!.split(',').includes(w.name)) : WORKLOADS;
  const probe = probeModes();
  const wanted = values.cores ? values.cores.split(',') : [...CORE_NAMES];
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  const configs: { core: CoreName; gpuMode?: string; workers: number; slow: boolean }[] = [];
  for (const c of CORE_NAMES) {
    if (!wanted.includes(c)) continue;
    if (c === 'gpujs') {
      for (const p of probe) if (p.available) configs.push({ core: c, gpuMode: p.mode, workers: 1, slow: true });
    } else if (c === 'reference') configs.push({ core: c, workers: 1, slow: true });
    else if (c === 'webgpu') {
      if (probeWebgpu().available) for (const wk of [...new Set([1, cpus])]) configs.push({ core: c, workers: wk, slow: false });
    } else if (cpuCoreUnavailable(c) === null)
      for (const wk of [...new Set([1, cpus])]) configs.push({ core: c, workers: wk, slow: false });
    else console.log(`${c}: skipped (${cpuCoreUnavailable(c)})`);
  }
  // the dense PyTorch reference, measured before the cores and again after the end-to-end job (a shared machine drifts
  // over minutes): every ratio is to the median of both halves, and each half is kept in the results
  const torchHalves: TorchDense[] = [];
  const measureTorch = () => {
    if (values['no-torch'] || !workloads.some((w) => w.name === 'qkformer-cifar10')) return;
    const t = torchDense(runs, cpus);
    torchHalves.push(t);
    if ('absent' in t) console.log(`qkformer-cifar10 dense PyTorch (official code): not measured: ${t.absent}`);
    else
      console.log(
        `qkformer-cifar10 dense PyTorch (official code, ${t.threads} threads): ${stat(t.imagesPerSecond).median} images/s ` +
          `(${stat(t.imagesPerSecond).min}-${stat(t.imagesPerSecond).max})`,
      );
  };
  measureTorch();
  const rows: Measured[] = [];
  const dense: unknown[] = [];
  const flat: { workload: string; core: string; workers: number; samples: number[]; maxRssMiB: number[] }[] = [];
  for (const w of workloads) {
    let cached: string | null = null;
    if (w.zoo !== 'qkformer-cifar10') {
      const t0 = performance.now();
      cached = cachePath(w, process.pid);
      writeFileSync(cached, writeSafetensors(calibrate(w)));
      console.log(`${w.name}: calibrated init in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const cfg of configs) {
      const samples = cfg.slow ? w.slowSamples : values.quick ? Math.max(cfg.workers, Math.ceil(w.samples / 2)) : w.samples;
      if (samples === 0) {
        console.log(`${w.name} ${cfg.core}${cfg.gpuMode ? `/${cfg.gpuMode}` : ''}: skipped (too slow at this size)`);
        continue;
      }
      const r = spawnChild('--child', {
        workload: w.name,
        core: cfg.core,
        workers: cfg.workers,
        samples,
        runs: cfg.slow ? Math.min(runs, 2) : runs,
        ...(cfg.gpuMode ? { gpuMode: cfg.gpuMode } : {}),
      }) as Measured;
      rows.push(r);
      const s = stat(r.imagesPerSecond);
      console.log(
        `${w.name} ${r.core} x${r.workers} (${r.threads} threads): ${s.median} images/s (${s.min}-${s.max}), ` +
          `${((median(r.imagesPerSecond) * r.synapticOpsPerImage) / 1e9).toFixed(2)} G synaptic ops/s, firing ${(100 * r.meanFiringRate).toFixed(1)} %, ` +
          `peak ${r.maxRssMiB.toFixed(0)} MiB`,
      );
    }
    // peak memory flat in the number of samples: the default core again on twice the samples, one run
    const base = rows.find((r) => r.workload === w.name && r.core === defaultCoreName() && r.workers === cpus);
    if (base) {
      const twice = spawnChild('--child', {
        workload: w.name,
        core: defaultCoreName(),
        workers: cpus,
        samples: 2 * base.samplesPerRun,
        runs: 1,
      }) as Measured;
      flat.push({
        workload: w.name,
        core: base.core,
        workers: cpus,
        samples: [base.samplesPerRun, twice.samplesPerRun],
        maxRssMiB: [base.maxRssMiB, twice.maxRssMiB],
      });
      console.log(
        `${w.name} peak memory: ${base.maxRssMiB.toFixed(0)} MiB at ${base.samplesPerRun} samples, ${twice.maxRssMiB.toFixed(0)} MiB at ${twice.samplesPerRun}`,
      );
    }
    const d = spawnChild('--dense', { workload: w.name, runs: Math.min(runs, 3) }) as { imagesPerSecond: number[]; backend: string };
    dense.push(d);
    console.log(`${w.name} dense tfjs (${d.backend}): ${stat(d.imagesPerSecond).median} images/s`);
    if (cached) rmSync(cached, { force: true });
  }
  let endToEnd: unknown = null;
  type E2e = { imagesPerSecond: number; seconds: number; samples: number; processSeconds?: number };
  let e2eRuns: { short: E2e; long: E2e; steady: number }[] = [];
  const [n1, n2] = values.quick ? [16, 48] : [32, 128];
  if (workloads.some((w) => w.name === 'qkformer-cifar10')) {
    // the steady rate (images after start-up) of the default job: (n2 - n1) / (t2 - t1) over a pair of runs, twice
    const data = mkdtempSync(join(os.tmpdir(), 'spikewatt-bench-cifar-'));
    writeCifarBatch(data, n2);
    e2eRuns = Array.from({ length: values.quick ? 1 : 2 }, () => {
      const short = spawnChild('--e2e', { samples: n1, data }) as E2e;
      const t0 = performance.now();
      const long = spawnChild('--e2e', { samples: n2, data }) as E2e;
      long.processSeconds = (performance.now() - t0) / 1000;
      return { short, long, steady: (n2 - n1) / (long.seconds - short.seconds) };
    });
    rmSync(data, { recursive: true, force: true });
  }
  measureTorch();
  // the whole PyTorch process for the same number of images (python, import torch, model, weights, the fixture check,
  // n2 forwards), against the whole spikewatt process of the end-to-end job: both timed from spawn to exit here
  const torchProcess = e2eRuns.length && torchHalves.some((t) => !('absent' in t)) ? torchEndToEnd(n2, cpus, e2eRuns.length) : null;
  const measured = torchHalves.filter((t): t is Extract<TorchDense, { imagesPerSecond: number[] }> => !('absent' in t));
  const torch: TorchDense | null =
    measured.length > 0 ? { ...measured[0]!, imagesPerSecond: measured.flatMap((t) => t.imagesPerSecond) } : (torchHalves[0] ?? null);
  const torchIps = (workload: string) =>
    torch && !('absent' in torch) && torch.workload === workload ? median(torch.imagesPerSecond) : null;
  if (e2eRuns.length) {
    const t = torchIps('qkformer-cifar10');
    const ratio = (v: number) => (t !== null ? +(v / t).toFixed(3) : null);
    const e = e2eRuns[e2eRuns.length - 1]!.long,
      endToEndIps = median(e2eRuns.map((r) => r.long.imagesPerSecond)),
      steady = median(e2eRuns.map((r) => r.steady));
    const processIps = median(e2eRuns.map((r) => n2 / r.long.processSeconds!));
    const torchProcessIps = torchProcess ? median(torchProcess.map((s) => n2 / s)) : null;
    endToEnd = {
      ...e,
      imagesPerSecond: endToEndIps,
      process: {
        what: `${n2} images, each whole process timed from spawn to exit (interpreter start, imports, model, weights, outputs)`,
        imagesPerSecond: +processIps.toFixed(3),
        torchSeconds: torchProcess,
        torchImagesPerSecond: torchProcessIps === null ? null : +torchProcessIps.toFixed(3),
        ratio: torchProcessIps === null ? null : +(processIps / torchProcessIps).toFixed(3),
      },
      runs: e2eRuns.map((r) => ({ seconds: r.long.seconds, imagesPerSecond: r.long.imagesPerSecond, steady: r.steady })),
      ratioToTorchDense: ratio(endToEndIps),
      steady: {
        from: `pairs of runs of ${n1} and ${n2} samples: (${n2} - ${n1}) / (t${n2} - t${n1}), median over ${e2eRuns.length}`,
        short: e2eRuns.map((r) => r.short),
        imagesPerSecond: steady,
      },
      steadyRatioToTorchDense: ratio(steady),
    };
    console.log(
      `qkformer-cifar10 end to end (profile, all outputs written): ${e.samples} images in ` +
        `${e2eRuns.map((r) => r.long.seconds.toFixed(1)).join(' / ')} s = ${endToEndIps.toFixed(2)} images/s, steady ${steady.toFixed(2)} images/s` +
        (t !== null ? ` (${ratio(endToEndIps)}x and ${ratio(steady)}x the dense PyTorch forward, median of both PyTorch halves)` : ''),
    );
    if (torchProcessIps !== null)
      console.log(
        `qkformer-cifar10 whole process, ${n2} images: spikewatt profile ${processIps.toFixed(2)} images/s, the PyTorch script ` +
          `${torchProcessIps.toFixed(2)} images/s (${(processIps / torchProcessIps).toFixed(3)}x)`,
      );
  }
  const today = new Date().toISOString().slice(0, 10);
  const machine = `${(os.cpus()[0]?.model ?? 'cpu')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')}-${cpus}c`;
  const out = values.out ?? join(here, 'results', `${today}-${machine}.json`);
  const doc = {
    benchmark: 'realistic',
    date: today,
    machine,
    node: process.version,
    cpus,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    workloads: workloads.map((w) => ({ name: w.name, weights: w.weights })),
    rows: rows.map((r) => {
      const d = dense.find((x) => (x as { workload: string }).workload === r.workload) as { imagesPerSecond: number[] } | undefined;
      return {
        ...r,
        imagesPerSecondStats: stat(r.imagesPerSecond),
        synapticOpsPerSecond: stat(r.imagesPerSecond.map((v) => v * r.synapticOpsPerImage)),
        denseImagesPerSecond: d ? +median(d.imagesPerSecond).toFixed(3) : null,
        ratioToDense: d ? +(median(r.imagesPerSecond) / median(d.imagesPerSecond)).toFixed(3) : null,
        ratioToTorchDense: torchIps(r.workload) !== null ? +(median(r.imagesPerSecond) / torchIps(r.workload)!).toFixed(3) : null,
      };
    }),
    dense,
    torchDense:
      torch === null
        ? null
        : 'absent' in torch
          ? torch
          : {
              ...torch,
              imagesPerSecondStats: stat(torch.imagesPerSecond),
              halves: measured.map((t) => ({ imagesPerSecond: t.imagesPerSecond, stats: stat(t.imagesPerSecond) })),
              measured: 'before the cores and after the end-to-end job; ratios use the median of both halves',
            },
    memoryFlatInSamples: flat,
    endToEnd,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, `${JSON.stringify(doc, null, 1)}\n`);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${out}`);
}

await main();
