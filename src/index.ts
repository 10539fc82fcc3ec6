/**
 * spikewatt as a library: the jobs, their options and results, the run record and its pricing, the registries a
 * user extends (by one file plus one registry line each: README "Where things go"), and InputError. Nothing else:
 * test/index.test.ts lists every name, so that growing this API is a visible decision.
 *
 *   import { profile } from 'spikewatt';
 *   const report = await profile({ model: 'checkpoints/fmnist-qkformer.safetensors', dataset: 'fashion-mnist',
 *     samples: 4, hardware: ['cmos45-fp32'] });
 *   // report is what profile.json holds: report.energy[0].totalMj, report.layers[i].perStep[t].ops ...
 *
 * Every job takes typed options and an optional `onProgress`, prints nothing, writes files only to the output
 * paths it is given, and throws InputError for bad input.
 */

// The jobs.
export { profile, compare, evaluate, infer, train, convert, inspect } from './pipeline/index.js';
export type {
  ProfileOptions,
  ProfileReport,
  CompareOptions,
  CompareReport,
  EvaluateOptions,
  Evaluation,
  InferOptions,
  InferResult,
  TrainOptions,
  TrainResult,
  ConvertOptions,
  ConvertResult,
  InspectOptions,
  InspectResult,
  OnProgress,
} from './pipeline/index.js';

// The run record and its pricing: count once, price on any profile, merge shards (src/record, src/pipeline).
export { simulateRun, priceRecord, readRecordFile, mergeRecords } from './pipeline/index.js';
export type { RunRecord } from './pipeline/index.js';

// The registries a user extends: compute cores, counting conventions, datasets, hardware profiles, the model zoo.
export { CORE_NAMES, CONVENTION_NAMES, DATASET_NAMES, ZOO_NAMES, listProfiles, loadProfiles } from './pipeline/index.js';
export type { HardwareProfile } from './pipeline/index.js';

export { InputError } from './errors.js';
