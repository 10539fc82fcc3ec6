import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import {
  ATTENTION_KINDS,
  BATCH_COUPLINGS,
  commandLine,
  CONVENTION_NAMES,
  CORE_NAMES,
  datasetForms,
  DEFAULT_HARDWARE,
  defaultCoreName,
  defaultWorkers,
  INITS,
  listProfiles,
  parseBatchCoupling,
  parseChoice,
  parseConvention,
  parseCore,
  parseList,
  parseWeightSharing,
  WEIGHT_SHARINGS,
  type AttentionKind,
  type ConfigOverrides,
  type ConventionName,
  type OnProgress,
  type RunOptions,
} from '../pipeline/index.js';
import { KNOB_NAMES, MODEL_KNOBS, type ConfigKnob } from '../pipeline/catalog.js';

/** The size overrides every model-taking command accepts (same names as `spikewatt models`): one option per knob of the table. */
export function withModelOverrides<T>(y: Argv<T>): Argv<T & OverrideArgs> {
  let out = y as Argv<T & OverrideArgs>;
  for (const k of KNOB_NAMES) {
    const knob: ConfigKnob = MODEL_KNOBS[k];
    const type = knob.type === 'boolean' ? 'boolean' : knob.type === 'kinds' ? 'string' : 'number';
    out = out.option(knob.flag.slice(2), { type, describe: knob.description, ...(knob.short ? { alias: knob.short.slice(1) } : {}) });
  }
  return out;
}

export interface OverrideArgs {
  embedDims?: number | undefined;
  depths?: number | undefined;
  heads?: number | undefined;
  mlpRatio?: number | undefined;
  timesteps?: number | undefined;
  imgSize?: number | undefined;
  inChannels?: number | undefined;
  numClasses?: number | undefined;
  attention?: string | undefined;
  speds?: boolean | undefined;
}

export function parseAttention(s: string): AttentionKind[] {
  const kinds = s
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  if (!kinds.length) throw new InputError('--attention is empty');
  return kinds.map((k): AttentionKind => parseChoice(k, ATTENTION_KINDS, 'attention kind'));
}

export function overridesFrom(a: OverrideArgs): ConfigOverrides {
  const o: ConfigOverrides = {};
  for (const k of KNOB_NAMES) {
    const v = a[k];
    if (v === undefined) continue;
    if (k === 'attention') o.attention = parseAttention(v as string);
    else (o as Record<string, unknown>)[k] = v;
  }
  return o;
}

/** `--convention`, `--hardware`, `--allow-unpriced` for commands that price their counts. */
export interface EnergyArgs {
  convention?: string | undefined;
  hardware?: string | undefined;
  allowUnpriced?: boolean | undefined;
  weightSharing?: string | undefined;
}

/** `infer`'s pricing options from parsed arguments: none unless --convention or --hardware was given. */
export function energyOptionsFrom(a: EnergyArgs): { convention?: ConventionName; hardware?: string[]; allowUnpriced?: boolean } {
  return {
    ...(a.convention !== undefined ? { convention: parseConvention(a.convention) } : {}),
    ...(a.hardware !== undefined ? { hardware: parseList(a.hardware, 'hardware') } : {}),
    ...(a.allowUnpriced !== undefined ? { allowUnpriced: a.allowUnpriced } : {}),
  };
}

export function withEnergyOptions<T>(y: Argv<T>) {
  return y
    .option('convention', {
      type: 'string',
      describe: `counting convention(s), comma-separated: ${CONVENTION_NAMES.join(' | ')} (default exact: what the event-driven run did)`,
    })
    .option('hardware', {
      type: 'string',
      describe: `hardware profiles, comma-separated: built-in (${listProfiles().join(', ')}) or paths to JSON profiles`,
    })
    .option('allow-unpriced', { type: 'boolean', describe: 'report ops a profile does not price as unpriced counts instead of failing' })
    .option('weight-sharing', {
      type: 'string',
      describe: `chip model on profiles with an architecture: how conv weights are stored, ${WEIGHT_SHARINGS.join(' | ')} (default none: every synapse stores its weight; per-core: a core stores each kernel row once)`,
    });
}

