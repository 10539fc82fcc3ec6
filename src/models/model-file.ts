import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseJsonWith } from '../json.js';
import { ConfigError } from './config-error.js';
import { GraphBuilder } from './graph.js';
import { ATTENTION_KINDS, DEFAULT_LIF, type LayerSpec, type ModelConfig, type ModelSpec, type Shape3 } from './spec.js';
import { FAMILIES, validateConfig } from './zoo.js';

/**
 * The model file: a network as a graph of spikewatt's primitives, as JSON (docs/model-files.md).
 *
 *   { "format": "spikewatt-model", "version": 1, "name", "timesteps", "input": { "kind", "channels", "height", "width" },
 *     "nodes": [ { "name", "kind", "inputs": [...], ...the kind's parameters } ], "unusedState": [...], "config": {...} }
 *
 * Nodes run in file order; a node's inputs name earlier nodes or `input`. Shapes are derived (never written), and so
 * are the state_dict keys a checkpoint must hold (`<conv>.weight`, `<conv>.bias`, the BatchNorm's four, `head.*`):
 * weights come from `--weights`, keyed by the nodes' names. `unusedState` lists parameters the official module
 * holds but never reads (Spikformer's LayerNorms), so parameter counts equal the official code's. `config` is the
 * zoo config a file was written from (`models --save-spec`); without it the network is a `graph` family model.
 */
export const MODEL_FILE_FORMAT = 'spikewatt-model';
export const MODEL_FILE_VERSION = 1;

const name = z.string().min(1);
const posInt = z.number().int().positive();
const base = { name, inputs: z.array(name) };

const NODE = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('conv'),
    op: z.enum(['conv2d', 'conv1d', 'linear']).default('conv2d'),
    outChannels: posInt,
    k: posInt.default(1),
    stride: posInt.default(1),
    pad: z.number().int().nonnegative().default(0),
    bias: z.boolean().default(false),
    bn: name.nullable().default(null),
    bn2: name.optional(),
    groups: posInt.default(1),
    layerScale: name.optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('maxpool'),
    k: posInt.default(3),
    stride: posInt.default(2),
    pad: z.number().int().nonnegative().default(1),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('avgpool'),
    k: posInt.default(3),
    stride: posInt.default(1),
    pad: z.number().int().nonnegative().default(1),
    countIncludePad: z.boolean().default(false),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('lif'),
    vThreshold: z.number().positive().default(1),
    timeAxis: z.enum(['time', 'timeBatch']).default('time'),
    // an IF neuron (no leak) has tau = Infinity, which JSON spells "Infinity"
    tau: z.union([z.number().gt(1), z.literal('Infinity').transform(() => Infinity)]).default(DEFAULT_LIF.tau),
    decayInput: z.boolean().default(DEFAULT_LIF.decayInput),
    vReset: z.number().nullable().default(DEFAULT_LIF.vReset),
  }),
  z.strictObject({ ...base, kind: z.literal('add') }),
  z.strictObject({ ...base, kind: z.literal('membraneAdd') }),
  z.strictObject({ ...base, kind: z.literal('spikeAnd') }),
  z.strictObject({
    ...base,
    kind: z.literal('multiSpike'),
    levels: posInt.default(4),
    norm: z.number().positive().optional(),
    rounding: z.enum(['halfEven', 'halfUp']).default('halfEven'),
  }),
  z.strictObject({ ...base, kind: z.literal('bnPad'), pad: z.number().int().nonnegative().default(1) }),
  z.strictObject({ ...base, kind: z.literal('headSum'), heads: posInt }),
  z.strictObject({ ...base, kind: z.literal('tokenSum') }),
  z.strictObject({ ...base, kind: z.literal('mask'), mode: z.enum(['token', 'channel']), heads: posInt }),
  z.strictObject({
    ...base,
    kind: z.literal('ssaProduct'),
    heads: posInt,
    order: z.enum(['q(kv)', 'qk(v)']),
    scale: z.number().positive(),
  }),
  z.strictObject({ ...base, kind: z.literal('tokenMean') }),
  z.strictObject({ ...base, kind: z.literal('head'), numClasses: posInt }),
]);
export type ModelFileNode = z.infer<typeof NODE>;
/** A node as written (fields at their defaults may be left out). */
export type ModelFileNodeText = z.input<typeof NODE>;

