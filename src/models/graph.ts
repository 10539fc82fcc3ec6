import { ConfigError } from './config-error.js';
import {
  DEFAULT_LIF,
  type LayerSpec,
  type Shape3,
  type StateKey,
  type ConvLayer,
  type LifLayer,
  type LifParams,
  type ModelConfig,
  type MultiSpikeRounding,
} from './spec.js';

/** A synaptic layer's options: defaults k 1, stride 1, pad 0, op conv2d. */
interface ConvOptions {
  input: string;
  outC: number;
  k?: number;
  stride?: number;
  pad?: number;
  bias: boolean;
  op?: ConvLayer['op'];
  /** nn.Conv2d's groups; default 1 (C_in and C_out must be multiples of it). */
  groups?: number;
  /** A second BatchNorm after `bn` (ConvLayer.bn2). */
  bn2?: string;
  /** A per-channel scale after the BatchNorms (ConvLayer.layerScale). */
  layerScale?: string;
}

/**
 * Accumulates layers (in execution order) and the official state_dict keys while a builder walks the
 * official module tree. Every method returns the name of the tensor it produced.
 */
export class GraphBuilder {
  readonly layers: LayerSpec[] = [];
  readonly keys: StateKey[] = [];
  private readonly shapes = new Map<string, Shape3>();

  constructor(inputShape: Shape3) {
    this.shapes.set('input', inputShape);
  }

  /** A builder for a model of this config: its input is `[inChannels, imgSize, imgSize]`. */
  static forInput(cfg: ModelConfig): GraphBuilder {
    return new GraphBuilder({ c: cfg.inChannels, h: cfg.imgSize, w: cfg.imgSize });
  }

  shape(tensor: string): Shape3 {
    const s = this.shapes.get(tensor);
    if (!s) throw new Error(`unknown tensor ${tensor}`);
    return s;
  }

  private push(l: LayerSpec): string {
    if (this.shapes.has(l.name)) throw new Error(`duplicate layer ${l.name}`);
    // a multi-spike's value is m / norm: only the layers that fold the 1/norm in may read it (src/models/fold.ts)
    if (l.kind !== 'conv' && l.kind !== 'head' && l.kind !== 'ssaProduct')
      for (const i of l.inputs) {
        const src = this.layers.find((x) => x.name === i);
        if (src?.kind === 'multiSpike' && src.norm !== 1)
          throw new ConfigError(
            `${l.name}: a ${l.kind} cannot read ${i}, a multi-level spike divided by ${src.norm} (only conv, head, ssaProduct)`,
          );
      }
    this.layers.push(l);
    this.shapes.set(l.name, l.out);
    return l.name;
  }

  param(key: string, shape: number[], used = true): void {
    this.keys.push({ key, shape, role: 'param', used });
  }
  buffer(key: string, shape: number[], used = true): void {
    this.keys.push({ key, shape, role: 'buffer', used });
  }

  batchNorm(name: string, c: number): void {
    this.param(`${name}.weight`, [c]);
    this.param(`${name}.bias`, [c]);
    this.buffer(`${name}.running_mean`, [c]);
    this.buffer(`${name}.running_var`, [c]);
    this.buffer(`${name}.num_batches_tracked`, []);
  }

  /** A LayerNorm the official code builds but never calls. */
  unusedLayerNorm(name: string, c: number): void {
    this.param(`${name}.weight`, [c], false);
    this.param(`${name}.bias`, [c], false);
  }

