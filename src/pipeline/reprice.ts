import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadProfile } from '../cost-models/index.js';
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
  allowUnpriced?: boolean;
  /** The size overrides the run used, when its model was a zoo name with overrides (profile.json keeps only the name). */
  overrides?: ConfigOverrides;
}

/**
 * The exact counts of a saved run, rebuilt from profile.json (per-inference values x samples, exact integers).
 * NOTE: profile.json v1 does not keep whether each dense input was exactly 0/1, which the syops and spikformer
 * conventions read; the rebuilt counts say `false`, so only the exact convention re-prices a saved file.
 */
export function countsFromReport(r: ProfileReport): OpCounts {
  const S = r.accuracy.samples, T = r.timesteps;
  const layers: LayerCounts[] = r.layers.map((l) => {
    const ops = new Float64Array(T * NUM_OP_KINDS);
    const perT = (f: (s: (typeof l.perStep)[number]) => number) => Float64Array.from(l.perStep, (s) => Math.round(f(s) * S));
    for (const s of l.perStep) for (const k of OP_KINDS) ops[s.t * NUM_OP_KINDS + opIndex(k)] = Math.round(s.ops[k] * S);
    return {
      name: l.name, kind: l.kind as LayerCounts['kind'], ops,
      inputEvents: perT((s) => s.inputEvents), inputUnitSpikes: perT((s) => s.inputUnitSpikes),
      outputSpikes: perT((s) => s.outputSpikes), inputElements: l.inputElements, outputElements: l.outputElements, inputBinary: false,
      inputIsEvents: l.inputIsEvents,
    };
  });
  return { model: r.model.name, timesteps: T, samples: S, layers };
}

/** The model of a saved run, checked against what the report recorded (layer names, parameter count). */
function specOfReport(r: ProfileReport, overrides: ConfigOverrides): ModelSpec {
  const { spec } = resolveModel(r.config.model, { overrides: { ...overrides, timesteps: r.timesteps }, seed: r.config.seed });
  const same = spec.layers.length === r.layers.length && spec.layers.every((l, i) => l.name === r.layers[i]!.name)
    && modelStats(spec).paramsUsed === r.model.params;
  if (!same) {
    throw new InputError(`model '${r.config.model}' today is not the model of this report (${r.model.name}, ${r.model.params} params); `
      + 'give the size overrides the run used');
  }
  return spec;
}

/**
 * Re-prices a saved profile report on other hardware profiles without simulating again: count first, price
 * second. The result is the report `profile` would have written with these profiles (exact convention).
 */
export function reprice(report: ProfileReport, o: RepriceOptions): ProfileReport {
  const convention = parseConvention(report.config.convention);
  if (convention !== 'exact') {
    throw new InputError(`this report was priced under '${convention}'; re-pricing a saved profile.json supports the exact convention only `
      + '(profile.json does not keep the input binariness the others read): run profile again');
  }
  if (!o.hardware.length) throw new InputError('--hardware is empty');
  const profiles = o.hardware.map((n) => loadProfile(n, (p) => readFileSync(p, 'utf8')));
  const spec = specOfReport(report, o.overrides ?? {});
  const c = report.config;
  const sim: SimulationRun = {
    model: { spec, tensors: new Map(), weights: report.model.weights, checkpoint: c.checkpoint },
    modelArg: c.model, counts: countsFromReport(report), accuracy: { ...report.accuracy }, dataset: { ...report.dataset },
    config: {
      model: c.model, checkpoint: c.checkpoint, dataset: c.dataset, samples: c.samples, convention, core: parseCore(c.core),
      batchCoupling: parseBatchCoupling(c.batchCoupling), batchSize: c.batchSize, seed: c.seed,
    },
    seconds: 0,
  };
  return priceRun(sim, profiles, convention, o.allowUnpriced ?? false);
}
