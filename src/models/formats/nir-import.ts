import { InputError } from '../../errors.js';
import { MODEL_FILE_FORMAT, MODEL_FILE_VERSION, type ModelFile, type ModelFileNode } from '../model-file.js';
import type { Shape3 } from '../spec.js';
import type { Tensor, TensorMap } from '../tensor.js';
import { NIR_DT_S, type NirArray, type NirGraph, type NirNode } from './nir.js';

/**
 * A plain spiking network from NIR (Conv2d, Affine, Linear, LIF, IF, SumPool2d, AvgPool2d, Flatten, Input, Output)
 * as a model file and its weights, which run like any model file (src/models/model-file.ts). How each node runs:
 * - Conv2d (any groups, dilation 1, square kernel, equal strides and paddings) -> a conv; Affine / Linear -> a conv
 *   whose kernel covers its whole (flattened) input, so a Flatten needs no node of its own.
 * - SumPool2d / AvgPool2d (kernel = stride, no padding) followed by a Conv2d or Affine -> folded into it: pooling then
 *   a k-kernel of stride s is one (k*p)-kernel of stride s*p (each weight repeated over its p x p window; / p^2 for
 *   the average). The network computes the same; its ops are those of the folded conv.
 * - LIF (v_leak 0, every parameter equal across neurons) -> spikingjelly's LIF with tau = tau/dt, no input decay, hard
 *   reset to v_reset; the Euler gain R dt / tau multiplies the incoming conv. IF -> the same with no leak, gain R.
 * - Output -> spikewatt's head: the T-mean of the last node, through an identity Linear (rate decoding).
 * Any other node (CubaLIF, recurrent edges, Delay, Threshold, ...) is one InputError naming it and its type.
 */
export interface NirImport {
  file: ModelFile;
  tensors: TensorMap;
  notes: string[];
}

const f32 = (shape: number[], data: ArrayLike<number>): Tensor => ({ shape, data: Float32Array.from(data), dtype: 'F32' });

/** A parameter every neuron shares (exporters write per-neuron arrays), or a one-line error naming the node. */
function uniform(n: NirNode, name: string, key: string, dflt?: number): number {
  const v = n.params.get(key);
  if (v === undefined || typeof v === 'string') {
    if (dflt !== undefined) return dflt;
    throw new InputError(`NIR node '${name}' (${n.type}): no ${key}`);
  }
  const x = v.data[0]!;
  for (let i = 1; i < v.data.length; i++) {
    if (Math.abs(v.data[i]! - x) > 1e-6 * Math.max(1, Math.abs(x))) {
      throw new InputError(`NIR node '${name}' (${n.type}): ${key} differs across neurons; spikewatt runs one ${key} per layer`);
    }
  }
  return x;
}

/** A pair written as a pair or as one scalar (snnTorch writes 0-d kernel sizes). */
function pair(n: NirNode, name: string, key: string, dflt: number): number {
  const v = n.params.get(key);
  if (v === undefined || typeof v === 'string') return dflt;
  const a = v.data[0] ?? dflt,
    b = v.data[1] ?? a;
  if (a !== b) throw new InputError(`NIR node '${name}' (${n.type}): ${key} ${a}x${b} is not square; spikewatt's convs are square`);
  return a;
}

function array(n: NirNode, name: string, key: string): NirArray {
  const v = n.params.get(key);
  if (v === undefined || typeof v === 'string') throw new InputError(`NIR node '${name}' (${n.type}): no ${key}`);
  return v;
}

/** Nodes in an order where every edge points forward (from Input); a cycle (a recurrent network) is refused. */
function order(g: NirGraph): string[] {
  const preds = new Map<string, string[]>([...g.nodes.keys()].map((k) => [k, []]));
  for (const [a, b] of g.edges) {
    if (!g.nodes.has(a) || !g.nodes.has(b)) throw new InputError(`NIR edge ${a} -> ${b} names a node that is not in the graph`);
    preds.get(b)!.push(a);
  }
  const done = new Set<string>(),
    out: string[] = [];
  const visit = (k: string, path: Set<string>) => {
    if (done.has(k)) return;
    if (path.has(k))
      throw new InputError(`NIR node '${k}' (${g.nodes.get(k)!.type}) is on a recurrent loop; spikewatt runs feed-forward graphs`);
    path.add(k);
    for (const p of preds.get(k)!) visit(p, path);
    path.delete(k);
    done.add(k);
    out.push(k);
  };
  for (const k of g.nodes.keys()) visit(k, new Set());
  return out;
}

