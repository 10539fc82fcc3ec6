import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { derivedMetrics, type ConventionName, type HardwareProfile } from '../cost-models/index.js';
import { datasetInfo, type Dataset } from '../data/dataset.js';
import { openDataset } from '../data/registry.js';
import { foldWeights } from '../models/fold.js';
import { readTorchCheckpoint } from '../models/torch-checkpoint.js';
import { readSafetensors } from '../models/safetensors.js';
import type { ModelSpec } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import { checkCheckpoint, randomWeights } from '../models/weights.js';
import { buildModel, isZooName, validateConfig } from '../models/zoo.js';
import { CORE_NAMES, CORES, isCoreName } from '../sim/cores/index.js';
import { Simulator, type BatchCoupling } from '../sim/simulate.js';
import { accuracy } from '../reports/accuracy.js';
import { buildProfileReport, type PricedProfile } from '../reports/profile-report.js';
import type { ProfileReport } from '../reports/schema.js';
import { UserError } from './errors.js';
import { loadProfiles, parseConvention, priceAll, withEnergyOptions, type EnergyArgs } from './energy.js';
import { withModelOverrides, zooSpec, type OverrideArgs } from './options.js';

/**
 * The shared glue of `profile`, `compare` and `demo`: resolve a model (zoo name or checkpoint), open the
 * dataset, simulate, price with every profile, build the report. Every argument is checked before any
 * simulation; errors are UserErrors (one line, exit 2).
 */

export const DEFAULT_HARDWARE = 'cmos45-fp32';

export interface ProfileArgs extends OverrideArgs, EnergyArgs {
  dataset: string;
  samples: number;
  core: string;
  batchCoupling: string;
  batchSize: number;
  seed: number;
  /** Weights for a zoo model: .safetensors or an official PyTorch checkpoint (.pth / .pth.tar). */
  weights?: string | undefined;
}

