import type { FoldedWeights } from '../models/fold.js';
import type { LayerSpec, ModelSpec } from '../models/spec.js';
import { numel } from '../models/spec.js';
import type { ComputeCore } from './core.js';
import { CountingSink } from './counts.js';
import { EventBuffer } from './events.js';
import type { StepContext, Value } from './primitives/context.js';
import { ConvState, runConv } from './primitives/conv.js';
import { runLif } from './primitives/lif.js';
import { runMaxPool } from './primitives/maxpool.js';
import { runAdd } from './primitives/add.js';
import { maskBitsSize, runHeadSum, runMask, runTokenSum } from './primitives/qk-attention.js';
import { runSsaProduct, ssaScratchSize } from './primitives/ssa.js';
import { runHead, runTokenMean } from './primitives/head.js';
import { assertNever } from './ops.js';

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
}

/** One sample: static `[C,H,W]` (fed unchanged at every step) or DVS `[T,C,H,W]` frames, float32, official layout. */
export type SampleInput = Float32Array;

interface LayerState {
  layer: LayerSpec;
  inputIdx: number[];
  value: Value;
  dense: Float64Array | null;
  events: EventBuffer | null;
  conv: ConvState | null;
  /** Per-slot state: LIF membranes, head feature sums. */
  perSlot: Float64Array[];
  shared: Float64Array | null;
  hit: Uint8Array | null;
  acc: Int32Array | null;
  ssa: { qd: Float64Array; kd: Float64Array; vd: Float64Array; m: Float64Array } | null;
}

export class Simulator {
  readonly sink: CountingSink;
  readonly timesteps: number;
  private readonly states: LayerState[];
  private readonly coupling: BatchCoupling;
  private samplesDone = 0;

  constructor(readonly spec: ModelSpec, readonly weights: FoldedWeights, readonly opts: SimOptions, sink?: CountingSink) {
    this.timesteps = spec.config.timesteps;
    this.sink = sink ?? new CountingSink(spec, this.timesteps);
    this.coupling = opts.batchCoupling ?? 'independent';
    const index = new Map<string, number>([['input', -1]]);
    this.states = spec.layers.map((layer, i) => {
      index.set(layer.name, i);
      const size = numel(layer.out);
      const st: LayerState = {
        layer, inputIdx: layer.inputs.map((n) => { const j = index.get(n); if (j === undefined) throw new Error(`${layer.name}: unknown input ${n}`); return j; }),
        value: { events: null, dense: null }, dense: null, events: null, conv: null, perSlot: [], shared: null, hit: null, acc: null, ssa: null,
      };
      switch (layer.kind) {
        case 'conv': {
          const w = weights.convs.get(layer.name);
          if (!w) throw new Error(`no weights for ${layer.name}`);
          st.conv = new ConvState(layer, w);
          opts.core.prepareConv(layer, w);
          st.dense = new Float64Array(size);
          break;
        }
        case 'maxpool': st.dense = new Float64Array(size); st.events = new EventBuffer(size); st.hit = new Uint8Array(size); break;
        case 'lif': st.events = new EventBuffer(size); break;
        case 'add': st.events = new EventBuffer(size); st.acc = new Int32Array(size); break;
        case 'headSum': case 'tokenSum': case 'tokenMean': st.dense = new Float64Array(size); break;
        case 'mask': st.events = new EventBuffer(size); st.hit = new Uint8Array(maskBitsSize(layer)); break;
        case 'ssaProduct': st.dense = new Float64Array(size); st.ssa = {
          qd: new Float64Array(size), kd: new Float64Array(size), vd: new Float64Array(size), m: new Float64Array(ssaScratchSize(layer)),
        }; break;
        case 'head': st.dense = new Float64Array(layer.numClasses); break;
        default: assertNever(layer);
      }
      return st;
    });
  }

