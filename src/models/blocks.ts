import { ConfigError } from './config-error.js';
import type { GraphBuilder } from './graph.js';
import type { AttentionKind, ConvLayer, LifLayer, ModelConfig } from './spec.js';

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

/**
 * conv (`${p}.${unit}_${suffix}`: Conv1d, Conv2d or Linear) -> `${p}.${unit}_bn` -> `${p}.${unit}_lif`: the unit every
 * q/k/v, projection and MLP layer of a block repeats.
 */
function synapseUnit(
  g: GraphBuilder,
  p: string,
  unit: string,
  suffix: string,
  input: string,
  outC: number,
  bias: boolean,
  op: ConvLayer['op'],
  officialTimeAxis?: LifLayer['officialTimeAxis'],
): string {
  return g.convBnLif({
    conv: `${p}.${unit}_${suffix}`,
    bn: `${p}.${unit}_bn`,
    lif: `${p}.${unit}_lif`,
    input,
    outC,
    bias,
    op,
    ...(officialTimeAxis !== undefined ? { officialTimeAxis } : {}),
  });
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
  const q = synapseUnit(g, p, 'q', sfx, x, dim, style.qkvBias, style.qkvOp);
  const k = synapseUnit(g, p, 'k', sfx, x, dim, style.qkvBias, style.qkvOp);
  const sum = mode === 'token' ? g.headSum(`${p}.head_sum`, q, heads) : g.tokenSum(`${p}.token_sum`, q);
  const a = g.lif(`${p}.attn_lif`, sum, 0.5);
  const m = g.mask(`${p}.mask`, a, k, mode, heads);
  return synapseUnit(g, p, 'proj', sfx, m, dim, true, style.qkvOp);
}

/** SSA: Q, K, V spikes; Y = products * scale; attn_lif (0.5); proj conv-BN-LIF. */
function ssa(g: GraphBuilder, p: string, x: string, dim: number, heads: number, style: BlockStyle): string {
  const sfx = style.qkvSuffix;
  const q = synapseUnit(g, p, 'q', sfx, x, dim, style.qkvBias, style.qkvOp);
  const k = synapseUnit(g, p, 'k', sfx, x, dim, style.qkvBias, style.qkvOp);
  const v = synapseUnit(g, p, 'v', sfx, x, dim, style.qkvBias, style.qkvOp);
  const y = g.ssaProduct(`${p}.product`, q, k, v, heads, style.ssaOrder, style.ssaScale);
  const a = g.lif(`${p}.attn_lif`, y, 0.5);
  return synapseUnit(g, p, 'proj', sfx, a, dim, true, style.qkvOp, style.ssaProjCoupled ? 'timeBatch' : 'time');
}

/** An encoder block's size: its width, attention heads (dividing the width), MLP hidden width floor(dim x mlpRatio). */
export interface BlockShape {
  dim: number;
  heads: number;
  mlpRatio: number;
}

/** The block shape of a one-stage family (Spikformer, Spikingformer, SDT): width E, the config's one head count. */
export function oneStageBlockShape(cfg: ModelConfig): BlockShape {
  const heads = cfg.heads[0];
  if (heads === undefined) throw new Error('no head count');
  if (cfg.embedDims % heads !== 0) throw new ConfigError(`block.0: dim ${cfg.embedDims} is not divisible by ${heads} heads`);
  return { dim: cfg.embedDims, heads, mlpRatio: cfg.mlpRatio };
}

/** One block: x = x + Attn(x); x = x + MLP(x) (SEW ADD residuals, no norm). */
export function block(g: GraphBuilder, p: string, x: string, shape: BlockShape, kind: AttentionKind, style: BlockStyle): string {
  const { dim, heads, mlpRatio } = shape;
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
  const h = synapseUnit(g, p, `mlp.${n1}`, s, x1, hidden, true, style.mlpOp);
  const o = synapseUnit(g, p, `mlp.${n2}`, s, h, dim, true, style.mlpOp);
  return g.add(`${p}.mlp_add`, x1, o);
}
