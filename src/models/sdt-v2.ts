import { ConfigError } from './config-error.js';
import { GraphBuilder } from './graph.js';
import type { BlockShape } from './blocks.js';
import type { ModelConfig, ModelSpec } from './spec.js';

/**
 * Meta-SpikeFormer (SDT v2, ICLR 2024) following the official code (BICLab/Spike-Driven-Transformer-V2@35f245f,
 * `classification/models.py`, `Spiking_vit_MetaFormer`; metaspikformer_8_384 / 8_512 / 8_768). A four-stage
 * MetaFormer: downsample1_1 (7x7 stride-2 conv-BN, no neuron), ConvBlock1_1, downsample1_2, ConvBlock1_2,
 * downsample2, ConvBlock2_1, ConvBlock2_2, downsample3, block3 (transformer blocks), downsample4 (stride 1), block4,
 * then the token mean of the real stream, a LIF (`lif`), the head per step and the mean over T. Membrane shortcuts
 * throughout: every branch starts with a LIF and adds its BN output to the real residual stream.
 *
 * ConvBlock (MS_ConvBlock): SepConv (LIF, 1x1 conv-BN, LIF, depth-wise 7x7 conv on spikes, 1x1 conv-BN on its real
 * output) + x, then LIF, 3x3 conv-BN to mlp_ratio C, LIF, 3x3 conv-BN back to C, + x. Transformer block (MS_Block):
 * attention with RepConv q/k/v/proj (1x1 conv on spikes, BN-and-pad, depth-wise 3x3, 1x1 conv, BN, BN), Q (K^T V)
 * x 0.125 into attn_lif (v_th 0.5), + x; the MLP (Conv1d-BN units after their LIFs), + x.
 * NOTE: the official class builds 6 blocks in block3 and 2 in block4 whatever `depths` says (depths = 8 sizes only
 * its drop-path schedule); spikewatt gives block4 max(1, round(depths / 4)) blocks and block3 the rest: 6 + 2 at 8.
 */
export function buildSdtV2(name: string, cfg: ModelConfig): ModelSpec {
  return buildMetaFormer(name, cfg, V2);
}

/** What differs between the v2 and v3 skeletons: the neuron and its module names, the conv and transformer blocks. */
export interface MetaStyle {
  /** A spiking neuron: v2 a LIF, v3 a multi-level spike (D 4). */
  neuron(g: GraphBuilder, name: string, input: string): string;
  /** Attribute suffix of a downsampling layer's neuron: encode_lif / encode_spike. */
  encodeNeuron: string;
  convBlock(g: GraphBuilder, p: string, x: string, dim: number, mlpRatio: number): string;
  block(g: GraphBuilder, p: string, x: string, shape: BlockShape): string;
  /** The neuron before the head: v2 `lif`, v3 `spike` (a multi-level spike with Norm 1). */
  headNeuron(g: GraphBuilder, x: string): string;
  family: string;
}

/** The four stage widths: the official embed_dim list, or E/4, E/2, E, 5E/4 (metaspikformer_8_*). */
export function metaStageDims(cfg: ModelConfig): [number, number, number, number] {
  const E = cfg.embedDims;
  const d = cfg.stageDims ?? [E / 4, E / 2, E, (5 * E) / 4];
  if (d.length !== 4 || d[2] !== E || d.some((x) => !Number.isInteger(x) || x < 1))
    throw new ConfigError(`stage dims ${d.join(',')} must be four positive integers with the third the embed dims ${E}`);
  if (d[0]! % 2 !== 0) throw new ConfigError(`stage dims ${d.join(',')}: the first must be even (downsample1_1 makes half of it)`);
  return [d[0]!, d[1]!, d[2]!, d[3]!];
}

/** The official skeleton (Spiking_vit_MetaFormer / Spiking_vit_MetaFormer_Spike_SepConv). */
export function buildMetaFormer(name: string, cfg: ModelConfig, style: MetaStyle): ModelSpec {
  if (cfg.attention.some((a) => a !== 'ssa'))
    throw new ConfigError(`${name}: ${style.family} is built with its own linear attention only (its attention knob is 'ssa')`);
  const [e0, e1, e2, e3] = metaStageDims(cfg);
  const g = GraphBuilder.forInput(cfg);
  // heads of block3 and block4 (the official num_heads is one count for both)
  const [h3, h4] = [cfg.heads[0] ?? 8, cfg.heads[1] ?? cfg.heads[0] ?? 8];
  const r = cfg.mlpRatio;
  const down = (p: string, x: string, outC: number, k: number, stride: number, first = false) => {
    const s = first ? x : style.neuron(g, `${p}.${style.encodeNeuron}`, x);
    return g.conv({ name: `${p}.encode_conv`, input: s, outC, k, stride, pad: (k - 1) / 2, bias: true, bn: `${p}.encode_bn` });
  };
  let x = down('downsample1_1', 'input', e0 / 2, 7, 2, true);
  x = style.convBlock(g, 'ConvBlock1_1.0', x, e0 / 2, r);
  x = style.convBlock(g, 'ConvBlock1_2.0', down('downsample1_2', x, e0, 3, 2), e0, r);
  x = style.convBlock(g, 'ConvBlock2_1.0', down('downsample2', x, e1, 3, 2), e1, r);
  x = style.convBlock(g, 'ConvBlock2_2.0', x, e1, r);
  const n4 = Math.max(1, Math.round(cfg.depths / 4)),
    n3 = cfg.depths - n4;
  x = down('downsample3', x, e2, 3, 2);
  for (let j = 0; j < n3; j++) x = style.block(g, `block3.${j}`, x, { dim: e2, heads: h3, mlpRatio: r });
  x = down('downsample4', x, e3, 3, 1);
  for (let j = 0; j < n4; j++) x = style.block(g, `block4.${j}`, x, { dim: e3, heads: h4, mlpRatio: r });
  g.head('head', style.headNeuron(g, g.tokenMean('head.token_mean', x)), cfg.numClasses);
  return { name, config: cfg, inputShape: g.shape('input'), layers: g.layers, stateKeys: g.keys };
}

