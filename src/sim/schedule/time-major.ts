import type { FoldedWeights } from '../../models/fold.js';
import type { ModelSpec } from '../../models/spec.js';
import { numel } from '../../models/spec.js';
import type { ComputeCore } from '../core.js';
import { CountingSink, type LayerCounts } from '../counts.js';
import { EventBuffer } from '../events.js';
import type { StepContext, Value } from '../primitives/context.js';
import type { LayerRunner } from '../primitives/registry.js';
import { runnersFor } from './runners.js';

/**
 * The time-major scheduler. For each batch: for t in 0..T-1, for each sample, every layer in order consumes its
 * input at t and emits its output at t. LIF membranes persist across t and are reset between batches.
 * Samples are independent unless `batchCoupling: 'official'`, which reproduces the official QKFormer SSA
 * proj_lif integrating over the flattened T*B axis (order t0b0, t0b1, ..., t1b0, ...).
 */
export type BatchCoupling = 'independent' | 'official';

export interface SimOptions {
  core: ComputeCore;
  batchCoupling?: BatchCoupling;
  /** Sees every layer's output at every (sample, t), read-only (calibration); not for counting. */
  observe?: (layer: string, t: number, out: Value) => void;
}

/** One sample: static `[C,H,W]` (fed unchanged at every step) or DVS `[T,C,H,W]` frames, float32, official layout. */
export type SampleInput = Float32Array;

interface LayerState {
  name: string;
  /** Indices of the input layers; -1 is the model input. */
  inputIdx: number[];
  ins: Value[];
  value: Value;
  counts: LayerCounts;
  runner: LayerRunner;
}

export class Simulator {
  sink: CountingSink;
  readonly timesteps: number;
  private readonly states: LayerState[];
  private readonly coupling: BatchCoupling;
  private samplesDone = 0;

  constructor(
    readonly spec: ModelSpec,
    readonly weights: FoldedWeights,
    readonly opts: SimOptions,
    sink?: CountingSink,
  ) {
    this.timesteps = spec.config.timesteps;
    this.sink = sink ?? new CountingSink(spec, this.timesteps);
    this.coupling = opts.batchCoupling ?? 'independent';
    const index = new Map<string, number>([['input', -1]]);
    const env = { core: opts.core, weights, officialCoupling: this.coupling === 'official' };
    // an observer sees every layer's output: no conv + LIF fusion then
    const runners = runnersFor(spec.layers, env, !opts.observe);
    this.states = spec.layers.map((layer, i) => {
      const inputIdx = layer.inputs.map((n) => {
        const j = index.get(n);
        if (j === undefined) throw new Error(`${layer.name}: unknown input ${n}`);
        return j;
      });
      index.set(layer.name, i);
      return {
        name: layer.name,
        inputIdx,
        ins: [],
        value: { events: null, dense: null },
        counts: this.sink.layer(layer.name),
        runner: runners[i]!,
      };
    });
  }

  /** A fresh counting sink (a new run on the same prepared model); per-sample state is reset by every batch anyway. */
  resetCounts(): void {
    this.sink = new CountingSink(this.spec, this.timesteps);
    for (const st of this.states) st.counts = this.sink.layer(st.name);
    this.samplesDone = 0;
  }

  /** Runs one batch; returns the logits of each sample. Counts accumulate in the sink. */
  runBatch(inputs: SampleInput[]): Float64Array[] {
    const T = this.timesteps,
      B = inputs.length;
    const spec = this.spec,
      inS = spec.inputShape,
      inN = numel(inS);
    const dvs = spec.config.input === 'dvs';
    for (const x of inputs) {
      const want = dvs ? T * inN : inN;
      if (x.length !== want)
        throw new Error(
          `input has ${x.length} values, model ${spec.name} needs ${want} (${dvs ? `[T=${T},` : '['}${inS.c},${inS.h},${inS.w}])`,
        );
    }
    for (const st of this.states) st.runner.reset(B);
    const logits = inputs.map(() => new Float64Array(spec.config.numClasses));
    const inDense = new Float64Array(inN);
    const inEvents = new EventBuffer(inN);
    const inputValue: Value = { events: null, dense: null };
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        // input layout [C,H,W] -> token-major [n][c]
        const x = inputs[b]!;
        const off = dvs ? t * inN : 0;
        let integer = dvs;
        for (let c = 0; c < inS.c; c++)
          for (let n = 0; n < inS.h * inS.w; n++) {
            const v = x[off + c * inS.h * inS.w + n]!;
            inDense[n * inS.c + c] = v;
            if (integer && (v < 0 || !Number.isInteger(v))) integer = false;
          }
        if (integer) {
          inEvents.fromDense(inDense);
          inputValue.events = inEvents;
          inputValue.dense = null;
        } else {
          inputValue.dense = inDense;
          inputValue.events = null;
        }
        this.step(t, b, this.samplesDone + b, inputValue, logits[b]!);
      }
    }
    this.samplesDone += B;
    this.sink.counts.samples = this.samplesDone;
    return logits;
  }

  private step(t: number, slot: number, sample: number, input: Value, logits: Float64Array): void {
    const { core } = this.opts;
    for (const st of this.states) {
      st.ins.length = 0;
      for (const j of st.inputIdx) st.ins.push(j < 0 ? input : this.states[j]!.value);
      const ctx: StepContext = { t, timesteps: this.timesteps, sample, slot, core, sink: this.sink, counts: st.counts };
      st.runner.step(ctx, st.ins, st.value, logits);
      this.opts.observe?.(st.name, t, st.value);
    }
  }
}

export interface SimResult {
  logits: Float64Array[];
  sink: CountingSink;
}

/** Simulates the given samples as one batch (or in batches of `batchSize`). */
export function simulate(
  spec: ModelSpec,
  weights: FoldedWeights,
  inputs: SampleInput[],
  opts: SimOptions & { batchSize?: number },
): SimResult {
  const sim = new Simulator(spec, weights, opts);
  const bs = opts.batchSize ?? inputs.length;
  const logits: Float64Array[] = [];
  for (let i = 0; i < inputs.length; i += bs) logits.push(...sim.runBatch(inputs.slice(i, i + bs)));
  return { logits, sink: sim.sink };
}