const CONFIG = z.strictObject({
  family: z.enum(Object.keys(FAMILIES) as [keyof typeof FAMILIES, ...(keyof typeof FAMILIES)[]]),
  embedDims: posInt,
  depths: posInt,
  heads: z.array(posInt),
  mlpRatio: z.number().positive(),
  timesteps: posInt,
  imgSize: posInt,
  inChannels: posInt,
  numClasses: posInt,
  attention: z.array(z.enum(ATTENTION_KINDS as [string, ...string[]]).transform((a) => a as ModelConfig['attention'][number])),
  speds: z.boolean(),
  input: z.enum(['static', 'dvs']),
  stageDims: z.array(posInt).optional(),
});

export const MODEL_FILE_SCHEMA = z.strictObject({
  format: z.literal(MODEL_FILE_FORMAT),
  version: z.literal(MODEL_FILE_VERSION),
  name,
  timesteps: posInt,
  input: z.strictObject({ kind: z.enum(['static', 'dvs']), channels: posInt, height: posInt, width: posInt }),
  nodes: z.array(NODE).min(1),
  unusedState: z.array(z.strictObject({ key: name, shape: z.array(z.number().int().nonnegative()) })).default([]),
  config: CONFIG.optional(),
});
export type ModelFile = z.infer<typeof MODEL_FILE_SCHEMA>;
/** A model file as written. */
export type ModelFileText = z.input<typeof MODEL_FILE_SCHEMA>;

/** A model file that does not parse, or a graph that cannot be built; names the file, the node and the field. */
export class ModelFileError extends InputError {
  override name = 'ModelFileError';
}

/** How many inputs each node kind takes, in order. */
const ARITY = {
  conv: 1,
  maxpool: 1,
  avgpool: 1,
  lif: 1,
  add: 2,
  membraneAdd: 2,
  spikeAnd: 2,
  multiSpike: 1,
  bnPad: 1,
  headSum: 1,
  tokenSum: 1,
  mask: 2,
  ssaProduct: 3,
  tokenMean: 1,
  head: 1,
} satisfies Record<ModelFileNode['kind'], number>;

/**
 * What travels out of each node kind (spikes as events, or real values dense), and what its inputs must be
 * (`any`: either). The simulator's primitives require these (src/sim/primitives/); the model file checks them up front.
 */
type Carried = 'events' | 'dense';
const FLOW = {
  conv: { in: 'any', out: 'dense' },
  maxpool: { in: 'any', out: 'same' },
  avgpool: { in: 'dense', out: 'dense' },
  lif: { in: 'dense', out: 'events' },
  add: { in: 'events', out: 'events' },
  membraneAdd: { in: 'dense', out: 'dense' },
  spikeAnd: { in: 'events', out: 'events' },
  multiSpike: { in: 'dense', out: 'events' },
  bnPad: { in: 'dense', out: 'dense' },
  headSum: { in: 'events', out: 'dense' },
  tokenSum: { in: 'events', out: 'dense' },
  mask: { in: 'events', out: 'events' },
  ssaProduct: { in: 'events', out: 'dense' },
  tokenMean: { in: 'any', out: 'dense' },
  head: { in: 'any', out: 'none' },
} satisfies Record<ModelFileNode['kind'], { in: Carried | 'any'; out: Carried | 'same' | 'none' }>;

/** `node 'stage1.0.q_lif' (nodes[4]) field vThreshold` from a JSON pointer `/nodes/4/vThreshold`. */
function where(raw: unknown, pointer: string): string {
  const m = /^\/nodes\/(\d+)(?:\/(.*))?$/.exec(pointer);
  if (!m) return pointer === '/' ? 'the file' : `field ${pointer.slice(1).replace(/\//g, '.')}`;
  const i = Number(m[1]);
  const nodes = (raw as { nodes?: unknown[] } | null)?.nodes;
  const n = Array.isArray(nodes) ? (nodes[i] as { name?: unknown } | undefined) : undefined;
  const label = typeof n?.name === 'string' ? `node '${n.name}' (nodes[${i}])` : `nodes[${i}]`;
  return m[2] ? `${label} field ${m[2].replace(/\//g, '.')}` : label;
}

/** Parses and checks a model file's text (schema only; `specOfModelFile` builds it). */
export function parseModelFile(text: string, what: string): ModelFile {
  let raw: unknown = null;
  return parseJsonWith(
    MODEL_FILE_SCHEMA,
    text,
    (pointer, reason) => new ModelFileError(`${what}: ${where(raw, pointer)}: ${reason}`),
    (r) => {
      raw = r;
      const o = r as { format?: unknown; version?: unknown } | null;
      if (o === null || typeof o !== 'object') return;
      if (o.format !== MODEL_FILE_FORMAT) {
        throw new ModelFileError(`${what}: field format: expected "${MODEL_FILE_FORMAT}", got ${JSON.stringify(o.format)}`);
      }
      if (o.version !== MODEL_FILE_VERSION) {
        throw new ModelFileError(
          `${what}: field version: this spikewatt reads version ${MODEL_FILE_VERSION}, got ${JSON.stringify(o.version)}`,
        );
      }
    },
  );
}

