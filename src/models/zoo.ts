import { buildQkformerCifar, buildQkformerDvs, buildQkformerImagenet } from './qkformer.js';
import { buildSpikformer } from './spikformer.js';
import type { AttentionKind, Family, ModelConfig, ModelSpec } from './spec.js';

/** The official variants. Heads follow the official code (hard-coded 8 for QKFormer CIFAR, 16 for DVS). */
export const ZOO = {
  'qkformer-cifar10': cfg('qkformer-cifar', 384, 4, 8, 3, 4, 4, 32, 3, 10, ['qkta', 'qkta', 'ssa'], 'static'),
  'qkformer-cifar100': cfg('qkformer-cifar', 384, 4, 8, 3, 4, 4, 32, 3, 100, ['qkta', 'qkta', 'ssa'], 'static'),
  'qkformer-imagenet-10-384': cfg('qkformer-imagenet', 384, 10, 6, 3, 4, 4, 224, 3, 1000, ['qkta', 'qkta', 'ssa'], 'static'),
  'qkformer-imagenet-10-512': cfg('qkformer-imagenet', 512, 10, 8, 3, 4, 4, 224, 3, 1000, ['qkta', 'qkta', 'ssa'], 'static'),
  'qkformer-imagenet-10-768': cfg('qkformer-imagenet', 768, 10, 12, 3, 4, 4, 224, 3, 1000, ['qkta', 'qkta', 'ssa'], 'static'),
  'qkformer-cifar10dvs': cfg('qkformer-dvs', 256, 4, 16, 2, 1, 16, 128, 2, 10, ['qkta', 'ssa'], 'dvs'),
  'qkformer-dvs128': cfg('qkformer-dvs', 256, 4, 16, 2, 4, 16, 128, 2, 11, ['qkta', 'ssa'], 'dvs'),
  'spikformer-cifar10': cfg('spikformer-cifar', 384, 4, 12, 1, 4, 4, 32, 3, 10, ['ssa'], 'static'),
  'spikformer-cifar100': cfg('spikformer-cifar', 384, 4, 12, 1, 4, 4, 32, 3, 100, ['ssa'], 'static'),
  'spikformer-imagenet-8-384': cfg('spikformer-imagenet', 384, 8, 6, 1, 4, 4, 224, 3, 1000, ['ssa'], 'static'),
  'spikformer-imagenet-8-512': cfg('spikformer-imagenet', 512, 8, 8, 1, 4, 4, 224, 3, 1000, ['ssa'], 'static'),
  'spikformer-imagenet-8-768': cfg('spikformer-imagenet', 768, 8, 12, 1, 4, 4, 224, 3, 1000, ['ssa'], 'static'),
  'spikformer-cifar10dvs': cfg('spikformer-dvs', 256, 2, 16, 1, 4, 16, 128, 2, 10, ['ssa'], 'dvs'),
} satisfies Record<string, ModelConfig>;

export type ZooName = keyof typeof ZOO;
export const ZOO_NAMES = Object.keys(ZOO) as ZooName[];

function cfg(family: Family, embedDims: number, depths: number, heads: number, stages: number, mlpRatio: number,
  timesteps: number, imgSize: number, inChannels: number, numClasses: number, attention: AttentionKind[],
  input: 'static' | 'dvs'): ModelConfig {
  return {
    family, embedDims, depths, heads: new Array<number>(stages).fill(heads), mlpRatio, timesteps, imgSize, inChannels,
    numClasses, attention, speds: true, input,
  };
}

export function isZooName(s: string): s is ZooName { return Object.prototype.hasOwnProperty.call(ZOO, s); }

/** Number of stages (attention kinds / head counts) a family has. */
export function stageCount(family: Family): number {
  switch (family) {
    case 'qkformer-cifar': case 'qkformer-imagenet': return 3;
    case 'qkformer-dvs': return 2;
    case 'spikformer-cifar': case 'spikformer-imagenet': case 'spikformer-dvs': return 1;
  }
}

export interface ConfigOverrides {
  embedDims?: number; depths?: number; heads?: number; mlpRatio?: number; timesteps?: number; imgSize?: number;
  inChannels?: number; numClasses?: number; attention?: AttentionKind[]; speds?: boolean;
}

/** Applies user overrides to a config and checks the result can be built; errors name the knob. */
export function applyOverrides(base: ModelConfig, o: ConfigOverrides): ModelConfig {
  const c: ModelConfig = { ...base, heads: [...base.heads], attention: [...base.attention] };
  const n = stageCount(c.family);
  if (o.embedDims !== undefined) c.embedDims = o.embedDims;
  if (o.depths !== undefined) c.depths = o.depths;
  if (o.heads !== undefined) c.heads = new Array<number>(n).fill(o.heads);
  if (o.mlpRatio !== undefined) c.mlpRatio = o.mlpRatio;
  if (o.timesteps !== undefined) c.timesteps = o.timesteps;
  if (o.imgSize !== undefined) c.imgSize = o.imgSize;
  if (o.inChannels !== undefined) c.inChannels = o.inChannels;
  if (o.numClasses !== undefined) c.numClasses = o.numClasses;
  if (o.speds !== undefined) c.speds = o.speds;
  if (o.attention !== undefined) {
    if (o.attention.length === 1) c.attention = new Array<AttentionKind>(n).fill(o.attention[0]!);
    else if (o.attention.length === n) c.attention = [...o.attention];
    else throw new Error(`--attention needs 1 or ${n} kinds for ${c.family}, got ${o.attention.length}`);
  }
  validateConfig(c);
  return c;
}

export function validateConfig(c: ModelConfig): void {
  const posInt = (v: number, what: string) => {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${what} must be a positive integer, got ${v}`);
  };
  posInt(c.embedDims, 'embed dims'); posInt(c.depths, 'depths'); posInt(c.timesteps, 'timesteps');
  posInt(c.imgSize, 'image size'); posInt(c.inChannels, 'input channels'); posInt(c.numClasses, 'number of classes');
  for (const h of c.heads) posInt(h, 'heads');
  if (!(c.mlpRatio > 0)) throw new Error(`mlp ratio must be positive, got ${c.mlpRatio}`);
  const minDepth = c.family === 'qkformer-cifar' ? 2 : c.family === 'qkformer-imagenet' ? 3 : 1;
  if (c.depths < minDepth) throw new Error(`depths must be at least ${minDepth} for ${c.family} (stage 3 gets depths-${minDepth} blocks)`);
  const div = c.family.startsWith('spikformer') ? 8 : c.family === 'qkformer-dvs' ? 16 : 8;
  if (c.embedDims % div !== 0) throw new Error(`embed dims must be a multiple of ${div} for ${c.family}, got ${c.embedDims}`);
}

export function buildModel(name: string, c: ModelConfig): ModelSpec {
  validateConfig(c);
  switch (c.family) {
    case 'qkformer-cifar': return buildQkformerCifar(name, c);
    case 'qkformer-imagenet': return buildQkformerImagenet(name, c);
    case 'qkformer-dvs': return buildQkformerDvs(name, c);
    case 'spikformer-cifar': case 'spikformer-imagenet': case 'spikformer-dvs': return buildSpikformer(name, c);
  }
}

export function zooModel(name: ZooName, o: ConfigOverrides = {}): ModelSpec {
  return buildModel(name, applyOverrides(ZOO[name], o));
}
