import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { builtinProfilePath, isBuiltinProfile, listProfiles, loadProfile, type HardwareProfile } from '../cost-models/index.js';
import { DatasetError, datasetInfo, SPLITS, type DatasetInfo, type Split } from '../data/dataset.js';
import { DATASET_NAMES, DATASETS, openDataset, type DatasetEntry } from '../data/registry.js';
import type { ModelSpec } from '../models/spec.js';
import { attentionLabel } from '../reports/blocks.js';
import { modelStats } from '../models/stats.js';
import { isZooName, zooModel, ZOO_NAMES, type ConfigOverrides } from '../models/zoo.js';
import { specOf } from './model.js';
import {
  GPU_MODE_REQUESTS,
  GpuModeUnavailableError,
  isGpuModeRequest,
  probeModes,
  resolveMode,
  type ModeAvailability,
} from '../sim/cores/gpujs/modes.js';
import { CORE_NAMES, CORE_SUMMARY, cpuCoreUnavailable, type CoreName } from '../sim/cores/index.js';
import { describeAdapter, probeWebgpu, type WebgpuProbe } from '../sim/cores/webgpu.js';

/**
 * The catalogues behind `models`, `datasets`, `cores` and `hardware`: what each registry holds, as data (no
 * printing). The closed sets the command line offers as choices are re-exported here, so that src/cli reads every
 * registry through the pipeline.
 */

export { ATTENTION_KINDS, type AttentionKind, type ModelSpec } from '../models/spec.js';
export { ZOO_NAMES, isZooName, type ZooName, type ConfigOverrides } from '../models/zoo.js';
export { MODEL_KNOBS, KNOB_NAMES, type ConfigKnob, type KnobName } from '../models/knobs.js';
export { CORE_NAMES, defaultCoreName, type CoreName } from '../sim/cores/index.js';
export { defaultWorkers } from '../sim/schedule/parallel.js';
export { OP_KINDS, type OpKind } from '../sim/ops.js';
export { CONVENTION_NAMES, listProfiles, priceStatus, type ConventionName, type HardwareProfile } from '../cost-models/index.js';
export { DATASET_NAMES, type DatasetName } from '../data/registry.js';
export { SPLITS, type Split } from '../data/dataset.js';
export { GPU_MODE_REQUESTS } from '../sim/cores/gpujs/modes.js';

/** A zoo model with size overrides; an unknown name is an InputError listing the zoo. */
export function zooSpec(name: string, overrides: ConfigOverrides = {}): ModelSpec {
  if (!isZooName(name)) throw new InputError(`unknown model '${name}' (known: ${ZOO_NAMES.join(', ')})`);
  return zooModel(name, overrides);
}

/** One zoo entry's static numbers (`spikewatt models`). */
export interface ModelRow {
  name: string;
  params: number;
  paramsUsed: number;
  denseMacsPerStep: number;
  attentionFlopsPerStep: number;
  timesteps: number;
  /** [C,H,W] for static images, [T,C,H,W] for DVS frames. */
  inputShape: number[];
  /** The builder family (`sdt-imagenet`, `maxformer-imagenet`, ...). */
  family: string;
  /** The attention knob per stage (QKFormer, Spikformer), else the token mixings the model's blocks use. */
  attention: string[];
}

/** The zoo (or the named entries, zoo names or model files) with the same size overrides applied to each: parameters, dense MACs, input. */
export function listModels(names: readonly string[] = ZOO_NAMES, overrides: ConfigOverrides = {}): ModelRow[] {
  return names.map((n) => {
    const spec = specOf(n, overrides);
    const s = modelStats(spec);
    return {
      name: n,
      params: s.params,
      paramsUsed: s.paramsUsed,
      denseMacsPerStep: s.denseMacsPerStep,
      attentionFlopsPerStep: s.attentionFlopsPerStep,
      timesteps: spec.config.timesteps,
      inputShape:
        spec.config.input === 'dvs'
          ? [spec.config.timesteps, spec.inputShape.c, spec.inputShape.h, spec.inputShape.w]
          : [spec.inputShape.c, spec.inputShape.h, spec.inputShape.w],
      family: spec.config.family,
      attention: attentionLabel(spec),
    };
  });
}

/** One dataset kind of the registry. */
export interface DatasetKindRow {
  name: string;
  kind: DatasetEntry['kind'];
  path: DatasetEntry['path'];
  describe: string;
  example: string;
}

export function datasetKinds(): DatasetKindRow[] {
  return DATASET_NAMES.map((n) => ({
    name: n,
    kind: DATASETS[n].kind,
    path: DATASETS[n].path,
    describe: DATASETS[n].describe,
    example: DATASETS[n].example,
  }));
}

/** `NAME`, `NAME:PATH` or `NAME[:PATH]` of each registered dataset, for help text. */
export function datasetForms(): string {
  return DATASET_NAMES.map((n) => {
    const e: DatasetEntry = DATASETS[n];
    return e.path === 'required' ? `${n}:PATH` : e.path === 'optional' ? `${n}[:PATH]` : n;
  }).join(' | ');
}

