import { ConfigError } from './config-error.js';
import { buildQkformerCifar, buildQkformerDvs, buildQkformerImagenet } from './qkformer.js';
import { buildSpikformer } from './spikformer.js';
import { buildSpikingformer } from './spikingformer.js';
import { buildSdt } from './sdt.js';
import { buildSdtV2 } from './sdt-v2.js';
import { buildSdtV3 } from './sdt-v3.js';
import { buildSdtV3Large } from './sdt-v3-large.js';
import { buildMaxformer, buildMsQkformer } from './maxformer.js';
import { ATTENTION_KINDS, type AttentionKind, type Family, type ModelConfig, type ModelSpec } from './spec.js';
import { KNOB_NAMES, MODEL_KNOBS, overrideValue, type ConfigOverrides, type KnobName } from './knobs.js';

export { ConfigError };

/** The facts that differ per family, in one place (the builders hold the layer graphs). */
export interface FamilyFacts {
  /** Stages, i.e. how many attention kinds and head counts a config lists. */
  stages: number;
  /** Smallest official `depths` (QKFormer CIFAR stage 3 gets depths-2 blocks, ImageNet depths-3). */
  minDepths: number;
  /** `embedDims` must be a multiple of this (the stage widths are E/4, E/2, E or E/2, E). */
  embedDivisor: number;
  build(name: string, c: ModelConfig): ModelSpec;
}

export const FAMILIES = {
  'qkformer-cifar': { stages: 3, minDepths: 2, embedDivisor: 8, build: buildQkformerCifar },
  'qkformer-imagenet': { stages: 3, minDepths: 3, embedDivisor: 8, build: buildQkformerImagenet },
  'qkformer-dvs': { stages: 2, minDepths: 1, embedDivisor: 16, build: buildQkformerDvs },
  'spikformer-cifar': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSpikformer },
  'spikformer-imagenet': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSpikformer },
  'spikformer-dvs': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSpikformer },
  'spikingformer-cifar': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSpikingformer },
  'spikingformer-imagenet': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSpikingformer },
  'sdt-cifar': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSdt },
  'sdt-imagenet': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSdt },
  // SDT v2 / v3: heads and attention for block3 and block4; block4 gets max(1, round(depths / 4)) blocks, block3 the rest
  'sdt2-imagenet': { stages: 2, minDepths: 2, embedDivisor: 8, build: buildSdtV2 },
  'sdt3-imagenet': { stages: 2, minDepths: 2, embedDivisor: 8, build: buildSdtV3 },
  // SDT v3 Model_Large (src/models/sdt-v3-large.ts): one attention stage (block3, `depths` blocks); lb: choice "base"
  'sdt3l-imagenet': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSdtV3Large },
  'sdt3lb-imagenet': { stages: 1, minDepths: 1, embedDivisor: 8, build: buildSdtV3Large },
  // Max-Former's one attention stage is stage 3 (stages 1-2 mix tokens with depth-wise convs); both: 1, 2, depths-3 blocks
  'maxformer-imagenet': { stages: 1, minDepths: 3, embedDivisor: 8, build: (n, c) => buildMaxformer(n, c) },
  'ms-qkformer-imagenet': { stages: 3, minDepths: 3, embedDivisor: 8, build: buildMsQkformer },
  graph: { stages: 0, minDepths: 1, embedDivisor: 1, build: buildFromFileOnly },
} satisfies Record<Family, FamilyFacts>;

/** A model-file graph has no builder: its layers are the file's nodes (src/models/model-file.ts). */
function buildFromFileOnly(name: string): ModelSpec {
  throw new ConfigError(`${name}: a model-file network is built from its file, not from size knobs (give the file as --model)`);
}

/** One zoo entry: the official config, every field named; `heads` is one count for every stage. */
type ZooEntry = Omit<ModelConfig, 'heads' | 'speds'> & { heads: number };

const QK = ['qkta', 'qkta', 'ssa'] satisfies AttentionKind[];
const CIFAR = { mlpRatio: 4, timesteps: 4, imgSize: 32, inChannels: 3, input: 'static' } as const;
const IMAGENET = { mlpRatio: 4, timesteps: 4, imgSize: 224, inChannels: 3, numClasses: 1000, input: 'static' } as const;
const DVS = { timesteps: 16, imgSize: 128, inChannels: 2, input: 'dvs' } as const;
/** SDT v2 / v3: their linear attention (the SSA order) in block3 and block4; v3's base model runs one step. */
const SDT23 = ['ssa', 'ssa'] satisfies AttentionKind[];
const V3 = { ...IMAGENET, timesteps: 1 } as const;

