import { parentPort, workerData } from 'node:worker_threads';
import { CORES } from '../cores/index.js';
import { Simulator } from './time-major.js';
import { takeSpikeRows, type OpCounts } from '../counts.js';
import type { ComputeCore } from '../core.js';
import type { WorkerReply, WorkerRequest, WorkerStart } from './parallel.js';

/**
 * One simulation worker (see parallel.ts): its own core and Simulator; per batch it returns the logits and the
 * batch's spike records, at the end of a run its summed counts (then it starts counting afresh for the next run).
 * It starts with its core only (its modules load at once); an 'init' request brings the model (again: a new core).
 */
const start = workerData as WorkerStart;
const port = parentPort!;
let core: ComputeCore = CORES[start.core](start.coreOptions);
let sim: Simulator | null = null;
let records = true;
const neuronBuffers = (c: OpCounts): ArrayBuffer[] =>
  c.layers.flatMap((l) => (l.neuronSpikes ? [l.neuronSpikes.buffer as ArrayBuffer] : []));
const ready = (): Simulator => {
  if (!sim) throw new Error('a simulation worker got work before its model');
  return sim;
};

port.on('message', (m: WorkerRequest) => {
  try {
    switch (m.kind) {
      case 'init':
        // a core prepares per layer name: another model gets a fresh one
        if (sim) {
          core.dispose();
          core = CORES[start.core](start.coreOptions);
        }
        sim = new Simulator(m.spec, m.weights, { core, batchCoupling: 'independent' });
        records = m.spikeRecords;
        sim.sink.recordPerSample = records;
        break;
      case 'batch': {
        const s = ready();
        const logits = s.runBatch(m.inputs);
        // hand the records over: the main thread holds them, the worker's memory stays flat
        const spikes = takeSpikeRows(s.sink);
        port.postMessage({ kind: 'batch', first: m.first, logits, spikes } satisfies WorkerReply);
        break;
      }
      case 'finish': {
        const s = ready();
        // the per-neuron spike arrays move, not copy (tens of MB on a full-size model): the sink is replaced below
        port.postMessage({ kind: 'counts', counts: s.sink.counts } satisfies WorkerReply, neuronBuffers(s.sink.counts));
        // the pool may reuse this worker for the next run of the same model: weights stay prepared
        s.resetCounts();
        s.sink.recordPerSample = records;
        break;
      }
      default: {
        const never: never = m;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    port.postMessage({ kind: 'error', message: (e as Error).message, stack: (e as Error).stack ?? '' } satisfies WorkerReply);
  }
});
