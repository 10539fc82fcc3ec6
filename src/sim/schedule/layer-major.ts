import type { FoldedWeights } from '../../models/fold.js';
import type { ConvLayer, ModelSpec } from '../../models/spec.js';
import { convGroups, numel } from '../../models/spec.js';
import type { ComputeCore } from '../core.js';
import { CountingSink } from '../counts.js';
import { EventBuffer } from '../events.js';
import type { Value } from '../primitives/context.js';
import { runnerFor, type LayerRunner } from '../primitives/registry.js';
import type { SampleInput } from './time-major.js';

/**
 * A core that can defer conv layers: between `deferConvs(true)` and `flush`, convEvents / convDense only record
 * their input (call i of a layer), and `flush(layer, targets)` computes them all in one dispatch, adding result i
 * into targets[i], which hold what `acc` held at call i (the bias). acc = bias; acc += conv: the same float64
 * additions as the undeferred call, so the results are identical.
 */
export interface DeferringCore extends ComputeCore {
  deferConvs(on: boolean): void;
  flush(layer: ConvLayer, targets: Float64Array[]): void;
}

/** A per-sample copy of a layer's output at one step (runners reuse one output buffer for every sample). */
interface Slot {
  value: Value;
  events: EventBuffer | null;
  dense: Float64Array | null;
}

function keep(slot: Slot, v: Value): void {
  if (v.events) {
    const src = v.events;
    const ev = (slot.events ??= new EventBuffer(src.size));
    ev.addr.set(src.addr.subarray(0, src.count));
    ev.mult.set(src.mult.subarray(0, src.count));
    ev.count = src.count;
    ev.changed(src.unit);
    slot.value.events = ev;
    slot.value.dense = null;
  } else if (v.dense) {
    const d = (slot.dense ??= new Float64Array(v.dense.length));
    d.set(v.dense);
    slot.value.dense = d;
    slot.value.events = null;
  } else {
    slot.value.events = null;
    slot.value.dense = null;
  } // the head: its output is the logits
}

/**
 * Layer-major scheduler for independent samples: for t, for each layer, for each sample b of the batch. Each
 * (layer, t, b) step sees exactly the inputs and per-sample state it sees in the time-major Simulator (samples
 * are independent, and a layer at t reads only earlier layers at t and its own state at t - 1), so spikes, logits
 * and counts are the same. What it buys: the B convs of one layer and step are one `flush`, one GPU dispatch
 * over B input maps, instead of B round trips. Independent batch coupling only.
 */
export function simulateLayerMajor(
  spec: ModelSpec,
  weights: FoldedWeights,
  inputs: SampleInput[],
  core: DeferringCore,
  o: { batchSize: number; sink?: CountingSink; firstSample?: number },
): { logits: Float64Array[]; sink: CountingSink } {
  const T = spec.config.timesteps,
    inS = spec.inputShape,
    inN = numel(inS),
    dvs = spec.config.input === 'dvs';
  const sink = o.sink ?? new CountingSink(spec, T);
  const env = { core, weights, officialCoupling: false };
  const index = new Map<string, number>([['input', -1]]);
  const layers = spec.layers.map((layer, i) => {
    const inputIdx = layer.inputs.map((n) => {
      const j = index.get(n);
      if (j === undefined) throw new Error(`${layer.name}: unknown input ${n}`);
      return j;
    });
    index.set(layer.name, i);
    const runner: LayerRunner = runnerFor(layer, env);
    return { layer, inputIdx, runner, counts: sink.layer(layer.name), out: { events: null, dense: null } as Value };
  });
  const logits: Float64Array[] = [];
  const newSlot = (): Slot => ({ value: { events: null, dense: null }, events: null, dense: null });
  for (let first = 0; first < inputs.length; first += o.batchSize) {
    const batch = inputs.slice(first, first + o.batchSize),
      B = batch.length;
    for (const x of batch) {
      const want = dvs ? T * inN : inN;
      if (x.length !== want) throw new Error(`input has ${x.length} values, model ${spec.name} needs ${want}`);
    }
    for (const l of layers) l.runner.reset(B);
    const out = batch.map(() => new Float64Array(spec.config.numClasses));
    // slots[layer][b]: the output of the layer for sample b at the current step; inputSlots[b]: the model input
    const slots = layers.map(() => Array.from({ length: B }, newSlot));
    const inputSlots = Array.from({ length: B }, () => ({
      dense: new Float64Array(inN),
      events: new EventBuffer(inN),
      value: { events: null, dense: null } as Value,
    }));
    const ins: Value[] = [];
    for (let t = 0; t < T; t++) {
      batch.forEach((x, b) => {
        // input layout [C,H,W] -> token-major [n][c] (as Simulator.runBatch)
        const s = inputSlots[b]!,
          off = dvs ? t * inN : 0;
        let integer = dvs;
        for (let c = 0; c < inS.c; c++)
          for (let n = 0; n < inS.h * inS.w; n++) {
            const v = x[off + c * inS.h * inS.w + n]!;
            s.dense[n * inS.c + c] = v;
            if (integer && (v < 0 || !Number.isInteger(v))) integer = false;
          }
        if (integer) {
          s.events.fromDense(s.dense);
          s.value.events = s.events;
          s.value.dense = null;
        } else {
          s.value.dense = s.dense;
          s.value.events = null;
        }
      });
      for (const [li, l] of layers.entries()) {
        // a grouped conv runs on the host (src/sim/primitives/conv.ts): nothing to defer
        const isConv = l.layer.kind === 'conv' && convGroups(l.layer) === 1;
        core.deferConvs(isConv);
        for (let b = 0; b < B; b++) {
          ins.length = 0;
          for (const j of l.inputIdx) ins.push(j < 0 ? inputSlots[b]!.value : slots[j]![b]!.value);
          l.runner.step(
            { t, timesteps: T, sample: (o.firstSample ?? 0) + first + b, slot: b, core, sink, counts: l.counts },
            ins,
            l.out,
            out[b]!,
          );
          keep(slots[li]![b]!, l.out);
        }
        core.deferConvs(false);
        if (isConv)
          core.flush(
            l.layer as ConvLayer,
            slots[li]!.map((s) => s.value.dense!),
          );
      }
    }
    logits.push(...out);
    sink.counts.samples = first + B;
  }
  return { logits, sink };
}
