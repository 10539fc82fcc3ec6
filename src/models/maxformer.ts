import { ConfigError } from './config-error.js';
import { GraphBuilder } from './graph.js';
import type { AttentionKind, ModelConfig, ModelSpec } from './spec.js';

/**
 * Max-Former and MS-QKFormer (NeurIPS 2025, "Spiking Transformers Need High Frequency Information") following the
 * official code (bic-L/MaxFormer@6ddd4ccde2cc9c4b965059403868e57803b9b6b0, `imagenet/`): `max_former.py` (Max_Former),
 * `ms_qkformer.py` (MS_QKformer), `mixer_hub.py` (S_MLP, SSA, Token_QK_Attention, the token mixers) and
 * `embedding_hub.py` (Embed, Max_Embed, Embed_Orig_ImageNet, Embed_Max).
 *
 * Both are three-stage hierarchies (widths E/4, E/2, E; 1, 2 and depths-3 blocks: the official constructors build
 * 1, 2, 7 whatever `depths` is, i.e. the published depths 10) with membrane shortcuts: the residual stream is real
 * (BN outputs) and every branch starts with a LIF. The head: token mean of the real stream, head_lif, Linear per
 * step, mean over T.
 *  - Max-Former: patch_embed1 = Embed_Orig_ImageNet (4x down), then depth-wise conv token mixers (stage1: 7x7,
 *    stage2: 5x5, each `conv_neuron` LIF -> depth-wise conv with bias -> BN, added to the stream), patch_embed2/3 =
 *    Embed_Max (a max pool after the 3x3 conv-BN and after the 1x1 shortcut conv-BN: the extra max pool of the
 *    paper), stage3 SSA blocks (heads E/64).
 *  - MS-QKFormer: QKFormer's layout with membrane shortcuts: PatchEmbedInit, Token_QK_Attention (QKTA) blocks in
 *    stages 1-2, PatchEmbeddingStage between stages, SSA in stage 3 (heads E/64 in every stage).
 * Built and never called: the `embed_lif` of the shortcut Embeds and MS-QKFormer's `proj_res_lif` (no parameters).
 */

/**
 * A token mixer of mixer_hub.py: `dwcK` Mixer_DWC3/5/7 (LIF, depth-wise KxK conv, BN, + identity), `max` Max_Mixer
 * and `avg` Avg_Mixer (3x3 stride-1 pooling of the real stream, no shortcut), `identity` Mixer_identity.
 */
export type TokenMixer = 'dwc3' | 'dwc5' | 'dwc7' | 'max' | 'avg' | 'identity';

/** Max-Former's published mixers for stages 1 and 2 (Block_DWC7, Block_DWC5). */
export const MAXFORMER_MIXERS: readonly [TokenMixer, TokenMixer] = ['dwc7', 'dwc5'];

/** The official Embed unit: [embed_lif] -> conv (no bias) -> embed_bn [-> max pool 3x3 s2]; returns the BN (or pool) output. */
function embed(
  g: GraphBuilder,
  p: string,
  x: string,
  outC: number,
  o: { k: 1 | 3; stride: number; lif: boolean; pool?: boolean },
): { out: string; feat: string } {
  const feat = o.lif ? g.lif(`${p}.embed_lif`, x) : x;
  let out = g.conv({
    name: `${p}.embed_conv`,
    input: feat,
    outC,
    k: o.k,
    stride: o.stride,
    pad: o.k === 3 ? 1 : 0,
    bias: false,
    bn: `${p}.embed_bn`,
  });
  if (o.pool) out = g.maxpool(`${p}.maxpool`, out);
  return { out, feat };
}

/** Embed_Orig_ImageNet(E/4) from the image: embed1 (3x3 s2), embed2 (LIF, 3x3 s2), embed3 (LIF, 3x3) + embed4 (1x1 s2 of embed2's spikes). */
function embedOrigImagenet(g: GraphBuilder, E4: number): string {
  const p = 'patch_embed1';
  const e1 = embed(g, `${p}.embed1`, 'input', E4 / 2, { k: 3, stride: 2, lif: false }).out;
  const e2 = embed(g, `${p}.embed2`, e1, E4, { k: 3, stride: 2, lif: true });
  const e3 = embed(g, `${p}.embed3`, e2.out, E4, { k: 3, stride: 1, lif: true }).out;
  const e4 = embed(g, `${p}.embed4`, e2.feat, E4, { k: 1, stride: 2, lif: false }).out;
  return g.membraneAdd(`${p}.add`, e3, e4);
}

/** Embed_Max: max_embed1 (LIF, 3x3, BN, max pool) -> embed1 (LIF, 3x3, BN), + max_embed2 (1x1 of the same spikes, BN, max pool). */
function embedMax(g: GraphBuilder, p: string, x: string, dim: number): string {
  const m1 = embed(g, `${p}.max_embed1`, x, dim, { k: 3, stride: 1, lif: true, pool: true });
  const e1 = embed(g, `${p}.embed1`, m1.out, dim, { k: 3, stride: 1, lif: true }).out;
  const m2 = embed(g, `${p}.max_embed2`, m1.feat, dim, { k: 1, stride: 1, lif: false, pool: true }).out;
  return g.membraneAdd(`${p}.add`, e1, m2);
}

