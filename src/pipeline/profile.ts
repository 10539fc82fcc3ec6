import { readFileSync, rmSync } from 'node:fs';
import { InputError } from '../errors.js';
import { derivedMetrics, loadProfile, price, type ConventionName, type HardwareProfile } from '../cost-models/index.js';
import { datasetInfo, type Dataset } from '../data/dataset.js';
import { foldWeights } from '../models/fold.js';
import { defaultCoreName, type CoreName } from '../sim/cores/index.js';
import type { OpCounts } from '../sim/counts.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import { defaultWorkers } from '../sim/schedule/parallel.js';
import type { Accuracy } from '../reports/accuracy.js';
import { buildProfileReport, type DatasetSummary, type PricedProfile, type RunConfig } from '../reports/profile-report.js';
import type { ProfileReport } from '../reports/schema.js';
import { parseBatchCoupling, parseConvention, parseCore } from './choices.js';
import { openModelDataset } from './dataset.js';
import { resolveModel, type ModelOptions, type ResolvedModel } from './model.js';
import { checkOutDir, renderProfile, spikewattVersion, writeOutputs } from './outputs.js';
import { checkpointDataset, checkpointOverrideNotes, fileSha256 } from './run-record.js';
import { isDatasetName } from '../data/registry.js';
import { checkpointPathFor, runSlice, type LongRunOptions } from './resume.js';
import { rawCounts, weightsDigest, type SampleSlice, type Shard } from './shard.js';
import type { ConfigOverrides } from '../models/zoo.js';

export const DEFAULT_HARDWARE = 'cmos45-fp32';

/** What a job tells its caller while it runs. The CLI draws a bar and prints notes on stderr; a library is silent. */
export type ProgressEvent =
  { kind: 'simulate'; label: string; done: number; total: number; elapsedSeconds: number } | { kind: 'note'; message: string };
export type OnProgress = (e: ProgressEvent) => void;

/** How a run simulates and prices, shared by `profile`, `compare` and the demo. Every field has a default. */
export interface RunOptions {
  /** `NAME[:PATH]` (see `spikewatt datasets`); the test split. Default `synthetic`. */
  dataset?: string;
  /** Samples to simulate, the first N of the test split; default 100. */
  samples?: number;
  /** Hardware profiles: built-in names (`spikewatt hardware`) or paths to JSON profiles; default `cmos45-fp32`. */
  hardware?: readonly string[];
  convention?: ConventionName;
  /** Several conventions priced on the same counts (the report holds profiles x conventions); default [convention]. */
  conventions?: readonly ConventionName[];
  /** The command line that started the run, recorded in profile.json. */
  command?: string;
  core?: CoreName;
  batchCoupling?: BatchCoupling;
  /** Samples simulated together (matters only with batchCoupling 'official'); default 16. */
  batchSize?: number;
  /**
   * Worker threads over samples; default the number of CPUs. Counts, spikes and logits equal the 1-worker run's
   * exactly. batchCoupling 'official' couples a batch's samples and runs in one thread.
   */
  workers?: number;
  /** Seed of random weights (zoo models) and generated datasets; default 0. */
  seed?: number;
  /** Report ops a profile does not price as unpriced counts instead of failing. */
  allowUnpriced?: boolean;
  onProgress?: OnProgress;
}

/** The options of `profile`: one model, a run, and optionally a directory to write the report files into. */
export interface ProfileOptions extends RunOptions, Omit<ModelOptions, 'seed'>, LongRunOptions {
  /** A zoo name (random weights, or `weights`) or a `.safetensors` checkpoint. */
  model: string;
  /** Write profile.json, the CSVs, report.html and the PNGs here (atomically). Default: write nothing. */
  out?: string;
}

