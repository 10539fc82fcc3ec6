/**
 * Model specs: plain serialisable data. A ModelSpec is the variant's config plus an ordered list of named
 * primitive layers. Layer names are the official PyTorch module names, so counts, reports and checkpoints
 * line up one to one. Tensors are named by the layer that produces them; the model input is `input`.
 *
 * Activation layout everywhere in spikewatt: token-major `[n][c]` with `n = y * w + x` (HWC).
 */
export type AttentionKind = 'qkta' | 'qkca' | 'ssa';
export const ATTENTION_KINDS: readonly AttentionKind[] = ['qkta', 'qkca', 'ssa'];

/**
 * Which official code a model follows (its layer order, names and quirks); `graph`: a network read from a model
 * file (src/models/model-file.ts), whose layers are the file's nodes and which no config rebuilds.
 */
export type Family =
  | 'qkformer-cifar'
  | 'qkformer-imagenet'
  | 'qkformer-dvs'
  | 'spikformer-cifar'
  | 'spikformer-imagenet'
  | 'spikformer-dvs'
  | 'spikingformer-cifar'
  | 'spikingformer-imagenet'
  | 'sdt-cifar'
  | 'sdt-imagenet'
  | 'sdt2-imagenet'
  | 'sdt3-imagenet'
  | 'sdt3l-imagenet'
  | 'sdt3lb-imagenet'
  | 'maxformer-imagenet'
  | 'ms-qkformer-imagenet'
  | 'graph';

export type InputKind = 'static' | 'dvs';

export interface ModelConfig {
  family: Family;
  /** The official constructor's `embed_dims` (the last stage's width). */
  embedDims: number;
  /** The official constructor's `depths`. */
  depths: number;
  /** Heads per stage (QKFormer: 3 stages, DVS: 2 stages, Spikformer: 1 stage). */
  heads: number[];
  mlpRatio: number;
  timesteps: number;
  imgSize: number;
  inChannels: number;
  numClasses: number;
  /** Attention kind per stage (same length as `heads`). */
  attention: AttentionKind[];
  /** QKFormer only: false replaces SPEDS with a plain patch embedding (the paper's ablation). */
  speds: boolean;
  input: InputKind;
  /**
   * The official `embed_dim` list of a four-stage family whose widths are not fixed ratios of `embedDims` (SDT v2 / v3:
   * E-SpikeFormer-s is 32, 64, 128, 192); absent: the family's ratios (src/models/sdt-v2.ts).
   */
  stageDims?: number[] | undefined;
}

export interface Shape3 {
  c: number;
  h: number;
  w: number;
}

interface LayerBase {
  /** Official module name, or `<parent>.<role>` for operations that are not modules. */
  name: string;
  inputs: string[];
  /** Shape of the output tensor. */
  out: Shape3;
}

/**
 * A synaptic layer: Conv2d / Conv1d (k=1) / Linear over tokens, with an optional BatchNorm folded in.
 * `op` says how the official module stores its weight (for checkpoint keys and shapes).
 */
export interface ConvLayer extends LayerBase {
  kind: 'conv';
  op: 'conv2d' | 'conv1d' | 'linear';
  in: Shape3;
  k: number;
  stride: number;
  pad: number;
  bias: boolean;
  /** Official name of the BatchNorm that follows, or null. */
  bn: string | null;
  /** A second BatchNorm right after `bn`, folded after it (SDT v2's `nn.Sequential(RepConv, BatchNorm2d)`). */
  bn2?: string;
  /**
   * nn.Conv2d's `groups` (absent: 1). Input and output channels split into `groups` contiguous groups; output channel
   * o reads only the C_in/groups input channels of its group (weight `[C_out][C_in/groups][k][k]`); groups = C_in =
   * C_out is a depth-wise conv.
   */
  groups?: number;
  /**
   * Official name of a per-channel scale (shape `[C_out]`) multiplied into the output after the BatchNorms: SDT v3
   * Model_Large's `x + attn(x) * layer_scale1`, `x + mlp(x) * layer_scale2`; folded into the weights and bias.
   */
  layerScale?: string;
}

/** A conv's groups (1 when the spec leaves the field out). */
export function convGroups(l: ConvLayer): number {
  return l.groups ?? 1;
}

export interface MaxPoolLayer extends LayerBase {
  kind: 'maxpool';
  in: Shape3;
  k: number;
  stride: number;
  pad: number;
}

/**
 * nn.AvgPool2d on real values: out = (sum of the window's in-bounds values) / count, count = the in-bounds window
 * (`countIncludePad` false, as Max-Former's Avg_Mixer) or the window with its padding (true, PyTorch's default).
 */
export interface AvgPoolLayer extends LayerBase {
  kind: 'avgpool';
  in: Shape3;
  k: number;
  stride: number;
  pad: number;
  countIncludePad: boolean;
}

/**
 * spikingjelly LIFNode's parameters: `tau`, `decayInput` (charge h = v + (x - (v - v_reset)) / tau, else
 * h = v - (v - v_reset) / tau + x), `vReset` (hard reset to it; null: soft reset, v = h - v_th). detach_reset
 * only changes gradients, so it is not a parameter at inference.
 */
export interface LifParams {
  tau: number;
  decayInput: boolean;
  vReset: number | null;
}
/** spikingjelly's defaults, which every official QKFormer, Spikformer, Spikingformer and SDT LIF uses. */
export const DEFAULT_LIF: Readonly<LifParams> = { tau: 2, decayInput: true, vReset: 0 };

