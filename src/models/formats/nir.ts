import { InputError } from '../../errors.js';
import { foldWeights } from '../fold.js';
import { convGroups, DEFAULT_LIF, type LayerSpec, type ModelSpec } from '../spec.js';
import type { TensorMap } from '../tensor.js';

/**
 * NIR (neuromorphs/NIR) graphs in and out of spikewatt's primitives. The HDF5 file itself is read and written at the
 * edge (src/pipeline/nir-file.ts); this module converts between the NIR graph and a spec (export) or a model file
 * plus weights (import).
 *
 * Time: NIR is continuous-time (LIF: tau dv/dt = (v_leak - v) + R I) and the file does not store the step. spikewatt
 * uses dt = NIR_DT_S (snnTorch's 1e-4 s) both ways: forward Euler gives v <- v - v / (tau/dt) + (R dt / tau) I,
 * spikingjelly's LIF with tau_sj = tau/dt, no input decay, the gain R dt / tau folded into the incoming weights. IF
 * (dv/dt = R I) is read as the peers read it (sinabs, NIRTorch): v <- v + R I per step, independent of dt.
 */
export const NIR_DT_S = 1e-4;
/** The NIR version this writer follows. */
export const NIR_VERSION = '1.0.0';

export interface NirArray {
  shape: number[];
  data: Float64Array;
  /** Integer datasets (strides, kernel sizes) are written as int64, the rest as float32. */
  int: boolean;
}
export type NirValue = NirArray | string;
export interface NirNode {
  type: string;
  params: Map<string, NirValue>;
}
export interface NirGraph {
  version: string;
  nodes: Map<string, NirNode>;
  edges: [string, string][];
}

const arr = (shape: number[], data: ArrayLike<number>, int = false): NirArray => ({ shape, data: Float64Array.from(data), int });
const ints = (...v: number[]): NirArray => arr([v.length], v, true);
const scalarInt = (v: number): NirArray => arr([], [v], true);
const filled = (shape: number[], v: number): NirArray => arr(shape, new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(v));

/** A part of a spec that NIR cannot express, and why. */
export interface LeftOut {
  node: string;
  kind: LayerSpec['kind'];
  why: string;
}

const WHY: Partial<Record<LayerSpec['kind'], string>> = {
  maxpool: 'NIR has no max pooling',
  avgpool: "NIR's AvgPool2d does not say how it counts padding (count_include_pad)",
  headSum: 'QKTA token attention (a sum over head channels fed to a LIF, then an AND) has no NIR primitive',
  tokenSum: 'QKCA channel attention has no NIR primitive',
  mask: 'NIR has no product of two activations (the Q-K mask)',
  ssaProduct: "NIR has no product of two activations (SSA's Q K^T V)",
  membraneAdd: 'NIR sums edges into a node, not into a membrane after its neuron',
  spikeAnd: 'NIR has no product of two activations (spike AND)',
  multiSpike: 'NIR has no multi-level integer spike (round(clamp(x, 0, D)))',
  bnPad: "NIR has no padding with a per-channel constant (RepConv's BN-and-pad)",
};

/** The one line that lists what NIR cannot express: counts per kind, with the reason. */
export function leftOutLine(left: readonly LeftOut[]): string {
  const byKind = new Map<string, LeftOut[]>();
  for (const l of left) byKind.set(l.kind, [...(byKind.get(l.kind) ?? []), l]);
  return [...byKind].map(([k, ls]) => `${ls.length} ${k} (${ls[0]!.why}; first ${ls[0]!.node})`).join('; ');
}

function lifNode(l: Extract<LayerSpec, { kind: 'lif' }>, left: LeftOut[]): NirNode | null {
  const p = l.neuron ?? DEFAULT_LIF;
  if (p.vReset === null) {
    left.push({ node: l.name, kind: 'lif', why: "NIR's LIF has no reset by subtraction" });
    return null;
  }
  const shape = [l.out.c, l.out.h, l.out.w];
  // Euler at NIR_DT_S: tau = tau_sj dt; decay_input h = v + (x - v)/tau_sj means R = 1, else h = v - v/tau_sj + x means R = tau_sj
  const params = new Map<string, NirValue>([
    ['type', 'LIF'],
    ['tau', filled(shape, p.tau * NIR_DT_S)],
    ['r', filled(shape, p.decayInput ? 1 : p.tau)],
    ['v_leak', filled(shape, 0)],
    ['v_reset', filled(shape, p.vReset)],
    ['v_threshold', filled(shape, l.vThreshold)],
  ]);
  return { type: 'LIF', params };
}