/** A mask's attention operand: one bit per token and head (`token`) or per channel (`channel`). */
function checkMask(g: GraphBuilder, n: Extract<ModelFileNode, { kind: 'mask' }>, fail: (field: string, reason: string) => Error): void {
  const [a, k] = n.inputs as [string, string];
  const sa = g.shape(a),
    sk = g.shape(k);
  const want = n.mode === 'token' ? { c: n.heads, h: sk.h, w: sk.w } : { c: sk.c, h: 1, w: 1 };
  if (sk.c % n.heads !== 0) throw fail('heads', `${sk.c} channels do not split into ${n.heads} heads`);
  if (sa.c !== want.c || sa.h !== want.h || sa.w !== want.w) {
    throw fail('inputs.0', `a ${n.mode} mask needs attention of ${want.c}x${want.h}x${want.w}, '${a}' is ${sa.c}x${sa.h}x${sa.w}`);
  }
}

/**
 * An SSA product's operands: heads divide Q's channels; K of Q's shape; V too in 'q(kv)' order (in 'qk(v)' order V
 * may be wider, as SDT v3's: the builder checks its tokens and heads).
 */
function checkSsaProduct(
  g: GraphBuilder,
  n: Extract<ModelFileNode, { kind: 'ssaProduct' }>,
  fail: (field: string, reason: string) => Error,
): void {
  const [a, b, c] = n.inputs as [string, string, string];
  if (g.shape(a).c % n.heads !== 0) throw fail('heads', `${g.shape(a).c} channels do not split into ${n.heads} heads`);
  const same = (y: string, field: string) => {
    const sx = g.shape(a),
      sy = g.shape(y);
    if (sx.c !== sy.c || sx.h !== sy.h || sx.w !== sy.w)
      throw fail(field, `'${a}' is ${sx.c}x${sx.h}x${sx.w} but '${y}' is ${sy.c}x${sy.h}x${sy.w}`);
  };
  same(b, 'inputs.1');
  if (n.order === 'q(kv)') same(c, 'inputs.2');
}

/** Adds one node to the graph; every check names the node and its field. */
function addNode(g: GraphBuilder, n: ModelFileNode, at: string, known: Map<string, Carried | 'none'>): void {
  const fail = (field: string, reason: string) => new ModelFileError(`${at} field ${field}: ${reason}`);
  if (n.name === 'input' || known.has(n.name)) throw fail('name', `'${n.name}' is already a tensor (names are unique)`);
  if (n.inputs.length !== ARITY[n.kind]) throw fail('inputs', `a ${n.kind} node takes ${ARITY[n.kind]} input(s), got ${n.inputs.length}`);
  const flow: { in: Carried | 'any'; out: Carried | 'same' | 'none' } = FLOW[n.kind];
  n.inputs.forEach((t, i) => {
    const carried = known.get(t);
    if (carried === undefined) throw fail(`inputs.${i}`, `unknown tensor '${t}' (inputs name earlier nodes or 'input')`);
    if (carried === 'none') throw fail(`inputs.${i}`, `'${t}' is a head: it has no output to feed on`);
    if (flow.in !== 'any' && flow.in !== carried) {
      const what = (k: Carried) => (k === 'events' ? 'spikes (events)' : 'real values (dense)');
      throw fail(`inputs.${i}`, `a ${n.kind} node takes ${what(flow.in)}, but '${t}' carries ${what(carried)}`);
    }
  });
  const [a, b, c] = n.inputs as [string, string, string];
  try {
    switch (n.kind) {
      case 'conv': {
        const cin = g.shape(a).c;
        if (cin % n.groups !== 0 || n.outChannels % n.groups !== 0)
          throw fail('groups', `${n.groups} groups do not divide ${cin} input and ${n.outChannels} output channels`);
        if (n.groups > 1 && n.op !== 'conv2d') throw fail('groups', `groups apply to conv2d only, not ${n.op}`);
        const { outChannels: outC, k, stride, pad, bias, bn, bn2, op, groups, layerScale } = n;
        const extra = { ...(bn2 !== undefined ? { bn2 } : {}), ...(layerScale !== undefined ? { layerScale } : {}) };
        g.conv({ name: n.name, input: a, outC, k, stride, pad, bias, bn, op, groups, ...extra });
        break;
      }
      case 'maxpool':
        g.maxpool(n.name, a, n.k, n.stride, n.pad);
        break;
      case 'avgpool':
        g.avgpool(n.name, a, n.k, n.stride, n.pad, n.countIncludePad);
        break;
      case 'lif':
        g.lif(n.name, a, n.vThreshold, n.timeAxis, { tau: n.tau, decayInput: n.decayInput, vReset: n.vReset });
        break;
      case 'add':
      case 'membraneAdd':
      case 'spikeAnd':
        g[n.kind](n.name, a, b);
        break;
      case 'multiSpike':
        g.multiSpike(n.name, a, n.levels, n.norm ?? n.levels, n.rounding);
        break;
      case 'bnPad':
        g.bnPad(n.name, a, n.pad);
        break;
      case 'headSum':
        if (g.shape(a).c % n.heads !== 0) throw fail('heads', `${g.shape(a).c} channels do not split into ${n.heads} heads`);
        g.headSum(n.name, a, n.heads);
        break;
      case 'tokenSum':
        g.tokenSum(n.name, a);
        break;
      case 'mask':
        checkMask(g, n, fail);
        g.mask(n.name, a, b, n.mode, n.heads);
        break;
      case 'ssaProduct':
        checkSsaProduct(g, n, fail);
        g.ssaProduct(n.name, a, b, c, n.heads, n.order, n.scale);
        break;
      case 'tokenMean':
        g.tokenMean(n.name, a);
        break;
      case 'head':
        g.head(n.name, a, n.numClasses);
        break;
    }
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    // the builder's own checks (a conv the input is too small for, an add of two shapes) are about this node's sizes
    if (e instanceof ConfigError)
      throw fail(n.kind === 'conv' || n.kind === 'maxpool' || n.kind === 'avgpool' ? 'k' : 'inputs', e.message.replace(/^[^:]*: /, ''));
    throw e;
  }
  known.set(n.name, flow.out === 'same' ? known.get(a)! : flow.out);
}