/** The options profile and compare share (model overrides included). */
export function withProfileOptions<T>(y: Argv<T>) {
  return withEnergyOptions(withModelOverrides(y))
    .option('dataset', { type: 'string', default: 'synthetic', describe: 'NAME[:PATH]: fashion-mnist[:PATH] | fashion-mnist-dvs | cifar10:PATH | cifar100:PATH | dvs128:PATH | cifar10dvs:PATH | synthetic | synthetic-dvs (test split)' })
    .option('samples', { type: 'number', default: 100, describe: 'samples to simulate (the first N of the test split)' })
    .option('core', { type: 'string', default: 'reference', describe: `compute core: ${CORE_NAMES.join(' | ')}` })
    .option('batch-coupling', { type: 'string', default: 'independent', describe: 'independent | official (the official SSA proj_lif over T*B; results depend on --batch-size)' })
    .option('batch-size', { type: 'number', default: 16, describe: 'samples simulated together (matters only with --batch-coupling official)' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of random weights (zoo models) and generated datasets' })
    .option('weights', { type: 'string', describe: 'weights for a zoo --model: .safetensors or an official PyTorch checkpoint (.pth / .pth.tar, read without torch)' });
}

export interface ResolvedModel {
  spec: ModelSpec;
  tensors: TensorMap;
  /** `random (seed S)` or the checkpoint path. */
  weights: string;
  checkpoint: string | null;
}

const CHECKPOINT_METADATA_KEYS = ['spikewatt', 'model', 'config'] as const;

/**
 * A checkpoint's model: its safetensors `__metadata__` must hold the model config (JSON). Accepted forms: what
 * `spikewatt train` writes under `spikewatt` (`{format: 'spikewatt-checkpoint', zoo, config, ...}`, see
 * src/train/checkpoint.ts), a bare ModelConfig, or `{name, config}`, under one of CHECKPOINT_METADATA_KEYS. Command-line overrides are not applied to checkpoints (the weights fix the shapes)
 * except `--timesteps`.
 */
export function specFromCheckpointMetadata(meta: Record<string, string>, path: string, timesteps: number | undefined): ModelSpec {
  let raw: unknown;
  for (const k of CHECKPOINT_METADATA_KEYS) {
    const v = meta[k];
    if (v === undefined) continue;
    try { raw = JSON.parse(v); } catch { throw new UserError(`${path}: metadata '${k}' is not JSON`); }
    break;
  }
  if (raw === undefined) {
    throw new UserError(`${path}: no model config in the safetensors metadata (expected one of ${CHECKPOINT_METADATA_KEYS.join(', ')}); spikewatt train writes it`);
  }
  const obj = raw as { name?: unknown; zoo?: unknown; config?: unknown; family?: unknown };
  const config = (obj.family !== undefined ? obj : obj.config) as ModelSpec['config'] | undefined;
  if (!config || typeof config !== 'object') throw new UserError(`${path}: the metadata model config has no 'config' or 'family'`);
  const name = typeof obj.name === 'string' ? obj.name : typeof obj.zoo === 'string' ? obj.zoo : basename(path).replace(/\.safetensors$/, '');
  const cfg = { ...config, ...(timesteps !== undefined ? { timesteps } : {}) };
  try {
    validateConfig(cfg);
    return buildModel(name, cfg);
  } catch (e) {
    throw new UserError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A zoo name with random weights, or a `.safetensors` checkpoint carrying its config. */
const TORCH_FILE = /\.(pth|pt|pth\.tar|tar)$/i;

/** Reads weights for a zoo model from safetensors or an official PyTorch checkpoint; errors are one line. */
function readWeightsFile(path: string): TensorMap {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch (e) { throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`); }
  try {
    return TORCH_FILE.test(path) ? readTorchCheckpoint(buf, { what: path }).tensors : readSafetensors(buf, path).tensors;
  } catch (e) { throw new UserError(e instanceof Error ? e.message : String(e)); }
}

export function resolveModel(model: string, a: OverrideArgs & { weights?: string | undefined }, seed: number): ResolvedModel {
  if (TORCH_FILE.test(model)) {
    throw new UserError(`${model}: a PyTorch checkpoint holds no model config; give the architecture and the file: --model <zoo name> [size overrides] --weights ${model} (or convert it once: spikewatt convert --model <zoo name> ${model} out.safetensors)`);
  }
  if (a.weights && isZooName(model)) {
    const spec = zooSpec(model, a);
    const tensors = readWeightsFile(a.weights);
    try { checkCheckpoint(spec, tensors, a.weights); } catch (e) { throw new UserError(e instanceof Error ? e.message : String(e)); }
    return { spec, tensors, weights: a.weights, checkpoint: a.weights };
  }
  if (a.weights) throw new UserError(`--weights needs a zoo --model (a .safetensors checkpoint carries its own weights)`);
  if (/\.safetensors$/i.test(model)) {
    let buf: Buffer;
    try { buf = readFileSync(model); } catch (e) {
      throw new UserError(`${model}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let file;
    try { file = readSafetensors(buf, model); } catch (e) { throw new UserError(e instanceof Error ? e.message : String(e)); }
    const spec = specFromCheckpointMetadata(file.metadata, model, a.timesteps);
    try { checkCheckpoint(spec, file.tensors, model); } catch (e) { throw new UserError(e instanceof Error ? e.message : String(e)); }
    return { spec, tensors: file.tensors, weights: model, checkpoint: model };
  }
  if (!isZooName(model)) throw new UserError(`unknown model '${model}' (a zoo name: spikewatt models; or a .safetensors checkpoint)`);
  const spec = zooSpec(model, a);
  return { spec, tensors: randomWeights(spec, { seed }), weights: `random (seed ${seed})`, checkpoint: null };
}

export function parseList(s: string, what: string): string[] {
  const xs = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (!xs.length) throw new UserError(`--${what} is empty`);
  return xs;
}

export interface CheckedArgs {
  samples: number;
  convention: ConventionName;
  core: keyof typeof CORES;
  batchCoupling: BatchCoupling;
  batchSize: number;
  seed: number;
  profiles: HardwareProfile[];
  allowUnpriced: boolean;
}

export function checkArgs(a: ProfileArgs): CheckedArgs {
  const posInt = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 1) throw new UserError(`--${what} must be a positive integer, got ${v}`);
  };
  posInt(a.samples, 'samples'); posInt(a.batchSize, 'batch-size');
  if (!Number.isInteger(a.seed)) throw new UserError(`--seed must be an integer, got ${a.seed}`);
  const convention = parseConvention(a.convention);
  if (!isCoreName(a.core)) throw new UserError(`unknown core '${a.core}' (use ${CORE_NAMES.join(', ')})`);
  if (a.batchCoupling !== 'independent' && a.batchCoupling !== 'official') throw new UserError(`unknown batch coupling '${a.batchCoupling}' (use independent, official)`);
  return {
    samples: a.samples, convention, core: a.core, batchCoupling: a.batchCoupling, batchSize: a.batchSize,
    seed: a.seed, profiles: loadProfiles(a.hardware ?? DEFAULT_HARDWARE), allowUnpriced: a.allowUnpriced ?? false,
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The test split of the dataset, first `samples` samples, checked against the model's input. */
export function openModelDataset(spec: ModelSpec, datasetArg: string, samples: number, seed: number): Dataset {
  const cfg = spec.config;
  let d: Dataset;
  try {
    d = openDataset(datasetArg, { split: 'test', limit: samples, seed, ...(cfg.input === 'dvs' ? { timesteps: cfg.timesteps } : {}) });
  } catch (e) {
    throw new UserError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  const want = cfg.input === 'dvs' ? [cfg.timesteps, spec.inputShape.c, spec.inputShape.h, spec.inputShape.w] : [spec.inputShape.c, spec.inputShape.h, spec.inputShape.w];
  if (!sameShape(d.sampleShape, want)) {
    const [c, h] = d.kind === 'dvs' ? [d.sampleShape[1], d.sampleShape[2]] : [d.sampleShape[0], d.sampleShape[1]];
    throw new UserError(`dataset ${d.name} gives ${d.kind} samples ${d.sampleShape.join('x')}, model ${spec.name} takes ${cfg.input} ${want.join('x')}`
      + (d.kind === cfg.input ? ` (for a zoo model try --img-size ${h} --in-channels ${c} --num-classes ${d.numClasses})` : ''));
  }
  if (d.numClasses > cfg.numClasses) throw new UserError(`dataset ${d.name} has ${d.numClasses} classes, model ${spec.name} only ${cfg.numClasses} outputs`);
  if (d.length < samples) process.stderr.write(`spikewatt: note: ${d.name} has ${d.length} test samples; simulating all of them\n`);
  return d;
}

/** Progress on stderr: a bar with ETA, redrawn in place, only when stderr is a terminal. */
export class Progress {
  private readonly start = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly label: string, private readonly total: number) {}
  update(done: number): void {
    if (!this.tty) return;
    const el = (Date.now() - this.start) / 1000, w = 28, f = Math.round((w * done) / this.total);
    const eta = done > 0 ? (el * (this.total - done)) / done : NaN;
    process.stderr.write(`\r${this.label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${this.total}  ${el.toFixed(1)} s, ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}   `);
  }
  done(): number {
    const s = (Date.now() - this.start) / 1000;
    if (this.tty) process.stderr.write('\r\x1b[K');
    return s;
  }
}

export interface RunResult { report: ProfileReport; seconds: number }

/** Simulates, measures accuracy, prices with every profile, builds the report. */
export function runProfile(model: ResolvedModel, modelArg: string, dataset: string, c: CheckedArgs, data: Dataset, label = model.spec.name): RunResult {
  const { spec } = model;
  const core = CORES[c.core]({});
  const sim = new Simulator(spec, foldWeights(spec, model.tensors), { core, batchCoupling: c.batchCoupling });
  const n = Math.min(c.samples, data.length);
  const logits: Float64Array[] = [], labels: number[] = [];
  const progress = new Progress(label, n);
  try {
    for (let i = 0; i < n; i += c.batchSize) {
      const batch = Array.from({ length: Math.min(c.batchSize, n - i) }, (_, j) => data.get(i + j));
      logits.push(...sim.runBatch(batch.map((s) => s.x)));
      labels.push(...batch.map((s) => s.label));
      progress.update(logits.length);
    }
  } finally {
    core.dispose();
  }
  const seconds = progress.done();
  const counts = sim.sink.counts;
  const pricings = priceAll(counts, spec, c.profiles, c.convention, c.allowUnpriced);
  const priced: PricedProfile[] = pricings.map((pricing, i) => {
    const profile = c.profiles[i]!;
    return { profile, pricing, derived: derivedMetrics(pricing, counts, spec, profile) };
  });
  const info = datasetInfo(data);
  const report = buildProfileReport({
    spikewattVersion: spikewattVersion(),
    config: {
      model: modelArg, checkpoint: model.checkpoint, dataset, samples: n, hardware: c.profiles.map((p) => p.name),
      convention: c.convention, core: c.core, batchCoupling: c.batchCoupling, batchSize: c.batchSize, seed: c.seed,
    },
    spec, weights: model.weights,
    dataset: { name: info.name, source: info.source, split: info.split, kind: info.kind, numClasses: info.numClasses, sampleShape: info.sampleShape },
    accuracy: accuracy(logits, labels), counts, priced,
  });
  return { report, seconds };
}

export function spikewattVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** The text of chart.js's UMD build, inlined into the HTML reports. */
export function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
}

/** Checks that --out can be created (its parent exists and is a directory, it is not a file). */
export function checkOutDir(out: string): string {
  const dir = resolve(out);
  const parent = dirname(dir);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UserError(`--out ${out}: parent directory ${parent} does not exist`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UserError(`--out ${out} exists and is not a directory`);
  return dir;
}

/**
 * Writes rendered files into DIR without ever leaving a partial DIR: a new DIR is filled as a temporary
 * sibling and renamed into place; an existing DIR gets each file written to a temporary name and renamed.
 */
export function writeOutputs(dir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  if (!existsSync(dir)) {
    const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}.tmp-`));
    try {
      chmodSync(tmp, 0o755);
      for (const [name, data] of files) writeFileSync(join(tmp, name), data);
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return;
  }
  for (const [name, data] of files) {
    const target = join(dir, name), tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  }
}
