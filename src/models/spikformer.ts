import { GraphBuilder } from './graph.js';
import { block, oneStageBlockShape, type BlockStyle } from './blocks.js';
import type { ModelConfig, ModelSpec } from './spec.js';

/**
 * Spikformer baseline builders following ZK-Zhou/spikformer: `cifar10/model.py` (Linear q/k/v with bias,
 * (Q K^T) V * 0.125, two max pools on spikes), `imagenet/model.py` (Conv1d, Q (K^T V) * 0.125, four max pools),
 * `cifar10dvs/model.py` (Conv1d, (Q K^T) V * 0.25, four max pools, unused pos_embed and norm).
 */
const CIFAR_STYLE: BlockStyle = {
  attnAttr: { qkta: 'attn', qkca: 'attn', ssa: 'attn' },
  qkvOp: 'linear',
  qkvSuffix: 'linear',
  qkvBias: true,
  mlpNames: ['fc1', 'fc2'],
  mlpOp: 'linear',
  mlpSuffix: 'linear',
  ssaOrder: 'qk(v)',
  ssaScale: 0.125,
  ssaProjCoupled: false,
  unusedNorms: true,
};
export const SPIKFORMER_IMAGENET_STYLE: BlockStyle = {
  ...CIFAR_STYLE,
  qkvOp: 'conv1d',
  qkvSuffix: 'conv',
  qkvBias: false,
  mlpOp: 'conv2d',
  mlpSuffix: 'conv',
  ssaOrder: 'q(kv)',
};
const DVS_STYLE: BlockStyle = { ...SPIKFORMER_IMAGENET_STYLE, mlpOp: 'conv1d', ssaOrder: 'qk(v)', ssaScale: 0.25 };

/** SPS: four conv-BN-LIF (C/8, C/4, C/2, C), max pools on spikes, then the relative position conv added (SEW). */
export function buildSpikformer(name: string, cfg: ModelConfig): ModelSpec {
  const E = cfg.embedDims;
  const g = GraphBuilder.forInput(cfg);
  const p = 'patch_embed';
  const pools = cfg.family === 'spikformer-cifar' ? [false, false, true, true] : [true, true, true, true];
  const style =
    cfg.family === 'spikformer-cifar' ? CIFAR_STYLE : cfg.family === 'spikformer-imagenet' ? SPIKFORMER_IMAGENET_STYLE : DVS_STYLE;
  const widths = [E / 8, E / 4, E / 2, E];
  let x = 'input';
  for (let i = 0; i < 4; i++) {
    const s = i === 0 ? '' : String(i);
    x = g.convBnLif({
      conv: `${p}.proj_conv${s}`,
      bn: `${p}.proj_bn${s}`,
      lif: `${p}.proj_lif${s}`,
      input: x,
      outC: widths[i]!,
      k: 3,
      pad: 1,
      bias: false,
    });
    if (pools[i]) x = g.maxpool(`${p}.maxpool${s}`, x);
  }
  const rpe = g.convBnLif({ conv: `${p}.rpe_conv`, bn: `${p}.rpe_bn`, lif: `${p}.rpe_lif`, input: x, outC: E, k: 3, pad: 1, bias: false });
  x = g.add(`${p}.rpe_add`, rpe, x);
  if (cfg.family === 'spikformer-dvs') {
    const patches = Math.floor(cfg.imgSize / 16) ** 2;
    g.param('pos_embed', [1, patches, E], false);
  }
  const kind = cfg.attention[0] ?? 'ssa';
  const shape = oneStageBlockShape(cfg);
  for (let j = 0; j < cfg.depths; j++) x = block(g, `block.${j}`, x, shape, kind, style);
  if (cfg.family === 'spikformer-dvs') g.unusedLayerNorm('norm', E);
  g.head('head', g.tokenMean('head.token_mean', x), cfg.numClasses);
  return { name, config: cfg, inputShape: g.shape('input'), layers: g.layers, stateKeys: g.keys };
}