/** RunOptions checked and completed: every value in its closed set, profiles loaded. */
export interface CheckedRun {
  dataset: string;
  samples: number;
  convention: ConventionName;
  core: CoreName;
  batchCoupling: BatchCoupling;
  batchSize: number;
  workers: number;
  seed: number;
  profiles: HardwareProfile[];
  allowUnpriced: boolean;
  onProgress: OnProgress;
  /** Every convention to price (first = `convention`); absent means [convention]. */
  conventions?: ConventionName[];
  command?: string;
  /** False when `dataset` is the default (a checkpoint's recorded dataset may replace it). */
  datasetGiven?: boolean;
  /** Notes every report of this run carries. */
  notes?: string[];
}

const readText = (p: string) => readFileSync(p, 'utf8');

/** Checks every option before any simulation; errors are InputErrors naming the option. */
export function checkRun(o: RunOptions): CheckedRun {
  const posInt = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`--${what} must be a positive integer, got ${v}`);
  };
  const samples = o.samples ?? 100,
    batchSize = o.batchSize ?? 16,
    seed = o.seed ?? 0;
  const workers = o.workers ?? defaultWorkers();
  posInt(samples, 'samples');
  posInt(batchSize, 'batch-size');
  posInt(workers, 'workers');
  if (!Number.isInteger(seed)) throw new InputError(`--seed must be an integer, got ${seed}`);
  const hardware = o.hardware ?? [DEFAULT_HARDWARE];
  if (!hardware.length) throw new InputError('--hardware is empty');
  const conventions = [...new Set((o.conventions ?? [o.convention ?? 'exact']).map((c) => parseConvention(c)))];
  if (!conventions.length) throw new InputError('--convention is empty');
  return {
    conventions,
    datasetGiven: o.dataset !== undefined,
    ...(o.command !== undefined ? { command: o.command } : {}),
    dataset: o.dataset ?? 'synthetic',
    samples,
    batchSize,
    workers,
    seed,
    // NOTE: library callers are typed, but JavaScript and JSON configs are not: the closed sets are checked here.
    convention: conventions[0]!,
    core: parseCore(o.core ?? defaultCoreName()),
    batchCoupling: parseBatchCoupling(o.batchCoupling ?? 'independent'),
    profiles: hardware.map((n) => loadProfile(n, readText)),
    allowUnpriced: o.allowUnpriced ?? false,
    onProgress: o.onProgress ?? (() => {}),
  };
}

/** One simulation's product before pricing: count first, price second (`priceRun` applies any profiles). */
export interface SimulationRun {
  model: ResolvedModel;
  /** The model as the user named it (recorded in the report's config). */
  modelArg: string;
  counts: OpCounts;
  accuracy: Accuracy;
  dataset: DatasetSummary;
  config: Omit<RunConfig, 'hardware'>;
  seconds: number;
  /** The samples simulated, when a long run (shard, checkpoint) set them; else 0..config.samples. */
  slice?: SampleSlice;
  /** `weightsDigest` of the tensors, when a long run computed it (checkpoints and parts record it). */
  weightsSha256?: string;
}

/** LIF layers whose mean firing rate over the run is below `threshold` (default 0.1 %). */
export function silentLifLayers(c: OpCounts, threshold = 0.001): { silent: number; total: number } {
  let silent = 0,
    total = 0;
  for (const lc of c.layers) {
    if (lc.kind !== 'lif') continue;
    total++;
    let s = 0;
    for (const v of lc.outputSpikes) s += v;
    if (s < threshold * lc.outputElements * c.timesteps * Math.max(1, c.samples)) silent++;
  }
  return { silent, total };
}

/**
 * Simulates the first `run.samples` samples of `data` spike by spike and measures accuracy; `long` narrows it
 * to a shard's slice, checkpoints it, resumes it, or stops it (src/pipeline/resume.ts).
 */
