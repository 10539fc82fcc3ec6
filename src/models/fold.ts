import type { ConvLayer, ModelSpec } from './spec.js';
import type { TensorMap } from './tensor.js';

/**
 * BatchNorm folded into the preceding conv (eval statistics, eps 1e-5):
 *   s_o = gamma_o / sqrt(var_o + eps)
 *   W'_o = s_o * W_o,  b'_o = s_o * (b_o - mean_o) + beta_o
 * so that BN(conv(x)) = conv'(x) exactly in real arithmetic. Computed in float64.
 */
export interface FoldedConv {
  /** `[outC][inC][k][k]`, float64. */
  weight: Float64Array;
  /** `[outC]`, float64 (zeros when the conv has neither bias nor BN). */
  bias: Float64Array;
}

export interface FoldedWeights {
  convs: Map<string, FoldedConv>;
  /**
   * Per SSA product fed multi-level spikes: the product of 1/norm of its inputs, applied with its own scale (the events
   * carry the integers m; the official tensors hold m / norm). Convs and the head have it folded into their weights.
   */
  eventScale: Map<string, number>;
  head: { weight: Float64Array; bias: Float64Array; inFeatures: number; numClasses: number };
}

export const BN_EPS = 1e-5;

function get(t: TensorMap, key: string): Float32Array | Float64Array {
  const v = t.get(key);
  if (!v) throw new Error(`missing tensor ${key}`);
  return v.data;
}

export function foldConv(layer: ConvLayer, t: TensorMap): FoldedConv {
  const wIn = get(t, `${layer.name}.weight`);
  const outC = layer.out.c;
  const per = wIn.length / outC;
  const weight = Float64Array.from(wIn);
  const bias = new Float64Array(outC);
  if (layer.bias) bias.set(get(t, `${layer.name}.bias`));
  // a second BatchNorm (bn2) folds the same way after the first
  for (const bn of [layer.bn, layer.bn2]) {
    if (!bn) continue;
    const gamma = get(t, `${bn}.weight`);
    const beta = get(t, `${bn}.bias`);
    const mean = get(t, `${bn}.running_mean`);
    const varr = get(t, `${bn}.running_var`);
    for (let o = 0; o < outC; o++) {
      const s = gamma[o]! / Math.sqrt(varr[o]! + BN_EPS);
      for (let i = 0; i < per; i++) weight[o * per + i]! *= s;
      bias[o] = s * (bias[o]! - mean[o]!) + beta[o]!;
    }
  }
  // a layer scale multiplies the BN output per channel: W'_o = l_o W_o, b'_o = l_o b_o
  if (layer.layerScale !== undefined) {
    const l = get(t, layer.layerScale);
    for (let o = 0; o < outC; o++) {
      for (let i = 0; i < per; i++) weight[o * per + i]! *= l[o]!;
      bias[o]! *= l[o]!;
    }
  }
  return { weight, bias };
}

export function foldWeights(spec: ModelSpec, t: TensorMap): FoldedWeights {
  const convs = new Map<string, FoldedConv>();
  const eventScale = new Map<string, number>();
  let head: FoldedWeights['head'] | null = null;
  // a multi-level spike (SDT v3's MultiSpike) travels as the integer m; its value m / norm is restored here
  const norms = new Map(spec.layers.flatMap((l) => (l.kind === 'multiSpike' ? [[l.name, l.norm] as const] : [])));
  const inScale = (i: string | undefined) => 1 / (norms.get(i ?? '') ?? 1);
  for (const l of spec.layers) {
    if (l.kind === 'conv') {
      const f = foldConv(l, t);
      const s = inScale(l.inputs[0]);
      if (s !== 1) for (let i = 0; i < f.weight.length; i++) f.weight[i]! *= s;
      convs.set(l.name, f);
    }
    if (l.kind === 'ssaProduct') {
      const s = l.inputs.map(inScale).reduce((a, b) => a * b, 1);
      eventScale.set(l.name, s);
    }
    if (l.kind === 'head') {
      const s = inScale(l.inputs[0]);
      head = {
        weight: Float64Array.from(get(t, `${l.name}.weight`), (w) => w * s),
        bias: Float64Array.from(get(t, `${l.name}.bias`)),
        inFeatures: l.inFeatures,
        numClasses: l.numClasses,
      };
    }
  }
  if (!head) throw new Error(`model ${spec.name} has no head`);
  return { convs, eventScale, head };
}
