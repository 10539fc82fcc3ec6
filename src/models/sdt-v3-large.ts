import { ConfigError } from './config-error.js';
import { GraphBuilder } from './graph.js';
import { msMlp } from './sdt-v2.js';
import type { ModelConfig, ModelSpec } from './spec.js';

/**
 * E-SpikeFormer's large models (SDT v3, TPAMI 2025; the paper's 83 M and 173 M) following the official finetuning class
 * (BICLab/Spike-Driven-Transformer-V3@00fcd1f, `SDT_V3/Classification/Model_Large/spikformer.py`, `Spikformer`;
 * spikformer12_512 with choice "base", spikformer12_768 with choice "large", as main_finetune.py builds them: kd off).
 * Three stages (widths E/4, E/2, E, or the entry's `stageDims`), one step, every neuron a stateless multi-level spike
 * `Multispike` m = floor(clamp(x, 0, 4) + 0.5) (ties round up), value m / 4:
 * - downsample1_1 (7x7 stride-2 conv-BN, no neuron), ConvBlock1_1, downsample1_2, ConvBlock1_2, downsample2, ConvBlock2_1,
 *   ConvBlock2_2, downsample3 (3x3 stride 2, each after `encode_lif`), block3 (`depths` blocks), token mean of the real
 *   stream, head (Linear of the real mean: MACs). The `lif` spike of the mean (norm 1) is computed and read by nothing
 *   (only the kd head, head_kd, reads it; kd is off).
 * - ConvBlock (MS_ConvBlock): x + conv2(neuron2(conv1(neuron1(x)))), 3x3 conv-BN units with bias (`conv1.0.module.{0,1}`,
 *   spikingjelly's SeqToANNContainer), no SepConv.
 * - Block (MS_Block, finetune: layer scales): [choice "base": x + rep_conv(lif(x)), RepConv2: two 1x1 Conv1d-BN, C to C
 *   to C], x + attn(x) * layer_scale1, x + mlp(x) * layer_scale2. Attention (MS_Attention_Conv_qkv_id): head_lif, q / k /
 *   v = RepConv (1x1 Conv1d-BN C to int(1.5 C) on spikes, 1x1 Conv1d-BN back to C on that real output: MACs) then BN,
 *   multi-spikes, Q (K^T V) x 0.125, attn_lif, proj RepConv-BN. The layer scales fold into the BN before them.
 */
export function buildSdtV3Large(name: string, cfg: ModelConfig): ModelSpec {
  if (cfg.attention.some((a) => a !== 'ssa'))
    throw new ConfigError(`${name}: E-SpikeFormer large is built with its own linear attention only (its attention knob is 'ssa')`);
  const [e0, e1, e2] = largeStageDims(cfg);
  const g = GraphBuilder.forInput(cfg);
  const down = (p: string, x: string, outC: number, k: number, first = false) => {
    const s = first ? x : spike(g, `${p}.encode_lif`, x);
    return g.conv({ name: `${p}.encode_conv`, input: s, outC, k, stride: 2, pad: (k - 1) / 2, bias: true, bn: `${p}.encode_bn` });
  };
  const r = cfg.mlpRatio;
  let x = convBlock(g, 'ConvBlock1_1.0', down('downsample1_1', 'input', e0 / 2, 7, true), e0 / 2, r);
  x = convBlock(g, 'ConvBlock1_2.0', down('downsample1_2', x, e0, 3), e0, r);
  x = convBlock(g, 'ConvBlock2_1.0', down('downsample2', x, e1, 3), e1, r);
  x = convBlock(g, 'ConvBlock2_2.0', x, e1, r);
  x = down('downsample3', x, e2, 3);
  const rep = cfg.family === 'sdt3lb-imagenet';
  for (let j = 0; j < cfg.depths; j++) x = block(g, `block3.${j}`, x, e2, cfg.heads[0] ?? 8, r, rep);
  const mean = g.tokenMean('head.token_mean', x);
  spike(g, 'lif', mean, 1);
  g.head('head', mean, cfg.numClasses);
  return { name, config: cfg, inputShape: g.shape('input'), layers: g.layers, stateKeys: g.keys };
}

