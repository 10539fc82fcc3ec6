/**
 * spikewatt as a library.
 *
 *   import { profile } from 'spikewatt';
 *   const report = await profile({ model: 'checkpoints/fmnist-qkformer.safetensors', dataset: 'fashion-mnist',
 *     samples: 4, hardware: ['cmos45-fp32'] });
 *   // report is what profile.json holds: report.energy[0].totalMj, report.layers[i].perStep[t].ops ...
 *
 * Jobs: profile, compare, evaluate; count first, price second: simulateRun then priceRun (re-price a run on
 * other profiles without simulating again). Errors caused by the input are InputErrors.
 */
export * from './pipeline/index.js';
export { InputError } from './errors.js';
export type { ProfileReport, LayerReport, StepReport, ProfileEnergy } from './reports/schema.js';
export { parseProfileReport, profileReportJson } from './reports/schema.js';
export type { CompareReport, CompareVariant } from './reports/compare.js';
export type { RunConfig } from './reports/profile-report.js';
export type { ModelSpec, ModelConfig, LayerSpec, LayerKind, AttentionKind, Family } from './models/spec.js';
export { ZOO_NAMES, zooModel, isZooName, FAMILIES } from './models/zoo.js';
export type { ZooName, ConfigOverrides } from './models/zoo.js';
export type { OpKind } from './sim/ops.js';
export { OP_KINDS } from './sim/ops.js';
export type { OpCounts, LayerCounts } from './sim/counts.js';
export { CORE_NAMES } from './sim/cores/index.js';
export type { CoreName } from './sim/cores/index.js';
export type { BatchCoupling } from './sim/schedule/time-major.js';
export { listProfiles, loadProfile, parseProfile, price, CONVENTION_NAMES } from './cost-models/index.js';
export type { HardwareProfile, ConventionName, Pricing } from './cost-models/index.js';
export { DATASET_NAMES } from './data/registry.js';
