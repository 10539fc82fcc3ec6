import { assertNever } from '../errors.js';
import type { ConvLayer, HeadLayer, LayerSpec, ModelSpec } from './spec.js';
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

/**
 * `conv(l)` or `head(l)` for the two synaptic layer kinds (the only ones holding weights), 0 for every other kind:
 * the one exhaustive switch behind denseMacs and weightWords.
 */
function ofSynapticLayer(l: LayerSpec, conv: (c: ConvLayer) => number, head: (h: HeadLayer) => number): number {
  switch (l.kind) {
    case 'conv':
      return conv(l);
    case 'head':
      return head(l);
    case 'maxpool':
    case 'lif':
    case 'add':
    case 'headSum':
    case 'tokenSum':
    case 'mask':
    case 'ssaProduct':
    case 'tokenMean':
      return 0;
    default:
      return assertNever(l, 'layer kind');
  }
}

/** Dense multiply-accumulates per step: every output of a conv over its full fan-in; the head's matrix. */
export function denseMacs(l: LayerSpec): number {
  return ofSynapticLayer(
    l,
    (c) => c.out.c * c.out.h * c.out.w * c.in.c * c.k * c.k,
    (h) => h.inFeatures * h.numClasses,
  );
}

export function attentionFlops(l: LayerSpec): number {
  const n = l.out.h * l.out.w;
  switch (l.kind) {
    case 'ssaProduct': {
      const c = l.out.c;
      return l.order === 'q(kv)' ? (4 * n * c * c) / l.heads : 4 * n * n * c;
    }
    case 'headSum':
    case 'tokenSum': {
      // counted with the mask that follows: sum over the K-shaped tensor
      return 0;
    }
    case 'mask':
      return 2 * n * l.out.c;
    case 'conv':
    case 'maxpool':
    case 'lif':
    case 'add':
    case 'tokenMean':
    case 'head':
      return 0;
    default:
      return assertNever(l, 'layer kind');
  }
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
  return ofSynapticLayer(
    l,
    (c) => c.out.c * c.in.c * c.k * c.k + (c.bias || c.bn ? c.out.c : 0),
    (h) => h.inFeatures * h.numClasses + h.numClasses,
  );
}