export async function simulateRun(
  model: ResolvedModel,
  modelArg: string,
  data: Dataset,
  run: CheckedRun,
  label = model.spec.name,
  long: LongRunOptions = {},
): Promise<SimulationRun> {
  const { spec } = model;
  const start = Date.now();
  const n = Math.min(run.samples, data.length);
  // NOTE: the digest only where something records it (it reads every weight once)
  const digest = long.shard !== undefined || long.checkpoint !== undefined ? weightsDigest(model.tensors) : '';
  const res = await runSlice(
    spec,
    foldWeights(spec, model.tensors),
    data,
    n,
    {
      core: run.core,
      batchCoupling: run.batchCoupling,
      batchSize: run.batchSize,
      workers: run.workers,
      fingerprint: {
        model: modelArg,
        weightsSha256: digest,
        dataset: run.dataset,
        seed: run.seed,
        samples: n,
        core: run.core,
        batchCoupling: run.batchCoupling,
        batchSize: run.batchSize,
        timesteps: spec.config.timesteps,
      },
    },
    long,
    (done, total) => run.onProgress({ kind: 'simulate', label, done, total, elapsedSeconds: (Date.now() - start) / 1000 }),
    (next) => run.onProgress({ kind: 'note', message: `resumed at sample ${next} from ${long.checkpoint}` }),
  );
  const info = datasetInfo(data);
  return {
    model,
    modelArg,
    counts: res.counts,
    accuracy: res.accuracy,
    slice: res.slice,
    ...(digest ? { weightsSha256: digest } : {}),
    dataset: {
      name: info.name,
      source: info.source,
      split: info.split,
      kind: info.kind,
      numClasses: info.numClasses,
      sampleShape: info.sampleShape,
    },
    config: {
      model: modelArg,
      checkpoint: model.checkpoint,
      dataset: run.dataset,
      samples: n,
      convention: run.convention,
      core: run.core,
      batchCoupling: run.batchCoupling,
      batchSize: run.batchSize,
      seed: run.seed,
    },
    seconds: (Date.now() - start) / 1000,
  };
}

/**
 * Prices one simulation with every profile under one convention, or several (`extra.conventions`: the report then
 * holds profiles x conventions, convention-major), and builds the report. Pure; no re-run.
 */
export function priceRun(
  sim: SimulationRun,
  profiles: readonly HardwareProfile[],
  convention: ConventionName,
  allowUnpriced = false,
  extra: {
    conventions?: readonly ConventionName[];
    notes?: readonly string[];
    command?: string | null;
    weightsSha256?: string | null;
  } = {},
): ProfileReport {
  const { spec } = sim.model;
  const conventions = extra.conventions?.length ? [...extra.conventions] : [convention];
  const priced: PricedProfile[] = conventions.flatMap((c) =>
    profiles.map((profile) => {
      const pricing = price(sim.counts, spec, profile, c, { allowUnpriced });
      return { profile, pricing, derived: derivedMetrics(pricing, sim.counts, spec, profile) };
    }),
  );
  return buildProfileReport({
    spikewattVersion: spikewattVersion(),
    config: {
      ...sim.config,
      convention: conventions[0]!,
      hardware: profiles.map((p) => p.name),
      ...(conventions.length > 1 ? { conventions } : {}),
      ...(extra.notes?.length ? { notes: [...extra.notes] } : {}),
      ...(extra.command !== undefined ? { command: extra.command } : {}),
    },
    spec,
    weights: sim.model.weights,
    dataset: sim.dataset,
    accuracy: sim.accuracy,
    counts: sim.counts,
    priced,
    weightsFile: sim.model.checkpoint,
    weightsSha256: extra.weightsSha256 ?? fileSha256(sim.model.checkpoint),
  });
}

/** Simulates a resolved model on its dataset and prices it: the report, and the simulation for re-pricing. */
export async function profileModel(
  model: ResolvedModel,
  modelArg: string,
  data: Dataset,
  run: CheckedRun,
  label?: string,
  long: LongRunOptions = {},
  notes?: readonly string[],
): Promise<{ report: ProfileReport; simulation: SimulationRun }> {
  const simulation = await simulateRun(model, modelArg, data, run, label, long);
  const report = priceRun(simulation, run.profiles, run.convention, run.allowUnpriced, {
    ...(run.conventions ? { conventions: run.conventions } : {}),
    notes: [...(run.notes ?? []), ...(notes ?? [])],
    ...(run.command !== undefined ? { command: run.command } : {}),
  });
  // after pricing, so that a pricing error stays the one line a failed run prints
  const silent = silentLifLayers(simulation.counts);
  if (silent.silent > 0) {
    run.onProgress({
      kind: 'note',
      message:
        `${label ?? model.spec.name}: ${silent.silent} of ${silent.total} LIF layers fire < 0.1 % ` +
        '(a near-silent network: its energy says little about a trained one; see --init)',
    });
  }
  return { report, simulation };
}