/** conv (no bias) -> BN -> [max pool] of QKFormer's stems, with the given names. */
function stemConv(
  g: GraphBuilder,
  x: string,
  conv: string,
  bn: string,
  outC: number,
  o: { k: 1 | 3; stride?: number; pool?: string },
): string {
  const c = g.conv({ name: conv, input: x, outC, k: o.k, stride: o.stride ?? 1, pad: o.k === 3 ? 1 : 0, bias: false, bn });
  return o.pool ? g.maxpool(o.pool, c) : c;
}

/** MS-QKFormer's PatchEmbedInit(E/4): proj (3x3, max pool), LIF, proj1 (3x3, max pool), LIF, proj2 (3x3) + rpe (1x1 s2 of the first spikes). */
function patchEmbedInit(g: GraphBuilder, E4: number): string {
  const p = 'patch_embed1';
  const a = stemConv(g, 'input', `${p}.proj_conv`, `${p}.proj_bn`, E4 / 2, { k: 3, pool: `${p}.maxpool` });
  const s1 = g.lif(`${p}.proj_lif1`, a);
  const b = stemConv(g, s1, `${p}.proj_conv1`, `${p}.proj_bn1`, E4, { k: 3, pool: `${p}.maxpool1` });
  const c = stemConv(g, g.lif(`${p}.proj_lif2`, b), `${p}.proj_conv2`, `${p}.proj_bn2`, E4, { k: 3 });
  const rpe = stemConv(g, s1, `${p}.rpe_conv`, `${p}.rpe_bn`, E4, { k: 1, stride: 2 });
  return g.membraneAdd(`${p}.add`, c, rpe);
}

/** MS-QKFormer's PatchEmbeddingStage: init_lif, proj3 (3x3, BN, max pool), proj3_lif, proj4 (3x3, BN) + proj_res (1x1 s2 of init_lif's spikes). */
function patchEmbeddingStage(g: GraphBuilder, p: string, x: string, dim: number): string {
  const s = g.lif(`${p}.init_lif`, x);
  const a = stemConv(g, s, `${p}.proj3_conv`, `${p}.proj3_bn`, dim, { k: 3, pool: `${p}.proj3_maxpool` });
  const b = stemConv(g, g.lif(`${p}.proj3_lif`, a), `${p}.proj4_conv`, `${p}.proj4_bn`, dim, { k: 3 });
  const r = stemConv(g, s, `${p}.proj_res_conv`, `${p}.proj_res_bn`, dim, { k: 1, stride: 2 });
  return g.membraneAdd(`${p}.add`, b, r);
}

/** q/k/v: Conv1d (no bias) -> BN -> LIF, named `${a}.${n}_conv` / `_bn` / `_lif`. */
function qkv(g: GraphBuilder, a: string, n: 'q' | 'k' | 'v', s: string, dim: number): string {
  return g.lif(`${a}.${n}_lif`, g.conv({ name: `${a}.${n}_conv`, input: s, outC: dim, bias: false, bn: `${a}.${n}_bn`, op: 'conv1d' }));
}

/** The attention of a block (`${p}.attn`), added to the stream: SSA (x_lif first) or Token_QK_Attention (proj_lif first). */
function attention(g: GraphBuilder, p: string, x: string, dim: number, heads: number, kind: AttentionKind): string {
  if (dim % heads !== 0) throw new ConfigError(`${p}: dim ${dim} is not divisible by ${heads} heads`);
  const a = `${p}.attn`;
  let y: string;
  switch (kind) {
    case 'ssa': {
      const s = g.lif(`${a}.x_lif`, x);
      const [q, k, v] = [qkv(g, a, 'q', s, dim), qkv(g, a, 'k', s, dim), qkv(g, a, 'v', s, dim)];
      y = g.lif(`${a}.attn_lif`, g.ssaProduct(`${a}.product`, q, k, v, heads, 'q(kv)', 0.125), 0.5);
      break;
    }
    case 'qkta': {
      const s = g.lif(`${a}.proj_lif`, x);
      const [q, k] = [qkv(g, a, 'q', s, dim), qkv(g, a, 'k', s, dim)];
      const att = g.lif(`${a}.attn_lif`, g.headSum(`${a}.head_sum`, q, heads), 0.5);
      y = g.mask(`${a}.mask`, att, k, 'token', heads);
      break;
    }
    case 'qkca':
      throw new ConfigError(`${p}: Max-Former and MS-QKFormer have no channel attention (QKCA); their kinds are qkta and ssa`);
  }
  const proj = g.conv({ name: `${a}.proj_conv`, input: y, outC: dim, bias: true, bn: `${a}.proj_bn`, op: 'conv1d' });
  return g.membraneAdd(`${p}.attn_add`, proj, x);
}

