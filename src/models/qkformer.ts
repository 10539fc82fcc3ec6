import { GraphBuilder } from './graph.js';
import { block, type BlockStyle } from './blocks.js';
import type { ModelConfig, ModelSpec } from './spec.js';
import { SPIKFORMER_IMAGENET_STYLE } from './spikformer.js';

/**
 * QKFormer builders following the official code (zhouchenlin2096/QKFormer): `cifar10/model.py`,
 * `imagenet/qkformer.py`, `cifar10-dvs/model.py` (= `dvs128-gesture/model.py` up to mlp ratio).
 */
/**
 * QKFormer's blocks are Spikformer ImageNet's (Conv1d q/k/v without bias, Conv2d MLP, Q (K^T V) * 0.125) with its
 * attention modules named by kind, the SSA proj_lif over T*B, and no unused LayerNorms; CIFAR/DVS name the MLP mlp1/mlp2.
 */
const QKF_IMAGENET_STYLE: BlockStyle = {
  ...SPIKFORMER_IMAGENET_STYLE,
  attnAttr: { qkta: 'tssa', qkca: 'qkca', ssa: 'attn' },
  ssaProjCoupled: true,
  unusedNorms: false,
};
export const QKF_CIFAR_STYLE: BlockStyle = {
  ...QKF_IMAGENET_STYLE,
  attnAttr: { qkta: 'tssa', qkca: 'qkca', ssa: 'ssa' },
  mlpNames: ['mlp1', 'mlp2'],
};

/**
 * One unit of an official stem: `${p}.${unit}_conv` -> `_bn` -> [max pool `${p}.${maxpool}`] -> `_lif`, no bias;
 * 3x3 with padding 1, or `k: 1` (the SPEDS shortcut, `proj_res`).
 */
function stemUnit(
  g: GraphBuilder,
  p: string,
  unit: string,
  input: string,
  outC: number,
  o: { k?: 1; stride?: number; maxpool?: string } = {},
): string {
  return g.convBnLif({
    conv: `${p}.${unit}_conv`,
    bn: `${p}.${unit}_bn`,
    lif: `${p}.${unit}_lif`,
    input,
    outC,
    bias: false,
    ...(o.k === 1 ? { k: 1 } : { k: 3, pad: 1 }),
    ...(o.stride !== undefined ? { stride: o.stride } : {}),
    ...(o.maxpool !== undefined ? { maxpool: `${p}.${o.maxpool}` } : {}),
  });
}

/**
 * SPEDS's deformed shortcut: `main` plus a 1x1 conv-BN-LIF of `from` (`${p}.proj_res_*`, stride `stride`) as a SEW
 * add; without SPEDS (the ablation) `main` alone.
 */
function spedsShortcut(g: GraphBuilder, p: string, cfg: ModelConfig, main: string, from: string, outC: number, stride: number): string {
  if (!cfg.speds) return main;
  const r = stemUnit(g, p, 'proj_res', from, outC, stride === 1 ? { k: 1 } : { k: 1, stride });
  return g.add(`${p}.add`, main, r);
}

/** SPEDS stage module; `pool`: after the first conv (ImageNet) or the second (CIFAR, DVS). */
function patchEmbeddingStage(
  g: GraphBuilder,
  p: string,
  x: string,
  dim: number,
  cfg: ModelConfig,
  pool: 'first' | 'second',
  firstName: 'proj3' | 'proj',
): string {
  const a = stemUnit(g, p, firstName, x, dim, pool === 'first' ? { maxpool: `${firstName}_maxpool` } : {});
  const b = stemUnit(g, p, 'proj4', a, dim, pool === 'second' ? { maxpool: 'proj4_maxpool' } : {});
  return spedsShortcut(g, p, cfg, b, x, dim, 2);
}

function stage(
  g: GraphBuilder,
  name: string,
  x: string,
  n: number,
  dim: number,
  heads: number,
  cfg: ModelConfig,
  kind: ModelConfig['attention'][number],
  style: BlockStyle,
): string {
  for (let j = 0; j < n; j++) x = block(g, `${name}.${j}`, x, { dim, heads, mlpRatio: cfg.mlpRatio }, kind, style);
  return x;
}

function attn(cfg: ModelConfig, i: number): ModelConfig['attention'][number] {
  const a = cfg.attention[i];
  if (!a) throw new Error(`no attention kind for stage ${i + 1}`);
  return a;
}
function heads(cfg: ModelConfig, i: number): number {
  const h = cfg.heads[i];
  if (h === undefined) throw new Error(`no head count for stage ${i + 1}`);
  return h;
}

/**
 * The first SPEDS module (`patch_embed1`) of each QKFormer family, as data: its output width as a fraction of E, its
 * units in order (width as a fraction of that output, max pool), and the unit whose output the shortcut reads, with
 * the shortcut's stride (the downsampling of the units after it).
 */