/** The three stage widths: the entry's `stageDims` (spikformer12_768: 196, 384, 768) or E/4, E/2, E. */
export function largeStageDims(cfg: ModelConfig): [number, number, number] {
  const E = cfg.embedDims;
  const d = cfg.stageDims ?? [E / 4, E / 2, E];
  if (d.length !== 3 || d[2] !== E || d.some((v) => !Number.isInteger(v) || v < 1))
    throw new ConfigError(`stage dims ${d.join(',')} must be three positive integers with the third the embed dims ${E}`);
  if (d[0]! % 2 !== 0) throw new ConfigError(`stage dims ${d.join(',')}: the first must be even (downsample1_1 makes half of it)`);
  return [d[0]!, d[1]!, d[2]!];
}

/** Multispike(norm): floor(clamp(x, 0, 4) + 0.5) / norm (norm 4, or 1 before the kd head). */
const spike = (g: GraphBuilder, name: string, input: string, norm = 4) => g.multiSpike(name, input, 4, norm, 'halfUp');

/** MS_ConvBlock: x + conv2(neuron2(conv1(neuron1(x)))), MS_conv_unit = 3x3 conv (bias) + BN in a SeqToANNContainer. */
function convBlock(g: GraphBuilder, p: string, x: string, dim: number, mlpRatio: number): string {
  const unit = (i: 1 | 2, input: string, outC: number) => {
    const s = spike(g, `${p}.neuron${i}`, input);
    return g.conv({ name: `${p}.conv${i}.0.module.0`, input: s, outC, k: 3, pad: 1, bias: true, bn: `${p}.conv${i}.0.module.1` });
  };
  return g.membraneAdd(`${p}.mlp_add`, x, unit(2, unit(1, x, dim * mlpRatio), dim));
}

/**
 * Two 1x1 Conv1d-BN without bias, `<p>.conv1.{0,1}` (C to hidden) and `<p>.conv2.{0,1}` (hidden to C), no neuron
 * between (RepConv: hidden int(1.5 C); RepConv2: C); `outer` a BatchNorm after it (nn.Sequential(RepConv, BatchNorm1d)).
 */
function repConvPair(g: GraphBuilder, p: string, x: string, hidden: number, outC: number, outer?: string, layerScale?: string): string {
  const h = g.conv({ name: `${p}.conv1.0`, input: x, outC: hidden, bias: false, bn: `${p}.conv1.1`, op: 'conv1d' });
  const extra = { ...(outer !== undefined ? { bn2: outer } : {}), ...(layerScale !== undefined ? { layerScale } : {}) };
  return g.conv({ name: `${p}.conv2.0`, input: h, outC, bias: false, bn: `${p}.conv2.1`, op: 'conv1d', ...extra });
}

/** MS_Block (finetune): [x + rep_conv(lif(x))], x + attn(x) * layer_scale1, x + mlp(x) * layer_scale2. */
function block(g: GraphBuilder, p: string, x: string, dim: number, heads: number, mlpRatio: number, rep: boolean): string {
  if (rep) x = g.membraneAdd(`${p}.rep_add`, x, repConvPair(g, `${p}.rep_conv`, spike(g, `${p}.lif`, x), dim, dim));
  const a = `${p}.attn`;
  const s = spike(g, `${a}.head_lif`, x);
  const hidden = Math.floor(dim * 1.5);
  const qkv = (n: 'q' | 'k' | 'v') => spike(g, `${a}.${n}_lif`, repConvPair(g, `${a}.${n}_conv.0`, s, hidden, dim, `${a}.${n}_conv.1`));
  const [q, k, v] = [qkv('q'), qkv('k'), qkv('v')];
  // x = (q @ (k^T @ v)) * 0.125 on the values m / 4 (fold.ts restores the 1/4 of each input)
  const att = spike(g, `${a}.attn_lif`, g.ssaProduct(`${a}.product`, q, k, v, heads, 'q(kv)', 0.125));
  const proj = repConvPair(g, `${a}.proj_conv.0`, att, hidden, dim, `${a}.proj_conv.1`, `${p}.layer_scale1`);
  const x1 = g.membraneAdd(`${p}.attn_add`, x, proj);
  return msMlp(g, p, x1, { dim, heads, mlpRatio }, (name, input) => spike(g, name, input), 'lif', `${p}.layer_scale2`);
}
