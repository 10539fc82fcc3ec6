import { convGroups, type LayerSpec, type ModelSpec } from './spec.js';
import { shapeNumel } from './tensor.js';

/**
 * Static metrics (model only, no data). Dense MACs per time step count every conv/linear tap including
 * padding, as PyTorch FLOP counters do: out_elements * in_channels * k^2; the head is counted too.
 * Attention-product FLOPs per time step (2 FLOPs per multiply-accumulate):
 *  - SSA Q (K^T V): 4 * N * C^2 / H;  (Q K^T) V: 4 * N^2 * C
 *  - QKTA / QKCA: N * C (the sum) + N * C (the mask) = 2 * N * C.
 */
export interface ModelStats {
  params: number;
  paramsUsed: number;
  denseMacsPerStep: number;
  attentionFlopsPerStep: number;
}

/** A layer kind's static costs per time step. */
interface StaticCosts<L extends LayerSpec> {
  denseMacs(l: L): number;
  attentionFlops(l: L): number;
  /** Words of weight memory it holds (weights + bias after BN folding). */
  weightWords(l: L): number;
}

const NONE = { denseMacs: () => 0, attentionFlops: () => 0, weightWords: () => 0 };
const tokens = (l: LayerSpec) => l.out.h * l.out.w;

/** One line per layer kind: a new kind does not compile until it states its costs. */
const STATIC_COSTS: { [K in LayerSpec['kind']]: StaticCosts<Extract<LayerSpec, { kind: K }>> } = {
  conv: {
    // a grouped conv: each output reads C_in / groups channels
    denseMacs: (c) => (c.out.c * c.out.h * c.out.w * c.in.c * c.k * c.k) / convGroups(c),
    attentionFlops: () => 0,
    weightWords: (c) => (c.out.c * c.in.c * c.k * c.k) / convGroups(c) + (c.bias || c.bn ? c.out.c : 0),
  },
  head: {
    denseMacs: (h) => h.inFeatures * h.numClasses,
    attentionFlops: () => 0,
    weightWords: (h) => h.inFeatures * h.numClasses + h.numClasses,
  },
  ssaProduct: {
    ...NONE,
    // (Q K^T) V: 2 N^2 C_qk for Q K^T, 2 N^2 C_v for the product with V (equal widths: 4 N^2 C)
    attentionFlops: (l) =>
      l.order === 'q(kv)'
        ? (4 * tokens(l) * l.out.c * l.out.c) / l.heads
        : 2 * tokens(l) * tokens(l) * ((l.qkChannels ?? l.out.c) + l.out.c),
  },
  mask: { ...NONE, attentionFlops: (l) => 2 * tokens(l) * l.out.c },
  // SDSA's K AND V: one AND per element (its token sum and Q mask are the channel mask's 2 N C)
  spikeAnd: { ...NONE, attentionFlops: (l) => tokens(l) * l.out.c },
  membraneAdd: NONE,
  multiSpike: NONE,
  bnPad: NONE,
  // the Q sums are counted with the mask that follows (a sum over the K-shaped tensor)
  headSum: NONE,
  tokenSum: NONE,
  maxpool: NONE,
  avgpool: NONE,
  lif: NONE,
  add: NONE,
  tokenMean: NONE,
};

const costsOf = (l: LayerSpec) => STATIC_COSTS[l.kind] as StaticCosts<LayerSpec>;

/** Dense multiply-accumulates per step: every output of a conv over its full fan-in; the head's matrix. */
export function denseMacs(l: LayerSpec): number {
  return costsOf(l).denseMacs(l);
}

export function attentionFlops(l: LayerSpec): number {
  return costsOf(l).attentionFlops(l);
}

export function modelStats(spec: ModelSpec): ModelStats {
  let params = 0,
    paramsUsed = 0;
  for (const k of spec.stateKeys) {
    if (k.role !== 'param') continue;
    const n = shapeNumel(k.shape);
    params += n;
    if (k.used) paramsUsed += n;
  }
  let macs = 0,
    flops = 0;
  for (const l of spec.layers) {
    macs += denseMacs(l);
    flops += attentionFlops(l);
  }
  return { params, paramsUsed, denseMacsPerStep: macs, attentionFlopsPerStep: flops };
}

/** Words of weight memory a synaptic layer holds (weights + bias after BN folding). */
export function weightWords(l: LayerSpec): number {
  return costsOf(l).weightWords(l);
}