/** The official variants. Heads follow the official code (hard-coded 8 for QKFormer CIFAR, 16 for DVS). */
const ENTRIES = {
  'qkformer-cifar10': { family: 'qkformer-cifar', embedDims: 384, depths: 4, heads: 8, numClasses: 10, attention: QK, ...CIFAR },
  'qkformer-cifar100': { family: 'qkformer-cifar', embedDims: 384, depths: 4, heads: 8, numClasses: 100, attention: QK, ...CIFAR },
  'qkformer-imagenet-10-384': { family: 'qkformer-imagenet', embedDims: 384, depths: 10, heads: 6, attention: QK, ...IMAGENET },
  'qkformer-imagenet-10-512': { family: 'qkformer-imagenet', embedDims: 512, depths: 10, heads: 8, attention: QK, ...IMAGENET },
  'qkformer-imagenet-10-768': { family: 'qkformer-imagenet', embedDims: 768, depths: 10, heads: 12, attention: QK, ...IMAGENET },
  'qkformer-cifar10dvs': {
    family: 'qkformer-dvs',
    embedDims: 256,
    depths: 4,
    heads: 16,
    mlpRatio: 1,
    numClasses: 10,
    attention: ['qkta', 'ssa'],
    ...DVS,
  },
  'qkformer-dvs128': {
    family: 'qkformer-dvs',
    embedDims: 256,
    depths: 4,
    heads: 16,
    mlpRatio: 4,
    numClasses: 11,
    attention: ['qkta', 'ssa'],
    ...DVS,
  },
  'spikformer-cifar10': { family: 'spikformer-cifar', embedDims: 384, depths: 4, heads: 12, numClasses: 10, attention: ['ssa'], ...CIFAR },
  'spikformer-cifar100': {
    family: 'spikformer-cifar',
    embedDims: 384,
    depths: 4,
    heads: 12,
    numClasses: 100,
    attention: ['ssa'],
    ...CIFAR,
  },
  'spikformer-imagenet-8-384': { family: 'spikformer-imagenet', embedDims: 384, depths: 8, heads: 6, attention: ['ssa'], ...IMAGENET },
  'spikformer-imagenet-8-512': { family: 'spikformer-imagenet', embedDims: 512, depths: 8, heads: 8, attention: ['ssa'], ...IMAGENET },
  'spikformer-imagenet-8-768': { family: 'spikformer-imagenet', embedDims: 768, depths: 8, heads: 12, attention: ['ssa'], ...IMAGENET },
  // Spikingformer (zhouchenlin2096/Spikingformer): cifar10.yml 4-384 with 12 heads; imagenet.yml 8-768 with 8 heads
  'spikingformer-cifar10': {
    family: 'spikingformer-cifar',
    embedDims: 384,
    depths: 4,
    heads: 12,
    numClasses: 10,
    attention: ['ssa'],
    ...CIFAR,
  },
  'spikingformer-cifar100': {
    family: 'spikingformer-cifar',
    embedDims: 384,
    depths: 4,
    heads: 12,
    numClasses: 100,
    attention: ['ssa'],
    ...CIFAR,
  },
  'spikingformer-imagenet-8-384': {
    family: 'spikingformer-imagenet',
    embedDims: 384,
    depths: 8,
    heads: 6,
    attention: ['ssa'],
    ...IMAGENET,
  },
  'spikingformer-imagenet-8-512': {
    family: 'spikingformer-imagenet',
    embedDims: 512,
    depths: 8,
    heads: 8,
    attention: ['ssa'],
    ...IMAGENET,
  },
  'spikingformer-imagenet-8-768': {
    family: 'spikingformer-imagenet',
    embedDims: 768,
    depths: 8,
    heads: 8,
    attention: ['ssa'],
    ...IMAGENET,
  },
  // Spike-driven Transformer v1 (BICLab/Spike-Driven-Transformer conf/*.yml): 8 heads; attention 'ssa' stands for SDSA
  'sdt-cifar10-2-512': { family: 'sdt-cifar', embedDims: 512, depths: 2, heads: 8, numClasses: 10, attention: ['ssa'], ...CIFAR },
  'sdt-cifar100-2-512': { family: 'sdt-cifar', embedDims: 512, depths: 2, heads: 8, numClasses: 100, attention: ['ssa'], ...CIFAR },
  'sdt-imagenet-8-384': { family: 'sdt-imagenet', embedDims: 384, depths: 8, heads: 8, attention: ['ssa'], ...IMAGENET },
  'sdt-imagenet-6-512': { family: 'sdt-imagenet', embedDims: 512, depths: 6, heads: 8, attention: ['ssa'], ...IMAGENET },
  'sdt-imagenet-8-512': { family: 'sdt-imagenet', embedDims: 512, depths: 8, heads: 8, attention: ['ssa'], ...IMAGENET },
  'sdt-imagenet-10-512': { family: 'sdt-imagenet', embedDims: 512, depths: 10, heads: 8, attention: ['ssa'], ...IMAGENET },
  'sdt-imagenet-8-768': { family: 'sdt-imagenet', embedDims: 768, depths: 8, heads: 8, attention: ['ssa'], ...IMAGENET },
  // Meta-SpikeFormer (SDT v2) metaspikformer_8_384 / 8_512 / 8_768 (31 M, 55 M, 124 M), widths E/4, E/2, E, 5E/4; the
  // paper's 15 M model is the same class at embed_dim 64, 128, 256, 360. T 4 (trained at T 1, finetuned to T 4)
  'sdt2-imagenet-8-256': {
    family: 'sdt2-imagenet',
    embedDims: 256,
    depths: 8,
    heads: 8,
    attention: SDT23,
    ...IMAGENET,
    stageDims: [64, 128, 256, 360],
  },
  'sdt2-imagenet-8-384': { family: 'sdt2-imagenet', embedDims: 384, depths: 8, heads: 8, attention: SDT23, ...IMAGENET },
  'sdt2-imagenet-8-512': { family: 'sdt2-imagenet', embedDims: 512, depths: 8, heads: 8, attention: SDT23, ...IMAGENET },
  'sdt2-imagenet-8-768': { family: 'sdt2-imagenet', embedDims: 768, depths: 8, heads: 8, attention: SDT23, ...IMAGENET },
  // E-SpikeFormer (SDT v3 base model) Efficient_Spiking_Transformer_t / s / m / l (2.7 M, 5.1 M, 10 M, 19 M), one step
  'sdt3-imagenet-t': { family: 'sdt3-imagenet', embedDims: 96, depths: 8, heads: 8, attention: SDT23, ...V3, stageDims: [24, 48, 96, 128] },
  'sdt3-imagenet-s': {
    family: 'sdt3-imagenet',
    embedDims: 128,
    depths: 8,
    heads: 8,
    attention: SDT23,
    ...V3,
    stageDims: [32, 64, 128, 192],
  },
  'sdt3-imagenet-m': {
    family: 'sdt3-imagenet',
    embedDims: 192,
    depths: 8,
    heads: 8,
    attention: SDT23,
    ...V3,
    stageDims: [48, 96, 192, 240],
  },
  'sdt3-imagenet-l': {
    family: 'sdt3-imagenet',
    embedDims: 256,
    depths: 8,
    heads: 8,
    attention: SDT23,
    ...V3,
    stageDims: [64, 128, 256, 360],
  },
  // E-SpikeFormer large (SDT v3 Model_Large) spikformer12_512 (choice "base", 82.5 M; 83.0 M with its kd head) and
  // spikformer12_768 (choice "large", 171.0 M; 171.7 M with kd), kd off as main_finetune.py builds them by default
  'sdt3-imagenet-12-512': { family: 'sdt3lb-imagenet', embedDims: 512, depths: 12, heads: 8, attention: ['ssa'], ...V3 },
  'sdt3-imagenet-12-768': {
    family: 'sdt3l-imagenet',
    embedDims: 768,
    depths: 12,
    heads: 8,
    attention: ['ssa'],
    ...V3,
    stageDims: [196, 384, 768],
  },
  // Max-Former and MS-QKFormer (bic-L/MaxFormer imagenet/): heads embed_dims // 64, T of the released checkpoints
  'maxformer-imagenet-10-384': { family: 'maxformer-imagenet', embedDims: 384, depths: 10, heads: 6, attention: ['ssa'], ...IMAGENET },
  'maxformer-imagenet-10-512': { family: 'maxformer-imagenet', embedDims: 512, depths: 10, heads: 8, attention: ['ssa'], ...IMAGENET },
  'maxformer-imagenet-10-768': { family: 'maxformer-imagenet', embedDims: 768, depths: 10, heads: 12, attention: ['ssa'], ...IMAGENET },
  'ms-qkformer-imagenet-10-384': { family: 'ms-qkformer-imagenet', embedDims: 384, depths: 10, heads: 6, attention: QK, ...IMAGENET },
  'ms-qkformer-imagenet-10-768': {
    family: 'ms-qkformer-imagenet',
    embedDims: 768,
    depths: 10,
    heads: 12,
    attention: QK,
    ...IMAGENET,
    timesteps: 1,
  },
  'spikformer-cifar10dvs': {
    family: 'spikformer-dvs',
    embedDims: 256,
    depths: 2,
    heads: 16,
    mlpRatio: 4,
    numClasses: 10,
    attention: ['ssa'],
    ...DVS,
  },
} satisfies Record<string, ZooEntry>;

