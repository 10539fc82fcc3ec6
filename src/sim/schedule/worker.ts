import { parentPort, workerData } from 'node:worker_threads';
import { CORES } from '../cores/index.js';
import { Simulator } from './time-major.js';
import { takeSpikeRows, type OpCounts } from '../counts.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './parallel.js';

/**
 * One simulation worker (see parallel.ts): its own core and Simulator; per batch it returns the logits and the
 * batch's spike records, at the end of a run its summed counts (then it starts counting afresh for the next run).
 */
const init = workerData as WorkerInit;
const port = parentPort!;
const core = CORES[init.core](init.coreOptions);
const sim = new Simulator(init.spec, init.weights, { core, batchCoupling: 'independent' });
sim.sink.recordPerSample = init.spikeRecords;
const neuronBuffers = (c: OpCounts): ArrayBuffer[] =>
  c.layers.flatMap((l) => (l.neuronSpikes ? [l.neuronSpikes.buffer as ArrayBuffer] : []));

port.on('message', (m: WorkerRequest) => {
  try {
    switch (m.kind) {
      case 'batch': {
        const logits = sim.runBatch(m.inputs);
        // hand the records over: the main thread holds them, the worker's memory stays flat
        const spikes = takeSpikeRows(sim.sink);
        port.postMessage({ kind: 'batch', first: m.first, logits, spikes } satisfies WorkerReply);
        break;
      }
      case 'finish':
        // the per-neuron spike arrays move, not copy (tens of MB on a full-size model): the sink is replaced below
        port.postMessage({ kind: 'counts', counts: sim.sink.counts } satisfies WorkerReply, neuronBuffers(sim.sink.counts));
        // the pool may reuse this worker for the next run of the same model: weights stay prepared
        sim.resetCounts();
        sim.sink.recordPerSample = init.spikeRecords;
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    port.postMessage({ kind: 'error', message: (e as Error).message, stack: (e as Error).stack ?? '' } satisfies WorkerReply);
  }
});