interface Pending {
  /** Pooling window waiting to be folded into the next conv (1: none) and its scale (1 sum, 1/p^2 average). */
  pool: number;
  poolScale: number;
}

/** A NIR graph as a model file (nodes named as in the graph) and its weights. */
export function importNir(g: NirGraph, name: string, o: { dtS?: number } = {}): NirImport {
  const dt = o.dtS ?? NIR_DT_S;
  const nodes: ModelFileNode[] = [];
  const tensors: TensorMap = new Map();
  const notes = [`NIR time step dt = ${dt} s (LIF tau/dt steps; IF as v <- v + R I)`];
  const [inName, input] = inputOf(g);
  const preds = new Map<string, string[]>();
  for (const [a, b] of g.edges) preds.set(b, [...(preds.get(b) ?? []), a]);
  // per NIR node: the spikewatt tensor carrying its output, its shape, and a pooling not yet applied
  const tensorOf = new Map<string, string>([[inName, 'input']]);
  const shapeOf = new Map<string, Shape3>([[inName, input]]);
  const pending = new Map<string, Pending>([[inName, { pool: 1, poolScale: 1 }]]);
  let output: string | null = null;
  for (const k of order(g)) {
    const n = g.nodes.get(k)!;
    if (n.type === 'Input') continue;
    const src = joinEdges(k, n, preds.get(k) ?? [], { nodes, tensorOf, shapeOf, pending });
    const t = tensorOf.get(src)!,
      s = shapeOf.get(src)!,
      pend = pending.get(src)!;
    const pass = (shape: Shape3, p: Pending = pend) => {
      tensorOf.set(k, t);
      shapeOf.set(k, shape);
      pending.set(k, p);
    };
    // a node that becomes a spikewatt layer carries its own tensor, with nothing pending
    const made = (shape: Shape3) => {
      tensorOf.set(k, k);
      shapeOf.set(k, shape);
      pending.set(k, { pool: 1, poolScale: 1 });
    };
    switch (n.type) {
      case 'Flatten':
        pass(s);
        break;
      case 'SumPool2d':
      case 'AvgPool2d': {
        const pool = poolOf(k, n, s, pend);
        pass(pool.shape, pool.pending);
        break;
      }
      case 'Conv2d':
      case 'Affine':
      case 'Linear': {
        const conv = convOf(k, n, s, pend, tensors);
        nodes.push({ ...conv.node, inputs: [t] });
        made(conv.out);
        if (pend.pool > 1) notes.push(`${k}: the ${pend.pool}x${pend.pool} pooling before it is folded into its kernel`);
        break;
      }
      case 'LIF':
      case 'IF':
        if (pend.pool > 1) throw new InputError(`NIR node '${k}' (${n.type}) follows a pooling; spikewatt folds pooling only into a conv`);
        nodes.push(neuronOf(k, n, t, dt, tensors));
        made(s);
        break;
      case 'Output':
        output = t;
        shapeOf.set(k, s);
        break;
      default:
        throw new InputError(
          `NIR node '${k}' has type ${n.type}, which spikewatt cannot run (it runs Conv2d, Affine, Linear, LIF, IF, SumPool2d, AvgPool2d, Flatten)`,
        );
    }
  }
  if (output === null) throw new InputError('NIR graph: no Output node reached from the Input');
  nodes.push(readout(output, shapeOf.get(output) ?? input, tensors));
  notes.push('the Output is read out as the T-mean of its input through an identity Linear (the head named output)');
  if (input.c === 2) notes.push('a 2-channel input is read as DVS event frames (polarities)');
  return { file: modelFileOf(name, input, nodes), tensors, notes };
}

interface Carried {
  nodes: ModelFileNode[];
  tensorOf: Map<string, string>;
  shapeOf: Map<string, Shape3>;
  pending: Map<string, Pending>;
}

/**
 * The one source a node reads. NIR sums the edges into a node: several edges of spikes (LIF / IF outputs) of one
 * shape become spikewatt's SEW adds (`<node>.sum1`, ...), which carry the sum as the node's input.
 */
