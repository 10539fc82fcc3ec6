/**
 * The jobs of spikewatt as library functions: typed options, a progress callback, no argv, no printing, no
 * files written unless an `out` directory is given. The CLI (src/cli) is a thin layer over these.
 */
export { profile, profileWithRecord, checkRun, profileModel, DEFAULT_HARDWARE } from './profile.js';
export type { ProfileOptions, RunOptions, CheckedRun, ProgressEvent, OnProgress } from './profile.js';
export { simulateRun } from './simulate.js';
export type { SimulationRun } from './simulate.js';
export { priceRecord, specOfRecord, loadProfiles } from './price-record.js';
export type { PriceOptions } from './price-record.js';
export { readRecordFile, recordFileOf } from './record-file.js';
export type { RunRecord, Prediction } from '../record/record.js';
export { parseRecord, recordJson, RecordFileError } from '../record/file.js';
export { compare, compareReports } from './compare.js';
export type { CompareOptions, CompareRun } from './compare.js';
export { evaluate, evaluateSim, ENGINES, TF_BACKENDS } from './evaluate.js';
export type { EvaluateOptions, Evaluation, EngineScore, Engine, TfBackend } from './evaluate.js';
export { resolveModel, attentionVariant } from './model.js';
export type { ResolvedModel, ModelOptions } from './model.js';
export { saveSpec, MODEL_FILE_FORMAT, MODEL_FILE_VERSION, type SaveSpecOptions, type SaveSpecResult } from './model-file.js';
export { openModelDataset } from './dataset.js';
export { parseChoice, parseCore, parseConvention, parseBatchCoupling, parseList, BATCH_COUPLINGS } from './choices.js';
export { parseWeightSharing } from './choices.js';
export { WEIGHT_SHARINGS } from '../chip/index.js';
export { INITS, zooInit, type InitKind } from './init.js';
export { mergeParts, mergeRecords } from './merge.js';
export type { MergeOptions, PartFile } from './merge.js';
export { parseShard, shardSlice, weightsDigest, rawCounts, sumRawCounts, countsFromRaw } from './shard.js';
export type { Shard, SampleSlice, RawCounts } from './shard.js';
export { runSlice, RunInterrupted, checkpointPathFor, parseCheckpoint, DEFAULT_CHECKPOINT_EVERY } from './resume.js';
export type { LongRunOptions, Checkpoint } from './resume.js';
export { renderProfile, renderCompare, writeOutputs, checkOutDir, chartJsSource, spikewattVersion, RECORD_FILES } from './outputs.js';
export type { OutputFiles } from './outputs.js';
export { infer } from './infer.js';
export { nirExport } from './nir-export.js';
export type { NirExportOptions } from './nir-export.js';
export { initNir, isNirPath, readNirFile, writeNirFile } from './nir-file.js';
export type { NirExportResult } from './nir-file.js';
export type { InferOptions, InferResult, InferEnergy, ModuleSpikes } from './infer.js';
export { checkZooName, readCheckpointFile, modelOfCheckpoint, STATE_DICT_KEYS } from './checkpoint.js';
export type { CheckpointFile } from './checkpoint.js';
export {
  ATTENTION_KINDS,
  ZOO_NAMES,
  isZooName,
  zooSpec,
  listModels,
  CORE_NAMES,
  defaultCoreName,
  defaultWorkers,
  listCores,
  GPU_MODE_REQUESTS,
  OP_KINDS,
  CONVENTION_NAMES,
  listProfiles,
  priceStatus,
  hardwareProfile,
  hardwareProfiles,
  DATASET_NAMES,
  SPLITS,
  datasetKinds,
  datasetForms,
  describeDataset,
} from './catalog.js';
export type {
  AttentionKind,
  ModelSpec,
  ZooName,
  ConfigOverrides,
  CoreName,
  OpKind,
  ConventionName,
  HardwareProfile,
  DatasetName,
  Split,
  ModelRow,
  DatasetKindRow,
  DatasetDescription,
  DescribeDatasetOptions,
  CoreRow,
  CoreCatalog,
  ProfileEntry,
} from './catalog.js';
export { commandLine } from './run-record.js';
export { train } from './train.js';
export type { TrainOptions, TrainResult, TrainProgressEvent, TrainedCheckpoint } from './train.js';
export { convert } from './convert.js';
export type { ConvertOptions, ConvertResult, ConvertSource } from './convert.js';
export { inspect, inspectFile } from './inspect.js';
export type { InspectOptions, InspectResult } from './inspect.js';
export { demo, DEMO_MODELS } from './demo.js';
export type { DemoOptions, DemoResult, DemoProgressEvent } from './demo.js';
export { profileSummary, textTable, fmtNum, fmtPct, totalText, unitFor, parseProfileReport } from './text.js';
export { chipCompareSummary } from './text.js';
export type { ProfileReport, CompareReport, CompareVariant } from './text.js';