/** A token mixer (`${p}.mixer`); DWC mixers are added to the stream, pooling mixers replace it. */
function mixer(g: GraphBuilder, p: string, x: string, dim: number, kind: TokenMixer): string {
  const m = `${p}.mixer`;
  switch (kind) {
    case 'dwc3':
    case 'dwc5':
    case 'dwc7': {
      const k = Number(kind.slice(3));
      // Mixer_DWC7 names its modules conv5 / conv5_bn / conv5_neuron; DWC3 and DWC5 conv / conv_bn / conv_neuron
      const c = kind === 'dwc7' ? 'conv5' : 'conv';
      const s = g.lif(`${m}.${c}_neuron`, x);
      const y = g.conv({ name: `${m}.${c}`, input: s, outC: dim, k, pad: (k - 1) / 2, bias: true, bn: `${m}.${c}_bn`, groups: dim });
      return g.membraneAdd(`${p}.mixer_add`, y, x);
    }
    case 'max':
      return g.maxpool(`${m}.pool`, x, 3, 1, 1);
    case 'avg':
      return g.avgpool(`${m}.pool`, x, 3, 1, 1, false);
    case 'identity':
      return x;
  }
}

/** S_MLP: fc1_lif, fc1 1x1 conv-BN, [+ identity when hidden = dim], fc2_lif, fc2 1x1 conv-BN, + identity. */
function mlp(g: GraphBuilder, p: string, x: string, dim: number, ratio: number): string {
  const m = `${p}.mlp`;
  const hidden = Math.floor(dim * ratio);
  let h = g.conv({ name: `${m}.fc1_conv`, input: g.lif(`${m}.fc1_lif`, x), outC: hidden, bias: true, bn: `${m}.fc1_bn` });
  let identity = x;
  // S_MLP.res: a hidden width equal to the input adds the shortcut after fc1 as well
  if (hidden === dim) identity = h = g.membraneAdd(`${m}.fc1_add`, identity, h);
  const o = g.conv({ name: `${m}.fc2_conv`, input: g.lif(`${m}.fc2_lif`, h), outC: dim, bias: true, bn: `${m}.fc2_bn` });
  return g.membraneAdd(`${p}.mlp_add`, o, identity);
}

/** What a stage's blocks mix tokens with: a token mixer (Max-Former stages 1-2) or an attention kind. */
type StageMix = { mixer: TokenMixer } | { attention: AttentionKind; heads: number };

function stage(g: GraphBuilder, name: string, x: string, n: number, dim: number, ratio: number, mix: StageMix): string {
  for (let j = 0; j < n; j++) {
    const p = `${name}.${j}`;
    x = 'mixer' in mix ? mixer(g, p, x, dim, mix.mixer) : attention(g, p, x, dim, mix.heads, mix.attention);
    x = mlp(g, p, x, dim, ratio);
  }
  return x;
}

function finish(g: GraphBuilder, name: string, cfg: ModelConfig, x: string): ModelSpec {
  const f = g.lif('head_lif', g.tokenMean('head.token_mean', x));
  g.head('head', f, cfg.numClasses);
  return { name, config: cfg, inputShape: g.shape('input'), layers: g.layers, stateKeys: g.keys };
}

/** Max-Former (Max_Former): `mixers` are stages 1 and 2's token mixers (the published DWC7, DWC5 by default). */
export function buildMaxformer(name: string, cfg: ModelConfig, mixers: readonly [TokenMixer, TokenMixer] = MAXFORMER_MIXERS): ModelSpec {
  if (cfg.attention.some((a) => a !== 'ssa'))
    throw new ConfigError(`${name}: Max-Former attends with SSA in stage 3 only, got ${cfg.attention.join(',')}`);
  const E = cfg.embedDims,
    heads = cfg.heads[0]!;
  const g = GraphBuilder.forInput(cfg);
  let x = embedOrigImagenet(g, E / 4);
  x = stage(g, 'stage1', x, 1, E / 4, cfg.mlpRatio, { mixer: mixers[0] });
  x = embedMax(g, 'patch_embed2', x, E / 2);
  x = stage(g, 'stage2', x, 2, E / 2, cfg.mlpRatio, { mixer: mixers[1] });
  x = embedMax(g, 'patch_embed3', x, E);
  x = stage(g, 'stage3', x, cfg.depths - 3, E, cfg.mlpRatio, { attention: 'ssa', heads });
  return finish(g, name, cfg, x);
}

/** MS-QKFormer (MS_QKformer): attention per stage from the config (official: QKTA, QKTA, SSA). */
export function buildMsQkformer(name: string, cfg: ModelConfig): ModelSpec {
  const E = cfg.embedDims;
  const at = (i: number) => ({ attention: cfg.attention[i]!, heads: cfg.heads[i]! });
  const g = GraphBuilder.forInput(cfg);
  let x = patchEmbedInit(g, E / 4);
  x = stage(g, 'stage1', x, 1, E / 4, cfg.mlpRatio, at(0));
  x = patchEmbeddingStage(g, 'patch_embed2', x, E / 2);
  x = stage(g, 'stage2', x, 2, E / 2, cfg.mlpRatio, at(1));
  x = patchEmbeddingStage(g, 'patch_embed3', x, E);
  x = stage(g, 'stage3', x, cfg.depths - 3, E, cfg.mlpRatio, at(2));
  return finish(g, name, cfg, x);
}
