import type { BlockShape } from './blocks.js';
import type { GraphBuilder } from './graph.js';
import { buildMetaFormer, msMlp, type MetaStyle } from './sdt-v2.js';
import type { ModelConfig, ModelSpec } from './spec.js';

/**
 * E-SpikeFormer (SDT v3, TPAMI 2025) following the official base model (BICLab/Spike-Driven-Transformer-V3@00fcd1f,
 * `SDT_V3/Classification/Model_Base/models.py`, `Spiking_vit_MetaFormer_Spike_SepConv`; Efficient_Spiking_Transformer_t
 * / s / m / l). Meta-SpikeFormer's skeleton (sdt-v2.ts) with every LIF replaced by a stateless multi-level spike
 * (`MultiSpike`: round(clamp(x, 0, 4)) / 4; the one before the head divides by 1), one step (no T), and:
 * - ConvBlock (MS_ConvBlock_spike_SepConv): SepConv_Spike (spike, 1x1 conv-BN, spike, depth-wise 7x7 conv-BN, spike,
 *   1x1 conv-BN: every conv reads spikes) + x, then spike, 3x3 conv-BN, spike, 3x3 conv-BN, + x.
 * - Transformer block (MS_Block_Spike_SepConv): x + SepConv_Spike (3x3 depth-wise), x + linear attention
 *   (MS_Attention_linear: q, k 1x1 conv-BN to C, v to 4 C, (Q K^T) V x 2 (C / heads)^-0.5 into attn_spike, proj 1x1
 *   conv-BN from 4 C), x + MLP. No RepConv in the base model.
 */
export function buildSdtV3(name: string, cfg: ModelConfig): ModelSpec {
  return buildMetaFormer(name, cfg, V3);
}

/** round(clamp(x, 0, 4)) / 4, the official MultiSpike(). */
const spike = (g: GraphBuilder, name: string, input: string) => g.multiSpike(name, input, 4, 4);

/** SepConv_Spike: spike1, pwconv1 (conv, BN), spike2, dwconv (depth-wise k x k, BN), spike3, pwconv2 (conv, BN). */
function sepConvSpike(g: GraphBuilder, p: string, x: string, dim: number, k: number): string {
  const med = 2 * dim;
  const unit = (n: string, input: string, outC: number, kk: number, groups: number) =>
    g.conv({ name: `${p}.${n}.0`, input, outC, k: kk, pad: (kk - 1) / 2, groups, bias: false, bn: `${p}.${n}.1` });
  let h = unit('pwconv1', spike(g, `${p}.spike1`, x), med, 1, 1);
  h = unit('dwconv', spike(g, `${p}.spike2`, h), med, k, med);
  return unit('pwconv2', spike(g, `${p}.spike3`, h), dim, 1, 1);
}

/** MS_ConvBlock_spike_SepConv: x = SepConv_Spike(x) + x; x = x + bn2(conv2(spike2(bn1(conv1(spike1(x)))))). */
function convBlockV3(g: GraphBuilder, p: string, x: string, dim: number, mlpRatio: number): string {
  const x1 = g.membraneAdd(`${p}.conv_add`, sepConvSpike(g, `${p}.Conv`, x, dim, 7), x);
  const unit = (i: 1 | 2, input: string, outC: number) =>
    g.conv({ name: `${p}.conv${i}`, input: spike(g, `${p}.spike${i}`, input), outC, k: 3, pad: 1, bias: false, bn: `${p}.bn${i}` });
  return g.membraneAdd(`${p}.mlp_add`, x1, unit(2, unit(1, x1, dim * mlpRatio), dim));
}

/** MS_Block_Spike_SepConv: x + conv(x) (3x3 SepConv_Spike), x + attn(x) (MS_Attention_linear, lamda_ratio 4), x + mlp(x). */
function blockV3(g: GraphBuilder, p: string, x: string, shape: BlockShape): string {
  const { dim, heads } = shape;
  const x1 = g.membraneAdd(`${p}.conv_add`, x, sepConvSpike(g, `${p}.conv`, x, dim, 3));
  const a = `${p}.attn`;
  const s = spike(g, `${a}.head_spike`, x1);
  const unit = (n: string, input: string, outC: number) => g.conv({ name: `${a}.${n}.0`, input, outC, bias: false, bn: `${a}.${n}.1` });
  const [q, k, v] = (['q', 'k', 'v'] as const).map((n) => spike(g, `${a}.${n}_spike`, unit(`${n}_conv`, s, n === 'v' ? 4 * dim : dim)));
  // x = (q @ k^T @ v) * (scale * 2), scale = (dim // heads)^-0.5
  const y = g.ssaProduct(`${a}.product`, q!, k!, v!, heads, 'qk(v)', 2 * Math.floor(dim / heads) ** -0.5);
  const x2 = g.membraneAdd(`${p}.attn_add`, x1, unit('proj_conv', spike(g, `${a}.attn_spike`, y), dim));
  return msMlp(g, p, x2, shape, (name, input) => spike(g, name, input), 'spike');
}

const V3: MetaStyle = {
  neuron: spike,
  encodeNeuron: 'encode_spike',
  convBlock: convBlockV3,
  block: blockV3,
  headNeuron: (g, x) => g.multiSpike('spike', x, 4, 1),
  family: 'E-SpikeFormer',
};
