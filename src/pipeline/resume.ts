import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseJsonWith } from '../json.js';
import type { Dataset } from '../data/dataset.js';
import type { FoldedWeights } from '../models/fold.js';
import type { ModelSpec } from '../models/spec.js';
import { firstNonFinite } from '../models/weights.js';
import { topClasses, type Prediction } from '../record/record.js';
import { rawCountsSchema } from '../reports/schema.js';
import { CountingSink, mergeCounts, type OpCounts } from '../sim/counts.js';
import { runSamples } from '../sim/schedule/parallel.js';
import type { CoreName } from '../sim/cores/index.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import { countsFromRaw, rawCounts, shardSlice, type SampleSlice, type Shard } from './shard.js';

/** What a long run adds to a plain one: a slice of the samples, a checkpoint file, a way to stop it. */
export interface LongRunOptions {
  /** Simulate only this shard's slice of the samples (see `shardSlice`). */
  shard?: Shard;
  /** The checkpoint file: flushed atomically every `checkpointEvery` samples and when stopped. */
  checkpoint?: string;
  /** Samples between checkpoint flushes; default 500. */
  checkpointEvery?: number;
  /** Continue from `checkpoint` when it exists (it must be of this same run). */
  resume?: boolean;
  /** Checked between batches; true stops the run at a sample boundary with `RunInterrupted`. */
  shouldStop?: () => boolean;
}

export const DEFAULT_CHECKPOINT_EVERY = 500;

/** A run stopped by `shouldStop`: its completed samples are in the checkpoint (when it has one). */
export class RunInterrupted extends Error {
  override name = 'RunInterrupted';
  constructor(
    /** Samples of the slice done (counted from its first), and the slice's size. */
    readonly done: number,
    readonly total: number,
    readonly slice: SampleSlice,
    readonly checkpoint: string | null,
  ) {
    super(`stopped after ${done} of ${total} samples`);
  }
}

/** The checkpoint next to an output directory: `DIR.checkpoint.json` (outside DIR, which is swapped whole). */
export function checkpointPathFor(outDir: string): string {
  return join(dirname(outDir), `${basename(outDir)}.checkpoint.json`);
}

/** What must match for a checkpoint to continue this run: everything that changes counts or accuracy. */
export interface RunFingerprint {
  model: string;
  weightsSha256: string;
  dataset: string;
  seed: number;
  samples: number;
  first: number;
  end: number;
  core: CoreName;
  batchCoupling: BatchCoupling;
  batchSize: number;
  timesteps: number;
}

const fingerprintSchema = z.strictObject({
  model: z.string(),
  weightsSha256: z.string(),
  dataset: z.string(),
  seed: z.number().int(),
  samples: z.number().int().nonnegative(),
  first: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  core: z.string(),
  batchCoupling: z.string(),
  batchSize: z.number().int().positive(),
  timesteps: z.number().int().positive(),
});

