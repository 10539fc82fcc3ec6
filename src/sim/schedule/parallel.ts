import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { FoldedWeights } from '../../models/fold.js';
import type { ModelSpec } from '../../models/spec.js';
import { CountingSink, mergeCounts, type OpCounts } from '../counts.js';
import { CORE_CAPABILITIES, CORES, type CoreName, type CoreOptions } from '../cores/index.js';
import { Simulator, type BatchCoupling, type SampleInput } from './time-major.js';
import type { ComputeCore } from '../core.js';
import { simulateLayerMajor, type DeferringCore } from './layer-major.js';

/**
 * Samples across worker threads. Samples are independent, so a run splits into batches that any worker may take;
 * every count is an integer summed exactly (doubles below 2^53), per-sample spike records and logits are put back
 * at their sample index, so the result equals the 1-worker run whatever the scheduling.
 * `batchCoupling: 'official'` couples the samples of a batch (the SSA proj_lif runs over T*B) and runs in-process.
 */
export interface SampleRunOptions {
  core: CoreName;
  coreOptions?: CoreOptions;
  batchCoupling: BatchCoupling;
  /** Samples per `runBatch`; with independent coupling it changes nothing but the progress granularity. */
  batchSize: number;
  /** Worker threads; 1 (or official coupling) runs in this thread. Default: the number of CPUs. */
  workers?: number;
  /** After each batch, in sample order of completion. */
  onBatch?: (done: number, total: number) => void;
  /** Checked between batches: when it returns true, no new batch starts (in-flight ones finish). */
  shouldStop?: () => boolean;
  /** Per-sample spike records in `sink.spikesPerSample` (default true); off, memory stays flat in the samples. */
  spikeRecords?: boolean;
}

export interface SampleRunResult {
  /** Logits of samples 0..done-1 (all of them unless stopped). */
  logits: Float64Array[];
  sink: CountingSink;
  /** Samples simulated: a prefix 0..done-1 of the requested ones. */
  done: number;
  workers: number;
}

export const defaultWorkers = (): number => Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

/** What a worker starts with: its core (it loads its modules at once); the model comes in its first request. */
export interface WorkerStart {
  core: CoreName;
  coreOptions: CoreOptions;
}
export type WorkerRequest =
  | { kind: 'init'; spec: ModelSpec; weights: FoldedWeights; spikeRecords: boolean }
  | { kind: 'batch'; first: number; inputs: SampleInput[] }
  | { kind: 'finish' };
export type WorkerReply =
  | { kind: 'batch'; first: number; logits: Float64Array[]; spikes: [string, number[][]][] }
  | { kind: 'counts'; counts: OpCounts }
  | { kind: 'error'; message: string; stack: string };

/** Simulates samples 0..n-1 (`input(i)` gives sample i). */
export async function runSamples(
  spec: ModelSpec,
  weights: FoldedWeights,
  n: number,
  input: (i: number) => SampleInput,
  o: SampleRunOptions,
): Promise<SampleRunResult> {
  const workers = workerCount(o, n);
  if (workers > 1) return runInWorkers(spec, weights, n, input, o, workers);
  // in this thread: the layer-major scheduler where the core defers convs over a batch of independent samples
  const core = CORES[o.core](o.coreOptions ?? {});
  const deferring = o.batchCoupling === 'independent' ? layerMajorCore(o.core, core) : null;
  if (deferring) return runLayerMajor(spec, weights, n, input, o, deferring);
  const sim = new Simulator(spec, weights, { core, batchCoupling: o.batchCoupling });
  sim.sink.recordPerSample = o.spikeRecords ?? true;
  const logits = await inBatches(n, input, o, core, (batch) => sim.runBatch(batch));
  return { logits, sink: sim.sink, done: logits.length, workers: 1 };
}

/** The worker threads a run of n samples takes (1: it runs in this thread). */
function workerCount(o: Pick<SampleRunOptions, 'core' | 'batchCoupling' | 'workers'>, n: number): number {
  // a core that owns one device (threads: 'one') runs in this thread, a batch per dispatch
  if (o.batchCoupling === 'official' || CORE_CAPABILITIES[o.core].threads === 'one') return 1;
  // independent samples: a worker per sample at most, whatever the batch size (batches are split, runInWorkers)
  return Math.max(1, Math.min(o.workers ?? defaultWorkers(), n));
}

