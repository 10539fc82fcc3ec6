import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadProfile, type HardwareProfile } from '../cost-models/index.js';
import { readCheckpointSpec } from '../models/detect/checkpoint-config.js';
import { readSafetensors } from '../models/formats/safetensors.js';
import type { ModelSpec } from '../models/spec.js';
import { modelStats } from '../models/stats.js';
import { isZooName, zooModel, ZOO_NAMES, type ConfigOverrides } from '../models/zoo.js';
import type { Accuracy } from '../reports/accuracy.js';
import type { ProfileReport } from '../reports/schema.js';
import { parseBatchCoupling, parseConvention, parseCore } from './choices.js';
import { priceRun, type SimulationRun } from './profile.js';
import { countsFromRaw, shardSlice, sumRawCounts } from './shard.js';

/** One part as read: the file it came from (for messages) and its parsed profile.json. */
export interface PartFile {
  file: string;
  report: ProfileReport;
}

export interface MergeOptions {
  /** Price with these profiles (names or JSON paths) instead of the parts' own, which must then be built-in. */
  hardware?: readonly string[];
  /** The command line of the merge, recorded in the merged profile.json. */
  command?: string;
}

type Part = PartFile & { shard: NonNullable<ProfileReport['shard']>; part: NonNullable<ProfileReport['part']> };

/** What every part of one run has in common, as JSON (everything but its slice, counts, accuracy and energy). */
function identity(p: Part): string {
  const r = p.report;
  return JSON.stringify({
    // each shard's command line names its own shard; everything else of the run's config is the same
    spikewattVersion: r.spikewattVersion,
    config: { ...r.config, command: undefined },
    model: r.model,
    dataset: r.dataset,
    timesteps: r.timesteps,
    shardCount: p.shard.count,
    weightsSha256: p.part.weightsSha256,
    overrides: p.part.overrides,
    layers: r.layers.map((l) => l.name),
    energy: r.energy.map((e) => ({
      profile: e.profile,
      technology: e.technology,
      convention: e.convention,
      sources: e.sources,
      memory: e.memory,
    })),
  });
}

/** The first key in which two JSON-able records differ, for a message that says what does not fit. */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return JSON.stringify(a) === JSON.stringify(b) ? '' : `${path.slice(1) || 'value'} (${JSON.stringify(a)} vs ${JSON.stringify(b)})`;
}

/** The spec of the run's model, without weights: pricing needs only the shapes. */
function specOfParts(modelArg: string, overrides: ConfigOverrides): ModelSpec {
  if (/\.safetensors$/i.test(modelArg)) {
    let buf: Buffer;
    try {
      buf = readFileSync(modelArg);
    } catch (e) {
      throw new InputError(
        `${modelArg}: cannot read the parts' checkpoint (${(e as NodeJS.ErrnoException).code ?? String(e)}); ` +
          'run merge where the shard jobs ran (same working directory)',
      );
    }
    return readCheckpointSpec(readSafetensors(buf, modelArg).metadata, modelArg, overrides.timesteps);
  }
  if (!isZooName(modelArg)) {
    throw new InputError(`the parts' model '${modelArg}' is not a zoo name (${ZOO_NAMES.join(', ')}) nor a checkpoint`);
  }
  return zooModel(modelArg, overrides);
}

const definedOverrides = (o: NonNullable<ProfileReport['part']>['overrides']): ConfigOverrides => {
  const out: ConfigOverrides = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
};

/**
 * Merges the parts of a sharded run into the report of the whole run: checks that they are parts of one run
 * (same model, weights digest, dataset, conventions and profiles, shard count) and that their slices cover
 * the samples exactly once; sums their integer counts with BigInt and their correct answers; prices the sum.
 * The result equals the report of the unsharded run (counts exactly; it is the same pricing of the same counts).
 */
