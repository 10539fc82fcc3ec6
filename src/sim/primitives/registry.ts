import type { FoldedWeights } from '../../models/fold.js';
import type { ConvLayer, LayerKind, LayerSpec, LifLayer } from '../../models/spec.js';
import { numel } from '../../models/spec.js';
import type { ComputeCore } from '../core.js';
import { recordNeuronSpikes } from '../counts.js';
import { EventBuffer } from '../events.js';
import type { StepContext, Value } from './context.js';
import { computeConv, ConvState, countConv, runConv } from './conv.js';
import { runConvLif, runLif } from './lif.js';
import { runMaxPool } from './maxpool.js';
import { runAvgPool } from './avgpool.js';
import { runAdd } from './add.js';
import { lifInitialMembrane } from './lif-general.js';
import { runMembraneAdd } from './membrane-add.js';
import { runSpikeAnd } from './spike-and.js';
import { runMultiSpike } from './multi-spike.js';
import { runBnPad } from './bn-pad.js';
import { maskBitsSize, runHeadSum, runMask, runTokenSum } from './qk-attention.js';
import { runSsaProduct, ssaScratch } from './ssa.js';
import { runHead, runTokenMean } from './head.js';

/** What a layer's state is built from. `sharedMembrane`: the official coupling's T*B membrane (lif.ts). */
export interface LayerEnv {
  core: ComputeCore;
  weights: FoldedWeights;
  officialCoupling: boolean;
}

/** One layer's state and step, made once per simulator. */
export interface LayerRunner {
  /** Fresh per-sample state for a batch of `batch` samples (LIF membranes, head sums). */
  reset(batch: number): void;
  /** One (sample, t): consume `ins` (in the layer's input order) and set `out`. */
  step(ctx: StepContext, ins: readonly Value[], out: Value, logits: Float64Array): void;
}

type Factory<L extends LayerSpec> = (layer: L, env: LayerEnv) => LayerRunner;
type Registry = { [K in LayerKind]: Factory<Extract<LayerSpec, { kind: K }>> };

function arg(ins: readonly Value[], i: number, layer: LayerSpec): Value {
  const v = ins[i];
  if (!v) throw new Error(`${layer.name}: input ${i} missing`);
  return v;
}
const setDense = (out: Value, dense: Float64Array) => {
  out.dense = dense;
  out.events = null;
};
/** A layer's output as events, also added to its per-neuron spike counts (what the chip model reads). */
const emit = (ctx: StepContext, out: Value, events: EventBuffer) => {
  recordNeuronSpikes(ctx.counts, ctx.t, ctx.timesteps, events);
  out.events = events;
  out.dense = null;
};
const noReset = () => {};
/** `count` zeroed arrays of `size`, reusing those of the previous batch. */
function freshSlots(prev: Float64Array[], count: number, size: number): Float64Array[] {
  const out = prev.slice(0, count);
  for (const a of out) a.fill(0);
  while (out.length < count) out.push(new Float64Array(size));
  return out;
}

/** The primitives by layer kind: one file per primitive, one entry here. */
export const PRIMITIVES = {
  conv: (layer, env) => {
    const { st, dense } = convState(layer, env);
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runConv(st, ctx, arg(ins, 0, layer), dense);
        setDense(out, dense);
      },
    };
  },
  maxpool: (layer) => {
    const buf = {
      dense: new Float64Array(numel(layer.out)),
      events: new EventBuffer(numel(layer.out)),
      hit: new Uint8Array(numel(layer.out)),
    };
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        if (runMaxPool(layer, ctx, arg(ins, 0, layer), buf) === 'dense') setDense(out, buf.dense);
        else emit(ctx, out, buf.events);
      },
    };
  },
  avgpool: (layer) => {
    const dense = new Float64Array(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runAvgPool(layer, ctx, arg(ins, 0, layer), dense);
        setDense(out, dense);
      },
    };
  },
  lif: (layer, env) => lifRunner(layer, env, (ctx, ins, v, events) => runLif(layer, ctx, arg(ins, 0, layer), v, events)),
  add: (layer) => {
    const acc = new Int32Array(numel(layer.out)),
      events = new EventBuffer(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runAdd(layer, ctx, arg(ins, 0, layer), arg(ins, 1, layer), acc, events);
        emit(ctx, out, events);
      },
    };
  },
  membraneAdd: (layer) => {
    const dense = new Float64Array(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runMembraneAdd(layer, ctx, arg(ins, 0, layer), arg(ins, 1, layer), dense);
        setDense(out, dense);
      },
    };
  },
  spikeAnd: (layer) => {
    const mb = new Int32Array(numel(layer.out)),
      events = new EventBuffer(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runSpikeAnd(layer, ctx, arg(ins, 0, layer), arg(ins, 1, layer), mb, events);
        emit(ctx, out, events);
      },
    };
  },
  multiSpike: (layer) => {
    const events = new EventBuffer(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runMultiSpike(layer, ctx, arg(ins, 0, layer), events);
        emit(ctx, out, events);
      },
    };
  },
  bnPad: (layer, env) => {
    // the pad value: the folded bias of the feeding conv, i.e. the BN's offset (bn-pad.ts)
    const src = env.weights.convs.get(layer.inputs[0] ?? '');
    if (!src) throw new Error(`${layer.name}: no folded conv ${layer.inputs[0]} to take the pad value from`);
    const dense = new Float64Array(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runBnPad(layer, ctx, arg(ins, 0, layer), src.bias, dense);
        setDense(out, dense);
      },
    };
  },
  headSum: (layer) => {
    const dense = new Float64Array(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runHeadSum(layer, ctx, arg(ins, 0, layer), dense);
        setDense(out, dense);
      },
    };
  },
  tokenSum: (layer) => {
    const dense = new Float64Array(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runTokenSum(layer, ctx, arg(ins, 0, layer), dense);
        setDense(out, dense);
      },
    };
  },
  mask: (layer) => {
    const bits = new Uint8Array(maskBitsSize(layer)),
      events = new EventBuffer(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runMask(layer, ctx, arg(ins, 0, layer), arg(ins, 1, layer), bits, events);
        emit(ctx, out, events);
      },
    };
  },
  ssaProduct: (spec, env) => {
    // multi-level spike inputs carry integers: their 1/norm joins the scale (fold.ts)
    const layer = { ...spec, scale: spec.scale * (env.weights.eventScale.get(spec.name) ?? 1) };
    const size = numel(layer.out),
      dense = new Float64Array(size);
    const scratch = ssaScratch(layer);
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runSsaProduct(layer, ctx, arg(ins, 0, layer), arg(ins, 1, layer), arg(ins, 2, layer), scratch, dense);
        setDense(out, dense);
      },
    };
  },
  tokenMean: (layer) => {
    const dense = new Float64Array(numel(layer.out));
    return {
      reset: noReset,
      step: (ctx, ins, out) => {
        runTokenMean(layer, ctx, arg(ins, 0, layer), dense);
        setDense(out, dense);
      },
    };
  },
  head: (layer, env) => {
    let sums: Float64Array[] = [];
    return {
      reset: (batch) => {
        sums = freshSlots(sums, batch, layer.inFeatures);
      },
      step: (ctx, ins, out, logits) => {
        const s = sums[ctx.slot];
        if (!s) throw new Error(`${layer.name}: no feature sum for slot ${ctx.slot}`);
        runHead(layer, ctx, arg(ins, 0, layer), s, env.weights.head, logits);
        out.dense = null;
        out.events = null;
      },
    };
  },
} satisfies Registry;