/** The run options profile and compare share. */
export interface ProfileArgs extends OverrideArgs, EnergyArgs {
  /** Absent: a checkpoint's recorded dataset, else synthetic at the model's input shape. */
  dataset?: string | undefined;
  samples: number;
  core: string;
  batchCoupling: string;
  batchSize: number;
  workers: number;
  seed: number;
  /** Weights for a zoo model: .safetensors or an official PyTorch checkpoint (.pth / .pth.tar). */
  weights?: string | undefined;
  init: string;
}

/** The options profile and compare share (model overrides included); choices listed from the registries. */
export function withProfileOptions<T>(y: Argv<T>) {
  return withEnergyOptions(withModelOverrides(y))
    .option('dataset', {
      type: 'string',
      describe: `NAME[:PATH]: ${datasetForms()} (test split; default: the dataset a checkpoint records, else synthetic at the model's input shape)`,
    })
    .option('samples', { type: 'number', default: 100, describe: 'samples to simulate (the first N of the test split)' })
    .option('core', { type: 'string', default: defaultCoreName(), describe: `compute core: ${CORE_NAMES.join(' | ')}` })
    .option('workers', {
      type: 'number',
      default: defaultWorkers(),
      describe: 'worker threads over samples (default: the CPUs); counts, spikes and accuracy do not depend on it',
    })
    .option('batch-coupling', {
      type: 'string',
      default: 'independent',
      describe: `${BATCH_COUPLINGS.join(' | ')} (official: the official SSA proj_lif over T*B; results depend on --batch-size)`,
    })
    .option('batch-size', {
      type: 'number',
      default: 16,
      describe: 'samples simulated together (matters only with --batch-coupling official)',
    })
    .option('seed', { type: 'number', default: 0, describe: 'seed of random weights (zoo models) and generated datasets' })
    .option('init', {
      type: 'string',
      default: 'calibrated',
      describe:
        `weights of a zoo model without --weights: ${INITS.join(' | ')} (calibrated: BatchNorm statistics set so LIF layers ` +
        'fire 10-25 % like trained networks; seeded: the plain seeded init, near-silent in deep stages)',
    })
    .option('weights', {
      type: 'string',
      describe: 'weights for a zoo --model: .safetensors or an official PyTorch checkpoint (.pth / .pth.tar, read without torch)',
    });
}

/** The pipeline's run options from parsed arguments (closed sets checked here, once). */
export function runOptionsFrom(a: ProfileArgs, onProgress: OnProgress): RunOptions {
  return {
    ...(a.dataset !== undefined ? { dataset: a.dataset } : {}),
    samples: a.samples,
    hardware: parseList(a.hardware ?? DEFAULT_HARDWARE, 'hardware'),
    // several conventions, comma-separated, are priced on the same counts (the first is the report's main one)
    ...conventionsFrom(a.convention),
    command: commandLine(process.argv.slice(2)),
    core: parseCore(a.core),
    batchCoupling: parseBatchCoupling(a.batchCoupling),
    batchSize: a.batchSize,
    workers: a.workers,
    seed: a.seed,
    allowUnpriced: a.allowUnpriced ?? false,
    ...(a.weightSharing !== undefined ? { weightSharing: parseWeightSharing(a.weightSharing) } : {}),
    onProgress,
  };
}

/** `--convention exact,spikformer`: the first convention and the whole list. */
export function conventionsFrom(arg: string | undefined): { convention: ConventionName; conventions: ConventionName[] } {
  const conventions = parseList(arg ?? 'exact', 'convention').map((c) => parseConvention(c));
  return { convention: conventions[0]!, conventions };
}
