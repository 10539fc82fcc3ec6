import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { derivedMetrics, loadProfile, price, type ConventionName, type HardwareProfile } from '../cost-models/index.js';
import type { ModelConfig, ModelSpec } from '../models/spec.js';
import { readModelFile } from '../models/model-file.js';
import { buildModel } from '../models/zoo.js';
import { recordAccuracy, type RunRecord } from '../record/record.js';
import { buildProfileReport, type PricedProfile } from '../reports/profile-report.js';
import type { WeightSharing } from '../chip/index.js';
import type { ProfileReport } from '../reports/schema.js';
import { parseBatchCoupling, parseConvention, parseCore } from './choices.js';
import { spikewattVersion } from './outputs.js';

/** How to price a record: which profiles, which conventions. */
export interface PriceOptions {
  /** Loaded profiles, or names / JSON paths to load; default the record's own (`record.pricing.hardware`). */
  profiles?: readonly HardwareProfile[];
  hardware?: readonly string[];
  /** Default the record's own conventions. */
  conventions?: readonly ConventionName[];
  /** Report ops a profile does not price as unpriced counts instead of failing; default the record's choice. */
  allowUnpriced?: boolean;
  /** The spec the record was simulated with, when the caller has it (else rebuilt from the record's config). */
  spec?: ModelSpec;
  /** The command line of this pricing (re-pricing, merge), recorded instead of the simulation's. */
  command?: string;
  /** The chip model's storage of conv weights on profiles with an architecture (default none). */
  weightSharing?: WeightSharing;
}

/**
 * The model of a record, rebuilt from its resolved config (no weights: pricing needs only the shapes), and checked
 * against the record's layers (names and output shapes).
 */
export function specOfRecord(r: RunRecord): ModelSpec {
  let spec: ModelSpec;
  try {
    spec =
      r.model.graph !== undefined
        ? readModelFile(JSON.stringify(r.model.graph), 'the model graph in this run record', r.model.config.timesteps)
        : buildModel(r.model.name, r.model.config as ModelConfig);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(`the model in this run record does not build: ${e.message}`);
  }
  const layers = r.counts.layers;
  const same =
    spec.layers.length === layers.length &&
    spec.layers.every((l, i) => {
      const s = r.outShapes[i]!;
      return l.name === layers[i]!.name && l.out.c === s[0] && l.out.h === s[1] && l.out.w === s[2];
    });
  if (!same) {
    throw new InputError(
      `the model of this run record (${r.model.name}) builds differently in this spikewatt ${spikewattVersion()} ` +
        `(recorded by ${r.spikewattVersion}): its layers do not match`,
    );
  }
  return spec;
}

/** Loads the named profiles (built-in names or JSON paths). */
export function loadProfiles(names: readonly string[]): HardwareProfile[] {
  if (!names.length) throw new InputError('--hardware is empty');
  return names.map((n) => loadProfile(n, (p) => readFileSync(p, 'utf8')));
}

/**
 * Prices a run record: every profile under every convention (convention-major), then the report `profile.json`
 * holds. A pure function of (record, profiles, conventions) apart from loading named profiles: no simulation, no
 * checkpoint read. Re-pricing, `merge` and `report counts.json --hardware P` all come through here.
 */
export function priceRecord(record: RunRecord, o: PriceOptions = {}): ProfileReport {
  const spec = o.spec ?? specOfRecord(record);
  const profiles = o.profiles ?? loadProfiles(o.hardware ?? record.pricing.hardware);
  const conventions = [...new Set((o.conventions?.length ? o.conventions : record.pricing.conventions).map((c) => parseConvention(c)))];
  if (!conventions.length) throw new InputError('--convention is empty');
  const allowUnpriced = o.allowUnpriced ?? record.pricing.allowUnpriced;
  const counts = record.counts;
  const priced: PricedProfile[] = conventions.flatMap((c) =>
    profiles.map((profile) => {
      const pricing = price(counts, spec, profile, c, { allowUnpriced });
      return { profile, pricing, derived: derivedMetrics(pricing, counts, spec, profile) };
    }),
  );
  const { run, input } = record;
  const command = o.command ?? run.command;
  const report = buildProfileReport({
    chip: { weightSharing: o.weightSharing ?? 'none' },
    spikewattVersion: spikewattVersion(),
    config: {
      model: record.model.arg,
      checkpoint: record.weights.file,
      dataset: input.spec,
      samples: run.samples,
      convention: conventions[0]!,
      hardware: profiles.map((p) => p.name),
      core: parseCore(run.core),
      batchCoupling: parseBatchCoupling(run.batchCoupling),
      batchSize: run.batchSize,
      seed: input.seed,
      ...(conventions.length > 1 ? { conventions } : {}),
      ...(run.notes.length ? { notes: [...run.notes] } : {}),
      ...(command !== null ? { command } : {}),
    },
    spec,
    weights: record.model.weights,
    weightsFile: record.weights.file,
    weightsSha256: record.weights.fileSha256,
    connections: record.weights.connections ?? null,
    dataset: {
      name: input.name,
      source: input.source,
      split: input.split,
      kind: input.kind,
      numClasses: input.numClasses,
      sampleShape: [...input.sampleShape],
    },
    accuracy: recordAccuracy(record),
    counts,
    priced,
  });
  return record.shard ? { ...report, shard: { ...record.shard, first: run.first, end: run.end } } : report;
}
