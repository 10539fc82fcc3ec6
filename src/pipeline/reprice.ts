import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadProfile, type ConventionName } from '../cost-models/index.js';
import type { ModelConfig } from '../models/spec.js';
import { buildModel } from '../models/zoo.js';
import type { ModelSpec } from '../models/spec.js';
import { modelStats } from '../models/stats.js';
import type { ConfigOverrides } from '../models/zoo.js';
import type { LayerCounts, OpCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex } from '../sim/ops.js';
import type { ProfileReport } from '../reports/schema.js';
import { parseBatchCoupling, parseConvention, parseCore } from './choices.js';
import { resolveModel } from './model.js';
import { priceRun, type SimulationRun } from './profile.js';

export interface RepriceOptions {
  /** Hardware profiles to price with: built-in names or paths to JSON profiles. */
  hardware: readonly string[];
  /** Conventions to price under; default the report's own (all of them). */
  conventions?: readonly ConventionName[];
  allowUnpriced?: boolean;
  /** The size overrides the run used, when its model was a zoo name with overrides (profile.json keeps only the name). */
  overrides?: ConfigOverrides;
}

/**
 * The exact counts of a saved run, rebuilt from profile.json (per-inference values x samples, exact integers).
 * NOTE: the syops and spikformer conventions read whether each dense input was exactly 0/1 (`inputBinary`);
 * files written before it was recorded say `false` there, and re-pricing them under those conventions is refused.
 */
export function countsFromReport(r: ProfileReport): OpCounts {
  const S = r.accuracy.samples,
    T = r.timesteps;
  const layers: LayerCounts[] = r.layers.map((l) => {
    const ops = new Float64Array(T * NUM_OP_KINDS);
    const perT = (f: (s: (typeof l.perStep)[number]) => number) => Float64Array.from(l.perStep, (s) => Math.round(f(s) * S));
    for (const s of l.perStep) for (const k of OP_KINDS) ops[s.t * NUM_OP_KINDS + opIndex(k)] = Math.round(s.ops[k] * S);
    return {
      name: l.name,
      kind: l.kind as LayerCounts['kind'],
      ops,
      inputEvents: perT((s) => s.inputEvents),
      inputUnitSpikes: perT((s) => s.inputUnitSpikes),
      outputSpikes: perT((s) => s.outputSpikes),
      inputElements: l.inputElements,
      outputElements: l.outputElements,
      inputBinary: l.inputBinary ?? false,
      inputIsEvents: l.inputIsEvents,
    };
  });
  return { model: r.model.name, timesteps: T, samples: S, layers };
}

/** The model of a saved run, checked against what the report recorded (layer names, parameter count). */
function specOfReport(r: ProfileReport, overrides: ConfigOverrides): ModelSpec {
  // NOTE: a report that records its resolved config is rebuilt from it (no weights, no calibration run)
  if (r.model.config && !Object.keys(overrides).length) {
    let spec: ModelSpec;
    try {
      spec = buildModel(r.model.name, r.model.config as ModelConfig);
    } catch (e) {
      throw new InputError(`the model config in this report does not build: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (spec.layers.length === r.layers.length && spec.layers.every((l, i) => l.name === r.layers[i]!.name)) return spec;
  }
  const { spec } = resolveModel(r.config.model, { overrides: { ...overrides, timesteps: r.timesteps }, seed: r.config.seed });
  const same =
    spec.layers.length === r.layers.length &&
    spec.layers.every((l, i) => l.name === r.layers[i]!.name) &&
    modelStats(spec).paramsUsed === r.model.params;
  if (!same) {
    throw new InputError(
      `model '${r.config.model}' today is not the model of this report (${r.model.name}, ${r.model.params} params); ` +
        'give the size overrides the run used',
    );
  }
  return spec;
}

/**
 * Re-prices a saved profile report on other hardware profiles without simulating again: count first, price
 * second. The result is the report `profile` would have written with these profiles and conventions.
 */
export function reprice(report: ProfileReport, o: RepriceOptions): ProfileReport {
  // NOTE: profile.json's layer counts are the measured (exact) counts whatever conventions were priced, so any
  // convention re-prices them; syops and spikformer also read each layer's input binariness.
  const conventions = [
    ...new Set(
      (o.conventions?.length ? o.conventions : (report.config.conventions ?? [report.config.convention])).map((c) => parseConvention(c)),
    ),
  ];
  const convention = conventions[0]!;
  const needsBinary = conventions.find((c) => c !== 'exact');
  if (needsBinary && report.layers.some((l) => l.inputBinary === undefined)) {
    throw new InputError(
      `--convention ${needsBinary}: this profile.json does not record each layer's input binariness (written by an older ` +
        'spikewatt); re-price it with --convention exact, or run profile again',
    );
  }
  if (!o.hardware.length) throw new InputError('--hardware is empty');
  const profiles = o.hardware.map((n) => loadProfile(n, (p) => readFileSync(p, 'utf8')));
  const spec = specOfReport(report, o.overrides ?? {});
  const c = report.config;
  const sim: SimulationRun = {
    model: { spec, tensors: new Map(), weights: report.model.weights, checkpoint: c.checkpoint },
    modelArg: c.model,
    counts: countsFromReport(report),
    accuracy: { ...report.accuracy },
    dataset: { ...report.dataset },
    config: {
      model: c.model,
      checkpoint: c.checkpoint,
      dataset: c.dataset,
      samples: c.samples,
      convention,
      core: parseCore(c.core),
      batchCoupling: parseBatchCoupling(c.batchCoupling),
      batchSize: c.batchSize,
      seed: c.seed,
    },
    seconds: 0,
  };
  return priceRun(sim, profiles, convention, o.allowUnpriced ?? false, {
    conventions,
    notes: report.config.notes ?? [],
    weightsSha256: report.model.weightsSha256 ?? null,
    ...(report.config.command !== undefined ? { command: report.config.command } : {}),
  });
}
