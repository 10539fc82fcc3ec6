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
  if (layer.bn) {
    const gamma = get(t, `${layer.bn}.weight`);
    const beta = get(t, `${layer.bn}.bias`);
    const mean = get(t, `${layer.bn}.running_mean`);
    const varr = get(t, `${layer.bn}.running_var`);
    for (let o = 0; o < outC; o++) {
      const s = gamma[o]! / Math.sqrt(varr[o]! + BN_EPS);
      for (let i = 0; i < per; i++) weight[o * per + i]! *= s;
      bias[o] = s * (bias[o]! - mean[o]!) + beta[o]!;
    }
  }
  return { weight, bias };
}

export function foldWeights(spec: ModelSpec, t: TensorMap): FoldedWeights {
  const convs = new Map<string, FoldedConv>();
  let head: FoldedWeights['head'] | null = null;
  for (const l of spec.layers) {
    if (l.kind === 'conv') convs.set(l.name, foldConv(l, t));
    if (l.kind === 'head') {
      head = {
        weight: Float64Array.from(get(t, `${l.name}.weight`)),
        bias: Float64Array.from(get(t, `${l.name}.bias`)),
        inFeatures: l.inFeatures,
        numClasses: l.numClasses,
      };
    }
  }
  if (!head) throw new Error(`model ${spec.name} has no head`);
  return { convs, head };
}
