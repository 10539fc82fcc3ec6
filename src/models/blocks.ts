import { ConfigError } from './config-error.js';
import type { GraphBuilder } from './graph.js';
import type { AttentionKind, ConvLayer } from './spec.js';

/** How a family names and builds its transformer blocks. */
export interface BlockStyle {
  /** Attribute of the attention module per kind (official: tssa for QKTA; ssa or attn for SSA). */
  attnAttr: Record<AttentionKind, string>;
  /** q/k/v/proj synaptic op and names: `q_conv` (Conv1d) or `q_linear` (Linear). */
  qkvOp: ConvLayer['op'];
  qkvSuffix: 'conv' | 'linear';
  /** q/k/v carry a bias (Spikformer CIFAR's nn.Linear) or not. */
  qkvBias: boolean;
  /** MLP names: mlp1_/mlp2_ (QKFormer CIFAR/DVS) or fc1_/fc2_. */
  mlpNames: [string, string];
  mlpOp: ConvLayer['op'];
  mlpSuffix: 'conv' | 'linear';
  ssaOrder: 'q(kv)' | 'qk(v)';
  ssaScale: number;
  /** QKFormer's SSA proj_lif runs over the flattened T*B axis in the official code. */
  ssaProjCoupled: boolean;
  /** Spikformer builds norm1/norm2 LayerNorms it never uses. */
  unusedNorms: boolean;
}

/** QKTA (token attention): A_t = LIF_0.5(sum of Q over each head's channels); X' = A_t * K. */
function qkAttention(
  g: GraphBuilder,
  p: string,
  x: string,
  dim: number,
  heads: number,
  style: BlockStyle,
  mode: 'token' | 'channel',
): string {
  const sfx = style.qkvSuffix;
  const q = g.convBnLif({
    conv: `${p}.q_${sfx}`,
    bn: `${p}.q_bn`,
    lif: `${p}.q_lif`,
    input: x,
    outC: dim,
    bias: style.qkvBias,
    op: style.qkvOp,
  });
  const k = g.convBnLif({
    conv: `${p}.k_${sfx}`,
    bn: `${p}.k_bn`,
    lif: `${p}.k_lif`,
    input: x,
    outC: dim,
    bias: style.qkvBias,
    op: style.qkvOp,
  });
  const sum = mode === 'token' ? g.headSum(`${p}.head_sum`, q, heads) : g.tokenSum(`${p}.token_sum`, q);
  const a = g.lif(`${p}.attn_lif`, sum, 0.5);
  const m = g.mask(`${p}.mask`, a, k, mode, heads);
  return g.convBnLif({
    conv: `${p}.proj_${sfx}`,
    bn: `${p}.proj_bn`,
    lif: `${p}.proj_lif`,
    input: m,
    outC: dim,
    bias: true,
    op: style.qkvOp,
  });
}

/** SSA: Q, K, V spikes; Y = products * scale; attn_lif (0.5); proj conv-BN-LIF. */
function ssa(g: GraphBuilder, p: string, x: string, dim: number, heads: number, style: BlockStyle): string {
  const sfx = style.qkvSuffix;
  const q = g.convBnLif({
    conv: `${p}.q_${sfx}`,
    bn: `${p}.q_bn`,
    lif: `${p}.q_lif`,
    input: x,
    outC: dim,
    bias: style.qkvBias,
    op: style.qkvOp,
  });
  const k = g.convBnLif({
    conv: `${p}.k_${sfx}`,
    bn: `${p}.k_bn`,
    lif: `${p}.k_lif`,
    input: x,
    outC: dim,
    bias: style.qkvBias,
    op: style.qkvOp,
  });
  const v = g.convBnLif({
    conv: `${p}.v_${sfx}`,
    bn: `${p}.v_bn`,
    lif: `${p}.v_lif`,
    input: x,
    outC: dim,
    bias: style.qkvBias,
    op: style.qkvOp,
  });
  const y = g.ssaProduct(`${p}.product`, q, k, v, heads, style.ssaOrder, style.ssaScale);
  const a = g.lif(`${p}.attn_lif`, y, 0.5);
  return g.convBnLif({
    conv: `${p}.proj_${sfx}`,
    bn: `${p}.proj_bn`,
    lif: `${p}.proj_lif`,
    input: a,
    outC: dim,
    bias: true,
    op: style.qkvOp,
    officialTimeAxis: style.ssaProjCoupled ? 'timeBatch' : 'time',
  });
}

/** One block: x = x + Attn(x); x = x + MLP(x) (SEW ADD residuals, no norm). */
export function block(
  g: GraphBuilder,
  p: string,
  x: string,
  dim: number,
  heads: number,
  mlpRatio: number,
  kind: AttentionKind,
  style: BlockStyle,
): string {
  if (dim % heads !== 0) throw new ConfigError(`${p}: dim ${dim} is not divisible by ${heads} heads`);
  const ap = `${p}.${style.attnAttr[kind]}`;
  if (style.unusedNorms) g.unusedLayerNorm(`${p}.norm1`, dim);
  let attnOut: string;
  switch (kind) {
    case 'qkta':
      attnOut = qkAttention(g, ap, x, dim, heads, style, 'token');
      break;
    case 'qkca':
      attnOut = qkAttention(g, ap, x, dim, heads, style, 'channel');
      break;
    case 'ssa':
      attnOut = ssa(g, ap, x, dim, heads, style);
      break;
  }
  const x1 = g.add(`${p}.attn_add`, x, attnOut);
  if (style.unusedNorms) g.unusedLayerNorm(`${p}.norm2`, dim);
  const hidden = Math.floor(dim * mlpRatio);
  const [n1, n2] = style.mlpNames;
  const s = style.mlpSuffix;
  const h = g.convBnLif({
    conv: `${p}.mlp.${n1}_${s}`,
    bn: `${p}.mlp.${n1}_bn`,
    lif: `${p}.mlp.${n1}_lif`,
    input: x1,
    outC: hidden,
    bias: true,
    op: style.mlpOp,
  });
  const o = g.convBnLif({
    conv: `${p}.mlp.${n2}_${s}`,
    bn: `${p}.mlp.${n2}_bn`,
    lif: `${p}.mlp.${n2}_lif`,
    input: h,
    outC: dim,
    bias: true,
    op: style.mlpOp,
  });
  return g.add(`${p}.mlp_add`, x1, o);
}