function joinEdges(k: string, n: NirNode, from: readonly string[], c: Carried): string {
  if (from.length === 0) throw new InputError(`NIR node '${k}' (${n.type}) has no input edge (cut off from the Input)`);
  if (from.length === 1) return from[0]!;
  const spikes = (src: string) =>
    c.nodes.some((x) => x.name === c.tensorOf.get(src) && (x.kind === 'lif' || x.kind === 'add')) && c.pending.get(src)!.pool === 1;
  const s0 = c.shapeOf.get(from[0]!)!;
  for (const src of from) {
    const s = c.shapeOf.get(src)!;
    if (!spikes(src) || s.c !== s0.c || s.h !== s0.h || s.w !== s0.w) {
      throw new InputError(
        `NIR node '${k}' (${n.type}) sums ${from.length} edges; spikewatt sums only spikes of one shape (from '${src}')`,
      );
    }
  }
  let acc = from[0]!;
  from.slice(1).forEach((src, i) => {
    const name = `${k}.sum${i + 1}`;
    c.nodes.push({ name, kind: 'add', inputs: [c.tensorOf.get(acc)!, c.tensorOf.get(src)!] });
    c.tensorOf.set(name, name);
    c.shapeOf.set(name, s0);
    c.pending.set(name, { pool: 1, poolScale: 1 });
    acc = name;
  });
  return acc;
}

/** The model file of the imported nodes; T 4 until `--timesteps` says (a NIR file holds no step count). */
function modelFileOf(name: string, input: Shape3, nodes: ModelFileNode[]): ModelFile {
  const kind = input.c === 2 ? 'dvs' : 'static';
  const shape = { kind, channels: input.c, height: input.h, width: input.w } as const;
  return { format: MODEL_FILE_FORMAT, version: MODEL_FILE_VERSION, name, timesteps: 4, input: shape, nodes, unusedState: [] };
}

/** The one Input node: its name and shape (a vector is a C x 1 x 1 map). */
function inputOf(g: NirGraph): [string, Shape3] {
  const inputs = [...g.nodes].filter(([, n]) => n.type === 'Input');
  if (inputs.length !== 1) throw new InputError(`NIR graph: ${inputs.length} Input nodes; spikewatt runs graphs with one`);
  const [inName, inNode] = inputs[0]!;
  const sh = array(inNode, inName, 'shape').data;
  return [inName, sh.length === 3 ? { c: sh[0]!, h: sh[1]!, w: sh[2]! } : { c: sh.reduce((a, b) => a * b, 1), h: 1, w: 1 }];
}

/** A SumPool2d / AvgPool2d node: the pooled shape, and the pooling the next conv folds in. */
function poolOf(k: string, n: NirNode, s: Shape3, pend: Pending): { shape: Shape3; pending: Pending } {
  const kp = pair(n, k, 'kernel_size', 1),
    sp = pair(n, k, 'stride', kp),
    pad = pair(n, k, 'padding', 0);
  if (kp !== sp || pad !== 0)
    throw new InputError(`NIR node '${k}' (${n.type}): only kernel = stride, no padding folds into the next conv`);
  const scale = n.type === 'AvgPool2d' ? 1 / (kp * kp) : 1;
  return {
    shape: { c: s.c, h: Math.floor(s.h / kp), w: Math.floor(s.w / kp) },
    pending: { pool: pend.pool * kp, poolScale: pend.poolScale * scale },
  };
}

/** A LIF or IF node as spikingjelly's LIF without input decay; its Euler gain multiplies the conv feeding it. */
function neuronOf(k: string, n: NirNode, t: string, dt: number, tensors: TensorMap): ModelFileNode {
  const r = uniform(n, k, 'r', 1),
    vth = uniform(n, k, 'v_threshold'),
    vReset = uniform(n, k, 'v_reset', 0);
  let tau = Infinity,
    gain = r;
  if (n.type === 'LIF') {
    if (uniform(n, k, 'v_leak', 0) !== 0) throw new InputError(`NIR node '${k}' (LIF): v_leak is not 0; spikewatt's LIF leaks to 0`);
    const tauS = uniform(n, k, 'tau');
    tau = tauS / dt;
    gain = (r * dt) / tauS;
    if (!(tau > 1)) throw new InputError(`NIR node '${k}' (LIF): tau ${tauS} s is not above dt = ${dt} s`);
  }
  if (gain !== 1) scaleInput(k, n.type, t, gain, tensors);
  return { name: k, kind: 'lif', inputs: [t], vThreshold: vth, timeAxis: 'time', tau, decayInput: false, vReset };
}