  /** Runs one batch; returns the logits of each sample. Counts accumulate in the sink. */
  runBatch(inputs: SampleInput[]): Float64Array[] {
    const T = this.timesteps, B = inputs.length;
    const spec = this.spec, inS = spec.inputShape, inN = numel(inS);
    const dvs = spec.config.input === 'dvs';
    for (const x of inputs) {
      const want = dvs ? T * inN : inN;
      if (x.length !== want) throw new Error(`input has ${x.length} values, model ${spec.name} needs ${want} (${dvs ? `[T=${T},` : '['}${inS.c},${inS.h},${inS.w}])`);
    }
    // fresh state for this batch
    for (const st of this.states) {
      const size = numel(st.layer.out);
      if (st.layer.kind === 'lif') {
        st.perSlot = Array.from({ length: B }, () => new Float64Array(size));
        st.shared = this.coupling === 'official' && st.layer.officialTimeAxis === 'timeBatch' ? new Float64Array(size) : null;
      } else if (st.layer.kind === 'head') {
        st.perSlot = Array.from({ length: B }, () => new Float64Array(st.layer.kind === 'head' ? st.layer.inFeatures : 0));
      }
    }
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
        for (let c = 0; c < inS.c; c++) for (let n = 0; n < inS.h * inS.w; n++) {
          const v = x[off + c * inS.h * inS.w + n]!;
          inDense[n * inS.c + c] = v;
          if (integer && (v < 0 || !Number.isInteger(v))) integer = false;
        }
        if (integer) { inEvents.fromDense(inDense); inputValue.events = inEvents; inputValue.dense = null; }
        else { inputValue.dense = inDense; inputValue.events = null; }
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
      const layer = st.layer;
      const ins = st.inputIdx.map((j) => (j < 0 ? input : this.states[j]!.value));
      const ctx: StepContext = { t, timesteps: this.timesteps, sample, slot, core, sink: this.sink, counts: this.sink.layer(layer.name) };
      const out = st.value;
      switch (layer.kind) {
        case 'conv':
          runConv(st.conv!, ctx, ins[0]!, st.dense!);
          out.dense = st.dense; out.events = null; break;
        case 'maxpool': {
          const kind = runMaxPool(layer, ctx, ins[0]!, { dense: st.dense!, events: st.events!, hit: st.hit! });
          out.dense = kind === 'dense' ? st.dense : null; out.events = kind === 'events' ? st.events : null; break;
        }
        case 'lif':
          runLif(layer, ctx, ins[0]!, st.shared ?? st.perSlot[slot]!, st.events!);
          out.events = st.events; out.dense = null; break;
        case 'add':
          runAdd(layer, ctx, ins[0]!, ins[1]!, st.acc!, st.events!);
          out.events = st.events; out.dense = null; break;
        case 'headSum':
          runHeadSum(layer, ctx, ins[0]!, st.dense!);
          out.dense = st.dense; out.events = null; break;
        case 'tokenSum':
          runTokenSum(layer, ctx, ins[0]!, st.dense!);
          out.dense = st.dense; out.events = null; break;
        case 'mask':
          runMask(layer, ctx, ins[0]!, ins[1]!, st.hit!, st.events!);
          out.events = st.events; out.dense = null; break;
        case 'ssaProduct':
          runSsaProduct(layer, ctx, ins[0]!, ins[1]!, ins[2]!, st.ssa!, st.dense!);
          out.dense = st.dense; out.events = null; break;
        case 'tokenMean':
          runTokenMean(layer, ctx, ins[0]!, st.dense!);
          out.dense = st.dense; out.events = null; break;
        case 'head':
          runHead(layer, ctx, ins[0]!, st.perSlot[slot]!, this.weights.head, logits);
          out.dense = null; out.events = null; break;
        default: assertNever(layer);
      }
    }
  }
}

export interface SimResult { logits: Float64Array[]; sink: CountingSink }

/** Simulates the given samples as one batch (or in batches of `batchSize`). */
export function simulate(spec: ModelSpec, weights: FoldedWeights, inputs: SampleInput[], opts: SimOptions & { batchSize?: number }): SimResult {
  const sim = new Simulator(spec, weights, opts);
  const bs = opts.batchSize ?? inputs.length;
  const logits: Float64Array[] = [];
  for (let i = 0; i < inputs.length; i += bs) logits.push(...sim.runBatch(inputs.slice(i, i + bs)));
  return { logits, sink: sim.sink };
}