/** The config of a file without one: a `graph` family model (its sizes read from the nodes, for labels only). */
function graphConfig(f: ModelFile, layers: readonly LayerSpec[]): ModelConfig {
  const head = layers.find((l) => l.kind === 'head');
  return {
    family: 'graph',
    embedDims: head?.kind === 'head' ? head.inFeatures : f.input.channels,
    depths: 1,
    heads: [],
    mlpRatio: 1,
    timesteps: f.timesteps,
    imgSize: f.input.height,
    inChannels: f.input.channels,
    numClasses: head?.kind === 'head' ? head.numClasses : 1,
    attention: [],
    speds: false,
    input: f.input.kind,
  };
}

/** The spec of a parsed model file; `timesteps` overrides the file's. */
export function specOfModelFile(f: ModelFile, what: string, timesteps?: number): ModelSpec {
  const inputShape: Shape3 = { c: f.input.channels, h: f.input.height, w: f.input.width };
  const g = new GraphBuilder(inputShape);
  const known = new Map<string, Carried | 'none'>([['input', 'dense']]);
  f.nodes.forEach((n, i) => addNode(g, n, `${what}: node '${n.name}' (nodes[${i}])`, known));
  const heads = g.layers.filter((l) => l.kind === 'head');
  if (heads.length !== 1) throw new ModelFileError(`${what}: field nodes: a network has exactly one head node, got ${heads.length}`);
  for (const u of f.unusedState) g.param(u.key, u.shape, false);
  const T = timesteps ?? f.timesteps;
  let config: ModelConfig;
  if (f.config) {
    const c = f.config;
    const clash = (field: string, mine: unknown, theirs: unknown) =>
      new ModelFileError(`${what}: field config.${field}: ${JSON.stringify(theirs)} disagrees with the file's ${JSON.stringify(mine)}`);
    if (c.timesteps !== f.timesteps) throw clash('timesteps', f.timesteps, c.timesteps);
    if (c.inChannels !== f.input.channels) throw clash('inChannels', f.input.channels, c.inChannels);
    if (c.imgSize !== f.input.height) throw clash('imgSize', f.input.height, c.imgSize);
    if (c.input !== f.input.kind) throw clash('input', f.input.kind, c.input);
    config = { ...c, heads: [...c.heads], attention: [...c.attention], timesteps: T };
    try {
      validateConfig(config);
    } catch (e) {
      if (e instanceof ConfigError) throw new ModelFileError(`${what}: field config: ${e.message}`);
      throw e;
    }
  } else config = graphConfig(f, g.layers);
  config.timesteps = T;
  return { name: f.name, config, inputShape, layers: g.layers, stateKeys: g.keys };
}

