import { InputError } from '../errors.js';
import { recordAccuracy, type RunRecord } from '../record/record.js';
import type { ProfileReport } from '../reports/schema.js';
import type { LayerCounts, OpCounts } from '../sim/counts.js';
import { mergeCounts } from '../sim/counts.js';
import { parseBatchCoupling } from './choices.js';
import { priceRecord } from './price-record.js';
import { shardSlice } from './shard.js';

/** One part as read: the file it came from (for messages) and its run record (counts.json). */
export interface PartFile {
  file: string;
  record: RunRecord;
}

export interface MergeOptions {
  /** Price with these profiles (names or JSON paths) instead of the ones the parts' run asked for. */
  hardware?: readonly string[];
  /** The command line of the merge, recorded in the merged report. */
  command?: string;
}

type Part = PartFile & { shard: NonNullable<RunRecord['shard']> };

/** What every part of one run has in common, as JSON: everything but its slice, command, predictions and counts. */
function identity(p: Part): string {
  const r = p.record;
  return JSON.stringify({
    spikewattVersion: r.spikewattVersion,
    model: r.model,
    weights: r.weights,
    input: r.input,
    // each shard's command line names its own shard; everything else of the run's config is the same
    run: { ...r.run, first: undefined, end: undefined, command: undefined },
    pricing: r.pricing,
    shardCount: p.shard.count,
    layers: r.counts.layers.map((l) => l.name),
    outShapes: r.outShapes,
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

/** Zeroed counts of the same layers (the sum starts from here, so no part is changed). */
function emptyLike(c: OpCounts): OpCounts {
  const layers: LayerCounts[] = c.layers.map((l) => ({
    ...l,
    ops: new Float64Array(l.ops.length),
    inputEvents: new Float64Array(l.inputEvents.length),
    inputUnitSpikes: new Float64Array(l.inputUnitSpikes.length),
    outputSpikes: new Float64Array(l.outputSpikes.length),
    inputElements: 0,
    inputBinary: true,
    inputIsEvents: false,
  }));
  for (const l of layers) delete l.neuronSpikes;
  return { model: c.model, timesteps: c.timesteps, samples: 0, layers };
}

/**
 * Merges the run records of a sharded run into the record of the whole run: checks that they are parts of one
 * run (same model, weights, dataset, core, coupling, shard count) and that their slices cover the samples exactly
 * once; sums their integer counts (per-neuron spikes included) and concatenates their predictions. The result
 * equals the unsharded run's record (counts exactly: integer sums below 2^53 in doubles).
 */
export function mergeRecords(files: readonly PartFile[], o: { command?: string } = {}): RunRecord {
  if (!files.length) throw new InputError('merge: give the part files (counts.json, or the directory, of each profile --shard i/n)');
  const parts: Part[] = files.map((f) => {
    const { shard } = f.record;
    if (!shard) throw new InputError(`${f.file}: not a shard part (written by profile --shard i/n)`);
    return { ...f, shard };
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
    total = base.record.run.samples;
  const coupling = parseBatchCoupling(base.record.run.batchCoupling);
  const byIndex = new Map<number, Part>();
  for (const p of parts) {
    const seen = byIndex.get(p.shard.index);
    if (seen) throw new InputError(`shard ${p.shard.index}/${n} is given twice (${seen.file}, ${p.file})`);
    const want = shardSlice({ index: p.shard.index, count: n }, total, coupling, base.record.run.batchSize);
    const run = p.record.run;
    if (run.first !== want.first || run.end !== want.end || p.record.counts.samples !== want.end - want.first) {
      throw new InputError(
        `${p.file}: shard ${p.shard.index}/${n} should hold samples ${want.first}..${want.end - 1} of ${total}, ` +
          `it says ${run.first}..${run.end - 1} with ${p.record.counts.samples} counted`,
      );
    }
    byIndex.set(p.shard.index, p);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new InputError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing`);
  const ordered = Array.from({ length: n }, (_, i) => byIndex.get(i)!);
  const counts = emptyLike(base.record.counts);
  for (const p of ordered) mergeCounts(counts, p.record.counts);
  const r = base.record;
  return {
    ...r,
    run: { ...r.run, first: 0, end: total, command: o.command ?? null },
    shard: null,
    predictions: ordered.flatMap((p) => p.record.predictions),
    counts,
  };
}

/** Merges the parts' records and prices the whole run: the merged record and its report. */
export function mergeParts(files: readonly PartFile[], o: MergeOptions = {}): { record: RunRecord; report: ProfileReport } {
  const record = mergeRecords(files, o.command !== undefined ? { command: o.command } : {});
  const five = recordAccuracy(record);
  if (five.samples !== record.run.samples) throw new Error(`merged ${five.samples} predictions for ${record.run.samples} samples`);
  const report = priceRecord(record, o.hardware !== undefined ? { hardware: o.hardware } : {});
  return { record, report };
}