export interface DescribeDatasetOptions {
  split?: string;
  timesteps?: number;
  limit?: number;
  seed?: number;
  downsample?: number;
}

/** One opened dataset: its description and the labels and value range of its first (at most) 100 samples. */
export interface DatasetDescription {
  info: DatasetInfo;
  scanned: number;
  labelCounts: number[];
  min: number;
  max: number;
  mean: number;
  sumPerSample: number;
}

/** Opens `spec` (`NAME[:PATH]`) and scans its first 100 samples; reads the data set's files, writes nothing. */
export function describeDataset(spec: string, o: DescribeDatasetOptions = {}): DatasetDescription {
  const split = o.split ?? 'test';
  if (!(SPLITS as readonly string[]).includes(split)) throw new InputError(`unknown --split '${split}' (use ${SPLITS.join(', ')})`);
  try {
    return scan(spec, o, split as Split);
  } catch (e) {
    if (e instanceof DatasetError || e instanceof RangeError) throw new InputError(e.message);
    throw e;
  }
}

function scan(spec: string, o: DescribeDatasetOptions, split: Split): DatasetDescription {
  const d = openDataset(spec, {
    split,
    ...(o.timesteps !== undefined ? { timesteps: o.timesteps } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.downsample !== undefined ? { downsample: o.downsample } : {}),
  });
  const n = Math.min(d.length, 100);
  const labels = new Array<number>(d.numClasses).fill(0);
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    count = 0;
  for (let i = 0; i < n; i++) {
    const s = d.get(i);
    labels[s.label] = (labels[s.label] ?? 0) + 1;
    for (const v of s.x) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    count += s.x.length;
  }
  return { info: datasetInfo(d), scanned: n, labelCounts: labels, min, max, mean: count ? sum / count : 0, sumPerSample: n ? sum / n : 0 };
}

/** One compute core and how it would run here. */
export interface CoreRow {
  name: string;
  registered: boolean;
  /** The arithmetic, the gpu.js mode, `webgpu`, or `unavailable`. */
  mode: string;
  detail: string;
}

/** The cores, the gpu.js modes this machine offers and the WebGPU probe (`spikewatt cores`). */
export interface CoreCatalog {
  cores: CoreRow[];
  gpuModes: ModeAvailability[];
  webgpu: WebgpuProbe;
}

/** Probes the machine for each core; `gpuMode` (auto | headlessgl | webasm | cpu) is the gpu.js mode to check. */
export function listCores(gpuMode = 'auto'): CoreCatalog {
  if (!isGpuModeRequest(gpuMode)) throw new InputError(`unknown --gpu-mode '${gpuMode}' (use ${GPU_MODE_REQUESTS.join(', ')})`);
  const probe = probeModes();
  let gpujsMode: string;
  try {
    // NOTE: auto with no mode at all (the installed package without the optional gpu.js) lists gpujs as unavailable
    gpujsMode = gpuMode === 'auto' && !probe.some((p) => p.available) ? 'unavailable' : resolveMode(gpuMode, probe);
  } catch (e) {
    if (e instanceof GpuModeUnavailableError) throw new InputError(e.message);
    throw e;
  }
  const names = new Set<string>(CORE_NAMES);
  names.add('gpujs');
  const webgpu = probeWebgpu();
  const cores = [...names].map((name): CoreRow => {
    if (name === 'gpujs') {
      const detail = probe.find((p) => p.mode === gpujsMode)?.why ?? probe.map((p) => `${p.mode}: ${p.why}`).join('; ');
      return { name, registered: (CORE_NAMES as string[]).includes(name), mode: gpujsMode, detail };
    }
    if (name === 'webgpu') {
      const detail = webgpu.available ? `WGSL on adapter ${describeAdapter(webgpu.adapter)}` : `no WebGPU adapter: ${webgpu.why}`;
      return { name, registered: true, mode: webgpu.available ? 'webgpu' : 'unavailable', detail };
    }
    const why = cpuCoreUnavailable(name as CoreName);
    const summary = CORE_SUMMARY[name as CoreName];
    return { name, registered: true, mode: why ? 'unavailable' : summary.arithmetic, detail: why ?? summary.summary };
  });
  return { cores, gpuModes: probe, webgpu };
}

/** A hardware profile, validated, and the file it came from. */
export interface ProfileEntry {
  profile: HardwareProfile;
  file: string;
}

/** A built-in profile name or a path to a profile .json; ProfileError / InputError when it does not validate. */
export function hardwareProfile(nameOrPath: string): ProfileEntry {
  const profile = loadProfile(nameOrPath, (p) => readFileSync(p, 'utf8'));
  return { profile, file: isBuiltinProfile(nameOrPath) ? builtinProfilePath(nameOrPath) : nameOrPath };
}

/** Every built-in profile, validated. */
export function hardwareProfiles(): ProfileEntry[] {
  return listProfiles().map((n) => hardwareProfile(n));
}
