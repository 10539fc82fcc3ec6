import { ConfigError } from './config-error.js';
import { GraphBuilder } from './graph.js';
import { oneStageBlockShape, type BlockShape } from './blocks.js';
import type { ModelConfig, ModelSpec } from './spec.js';

/**
 * Spikingformer builders following the official code (zhouchenlin2096/Spikingformer@4378623): `cifar10/model.py`
 * (= `cifar100/model.py`; SpikingTokenizer block0..block4, (Q K^T) V * 0.125) and `imagenet/model.py` (proj..proj4
 * with four max pools, Q (K^T V) * 0.125). Spikformer's blocks with the LIF moved to the front of every unit
 * (pre-activation) and membrane-shortcut residuals: the residual stream is real (BN outputs), every conv reads
 * spikes but the encoding one. norm1/norm2 are built and never called (counted in params, not paramsUsed).
 */
export function buildSpikingformer(name: string, cfg: ModelConfig): ModelSpec {
  if (cfg.attention.some((a) => a !== 'ssa'))
    throw new ConfigError(`${name}: Spikingformer is built with SSA only, got ${cfg.attention.join(',')}`);
  const E = cfg.embedDims;
  const inputShape = { c: cfg.inChannels, h: cfg.imgSize, w: cfg.imgSize };
  const g = new GraphBuilder(inputShape);
  const imagenet = cfg.family === 'spikingformer-imagenet';
  let x = imagenet ? imagenetTokenizer(g, E) : cifarTokenizer(g, E);
  const shape = oneStageBlockShape(cfg);
  for (let j = 0; j < cfg.depths; j++) x = spikingTransformer(g, `block.${j}`, x, shape, imagenet ? 'q(kv)' : 'qk(v)');
  g.head('head', g.tokenMean('head.token_mean', x), cfg.numClasses);
  return { name, config: cfg, inputShape, layers: g.layers, stateKeys: g.keys };
}

/** One tokenizer unit: [LIF] -> [max pool] -> 3x3 conv -> BN (no bias); returns the real BN output. */
function unit(g: GraphBuilder, x: string, o: { lif?: string; pool?: string; conv: string; bn: string; outC: number }): string {
  if (o.lif) x = g.lif(o.lif, x);
  if (o.pool) x = g.maxpool(o.pool, x);
  return g.conv({ name: o.conv, input: x, outC: o.outC, k: 3, pad: 1, bias: false, bn: o.bn });
}

/** CIFAR SpikingTokenizer: block0 (encoding, dense input), block1-4 LIF-led, max pools in blocks 3 and 4. */
function cifarTokenizer(g: GraphBuilder, E: number): string {
  const p = 'patch_embed';
  const widths = [E / 8, E / 4, E / 2, E, E];
  let x = 'input';
  for (let i = 0; i < 5; i++) {
    const b = `${p}.block${i}`;
    x = unit(g, x, {
      ...(i > 0 ? { lif: `${b}_lif` } : {}),
      ...(i >= 3 ? { pool: `${b}_mp` } : {}),
      conv: `${b}_conv`,
      bn: `${b}_bn`,
      outC: widths[i]!,
    });
  }
  return x;
}

/** ImageNet SpikingTokenizer: proj (encoding), proj1-4 LIF-led, each with a max pool before its conv. */
function imagenetTokenizer(g: GraphBuilder, E: number): string {
  const p = 'patch_embed';
  const widths = [E / 8, E / 4, E / 2, E, E];
  let x = 'input';
  for (let i = 0; i < 5; i++) {
    const s = i === 0 ? '' : String(i);
    x = unit(g, x, {
      ...(i > 0 ? { lif: `${p}.proj${s}_lif`, pool: `${p}.maxpool${s}` } : {}),
      conv: `${p}.proj${s}_conv`,
      bn: `${p}.proj${s}_bn`,
      outC: widths[i]!,
    });
  }
  return x;
}

/** SpikingTransformer: x = x + SSA(x); x = x + MLP(x), membrane shortcuts, each branch starting with a LIF. */
function spikingTransformer(g: GraphBuilder, p: string, x: string, shape: BlockShape, order: 'q(kv)' | 'qk(v)'): string {
  const { dim, heads, mlpRatio } = shape;
  g.unusedLayerNorm(`${p}.norm1`, dim);
  const a = `${p}.attn`;
  const s = g.lif(`${a}.proj_lif`, x);
  const qkv = (n: 'q' | 'k' | 'v') =>
    g.lif(`${a}.${n}_lif`, g.conv({ name: `${a}.${n}_conv`, input: s, outC: dim, bias: false, bn: `${a}.${n}_bn`, op: 'conv1d' }));
  const [q, k, v] = [qkv('q'), qkv('k'), qkv('v')];
  const y = g.lif(`${a}.attn_lif`, g.ssaProduct(`${a}.product`, q, k, v, heads, order, 0.125), 0.5);
  const proj = g.conv({ name: `${a}.proj_conv`, input: y, outC: dim, bias: true, bn: `${a}.proj_bn`, op: 'conv1d' });
  const x1 = g.membraneAdd(`${p}.attn_add`, x, proj);
  g.unusedLayerNorm(`${p}.norm2`, dim);
  const m = `${p}.mlp`;
  const hidden = Math.floor(dim * mlpRatio);
  const h = g.conv({ name: `${m}.mlp1_conv`, input: g.lif(`${m}.mlp1_lif`, x1), outC: hidden, bias: true, bn: `${m}.mlp1_bn` });
  const o = g.conv({ name: `${m}.mlp2_conv`, input: g.lif(`${m}.mlp2_lif`, h), outC: dim, bias: true, bn: `${m}.mlp2_bn` });
  return g.membraneAdd(`${p}.mlp_add`, x1, o);
}