  conv(o: ConvOptions & { name: string; bn: string | null }): string {
    const inS = this.shape(o.input);
    const k = o.k ?? 1,
      stride = o.stride ?? 1,
      pad = o.pad ?? 0,
      op = o.op ?? 'conv2d';
    const outH = Math.floor((inS.h + 2 * pad - k) / stride) + 1;
    const outW = Math.floor((inS.w + 2 * pad - k) / stride) + 1;
    if (outH < 1 || outW < 1)
      throw new ConfigError(`${o.name}: a ${inS.h}x${inS.w} input is too small for its ${k}x${k} stride-${stride} conv`);
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1 || inS.c % groups !== 0 || o.outC % groups !== 0)
      throw new ConfigError(`${o.name}: ${groups} groups do not divide ${inS.c} input and ${o.outC} output channels`);
    if (groups > 1 && op !== 'conv2d') throw new ConfigError(`${o.name}: groups apply to conv2d only, not ${op}`);
    const cinPer = inS.c / groups;
    const wShape = op === 'conv2d' ? [o.outC, cinPer, k, k] : op === 'conv1d' ? [o.outC, inS.c, 1] : [o.outC, inS.c];
    this.param(`${o.name}.weight`, wShape);
    if (o.bias) this.param(`${o.name}.bias`, [o.outC]);
    if (o.bn) this.batchNorm(o.bn, o.outC);
    if (o.bn2 !== undefined && !o.bn) throw new ConfigError(`${o.name}: a second BatchNorm needs a first`);
    if (o.bn2 !== undefined) this.batchNorm(o.bn2, o.outC);
    if (o.layerScale !== undefined) this.param(o.layerScale, [o.outC]);
    return this.push({
      kind: 'conv',
      name: o.name,
      op,
      inputs: [o.input],
      in: inS,
      out: { c: o.outC, h: outH, w: outW },
      k,
      stride,
      pad,
      bias: o.bias,
      bn: o.bn,
      ...(o.bn2 !== undefined ? { bn2: o.bn2 } : {}),
      ...(groups !== 1 ? { groups } : {}),
      ...(o.layerScale !== undefined ? { layerScale: o.layerScale } : {}),
    });
  }

  /** MaxPool2d; the official stems all use kernel 3, stride 2, padding 1. */
  maxpool(name: string, input: string, k = 3, stride = 2, pad = 1): string {
    const s = this.shape(input);
    const h = Math.floor((s.h + 2 * pad - k) / stride) + 1;
    const w = Math.floor((s.w + 2 * pad - k) / stride) + 1;
    return this.push({ kind: 'maxpool', name, inputs: [input], in: s, out: { c: s.c, h, w }, k, stride, pad });
  }

  /** AvgPool2d of real values; defaults: Max-Former's Avg_Mixer (3x3, stride 1, padding 1, count_include_pad False). */
  avgpool(name: string, input: string, k = 3, stride = 1, pad = 1, countIncludePad = false): string {
    const s = this.shape(input);
    if (2 * pad > k) throw new ConfigError(`${name}: padding ${pad} is more than half the ${k}x${k} window (PyTorch refuses it)`);
    const h = Math.floor((s.h + 2 * pad - k) / stride) + 1;
    const w = Math.floor((s.w + 2 * pad - k) / stride) + 1;
    if (h < 1 || w < 1) throw new ConfigError(`${name}: a ${s.h}x${s.w} input is too small for its ${k}x${k} window`);
    return this.push({ kind: 'avgpool', name, inputs: [input], in: s, out: { c: s.c, h, w }, k, stride, pad, countIncludePad });
  }

  /** A LIF; `neuron` is kept only where it differs from spikingjelly's defaults (DEFAULT_LIF). */
  lif(name: string, input: string, vThreshold = 1, officialTimeAxis: LifLayer['officialTimeAxis'] = 'time', neuron?: LifParams): string {
    const own =
      neuron && (neuron.tau !== DEFAULT_LIF.tau || neuron.decayInput !== DEFAULT_LIF.decayInput || neuron.vReset !== DEFAULT_LIF.vReset)
        ? { neuron: { ...neuron } }
        : {};
    return this.push({ kind: 'lif', name, inputs: [input], out: this.shape(input), vThreshold, officialTimeAxis, ...own });
  }

  /** A multi-level integer spike round(clamp(x, 0, levels)) / norm (SDT v3's MultiSpike; norm defaults to levels). */
  multiSpike(name: string, input: string, levels = 4, norm = levels, rounding: MultiSpikeRounding = 'halfEven'): string {
    if (!Number.isInteger(levels) || levels < 1) throw new ConfigError(`${name}: levels must be a positive integer, got ${levels}`);
    if (!(norm > 0)) throw new ConfigError(`${name}: norm must be positive, got ${norm}`);
    const r = rounding !== 'halfEven' ? { rounding } : {};
    return this.push({ kind: 'multiSpike', name, inputs: [input], out: this.shape(input), levels, norm, ...r });
  }

  /** RepConv's BN-and-pad after `input`, a conv without bias that carries the BN (the pad value is its folded bias). */
  bnPad(name: string, input: string, pad: number): string {
    const src = this.layers.find((l) => l.name === input);
    if (src?.kind !== 'conv' || src.bn === null || src.bias)
      throw new ConfigError(`${name}: a BN-and-pad reads a conv that carries its BatchNorm and no bias, not ${input}`);
    if (!Number.isInteger(pad) || pad < 0) throw new ConfigError(`${name}: pad must be a non-negative integer, got ${pad}`);
    const s = src.out;
    return this.push({ kind: 'bnPad', name, inputs: [input], in: s, out: { c: s.c, h: s.h + 2 * pad, w: s.w + 2 * pad }, pad, bn: src.bn });
  }

  /** Membrane-shortcut residual: a + b on real values of one shape. */
  membraneAdd(name: string, a: string, b: string): string {
    this.sameShape(name, a, b);
    return this.push({ kind: 'membraneAdd', name, inputs: [a, b], out: this.shape(a) });
  }

  /** Spike AND of two spike tensors of one shape. */
  spikeAnd(name: string, a: string, b: string): string {
    this.sameShape(name, a, b);
    return this.push({ kind: 'spikeAnd', name, inputs: [a, b], out: this.shape(a) });
  }

  private sameShape(name: string, a: string, b: string): void {
    const sa = this.shape(a),
      sb = this.shape(b);
    if (sa.c !== sb.c || sa.h !== sb.h || sa.w !== sb.w) {
      throw new ConfigError(`${name}: cannot combine ${a} (${sa.c}x${sa.h}x${sa.w}) and ${b} (${sb.c}x${sb.h}x${sb.w})`);
    }
  }

  add(name: string, a: string, b: string): string {
    const sa = this.shape(a),
      sb = this.shape(b);
    if (sa.c !== sb.c || sa.h !== sb.h || sa.w !== sb.w) {
      throw new ConfigError(`${name}: cannot add ${a} (${sa.c}x${sa.h}x${sa.w}) and ${b} (${sb.c}x${sb.h}x${sb.w})`);
    }
    return this.push({ kind: 'add', name, inputs: [a, b], out: sa });
  }

  headSum(name: string, input: string, heads: number): string {
    const s = this.shape(input);
    return this.push({ kind: 'headSum', name, inputs: [input], out: { c: heads, h: s.h, w: s.w }, heads });
  }

  tokenSum(name: string, input: string): string {
    const s = this.shape(input);
    return this.push({ kind: 'tokenSum', name, inputs: [input], out: { c: s.c, h: 1, w: 1 } });
  }

  mask(name: string, attn: string, k: string, mode: 'token' | 'channel', heads: number): string {
    return this.push({ kind: 'mask', name, inputs: [attn, k], out: this.shape(k), mode, heads });
  }

  /** Q, K of one shape; V of the same tokens and, in 'qk(v)' order, any width (SDT v3's V is 4 C wide): out = V's shape. */
  ssaProduct(name: string, q: string, k: string, v: string, heads: number, order: 'q(kv)' | 'qk(v)', scale: number): string {
    this.sameShape(name, q, k);
    const sq = this.shape(q),
      sv = this.shape(v);
    if (order === 'q(kv)') this.sameShape(name, q, v);
    if (sv.h !== sq.h || sv.w !== sq.w || sv.c % heads !== 0 || sq.c % heads !== 0)
      throw new ConfigError(`${name}: V ${sv.c}x${sv.h}x${sv.w} does not pair with Q ${sq.c}x${sq.h}x${sq.w} over ${heads} heads`);
    const qk = sq.c !== sv.c ? { qkChannels: sq.c } : {};
    return this.push({ kind: 'ssaProduct', name, inputs: [q, k, v], out: sv, heads, order, scale, ...qk });
  }

  tokenMean(name: string, input: string): string {
    const s = this.shape(input);
    return this.push({ kind: 'tokenMean', name, inputs: [input], out: { c: s.c, h: 1, w: 1 } });
  }

  head(name: string, input: string, numClasses: number): string {
    const s = this.shape(input);
    this.param(`${name}.weight`, [numClasses, s.c]);
    this.param(`${name}.bias`, [numClasses]);
    return this.push({ kind: 'head', name, inputs: [input], out: { c: numClasses, h: 1, w: 1 }, inFeatures: s.c, numClasses });
  }

  /** conv -> BN -> [maxpool] -> LIF, the unit every official stem and block repeats. */
  convBnLif(
    o: ConvOptions & {
      conv: string;
      bn: string;
      lif: string;
      maxpool?: string;
      vThreshold?: number;
      officialTimeAxis?: LifLayer['officialTimeAxis'];
    },
  ): string {
    const { conv, lif, maxpool, vThreshold, officialTimeAxis, ...c } = o;
    let x = this.conv({ ...c, name: conv });
    if (maxpool) x = this.maxpool(maxpool, x);
    return this.lif(lif, x, vThreshold ?? 1, officialTimeAxis ?? 'time');
  }
}