/** spikingjelly MultiStepLIFNode: fire on h >= vThreshold; `neuron` absent: tau 2, decay_input, hard reset to 0. */
export interface LifLayer extends LayerBase {
  kind: 'lif';
  vThreshold: number;
  /** 'timeBatch': the official QKFormer SSA proj_lif quirk (integrates over the flattened T*B axis). */
  officialTimeAxis: 'time' | 'timeBatch';
  /** Other parameters than DEFAULT_LIF (src/sim/primitives/lif-general.ts). */
  neuron?: LifParams;
}

/** SEW residual: out = a + b (non-negative integers). */
export interface AddLayer extends LayerBase {
  kind: 'add';
}

/**
 * Membrane-shortcut (MS) residual: out = a + b on real values, the pre-LIF currents of Spikingformer and the
 * Spike-driven Transformers (the LIF sits at the entry of the next block).
 */
export interface MembraneAddLayer extends LayerBase {
  kind: 'membraneAdd';
}

/** Spike AND: out[n][c] = a[n][c] AND b[n][c] (SDSA's K ⊙ V on binary spikes). */
export interface SpikeAndLayer extends LayerBase {
  kind: 'spikeAnd';
}

/**
 * Multi-level integer spike (SDT v3's `MultiSpike`, stateless): m = round(clamp(x, 0, levels)) with torch.round's
 * half-to-even rule, an event of multiplicity m; the official module outputs m / norm (norm = levels, or the `Norm`
 * it is given: 1 before SDT v3's head). The 1/norm is folded into the layers it feeds (src/models/fold.ts).
 */
export interface MultiSpikeLayer extends LayerBase {
  kind: 'multiSpike';
  /** D, the largest integer (the official `max_value`, 4). */
  levels: number;
  norm: number;
  /**
   * How a tie x = k + 1/2 rounds; absent: 'halfEven' (torch.round, the base model's MultiSpike). 'halfUp':
   * floor(clamp(x, 0, D) + 0.5), Model_Large's `multispike`.
   */
  rounding?: MultiSpikeRounding;
}
export type MultiSpikeRounding = 'halfEven' | 'halfUp';

/**
 * RepConv's BN-and-pad (SDT v2 / v3 `BNAndPadLayer`): out = pad(BN(x), pad), the border set per channel to the BN's
 * offset (the value BN gives a zero input). `bn` is folded into the conv that feeds it (a conv without bias), whose
 * folded bias is that offset.
 */
export interface BnPadLayer extends LayerBase {
  kind: 'bnPad';
  in: Shape3;
  pad: number;
  /** Official name of the BatchNorm (`<module>.bn`), the one folded into the feeding conv. */
  bn: string;
}

/** QKTA: out[n][h] = sum of q[n][c] over the channels c of head h (channels grouped contiguously). */
export interface HeadSumLayer extends LayerBase {
  kind: 'headSum';
  heads: number;
}

/** QKCA: out[0][c] = sum over tokens n of q[n][c]. */
export interface TokenSumLayer extends LayerBase {
  kind: 'tokenSum';
}

/** Q-K mask: 'token' out[n][c] = a[n][head(c)] * k[n][c]; 'channel' out[n][c] = a[0][c] * k[n][c]. */
export interface MaskLayer extends LayerBase {
  kind: 'mask';
  mode: 'token' | 'channel';
  heads: number;
}

/**
 * Spiking self-attention products per head: 'q(kv)' computes Q (K^T V) * scale (QKFormer, Spikformer ImageNet);
 * 'qk(v)' computes (Q K^T) V * scale (Spikformer CIFAR/DVS).
 */
export interface SsaProductLayer extends LayerBase {
  kind: 'ssaProduct';
  heads: number;
  order: 'q(kv)' | 'qk(v)';
  scale: number;
  /** Q's and K's width where it differs from V's (SDT v3's V is 4 C wide in 'qk(v)' order); absent: V's. */
  qkChannels?: number;
}

/** Mean over tokens: out[0][c] = (1/N) sum_n x[n][c], of spikes (SEW sums) or of real values (MS residuals). */
export interface TokenMeanLayer extends LayerBase {
  kind: 'tokenMean';
}

/**
 * Classifier: mean over T of its input, then Linear(C, classes); runs once per sample after the last step. Its
 * input is real (token means) or spikes (SDT's head_lif: Linear per step then mean over T, the same by linearity).
 */
export interface HeadLayer extends LayerBase {
  kind: 'head';
  inFeatures: number;
  numClasses: number;
}

export type LayerSpec =
  | ConvLayer
  | MaxPoolLayer
  | AvgPoolLayer
  | LifLayer
  | AddLayer
  | MembraneAddLayer
  | SpikeAndLayer
  | MultiSpikeLayer
  | BnPadLayer
  | HeadSumLayer
  | TokenSumLayer
  | MaskLayer
  | SsaProductLayer
  | TokenMeanLayer
  | HeadLayer;
export type LayerKind = LayerSpec['kind'];

/** One state_dict entry the official module holds. `used`: read by forward (false for Spikformer's LayerNorms). */
export interface StateKey {
  key: string;
  shape: number[];
  role: 'param' | 'buffer';
  used: boolean;
}

export interface ModelSpec {
  name: string;
  config: ModelConfig;
  inputShape: Shape3;
  layers: LayerSpec[];
  stateKeys: StateKey[];
}

export function numel(s: Shape3): number {
  return s.c * s.h * s.w;
}
export function tokens(s: Shape3): number {
  return s.h * s.w;
}