/** Runs batches 0..n-1 in this thread in order, between batches seeing stop requests; disposes the core. */
async function inBatches(
  n: number,
  input: (i: number) => SampleInput,
  o: SampleRunOptions,
  core: ComputeCore,
  run: (batch: SampleInput[], first: number) => Float64Array[],
): Promise<Float64Array[]> {
  const logits: Float64Array[] = [];
  try {
    for (let i = 0; i < n; i += o.batchSize) {
      // NOTE: a signal handler (what usually sets shouldStop) runs only when the event loop turns: let it, between batches
      if (o.shouldStop) {
        await new Promise<void>((resolve) => {
          setImmediate(resolve);
        });
        if (o.shouldStop()) break;
      }
      const batch = Array.from({ length: Math.min(o.batchSize, n - i) }, (_, j) => input(i + j));
      logits.push(...run(batch, i));
      o.onBatch?.(logits.length, n);
    }
  } finally {
    core.dispose();
  }
  return logits;
}

/**
 * A core that declares `batching: 'layer-major'` defers a layer's convs over the samples of a batch (one dispatch per
 * layer and step); the method check only narrows the type, and a declaration the core does not keep is a bug.
 */
function layerMajorCore(name: CoreName, core: ComputeCore): DeferringCore | null {
  if (CORE_CAPABILITIES[name].batching !== 'layer-major') return null;
  const d = core as Partial<DeferringCore>;
  if (typeof d.deferConvs !== 'function' || typeof d.flush !== 'function')
    throw new Error(`core ${name} declares layer-major batching but cannot defer convs`);
  return core as DeferringCore;
}

/** Independent samples through the layer-major scheduler, one batch per flush (same spikes and counts as time-major). */
export async function runLayerMajor(
  spec: ModelSpec,
  weights: FoldedWeights,
  n: number,
  input: (i: number) => SampleInput,
  o: SampleRunOptions,
  core: DeferringCore,
): Promise<SampleRunResult> {
  const sink = new CountingSink(spec, spec.config.timesteps);
  sink.recordPerSample = o.spikeRecords ?? true;
  const logits = await inBatches(n, input, o, core, (batch, first) => {
    const out = simulateLayerMajor(spec, weights, batch, core, { batchSize: batch.length, sink, firstSample: first }).logits;
    sink.counts.samples = first + batch.length;
    return out;
  });
  return { logits, sink, done: logits.length, workers: 1 };
}

/** From the TypeScript sources (tsx) the worker starts through a loader shim; built, it is worker.js. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker-from-source.mjs' : './worker.js', import.meta.url);

/**
 * The worker pool of the last run, kept (idle workers are unref'd, so they never hold the process open) while the
 * same core and count are asked for: a resumed or chunked run, or a benchmark's repeated runs, pay the start-up
 * (modules loaded, weights prepared per worker) once. Workers start before they know the model (`prestartWorkers`:
 * their modules load while the job reads and folds the weights); an 'init' request gives it to them.
 */
let pool: { key: string; spec: ModelSpec | null; weights: FoldedWeights | null; records: boolean; workers: Worker[] } | null = null;

function startPool(core: CoreName, coreOptions: CoreOptions, count: number): NonNullable<typeof pool> {
  const key = JSON.stringify({ core, options: coreOptions, count });
  if (pool && pool.key === key) return pool;
  void closeWorkerPool();
  const start: WorkerStart = { core, coreOptions };
  const workers = Array.from({ length: count }, () => new Worker(WORKER_URL, { workerData: start }));
  const started = { key, spec: null, weights: null, records: true, workers };
  for (const w of workers) {
    w.unref();
    // a worker that dies between runs (e.g. before the run that prestarted it) leaves no pool behind: the next run
    // starts afresh and meets the error itself (with no listener here an error event would end the process)
    w.on('error', () => {});
    w.once('exit', () => {
      if (pool === started) pool = null;
    });
  }
  pool = started;
  return pool;
}

/** Starts the workers a run of `samples` samples will take, so that their start-up overlaps the caller's own. */
export function prestartWorkers(o: Pick<SampleRunOptions, 'core' | 'coreOptions' | 'batchCoupling' | 'workers'>, samples: number): void {
  const count = workerCount(o, samples);
  if (count > 1) startPool(o.core, o.coreOptions ?? {}, count);
}