export type ZooName = keyof typeof ENTRIES;
export const ZOO_NAMES = Object.keys(ENTRIES) as ZooName[];

function toConfig(e: ZooEntry): ModelConfig {
  return {
    family: e.family,
    embedDims: e.embedDims,
    depths: e.depths,
    heads: new Array<number>(FAMILIES[e.family].stages).fill(e.heads),
    mlpRatio: e.mlpRatio,
    timesteps: e.timesteps,
    imgSize: e.imgSize,
    inChannels: e.inChannels,
    numClasses: e.numClasses,
    attention: [...e.attention],
    speds: true,
    input: e.input,
    ...(e.stageDims ? { stageDims: [...e.stageDims] } : {}),
  };
}

/** The official variants' configs, by zoo name. */
export const ZOO = Object.fromEntries(ZOO_NAMES.map((n) => [n, toConfig(ENTRIES[n])])) as Record<ZooName, ModelConfig>;

export function isZooName(s: string): s is ZooName {
  return Object.prototype.hasOwnProperty.call(ENTRIES, s);
}

/** Number of stages (attention kinds / head counts) a family has. */
export function stageCount(family: Family): number {
  return FAMILIES[family].stages;
}

export type { ConfigOverrides } from './knobs.js';

/** Applies user overrides to a config and checks the result can be built; errors name the knob. */
export function applyOverrides(base: ModelConfig, o: ConfigOverrides): ModelConfig {
  const c: ModelConfig = { ...base, heads: [...base.heads], attention: [...base.attention] };
  // stage widths listed by a zoo entry belong to its embed dims: other embed dims take the family's ratios
  if (o.embedDims !== undefined && o.embedDims !== base.embedDims) delete c.stageDims;
  const n = stageCount(c.family);
  for (const k of KNOB_NAMES) {
    if (o[k] === undefined) continue;
    const v = overrideValue(k, o, n);
    if (v === null) throw new ConfigError(`${MODEL_KNOBS[k].flag} needs 1 or ${n} kinds for ${c.family}, got ${o.attention?.length}`);
    (c as Record<KnobName, unknown>)[k] = v;
  }
  validateConfig(c);
  return c;
}