export function mergeParts(files: readonly PartFile[], o: MergeOptions = {}): ProfileReport {
  if (!files.length) throw new InputError('merge: give the part files (profile.json of each profile --shard i/n)');
  const parts: Part[] = files.map((f) => {
    const { shard, part } = f.report;
    if (!shard || !part) throw new InputError(`${f.file}: not a shard part (written by profile --shard i/n)`);
    return { ...f, shard, part };
  });
  const base = parts[0]!;
  for (const p of parts.slice(1)) {
    if (identity(p) !== identity(base)) {
      throw new InputError(
        `${p.file} is not a part of the run of ${base.file}: they differ in ` +
          firstDifference(JSON.parse(identity(base)), JSON.parse(identity(p))),
      );
    }
  }
  const n = base.shard.count,
    total = base.report.config.samples;
  const coupling = parseBatchCoupling(base.report.config.batchCoupling);
  const byIndex = new Map<number, Part>();
  for (const p of parts) {
    const seen = byIndex.get(p.shard.index);
    if (seen) throw new InputError(`shard ${p.shard.index}/${n} is given twice (${seen.file}, ${p.file})`);
    const want = shardSlice({ index: p.shard.index, count: n }, total, coupling, base.report.config.batchSize);
    if (
      p.shard.first !== want.first ||
      p.shard.end !== want.end ||
      p.part.counts.samples !== want.end - want.first ||
      p.report.accuracy.samples !== want.end - want.first
    ) {
      throw new InputError(
        `${p.file}: shard ${p.shard.index}/${n} should hold samples ${want.first}..${want.end - 1} of ${total}, ` +
          `it says ${p.shard.first}..${p.shard.end - 1} with ${p.part.counts.samples} counted`,
      );
    }
    byIndex.set(p.shard.index, p);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new InputError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing`);
  const ordered = Array.from({ length: n }, (_, i) => byIndex.get(i)!);

  const overrides = definedOverrides(base.part.overrides);
  const spec = specOfParts(base.report.config.model, overrides);
  if (
    spec.layers.length !== base.report.layers.length ||
    spec.layers.some((l, i) => l.name !== base.report.layers[i]!.name) ||
    modelStats(spec).paramsUsed !== base.report.model.params
  ) {
    throw new InputError(`model '${base.report.config.model}' here is not the model of the parts (${base.report.model.name})`);
  }
  const counts = countsFromRaw(
    sumRawCounts(
      ordered.map((p) => p.part.counts),
      'the parts',
    ),
    spec,
    'merged parts',
  );
  const accuracy = mergedAccuracy(
    ordered.map((p) => p.report.accuracy),
    base.file,
  );

  const c = base.report.config;
  const profiles: HardwareProfile[] = (o.hardware ?? c.hardware).map((name) => loadProfile(name, (p) => readFileSync(p, 'utf8')));
  const convention = parseConvention(c.convention);
  const allowUnpriced = parts.some((p) => p.report.energy.some((e) => e.unpriced.length > 0));
  const sim: SimulationRun = {
    model: { spec, tensors: new Map(), weights: base.report.model.weights, checkpoint: c.checkpoint },
    modelArg: c.model,
    counts,
    accuracy,
    dataset: { ...base.report.dataset },
    config: {
      model: c.model,
      checkpoint: c.checkpoint,
      dataset: c.dataset,
      samples: c.samples,
      convention,
      core: parseCore(c.core),
      batchCoupling: coupling,
      batchSize: c.batchSize,
      seed: c.seed,
    },
    seconds: 0,
  };
  const merged = priceRun(sim, profiles, convention, allowUnpriced, {
    ...(c.conventions ? { conventions: c.conventions.map(parseConvention) } : {}),
    ...(c.notes ? { notes: c.notes } : {}),
    ...(o.command !== undefined ? { command: o.command } : {}),
    ...(base.report.model.weightsSha256 !== undefined ? { weightsSha256: base.report.model.weightsSha256 } : {}),
  });
  if (o.hardware === undefined) {
    const want = identity(base),
      got = JSON.stringify(merged.energy.map((e) => e.sources));
    if (got !== JSON.stringify(JSON.parse(want).energy.map((e: { sources: unknown }) => e.sources))) {
      throw new InputError('a hardware profile here prices differently from the one the parts were priced with; give --hardware');
    }
  }
  return merged;
}

/** The accuracy of the union of disjoint sample sets: sums of correct answers over the sum of samples. */
function mergedAccuracy(parts: readonly Accuracy[], what: string): Accuracy {
  const samples = parts.reduce((s, a) => s + a.samples, 0);
  const c1 = parts.reduce((s, a) => s + a.correctTop1, 0);
  const five = parts[0]!.correctTop5 !== null;
  if (parts.some((a) => (a.correctTop5 !== null) !== five)) throw new InputError(`${what}: parts disagree on top-5`);
  const c5 = parts.reduce((s, a) => s + (a.correctTop5 ?? 0), 0);
  return { samples, top1: c1 / samples, top5: five ? c5 / samples : null, correctTop1: c1, correctTop5: five ? c5 : null };
}