/** The folded weights with their arrays in shared memory: every worker reads one copy instead of its own clone. */
const sharedCopies = new WeakMap<FoldedWeights, FoldedWeights>();
function sharedWeights(w: FoldedWeights): FoldedWeights {
  const hit = sharedCopies.get(w);
  if (hit) return hit;
  const share = (a: Float64Array) => {
    const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  const out: FoldedWeights = {
    ...w,
    convs: new Map([...w.convs].map(([name, c]) => [name, { ...c, weight: share(c.weight), bias: share(c.bias) }])),
    head: { ...w.head, weight: share(w.head.weight), bias: share(w.head.bias) },
  };
  sharedCopies.set(w, out);
  return out;
}

function poolFor(spec: ModelSpec, weights: FoldedWeights, o: SampleRunOptions, records: boolean, count: number): Worker[] {
  const p = startPool(o.core, o.coreOptions ?? {}, count);
  if (p.spec !== spec || p.weights !== weights || p.records !== records) {
    const init: WorkerRequest = { kind: 'init', spec, weights: sharedWeights(weights), spikeRecords: records };
    for (const w of p.workers) w.postMessage(init);
    Object.assign(p, { spec, weights, records });
  }
  return p.workers;
}

/** Ends the kept worker pool (also safe to skip: idle workers do not keep the process alive). */
export async function closeWorkerPool(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await Promise.all(p.workers.map((w) => w.terminate()));
}

async function runInWorkers(
  spec: ModelSpec,
  weights: FoldedWeights,
  n: number,
  input: (i: number) => SampleInput,
  o: SampleRunOptions,
  count: number,
): Promise<SampleRunResult> {
  // a core that cannot run here fails in this thread, with its own error class (one line, exit 2), not in a worker
  CORES[o.core](o.coreOptions ?? {}).dispose();
  const sink = new CountingSink(spec, spec.config.timesteps);
  sink.recordPerSample = o.spikeRecords ?? true;
  const logits: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(n);
  let next = 0,
    completed = 0,
    stopped = false;
  // NOTE: independent samples, so a batch's size changes nothing but the progress granularity: at most batchSize, and
  // at most a quarter of a worker's share, so that at the end no worker waits long for another's last batch (16 samples
  // of the full-size model are ~4 s of one worker)
  const dispatch = Math.max(1, Math.min(o.batchSize, Math.ceil(n / (4 * count))));
  const workers = poolFor(spec, weights, o, sink.recordPerSample, count);
  const detach: (() => void)[] = [];
  let failed = false;
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.ref();
            const send = () => {
              stopped ||= o.shouldStop?.() ?? false;
              if (next >= n || stopped) {
                w.postMessage({ kind: 'finish' } satisfies WorkerRequest);
                return;
              }
              const first = next,
                len = Math.min(dispatch, n - first);
              next += len;
              const inputs = Array.from({ length: len }, (_, j) => input(first + j));
              w.postMessage({ kind: 'batch', first, inputs } satisfies WorkerRequest);
            };
            const onMessage = (m: WorkerReply) => {
              switch (m.kind) {
                case 'batch':
                  m.logits.forEach((l, j) => {
                    logits[m.first + j] = l;
                  });
                  for (const [name, rows] of m.spikes) {
                    const all = sink.spikesPerSample.get(name)!;
                    rows.forEach((r, j) => {
                      all[m.first + j] = r;
                    });
                  }
                  completed += m.logits.length;
                  o.onBatch?.(completed, n);
                  send();
                  break;
                case 'counts':
                  mergeCounts(sink.counts, m.counts, true);
                  resolve();
                  break;
                case 'error':
                  reject(Object.assign(new Error(m.message), { stack: m.stack }));
                  break;
                default: {
                  const never: never = m;
                  reject(new Error(`unknown worker reply ${JSON.stringify(never)}`));
                }
              }
            };
            const onExit = (code: number) => reject(new Error(`a simulation worker exited with code ${code}`));
            w.on('message', onMessage);
            w.on('error', reject);
            w.on('exit', onExit);
            detach.push(() => {
              w.off('message', onMessage);
              w.off('error', reject);
              w.off('exit', onExit);
              w.unref();
            });
            send();
          }),
      ),
    );
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    for (const d of detach) d();
    // a failed run leaves workers in an unknown state: start afresh next time
    if (failed) await closeWorkerPool();
  }
  // when stopped, the completed samples may not be a prefix: keep the prefix, which is what a resume continues from
  let done = 0;
  while (done < n && logits[done]) done++;
  if (done !== completed) throw new Error(`workers finished ${completed} samples but only the first ${done} are contiguous`);
  for (const rows of sink.spikesPerSample.values()) rows.length = Math.min(rows.length, done);
  return { logits: logits.slice(0, done) as Float64Array[], sink, done, workers: count };
}