/** SepConv (v2): lif1, pwconv1-bn1, lif2, depth-wise 7x7 dwconv (spikes in, real out), pwconv2-bn2. */
function sepConvV2(g: GraphBuilder, p: string, x: string, dim: number): string {
  const med = 2 * dim;
  let h = g.conv({ name: `${p}.pwconv1`, input: g.lif(`${p}.lif1`, x), outC: med, bias: false, bn: `${p}.bn1` });
  h = g.conv({ name: `${p}.dwconv`, input: g.lif(`${p}.lif2`, h), outC: med, k: 7, pad: 3, groups: med, bias: false, bn: null });
  return g.conv({ name: `${p}.pwconv2`, input: h, outC: dim, bias: false, bn: `${p}.bn2` });
}

/** MS_ConvBlock (v2): x = SepConv(x) + x; x = x + conv2(lif2(conv1(lif1(x)))), 3x3 conv-BN units. */
function convBlockV2(g: GraphBuilder, p: string, x: string, dim: number, mlpRatio: number): string {
  const x1 = g.membraneAdd(`${p}.conv_add`, sepConvV2(g, `${p}.Conv`, x, dim), x);
  const unit = (i: 1 | 2, input: string, outC: number) =>
    g.conv({ name: `${p}.conv${i}`, input: g.lif(`${p}.lif${i}`, input), outC, k: 3, pad: 1, bias: false, bn: `${p}.bn${i}` });
  return g.membraneAdd(`${p}.mlp_add`, x1, unit(2, unit(1, x1, dim * mlpRatio), dim));
}

/** RepConv(C, C) inside nn.Sequential(RepConv, BatchNorm2d): `<p>.0.body.{0,1,2.0,2.1,2.2}` and `<p>.1`. */
export function repConv(g: GraphBuilder, p: string, x: string, dim: number): string {
  const b = `${p}.0.body`;
  const c1 = g.conv({ name: `${b}.0`, input: x, outC: dim, bias: false, bn: `${b}.1.bn` });
  const dw = g.conv({ name: `${b}.2.0`, input: g.bnPad(`${b}.1`, c1, 1), outC: dim, k: 3, groups: dim, bias: false, bn: null });
  return g.conv({ name: `${b}.2.1`, input: dw, outC: dim, bias: false, bn: `${b}.2.2`, bn2: `${p}.1` });
}

/** MS_Block (v2): x = x + attn(x) (MS_Attention_RepConv_qkv_id); x = x + mlp(x) (MS_MLP). */
function blockV2(g: GraphBuilder, p: string, x: string, shape: BlockShape): string {
  const { dim, heads } = shape;
  const a = `${p}.attn`;
  const s = g.lif(`${a}.head_lif`, x);
  const qkv = (n: 'q' | 'k' | 'v') => g.lif(`${a}.${n}_lif`, repConv(g, `${a}.${n}_conv`, s, dim));
  const [q, k, v] = [qkv('q'), qkv('k'), qkv('v')];
  const att = g.lif(`${a}.attn_lif`, g.ssaProduct(`${a}.product`, q, k, v, heads, 'q(kv)', 0.125), 0.5);
  const x1 = g.membraneAdd(`${p}.attn_add`, x, repConv(g, `${a}.proj_conv`, att, dim));
  return msMlp(g, p, x1, shape, (name, input) => g.lif(name, input), 'lif');
}

/** MS_MLP (v2 and v3): neuron, fc1 Conv1d-BN to int(dim x mlp_ratio), neuron, fc2 Conv1d-BN [x layer scale], + x. */
export function msMlp(
  g: GraphBuilder,
  p: string,
  x: string,
  shape: BlockShape,
  neuron: (name: string, input: string) => string,
  suffix: 'lif' | 'spike',
  layerScale?: string,
): string {
  const m = `${p}.mlp`;
  const unit = (i: 1 | 2, input: string, outC: number) => {
    const s = neuron(`${m}.fc${i}_${suffix}`, input);
    const ls = i === 2 && layerScale !== undefined ? { layerScale } : {};
    return g.conv({ name: `${m}.fc${i}_conv`, input: s, outC, bias: true, bn: `${m}.fc${i}_bn`, op: 'conv1d', ...ls });
  };
  return g.membraneAdd(`${p}.mlp_add`, x, unit(2, unit(1, x, Math.floor(shape.dim * shape.mlpRatio)), shape.dim));
}

const V2: MetaStyle = {
  neuron: (g, name, input) => g.lif(name, input),
  encodeNeuron: 'encode_lif',
  convBlock: convBlockV2,
  block: blockV2,
  headNeuron: (g, x) => g.lif('lif', x),
  family: 'Meta-SpikeFormer',
};