// 2: predictions per sample (the run record's), instead of counts of correct answers
export const CHECKPOINT_VERSION = 2;
export const checkpointSchema = z.strictObject({
  kind: z.literal('spikewatt-checkpoint'),
  version: z.literal(CHECKPOINT_VERSION),
  run: fingerprintSchema,
  /** The next sample to simulate (dataset index); samples run.first..next-1 are in `counts`. */
  next: z.number().int().nonnegative(),
  /** One per sample done, in sample order. */
  predictions: z.array(
    z.strictObject({
      sample: z.number().int().nonnegative(),
      label: z.number().int().nonnegative(),
      top5: z.array(z.number().int().nonnegative()),
    }),
  ),
  counts: rawCountsSchema.nullable(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

export class CheckpointFileError extends InputError {
  override name = 'CheckpointFileError';
}

export function parseCheckpoint(text: string, file: string): Checkpoint {
  const ck = parseJsonWith(
    checkpointSchema,
    text,
    (pointer, reason) => new CheckpointFileError(pointer === '/' ? `${file}: ${reason}` : `${file}: ${pointer}: ${reason}`),
  );
  if (ck.next < ck.run.first || ck.next > ck.run.end) {
    throw new CheckpointFileError(`${file}: next sample ${ck.next} is outside the slice ${ck.run.first}..${ck.run.end}`);
  }
  const done = ck.next - ck.run.first;
  if (
    (ck.counts?.samples ?? 0) !== done ||
    ck.predictions.length !== done ||
    ck.predictions.some((p, i) => p.sample !== ck.run.first + i)
  ) {
    throw new CheckpointFileError(`${file}: its counts do not hold the ${done} samples it says are done`);
  }
  return ck;
}

/** Writes a file so that a reader sees the old or the new contents, never a part (temporary name, then rename). */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export interface SliceResult {
  counts: OpCounts;
  /** One per sample of the slice, in order. */
  predictions: Prediction[];
  slice: SampleSlice;
  resumedFrom: number | null;
}

/**
 * Simulates a slice of `data` in chunks of `checkpointEvery` samples, one `runSamples` call each, summing the
 * chunks' exact integer counts; after each chunk (and when stopped) the checkpoint holds every completed
 * sample. Counts are integer sums and a chunk boundary is a batch boundary, so any chunking, interruption and
 * resume gives the totals of one uninterrupted run.
 */
export async function runSlice(
  spec: ModelSpec,
  weights: FoldedWeights,
  data: Dataset,
  total: number,
  run: {
    core: CoreName;
    batchCoupling: BatchCoupling;
    batchSize: number;
    workers: number;
    fingerprint: Omit<RunFingerprint, 'first' | 'end'>;
  },
  o: LongRunOptions,
  onBatch: (done: number, total: number) => void,
  onResumed?: (next: number) => void,
): Promise<SliceResult> {
  const slice = o.shard ? shardSlice(o.shard, total, run.batchCoupling, run.batchSize) : { first: 0, end: total };
  const fingerprint: RunFingerprint = { ...run.fingerprint, first: slice.first, end: slice.end };
  const unit = run.batchCoupling === 'official' ? run.batchSize : 1;
  // without a checkpoint file, chunks would only restart the worker pool: one chunk
  const every =
    o.checkpoint === undefined
      ? Math.max(1, slice.end - slice.first)
      : Math.ceil((o.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY) / unit) * unit;
  const classes = spec.config.numClasses;
  let counts = new CountingSink(spec, spec.config.timesteps).counts;
  let predictions: Prediction[] = [];
  let next = slice.first,
    resumedFrom: number | null = null;
  const file = o.checkpoint ?? null;
  if (file !== null && o.resume && existsSync(file)) {
    const ck = parseCheckpoint(readFileSync(file, 'utf8'), file);
    for (const k of Object.keys(fingerprint) as (keyof RunFingerprint)[]) {
      if (ck.run[k] !== fingerprint[k]) {
        throw new CheckpointFileError(
          `${file} is of another run: its ${k} is ${JSON.stringify(ck.run[k])}, this run's ` +
            `${JSON.stringify(fingerprint[k])} (delete it, or run without --resume to start again)`,
        );
      }
    }
    if (ck.counts) counts = countsFromRaw(ck.counts, spec, file);
    next = ck.next;
    predictions = ck.predictions;
    resumedFrom = next;
    onResumed?.(next);
  }
  const flush = () => {
    if (file === null) return;
    const ck: Checkpoint = {
      kind: 'spikewatt-checkpoint',
      version: CHECKPOINT_VERSION,
      run: fingerprint,
      next,
      predictions,
      counts: counts.samples > 0 ? rawCounts(counts) : null,
    };
    writeFileAtomic(file, `${JSON.stringify(ck)}\n`);
  };
  const size = slice.end - slice.first;
  while (next < slice.end) {
    // a stop asked for while the last chunk ended is seen here (signal handlers run when the event loop turns)
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
    const start = next,
      len = Math.min(every, slice.end - start);
    const labels: number[] = [];
    // NOTE: an input error is kept and ends the chunk, not thrown: input() runs inside runSamples' worker message handler
    let bad: InputError | null = null;
    const res = await runSamples(
      spec,
      weights,
      len,
      (i) => {
        const s = data.get(start + i);
        labels[i] = s.label;
        const j = bad === null ? firstNonFinite(s.x) : -1;
        if (j >= 0) {
          bad = new InputError(`${run.fingerprint.dataset}: sample ${start + i} holds ${s.x[j]} at input element ${j} (NaN or Inf)`);
        }
        return s.x;
      },
      {
        core: run.core,
        batchCoupling: run.batchCoupling,
        batchSize: run.batchSize,
        workers: run.workers,
        spikeRecords: false,
        onBatch: (done) => onBatch(start - slice.first + done, size),
        shouldStop: () => bad !== null || (o.shouldStop?.() ?? false),
      },
    );
    if (bad !== null) throw bad;
    if (res.done > 0) mergeCounts(counts, res.sink.counts, true);
    res.logits.forEach((l, i) => {
      if (l.length !== classes) throw new Error(`logits of ${l.length} classes from a model of ${classes}`);
      predictions.push({ sample: start + i, label: labels[i]!, top5: topClasses(l) });
    });
    next += res.done;
    if (res.done < len) {
      flush();
      throw new RunInterrupted(next - slice.first, size, slice, file);
    }
    if (next < slice.end) flush();
  }
  if (size === 0) throw new InputError('no samples to simulate');
  return { counts, predictions, slice, resumedFrom };
}
