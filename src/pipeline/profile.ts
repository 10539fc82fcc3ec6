import { readFileSync, rmSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadProfile, type ConventionName, type HardwareProfile } from '../cost-models/index.js';
import type { Dataset } from '../data/dataset.js';
import { isDatasetName } from '../data/registry.js';
import type { ConfigOverrides } from '../models/zoo.js';
import type { RunRecord } from '../record/record.js';
import type { ProfileReport } from '../reports/schema.js';
import { defaultCoreName, type CoreName } from '../sim/cores/index.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import { defaultWorkers, prestartWorkers } from '../sim/schedule/parallel.js';
import { parseBatchCoupling, parseConvention, parseCore, parseWeightSharing } from './choices.js';
import type { WeightSharing } from '../chip/index.js';
import { openModelDataset } from './dataset.js';
import { resolveModel, type ModelOptions, type ResolvedModel } from './model.js';
import { checkOutDir, renderProfile, writeOutputs } from './outputs.js';
import { priceRecord } from './price-record.js';
import { checkpointDataset, checkpointOverrideNotes } from './run-record.js';
import { checkpointPathFor, type LongRunOptions } from './resume.js';
import { silentLifLayers, simulateRun, type SimulationRun } from './simulate.js';
import { fitToDataset } from './input-size.js';

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
  /** How the chip model stores conv weights on profiles with an architecture: none (default) | per-core. */
  weightSharing?: WeightSharing;
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
  /** The profiles as given (names or paths), recorded in the run record. */
  hardware: string[];
  allowUnpriced: boolean;
  weightSharing: WeightSharing;
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
    hardware: [...hardware],
    allowUnpriced: o.allowUnpriced ?? false,
    weightSharing: parseWeightSharing(o.weightSharing ?? 'none'),
    onProgress: o.onProgress ?? (() => {}),
  };
}

/** Simulates a resolved model on its dataset and prices the record: the report, and the simulation (its record). */
export async function profileModel(
  model: ResolvedModel,
  modelArg: string,
  data: Dataset,
  run: CheckedRun,
  label?: string,
  long: LongRunOptions = {},
  notes?: readonly string[],
  overrides?: ConfigOverrides,
): Promise<{ report: ProfileReport; simulation: SimulationRun }> {
  const simulation = await simulateRun(
    model,
    { modelArg, ...(overrides !== undefined ? { overrides } : {}), ...(notes !== undefined ? { notes } : {}) },
    data,
    run,
    label,
    long,
  );
  const report = priceRecord(simulation.record, { profiles: run.profiles, spec: simulation.spec, weightSharing: run.weightSharing });
  // after pricing, so that a pricing error stays the one line a failed run prints
  const silent = silentLifLayers(simulation.record.counts);
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
 * The profile job: resolve the model, open the dataset, simulate N samples spike by spike into a run record,
 * price the record on every hardware profile, build the report. Resolves to the object `profile.json` holds.
 * Prints nothing and writes nothing unless `out` is given; then the directory gets the whole report set:
 * profile.json, counts.json (the run record), predictions.csv, the CSV tables, report.html and the charts.
 * Every option is checked before the simulation starts.
 *
 *   const report = await profile({ model: 'checkpoints/fmnist-qkformer.safetensors', dataset: 'fashion-mnist',
 *     samples: 4, hardware: ['cmos45-fp32'] });
 */
export async function profile(o: ProfileOptions): Promise<ProfileReport> {
  return (await profileWithRecord(o)).report;
}

/** The profile job, also returning its run record (what `report counts.json` and `merge` read back). */
export async function profileWithRecord(o: ProfileOptions): Promise<{ report: ProfileReport; record: RunRecord }> {
  const dir = o.out !== undefined ? checkOutDir(o.out) : null;
  const checked = checkRun(o);
  // the simulation workers load their modules while the weights are read and folded here
  prestartWorkers(checked, checked.samples);
  let model = resolveModel(o.model, { ...modelOptions(o), seed: checked.seed });
  let { run, notes } = runForModel(checked, model, o);
  // a size the weights do not fix comes from the dataset's frames (QKFormer's DVS and ImageNet families)
  const fit = fitToDataset(model, o.model, { ...modelOptions(o), seed: checked.seed }, run.dataset);
  if (fit !== null) {
    model = fit.model;
    ({ run, notes } = runForModel(checked, model, o));
    notes = [...notes, fit.note];
    run.onProgress({ kind: 'note', message: fit.note });
  }
  const data = openModelDataset(model.spec, run.dataset, run.samples, run.seed, (message) => run.onProgress({ kind: 'note', message }));
  const checkpoint = o.checkpoint ?? (dir !== null ? checkpointPathFor(dir) : undefined);
  const long: LongRunOptions = { ...o, ...(checkpoint !== undefined ? { checkpoint } : {}) };
  const { report, simulation } = await profileModel(model, o.model, data, run, undefined, long, notes, o.overrides);
  if (dir !== null) writeOutputs(dir, await renderProfile(report, { record: simulation.record }));
  // the report set is in place: the checkpoint of its samples has done its work
  if (dir !== null && checkpoint !== undefined) rmSync(checkpoint, { force: true });
  return { report, record: simulation.record };
}

/**
 * The run as it applies to one resolved model: a checkpoint's recorded dataset when none was given, and the
 * notes the report carries (a T other than the training T). Size overrides that conflict with a checkpoint throw.
 */
export function runForModel(run: CheckedRun, model: ResolvedModel, o: Omit<ModelOptions, 'seed'>): { run: CheckedRun; notes: string[] } {
  const notes = checkpointOverrideNotes(model, o.overrides ?? {}, o.weights !== undefined);
  for (const message of notes) run.onProgress({ kind: 'note', message });
  if (run.datasetGiven !== false) return { run, notes };
  const recorded = checkpointDataset(model, isDatasetName);
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