/**
 * The profile job: resolve the model, open the dataset, simulate N samples spike by spike, price the counts on
 * every hardware profile, build the report. Resolves to the object `profile.json` holds. Prints nothing and
 * writes nothing unless `out` is given. Every option is checked before the simulation starts.
 *
 *   const report = await profile({ model: 'checkpoints/fmnist-qkformer.safetensors', dataset: 'fashion-mnist',
 *     samples: 4, hardware: ['cmos45-fp32'] });
 */
export async function profile(o: ProfileOptions): Promise<ProfileReport> {
  const dir = o.out !== undefined ? checkOutDir(o.out) : null;
  const checked = checkRun(o);
  const model = resolveModel(o.model, { ...modelOptions(o), seed: checked.seed });
  const { run, notes } = runForModel(checked, model, o);
  const data = openModelDataset(model.spec, run.dataset, run.samples, run.seed, (message) => run.onProgress({ kind: 'note', message }));
  const checkpoint = o.checkpoint ?? (dir !== null ? checkpointPathFor(dir) : undefined);
  const long: LongRunOptions = { ...o, ...(checkpoint !== undefined ? { checkpoint } : {}) };
  const { report: whole, simulation } = await profileModel(model, o.model, data, run, undefined, long, notes);
  const report = o.shard !== undefined ? partReport(whole, simulation, o) : whole;
  if (dir !== null) writeOutputs(dir, await renderProfile(report));
  // the report set is in place: the checkpoint of its samples has done its work
  if (dir !== null && checkpoint !== undefined) rmSync(checkpoint, { force: true });
  return report;
}

/** A shard's report: its slice, and the exact integer counts and identity `merge` checks and sums. */
export function partReport(report: ProfileReport, sim: SimulationRun, o: { shard?: Shard; overrides?: ConfigOverrides }): ProfileReport {
  const slice = sim.slice ?? { first: 0, end: sim.config.samples };
  const shard = o.shard ?? { index: 0, count: 1 };
  return {
    ...report,
    shard: { index: shard.index, count: shard.count, first: slice.first, end: slice.end },
    part: {
      weightsSha256: sim.weightsSha256 ?? weightsDigest(sim.model.tensors),
      overrides: { ...o.overrides },
      counts: rawCounts(sim.counts),
    },
  };
}

/**
 * The run as it applies to one resolved model: a checkpoint's recorded dataset when none was given, and the
 * notes the report carries (a T other than the training T). Size overrides that conflict with a checkpoint throw.
 */
export function runForModel(run: CheckedRun, model: ResolvedModel, o: Omit<ModelOptions, 'seed'>): { run: CheckedRun; notes: string[] } {
  const notes = checkpointOverrideNotes(model, o.overrides ?? {}, o.weights !== undefined);
  for (const message of notes) run.onProgress({ kind: 'note', message });
  if (run.datasetGiven !== false) return { run, notes };
  const recorded = checkpointDataset(model.checkpoint, isDatasetName);
  if (recorded !== null) {
    run.onProgress({ kind: 'note', message: `dataset ${recorded} (recorded in ${model.checkpoint}; --dataset chooses another)` });
    return { run: { ...run, dataset: recorded }, notes };
  }
  return { run, notes };
}

/** The model-finding part of an options object (exactOptionalPropertyTypes: absent stays absent). */
export function modelOptions(o: Omit<ModelOptions, 'seed'>): Omit<ModelOptions, 'seed'> {
  return {
    ...(o.overrides !== undefined ? { overrides: o.overrides } : {}),
    ...(o.weights !== undefined ? { weights: o.weights } : {}),
    ...(o.init !== undefined ? { init: o.init } : {}),
  };
}