/** One spec layer as NIR nodes (the head is a Flatten and an Affine), or null when NIR cannot express it. */
function nodesOf(l: LayerSpec, spec: ModelSpec, folded: ReturnType<typeof foldWeights>, left: LeftOut[]): [string, NirNode][] | null {
  const node = (type: string, entries: [string, NirValue][]): NirNode => ({ type, params: new Map([['type', type], ...entries]) });
  switch (l.kind) {
    case 'conv': {
      const w = folded.convs.get(l.name)!;
      // conv1d / linear over tokens are 1x1 convolutions of the [c][h][w] map
      return [
        [
          l.name,
          node('Conv2d', [
            ['weight', arr([l.out.c, l.in.c / convGroups(l), l.k, l.k], w.weight)],
            ['bias', arr([l.out.c], w.bias)],
            ['stride', ints(l.stride, l.stride)],
            ['padding', ints(l.pad, l.pad)],
            ['dilation', ints(1, 1)],
            ['groups', scalarInt(convGroups(l))],
            ['input_shape', ints(l.in.h, l.in.w)],
          ]),
        ],
      ];
    }
    case 'lif': {
      const n = lifNode(l, left);
      return n ? [[l.name, n]] : null;
    }
    case 'tokenMean': {
      const s = spec.layers.find((x) => x.name === l.inputs[0])?.out ?? spec.inputShape;
      return [
        [
          l.name,
          node('AvgPool2d', [
            ['kernel_size', ints(s.h, s.w)],
            ['stride', ints(s.h, s.w)],
            ['padding', ints(0, 0)],
          ]),
        ],
      ];
    }
    case 'head': {
      const h = folded.head!;
      return [
        [
          `${l.name}.flatten`,
          node('Flatten', [
            ['start_dim', scalarInt(0)],
            ['end_dim', scalarInt(-1)],
            ['input_type', ints(h.inFeatures, 1, 1)],
          ]),
        ],
        [
          l.name,
          node('Affine', [
            ['weight', arr([h.numClasses, h.inFeatures], h.weight)],
            ['bias', arr([h.numClasses], h.bias)],
          ]),
        ],
      ];
    }
    case 'add':
      return [];
    case 'maxpool':
    case 'avgpool':
    case 'headSum':
    case 'tokenSum':
    case 'mask':
    case 'ssaProduct':
    case 'membraneAdd':
    case 'spikeAnd':
    case 'multiSpike':
    case 'bnPad':
      left.push({ node: l.name, kind: l.kind, why: WHY[l.kind]! });
      return null;
  }
}

/**
 * A spec and its weights (BatchNorm folded) as a NIR graph: conv -> Conv2d, LIF -> LIF, token mean -> AvgPool2d, the
 * head -> Flatten + Affine (spikewatt's head reads the T-mean: the mean of the per-step outputs), a SEW add -> the
 * edges of its inputs into each consumer (NIR sums the edges into a node). What NIR cannot express is returned in
 * `leftOut`; unless `partial`, that throws one line naming it. Left-out nodes take their edges with them.
 */
export function exportNir(spec: ModelSpec, tensors: TensorMap, o: { partial?: boolean } = {}): { graph: NirGraph; leftOut: LeftOut[] } {
  const folded = foldWeights(spec, tensors);
  const left: LeftOut[] = [];
  const nodes = new Map<string, NirNode>();
  const s = spec.inputShape;
  nodes.set('input', {
    type: 'Input',
    params: new Map<string, NirValue>([
      ['type', 'Input'],
      ['shape', ints(s.c, s.h, s.w)],
    ]),
  });
  // the NIR node that carries each spikewatt tensor out: a list for adds (their inputs), the head's Affine for itself
  const carriers = new Map<string, string[] | null>([['input', ['input']]]);
  const edges: [string, string][] = [];
  const sourcesOf = (t: string) => carriers.get(t) ?? null;
  for (const l of spec.layers) {
    const made = nodesOf(l, spec, folded, left);
    const srcs = l.inputs.map(sourcesOf);
    if (made === null) {
      carriers.set(l.name, null);
      continue;
    }
    if (l.kind === 'add') {
      carriers.set(l.name, srcs.some((x) => x === null) ? null : (srcs.flat() as string[]));
      continue;
    }
    let prev: string[] = srcs[0] ?? [];
    for (const [name, n] of made) {
      nodes.set(name, n);
      for (const p of prev) edges.push([p, name]);
      prev = [name];
    }
    carriers.set(l.name, prev);
  }
  const head = spec.layers.find((l) => l.kind === 'head');
  if (head) {
    nodes.set('output', {
      type: 'Output',
      params: new Map<string, NirValue>([
        ['type', 'Output'],
        ['shape', ints(spec.config.numClasses)],
      ]),
    });
    for (const p of sourcesOf(head.name) ?? []) edges.push([p, 'output']);
  }
  if (left.length && !o.partial) {
    throw new InputError(
      `NIR cannot express ${left.length} node(s) of ${spec.name}: ${leftOutLine(left)}; give --partial to leave them out`,
    );
  }
  return { graph: { version: NIR_VERSION, nodes, edges }, leftOut: left };
}