export function validateConfig(c: ModelConfig): void {
  const posInt = (v: number, k: 'embedDims' | 'depths' | 'heads' | 'timesteps' | 'imgSize' | 'inChannels' | 'numClasses') => {
    const { noun, max } = MODEL_KNOBS[k];
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${noun} must be a positive integer, got ${v}`);
    if (v > max) throw new ConfigError(`${noun} ${v} is beyond what spikewatt builds (at most ${max})`);
  };
  const facts: FamilyFacts | undefined = Object.prototype.hasOwnProperty.call(FAMILIES, c.family) ? FAMILIES[c.family] : undefined;
  if (!facts) throw new ConfigError(`unknown model family '${String(c.family)}' (known: ${Object.keys(FAMILIES).join(', ')})`);
  posInt(c.embedDims, 'embedDims');
  posInt(c.depths, 'depths');
  posInt(c.timesteps, 'timesteps');
  posInt(c.imgSize, 'imgSize');
  posInt(c.inChannels, 'inChannels');
  posInt(c.numClasses, 'numClasses');
  if (!Array.isArray(c.heads) || c.heads.length !== facts.stages)
    throw new ConfigError(`heads must be a list of ${facts.stages} (one per stage)`);
  if (!Array.isArray(c.attention) || c.attention.length !== facts.stages || !c.attention.every((a) => ATTENTION_KINDS.includes(a)))
    throw new ConfigError(`attention must be a list of ${facts.stages} kinds (${ATTENTION_KINDS.join(', ')}), one per stage`);
  for (const h of c.heads) posInt(h, 'heads');
  const mlpMax = MODEL_KNOBS.mlpRatio.max;
  if (!(c.mlpRatio > 0 && c.mlpRatio <= mlpMax)) throw new ConfigError(`mlp ratio must be in (0, ${mlpMax}], got ${c.mlpRatio}`);
  if (c.depths < facts.minDepths) {
    throw new ConfigError(`depths must be at least ${facts.minDepths} for ${c.family} (stage 3 gets depths-${facts.minDepths} blocks)`);
  }
  if (c.embedDims % facts.embedDivisor !== 0) {
    throw new ConfigError(`embed dims must be a multiple of ${facts.embedDivisor} for ${c.family}, got ${c.embedDims}`);
  }
}

export function buildModel(name: string, c: ModelConfig): ModelSpec {
  validateConfig(c);
  // NOTE: a valid config can still give shapes that do not fit (an image size the strides do not divide): the
  // builders throw a ConfigError naming the tensors; any other error of theirs is a bug
  return FAMILIES[c.family].build(name, c);
}

export function zooModel(name: ZooName, o: ConfigOverrides = {}): ModelSpec {
  return buildModel(name, applyOverrides(ZOO[name], o));
}
