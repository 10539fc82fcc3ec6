import { datasetInfo, type Dataset } from '../data/dataset.js';
import { foldWeights } from '../models/fold.js';
import type { ModelSpec } from '../models/spec.js';
import { buildModel, type ConfigOverrides } from '../models/zoo.js';
import { modelFileOf } from '../models/model-file.js';
import { InputError } from '../errors.js';
import { canonicalOverrides, RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../record/record.js';
import { connectionZeros } from '../reports/neurobench.js';
import type { OpCounts } from '../sim/counts.js';
import type { ResolvedModel } from './model.js';
import { spikewattVersion } from './outputs.js';
import type { CheckedRun } from './profile.js';
import { runSlice, type LongRunOptions } from './resume.js';
import { weightsDigest } from './shard.js';

/** One simulation, counted: the run record, the spec it ran (pricing needs its shapes) and the wall time. */
export interface SimulationRun {
  record: RunRecord;
  spec: ModelSpec;
  seconds: number;
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

/** True when `buildModel(name, config)` gives this spec's layers again (then the record needs no graph). */
function rebuildsFromConfig(spec: ModelSpec): boolean {
  if (spec.config.family === 'graph') return false;
  let built: ModelSpec;
  try {
    built = buildModel(spec.name, spec.config);
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
  return built.layers.length === spec.layers.length && built.layers.every((l, i) => JSON.stringify(l) === JSON.stringify(spec.layers[i]));
}

/** What the record says about the run beyond the simulation itself. */
export interface RecordContext {
  /** The model as the user named it. */
  modelArg: string;
  overrides?: ConfigOverrides;
  notes?: readonly string[];
}

/**
 * Simulates the first `run.samples` samples of `data` spike by spike and returns the run record (counts per layer
 * x step x op kind, per-neuron spikes, every sample's top-5); `long` narrows it to a shard's slice, checkpoints it,
 * resumes it, or stops it (src/pipeline/resume.ts). Nothing is priced here.
 */
export async function simulateRun(
  model: ResolvedModel,
  ctx: RecordContext,
  data: Dataset,
  run: CheckedRun,
  label = model.spec.name,
  long: LongRunOptions = {},
): Promise<SimulationRun> {
  const { spec } = model;
  const start = Date.now();
  const n = Math.min(run.samples, data.length);
  const tensorsSha256 = weightsDigest(model.tensors);
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
        model: ctx.modelArg,
        weightsSha256: tensorsSha256,
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
  const cfg = spec.config;
  const record: RunRecord = {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    kind: 'spikewatt-run-record',
    spikewattVersion: spikewattVersion(),
    model: {
      name: spec.name,
      config: { ...cfg, heads: [...cfg.heads], attention: [...cfg.attention] },
      arg: ctx.modelArg,
      overrides: canonicalOverrides(ctx.overrides ?? {}),
      weights: model.weights,
      ...(model.detected !== undefined ? { detected: model.detected } : {}),
      ...(rebuildsFromConfig(spec) ? {} : { graph: modelFileOf(spec) }),
    },
    weights: {
      file: model.checkpoint,
      fileSha256: model.fileSha256,
      tensorsSha256,
      connections: connectionZeros(model.spec, model.tensors),
    },
    input: {
      spec: run.dataset,
      name: info.name,
      source: info.source,
      split: info.split,
      kind: info.kind,
      numClasses: info.numClasses,
      sampleShape: [...info.sampleShape],
      seed: run.seed,
    },
    run: {
      samples: n,
      first: res.slice.first,
      end: res.slice.end,
      timesteps: cfg.timesteps,
      core: run.core,
      batchCoupling: run.batchCoupling,
      batchSize: run.batchSize,
      command: run.command ?? null,
      notes: [...(run.notes ?? []), ...(ctx.notes ?? [])],
    },
    pricing: {
      hardware: [...run.hardware],
      conventions: [...(run.conventions ?? [run.convention])],
      allowUnpriced: run.allowUnpriced,
    },
    shard: long.shard ? { index: long.shard.index, count: long.shard.count } : null,
    predictions: res.predictions,
    counts: res.counts,
    outShapes: spec.layers.map((l) => [l.out.c, l.out.h, l.out.w]),
  };
  return { record, spec, seconds: (Date.now() - start) / 1000 };
}
