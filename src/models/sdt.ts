import { ConfigError } from './config-error.js';
import { GraphBuilder } from './graph.js';
import { oneStageBlockShape, type BlockShape } from './blocks.js';
import type { ModelConfig, ModelSpec } from './spec.js';

/**
 * Spike-driven Transformer v1 (SDT, NeurIPS 2023) following the official code (BICLab/Spike-Driven-Transformer@3faa822):
 * `module/sps.py` (MS_SPS), `module/ms_conv.py` (MS_SSA_Conv, MS_MLP_Conv, MS_Block_Conv), `model/spikeformer.py`
 * (SpikeDrivenTransformer), spike_mode 'lif', not dvs_mode. CIFAR uses pooling_stat "0011", ImageNet "1111".
 *
 * Membrane shortcuts throughout: the residual stream is real and every branch starts with a LIF. The attention is
 * SDSA: K AND V (spikeAnd), summed over tokens per channel (tokenSum), talking_heads_lif (v_th 0.5), a channel mask of
 * Q, then proj conv-BN. The head: token mean of the real stream, head_lif, Linear per step, mean over T.
 * Built and never called: rpe_lif, attn_lif (no parameters) and talking_heads (a Conv1d, counted in params only).
 */
export function buildSdt(name: string, cfg: ModelConfig): ModelSpec {
  if (cfg.attention.some((a) => a !== 'ssa')) {
    throw new ConfigError(
      `${name}: SDT is built with its own attention (SDSA) only; its attention knob is 'ssa', got ${cfg.attention.join(',')}`,
    );
  }
  const E = cfg.embedDims;
  const inputShape = { c: cfg.inChannels, h: cfg.imgSize, w: cfg.imgSize };
  const g = new GraphBuilder(inputShape);
  const pools = cfg.family === 'sdt-imagenet' ? [true, true, true, true] : [false, false, true, true];
  let x = sps(g, E, pools);
  const shape = oneStageBlockShape(cfg);
  for (let j = 0; j < cfg.depths; j++) x = sdtBlock(g, `block.${j}`, x, shape);
  const f = g.lif('head_lif', g.tokenMean('head.token_mean', x));
  g.head('head', f, cfg.numClasses);
  return { name, config: cfg, inputShape, layers: g.layers, stateKeys: g.keys };
}

/** MS_SPS: four 3x3 conv-BN (C/8, C/4, C/2, C), LIFs between, max pools per pooling_stat, then rpe conv-BN + x_feat. */
function sps(g: GraphBuilder, E: number, pools: boolean[]): string {
  const p = 'patch_embed';
  const widths = [E / 8, E / 4, E / 2, E];
  let x = 'input';
  for (let i = 0; i < 4; i++) {
    const s = i === 0 ? '' : String(i);
    if (i > 0) {
      x = g.lif(`${p}.proj_lif${i === 1 ? '' : String(i - 1)}`, x);
      if (pools[i - 1]) x = g.maxpool(`${p}.maxpool${i === 1 ? '' : String(i - 1)}`, x);
    }
    x = g.conv({ name: `${p}.proj_conv${s}`, input: x, outC: widths[i]!, k: 3, pad: 1, bias: false, bn: `${p}.proj_bn${s}` });
  }
  // NOTE: the last max pool runs on the BN output (real values), before proj_lif3
  const feat = pools[3] ? g.maxpool(`${p}.maxpool3`, x) : x;
  const s3 = g.lif(`${p}.proj_lif3`, feat);
  const rpe = g.conv({ name: `${p}.rpe_conv`, input: s3, outC: E, k: 3, pad: 1, bias: false, bn: `${p}.rpe_bn` });
  return g.membraneAdd(`${p}.rpe_add`, rpe, feat);
}

/** MS_Block_Conv: x = x + SDSA(x); x = x + MLP(x) (membrane shortcuts). */
export function sdtBlock(g: GraphBuilder, p: string, x: string, shape: BlockShape): string {
  const { dim, heads, mlpRatio } = shape;
  const a = `${p}.attn`;
  const s = g.lif(`${a}.shortcut_lif`, x);
  const qkv = (n: 'q' | 'k' | 'v') =>
    g.lif(`${a}.${n}_lif`, g.conv({ name: `${a}.${n}_conv`, input: s, outC: dim, bias: false, bn: `${a}.${n}_bn` }));
  const [q, k, v] = [qkv('q'), qkv('k'), qkv('v')];
  // kv = k.mul(v); kv.sum(dim=-2) over tokens per (head, channel), i.e. per channel; talking_heads_lif; q.mul(kv)
  const kv = g.tokenSum(`${a}.kv_sum`, g.spikeAnd(`${a}.kv`, k, v));
  const att = g.lif(`${a}.talking_heads_lif`, kv, 0.5);
  const qkvOut = g.mask(`${a}.q_kv`, att, q, 'channel', heads);
  g.param(`${a}.talking_heads.weight`, [heads, heads, 1], false);
  const proj = g.conv({ name: `${a}.proj_conv`, input: qkvOut, outC: dim, bias: true, bn: `${a}.proj_bn` });
  const x1 = g.membraneAdd(`${p}.attn_add`, proj, x);
  const m = `${p}.mlp`;
  const hidden = Math.floor(dim * mlpRatio);
  let h = g.conv({ name: `${m}.fc1_conv`, input: g.lif(`${m}.fc1_lif`, x1), outC: hidden, bias: true, bn: `${m}.fc1_bn` });
  let identity = x1;
  // MS_MLP_Conv.res: a hidden width equal to the input adds the shortcut after fc1 as well
  if (hidden === dim) identity = h = g.membraneAdd(`${m}.fc1_add`, identity, h);
  const o = g.conv({ name: `${m}.fc2_conv`, input: g.lif(`${m}.fc2_lif`, h), outC: dim, bias: true, bn: `${m}.fc2_bn` });
  return g.membraneAdd(`${p}.mlp_add`, o, identity);
}