interface FirstStem {
  widthOfE: number;
  units: [unit: string, ofWidth: number, maxpool?: string][];
  shortcutFrom: number;
  stride: number;
}

/** CIFAR: PatchEmbedInit(E/4) without downsampling. */
const CIFAR_STEM: FirstStem = {
  widthOfE: 1 / 4,
  units: [
    ['proj', 1 / 2],
    ['proj1', 1],
  ],
  shortcutFrom: 0,
  stride: 1,
};
const IMAGENET_STEM: FirstStem = {
  widthOfE: 1 / 4,
  units: [
    ['proj', 1 / 2, 'proj_maxpool'],
    ['proj1', 1, 'proj1_maxpool'],
    ['proj2', 1],
  ],
  shortcutFrom: 0,
  stride: 2,
};
const DVS_STEM: FirstStem = {
  widthOfE: 1 / 2,
  units: [
    ['proj', 1 / 8],
    ['proj1', 1 / 4, 'maxpool1'],
    ['proj2', 1 / 2, 'maxpool2'],
    ['proj3', 1, 'maxpool3'],
  ],
  shortcutFrom: 1,
  stride: 4,
};

/** patch_embed1 from the model input: its units in order, then SPEDS's shortcut from `shortcutFrom`'s output. */
function firstStem(g: GraphBuilder, cfg: ModelConfig, s: FirstStem): string {
  const p = 'patch_embed1';
  const width = cfg.embedDims * s.widthOfE;
  const outs: string[] = [];
  let x = 'input';
  for (const [unit, ofWidth, maxpool] of s.units) {
    x = stemUnit(g, p, unit, x, width * ofWidth, maxpool !== undefined ? { maxpool } : {});
    outs.push(x);
  }
  return spedsShortcut(g, p, cfg, x, outs[s.shortcutFrom]!, width, s.stride);
}

export function buildQkformerCifar(name: string, cfg: ModelConfig): ModelSpec {
  const g = GraphBuilder.forInput(cfg);
  const x = firstStem(g, cfg, CIFAR_STEM);
  return hierarchy(g, name, cfg, x, [1, 1, cfg.depths - 2], 'second', QKF_CIFAR_STYLE);
}

/** Stages 1-3 with SPEDS between them (widths E/4, E/2, E), then the head. */
function hierarchy(
  g: GraphBuilder,
  name: string,
  cfg: ModelConfig,
  x: string,
  blocks: [number, number, number],
  pool: 'first' | 'second',
  style: BlockStyle,
): ModelSpec {
  const E = cfg.embedDims;
  x = stage(g, 'stage1', x, blocks[0], E / 4, heads(cfg, 0), cfg, attn(cfg, 0), style);
  x = patchEmbeddingStage(g, 'patch_embed2', x, E / 2, cfg, pool, 'proj3');
  x = stage(g, 'stage2', x, blocks[1], E / 2, heads(cfg, 1), cfg, attn(cfg, 1), style);
  x = patchEmbeddingStage(g, 'patch_embed3', x, E, cfg, pool, 'proj3');
  x = stage(g, 'stage3', x, blocks[2], E, heads(cfg, 2), cfg, attn(cfg, 2), style);
  g.head('head', g.tokenMean('head.token_mean', x), cfg.numClasses);
  return { name, config: cfg, inputShape: g.shape('input'), layers: g.layers, stateKeys: g.keys };
}

export function buildQkformerImagenet(name: string, cfg: ModelConfig): ModelSpec {
  const g = GraphBuilder.forInput(cfg);
  const x = firstStem(g, cfg, IMAGENET_STEM);
  return hierarchy(g, name, cfg, x, [1, 2, cfg.depths - 3], 'first', QKF_IMAGENET_STYLE);
}

/** DVS (CIFAR10-DVS, DVS128 Gesture): two stages, one block each; `depths` only sets drop-path rates. */
export function buildQkformerDvs(name: string, cfg: ModelConfig): ModelSpec {
  const E = cfg.embedDims;
  const g = GraphBuilder.forInput(cfg);
  let x = firstStem(g, cfg, DVS_STEM);
  x = stage(g, 'stage1', x, 1, E / 2, heads(cfg, 0), cfg, attn(cfg, 0), QKF_CIFAR_STYLE);
  x = patchEmbeddingStage(g, 'patch_embed2', x, E, cfg, 'second', 'proj');
  x = stage(g, 'stage2', x, 1, E, heads(cfg, 1), cfg, attn(cfg, 1), QKF_CIFAR_STYLE);
  g.head('head', g.tokenMean('head.token_mean', x), cfg.numClasses);
  return { name, config: cfg, inputShape: g.shape('input'), layers: g.layers, stateKeys: g.keys };
}