/** A conv's state, its current buffer, its weights prepared on the core (a grouped conv runs on the host, conv.ts). */
function convState(layer: ConvLayer, env: LayerEnv): { st: ConvState; dense: Float64Array } {
  const w = env.weights.convs.get(layer.name);
  if (!w) throw new Error(`no weights for ${layer.name}`);
  const st = new ConvState(layer, w);
  if (!st.grouped) env.core.prepareConv(layer, w);
  return { st, dense: new Float64Array(numel(layer.out)) };
}

type LifStep = (ctx: StepContext, ins: readonly Value[], v: Float64Array, events: EventBuffer) => void;

/** A LIF layer's membranes (one per batch slot, or the official coupling's shared one) around its step. */
function lifRunner(layer: LifLayer, env: LayerEnv, run: LifStep): LayerRunner {
  const size = numel(layer.out),
    events = new EventBuffer(size);
  const shared = env.officialCoupling && layer.officialTimeAxis === 'timeBatch';
  const v0 = lifInitialMembrane(layer.neuron);
  let membranes: Float64Array[] = [];
  return {
    // reused across batches (a fresh 20 MB of membranes per sample would keep the GC busy)
    reset: (batch) => {
      membranes = freshSlots(membranes, shared ? 1 : batch, size);
      if (v0 !== 0) for (const m of membranes) m.fill(v0);
    },
    step: (ctx, ins, out) => {
      const v = membranes[shared ? 0 : ctx.slot];
      if (!v) throw new Error(`${layer.name}: no membrane for slot ${ctx.slot}`);
      run(ctx, ins, v, events);
      emit(ctx, out, events);
    },
  };
}

/**
 * A conv whose only reader is a LIF, run as one core call (lif.ts runConvLif) where its input is events: the conv's
 * step counts and hands its events over (its own output stays empty), the LIF's step computes both. Dense inputs, or
 * a core that declines, take the two steps apart: the same numbers either way.
 */
export function convLifPair(conv: ConvLayer, lif: LifLayer, env: LayerEnv): [LayerRunner, LayerRunner] {
  const { st, dense } = convState(conv, env);
  let pending: EventBuffer | null = null;
  const convRunner: LayerRunner = {
    reset: noReset,
    step: (ctx, ins, out) => {
      const input = arg(ins, 0, conv);
      pending = input.events;
      if (!pending) return void (runConv(st, ctx, input, dense), setDense(out, dense));
      countConv(st, ctx, input);
      out.events = out.dense = null;
    },
  };
  const lifStep: LifStep = (ctx, ins, v, events) => {
    if (!pending) return runLif(lif, ctx, arg(ins, 0, lif), v, events);
    if (runConvLif(lif, ctx, conv, pending, v, events)) return;
    computeConv(st, ctx.core, { events: pending, dense: null }, dense);
    runLif(lif, ctx, { events: null, dense }, v, events);
  };
  return [convRunner, lifRunner(lif, env, lifStep)];
}

/** The runner of any layer (the one place the correlated union needs a cast). */
export function runnerFor(layer: LayerSpec, env: LayerEnv): LayerRunner {
  return (PRIMITIVES[layer.kind] as Factory<LayerSpec>)(layer, env);
}