/** The Output as spikewatt's head: the T-mean of its input through an identity Linear (rate decoding). */
function readout(input: string, s: Shape3, tensors: TensorMap): ModelFileNode {
  const classes = s.c * s.h * s.w;
  if (s.h * s.w !== 1) throw new InputError(`NIR graph: the Output is ${s.c}x${s.h}x${s.w}; spikewatt's readout takes a vector`);
  tensors.set(
    'output.weight',
    f32(
      [classes, classes],
      Array.from({ length: classes * classes }, (_, i) => (i % (classes + 1) === 0 ? 1 : 0)),
    ),
  );
  tensors.set('output.bias', f32([classes], new Array<number>(classes).fill(0)));
  return { name: 'output', kind: 'head', inputs: [input], numClasses: classes };
}

/** A Conv2d / Affine / Linear node as a spikewatt conv, with a pending pooling folded into its kernel. */
function convOf(
  k: string,
  n: NirNode,
  s: Shape3,
  pend: Pending,
  tensors: TensorMap,
): { node: ModelFileNode & { kind: 'conv' }; out: Shape3 } {
  const w = array(n, k, 'weight');
  const b = n.params.get('bias');
  const p = pend.pool;
  let outC: number, ks: number, stride: number, pad: number, w4: Float64Array;
  let groups = 1;
  if (n.type === 'Conv2d') {
    if (pair(n, k, 'dilation', 1) !== 1) throw new InputError(`NIR node '${k}' (Conv2d): dilation is not 1`);
    const g = n.params.get('groups');
    if (g !== undefined && typeof g !== 'string') groups = g.data[0]!;
    let perGroup: number;
    [outC, perGroup, ks] = w.shape as [number, number, number];
    if (!Number.isInteger(groups) || groups < 1 || s.c % groups !== 0 || outC % groups !== 0 || perGroup !== s.c / groups)
      throw new InputError(`NIR node '${k}' (Conv2d): groups ${groups} does not fit ${s.c} input channels and weight ${w.shape.join('x')}`);
    stride = pair(n, k, 'stride', 1);
    pad = pair(n, k, 'padding', 0);
    w4 = w.data;
  } else {
    // Affine / Linear on the flattened [c][h][w] input: a conv whose kernel is the whole (pooled) map
    outC = w.shape[0]!;
    if (s.h !== s.w) throw new InputError(`NIR node '${k}' (${n.type}): its input is ${s.c}x${s.h}x${s.w}; spikewatt's kernels are square`);
    if (w.shape[1] !== s.c * s.h * s.w)
      throw new InputError(`NIR node '${k}' (${n.type}): weight takes ${w.shape[1]} inputs, its input has ${s.c * s.h * s.w}`);
    ks = s.h;
    stride = 1;
    pad = 0;
    w4 = w.data;
  }
  const cin = s.c / groups;
  // fold the pooling: weight (o, c, u, v) of the k*p kernel = w(o, c, u / p, v / p) * scale; stride and padding times p
  const K = ks * p;
  const folded = new Float64Array(outC * cin * K * K);
  for (let o = 0; o < outC; o++)
    for (let c = 0; c < cin; c++)
      for (let u = 0; u < K; u++)
        for (let v = 0; v < K; v++)
          folded[((o * cin + c) * K + u) * K + v] = w4[((o * cin + c) * ks + Math.floor(u / p)) * ks + Math.floor(v / p)]! * pend.poolScale;
  tensors.set(`${k}.weight`, f32([outC, cin, K, K], folded));
  const hasBias = b !== undefined && typeof b !== 'string';
  if (hasBias) tensors.set(`${k}.bias`, f32([outC], b.data));
  const inH = s.h * p;
  const outH = Math.floor((inH + 2 * pad * p - K) / (stride * p)) + 1;
  return {
    node: {
      name: k,
      kind: 'conv',
      inputs: [],
      op: 'conv2d',
      outChannels: outC,
      k: K,
      stride: stride * p,
      pad: pad * p,
      bias: hasBias,
      bn: null,
      groups,
    },
    out: { c: outC, h: outH, w: outH },
  };
}

/** Multiplies the conv feeding a neuron by the neuron's input gain (its weight and bias), or refuses. */
function scaleInput(k: string, type: string, t: string, gain: number, tensors: TensorMap): void {
  const w = tensors.get(`${t}.weight`);
  if (t === 'input' || !w) throw new InputError(`NIR node '${k}' (${type}): its input gain ${gain} needs a Conv2d or Affine before it`);
  for (const key of [`${t}.weight`, `${t}.bias`]) {
    const x = tensors.get(key);
    if (x)
      tensors.set(
        key,
        f32(
          x.shape,
          Array.from(x.data, (v) => v * gain),
        ),
      );
  }
}