/** Reads a model file's text into a spec (parse, check, build). */
export function readModelFile(text: string, what: string, timesteps?: number): ModelSpec {
  return specOfModelFile(parseModelFile(text, what), what, timesteps);
}

/** One layer as a node: its parameters, without the shapes (derived when read back). */
function nodeOf(l: LayerSpec): ModelFileNodeText {
  switch (l.kind) {
    case 'conv':
      return {
        name: l.name,
        kind: 'conv',
        inputs: [...l.inputs],
        op: l.op,
        outChannels: l.out.c,
        k: l.k,
        stride: l.stride,
        pad: l.pad,
        bias: l.bias,
        bn: l.bn,
        ...(l.bn2 !== undefined ? { bn2: l.bn2 } : {}),
        ...(l.groups !== undefined && l.groups !== 1 ? { groups: l.groups } : {}),
        ...(l.layerScale !== undefined ? { layerScale: l.layerScale } : {}),
      };
    case 'maxpool':
      return { name: l.name, kind: 'maxpool', inputs: [...l.inputs], k: l.k, stride: l.stride, pad: l.pad };
    case 'avgpool':
      return {
        name: l.name,
        kind: 'avgpool',
        inputs: [...l.inputs],
        k: l.k,
        stride: l.stride,
        pad: l.pad,
        countIncludePad: l.countIncludePad,
      };
    case 'lif':
      return {
        name: l.name,
        kind: 'lif',
        inputs: [...l.inputs],
        vThreshold: l.vThreshold,
        timeAxis: l.officialTimeAxis,
        // spikingjelly's defaults are left out (the reader fills them in)
        ...(l.neuron ?? {}),
        ...(l.neuron?.tau === Infinity ? { tau: 'Infinity' as const } : {}),
      };
    case 'add':
      return { name: l.name, kind: 'add', inputs: [...l.inputs] };
    case 'membraneAdd':
      return { name: l.name, kind: 'membraneAdd', inputs: [...l.inputs] };
    case 'spikeAnd':
      return { name: l.name, kind: 'spikeAnd', inputs: [...l.inputs] };
    case 'multiSpike':
      return {
        name: l.name,
        kind: 'multiSpike',
        inputs: [...l.inputs],
        levels: l.levels,
        norm: l.norm,
        ...(l.rounding !== undefined ? { rounding: l.rounding } : {}),
      };
    case 'bnPad':
      return { name: l.name, kind: 'bnPad', inputs: [...l.inputs], pad: l.pad };
    case 'headSum':
      return { name: l.name, kind: 'headSum', inputs: [...l.inputs], heads: l.heads };
    case 'tokenSum':
      return { name: l.name, kind: 'tokenSum', inputs: [...l.inputs] };
    case 'mask':
      return { name: l.name, kind: 'mask', inputs: [...l.inputs], mode: l.mode, heads: l.heads };
    case 'ssaProduct':
      return { name: l.name, kind: 'ssaProduct', inputs: [...l.inputs], heads: l.heads, order: l.order, scale: l.scale };
    case 'tokenMean':
      return { name: l.name, kind: 'tokenMean', inputs: [...l.inputs] };
    case 'head':
      return { name: l.name, kind: 'head', inputs: [...l.inputs], numClasses: l.numClasses };
  }
}

/** Any spec (a zoo entry with its overrides, a detected checkpoint) as a model file. */
export function modelFileOf(spec: ModelSpec): ModelFileText {
  const c = spec.config;
  return {
    format: MODEL_FILE_FORMAT,
    version: MODEL_FILE_VERSION,
    name: spec.name,
    timesteps: c.timesteps,
    input: { kind: c.input, channels: spec.inputShape.c, height: spec.inputShape.h, width: spec.inputShape.w },
    nodes: spec.layers.map(nodeOf),
    unusedState: spec.stateKeys.filter((k) => !k.used).map((k) => ({ key: k.key, shape: [...k.shape] })),
    ...(c.family === 'graph' ? {} : { config: { ...c, heads: [...c.heads], attention: [...c.attention] } }),
  };
}

/** The model file's text: two-space JSON with one node (and one unused-state entry) per line, for diffs and editing. */
export function modelFileText(spec: ModelSpec): string {
  const { nodes, unusedState, ...rest } = modelFileOf(spec);
  const lines = (xs: readonly unknown[]) => (xs.length ? `[\n${xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]` : '[]');
  const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
  return `${head},\n  "nodes": ${lines(nodes)},\n  "unusedState": ${lines(unusedState ?? [])}\n}\n`;
}
