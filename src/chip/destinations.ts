import { assertNeverConnection } from './capacity.js';
import { convGroups, type ConvLayer } from '../models/spec.js';
import type { Connection } from './graph.js';

/**
 * Where one source neuron's spike goes: per destination core, the synapses it meets there. SANA-FE sends one
 * message per (firing neuron, distinct destination core) and looks up every synapse of that message's list on the
 * core. One table per (source, consumer): the consumers are distinct populations on distinct cores, so a neuron's
 * destinations are the union of its tables' entries. A conv consumer's destinations depend on the source token only
 * (keyed by token); a one-to-one consumer (relay, mask key, token sums) has one destination neuron, computed directly;
 * the rest (mask attention bits, pooling windows) are keyed by neuron. Entries are (core within the consumer, synapses).
 */
export interface Consumer {
  /** Index of the consuming population. */
  pop: number;
  /** Neurons per core of the consumer and its channels per token (its [n][c] layout). */
  perCore: number;
  channels: number;
  /** Tokens of the consumer's output. */
  tokens: number;
  connection: Connection;
}

export interface ConnectionTable {
  pop: number;
  perCore: number;
  /** One destination neuron per source neuron: its index in the consumer, else null (use the CSR entries). */
  direct: ((i: number) => number) | null;
  /** CSR entries keyed by source token (conv) or source neuron. */
  byToken: boolean;
  /** A conv part fed only by source channels [lo, hi), else null. */
  inChannels: [number, number] | null;
  offsets: Int32Array;
  core: Int32Array;
  synapses: Float64Array;
  maxDestinations: number;
}

export interface DestinationTable {
  channels: number;
  connections: ConnectionTable[];
  /** An upper bound on the destination cores of one source neuron (sum over its consumers' maxima). */
  maxDestinations: number;
}

/** Builds the tables of a source with `neurons` neurons, `channels` per token and output width `width`. */
export function destinationTable(neurons: number, channels: number, width: number, consumers: readonly Consumer[]): DestinationTable {
  const connections = consumers.map((c) => connectionTable(neurons, channels, width, c));
  return { channels, connections, maxDestinations: connections.reduce((s, c) => s + c.maxDestinations, 0) };
}

function directOf(c: Consumer, srcChannels: number): ((i: number) => number) | null {
  const conn = c.connection;
  switch (conn.kind) {
    case 'identity':
      return (i) => i;
    case 'headSum': {
      const per = conn.channels / conn.heads;
      return (i) => Math.floor(i / srcChannels) * conn.heads + Math.floor((i % srcChannels) / per);
    }
    case 'tokenSum':
      return (i) => i % srcChannels;
    case 'conv':
    case 'pool':
    case 'maskAttention':
      return null;
    default:
      return assertNeverConnection(conn);
  }
}

function connectionTable(neurons: number, channels: number, width: number, c: Consumer): ConnectionTable {
  const direct = directOf(c, channels);
  // a grouped conv's destinations depend on the source channel's group as well: keyed by neuron
  const byToken = c.connection.kind === 'conv' && convGroups(c.connection.conv) === 1;
  if (direct)
    return {
      pop: c.pop,
      perCore: c.perCore,
      direct,
      byToken,
      inChannels: null,
      offsets: new Int32Array(1),
      core: new Int32Array(0),
      synapses: new Float64Array(0),
      maxDestinations: 1,
    };
  const keys = byToken ? neurons / channels : neurons;
  const offsets = new Int32Array(keys + 1);
  const core: number[] = [],
    syn: number[] = [];
  let maxDestinations = 0;
  for (let key = 0; key < keys; key++) {
    let last = -1;
    const start = core.length;
    addRanges(c, key, byToken, channels, width, (lo, hi) => {
      // a neuron range [lo, hi) of the consumer, cut at core boundaries; ranges arrive in increasing order
      for (let a = lo; a < hi;) {
        const k = Math.floor(a / c.perCore);
        const end = Math.min(hi, (k + 1) * c.perCore);
        if (k === last) syn[syn.length - 1]! += end - a;
        else {
          const at = core.indexOf(k, start);
          if (at >= 0) syn[at]! += end - a;
          else {
            core.push(k);
            syn.push(end - a);
            last = k;
          }
        }
        a = end;
      }
    });
    offsets[key + 1] = core.length;
    maxDestinations = Math.max(maxDestinations, core.length - start);
  }
  return {
    pop: c.pop,
    perCore: c.perCore,
    direct: null,
    byToken,
    inChannels: c.connection.kind === 'conv' ? (c.connection.inChannels ?? null) : null,
    offsets,
    core: Int32Array.from(core),
    synapses: Float64Array.from(syn),
    maxDestinations,
  };
}

/** The consumer neurons one source key reaches, as ranges [lo, hi) in the consumer's [n][c] layout. */
function addRanges(
  c: Consumer,
  key: number,
  byToken: boolean,
  srcChannels: number,
  srcWidth: number,
  range: (lo: number, hi: number) => void,
): void {
  const conn = c.connection;
  const token = byToken ? key : Math.floor(key / srcChannels);
  const ch = byToken ? 0 : key % srcChannels;
  switch (conn.kind) {
    case 'conv':
    case 'pool': {
      const l = conn.kind === 'conv' ? conn.conv : conn.pool;
      const y = Math.floor(token / srcWidth),
        x = token % srcWidth;
      const [oy0, oy1] = outputSpan(y, l.k, l.stride, l.pad, l.out.h);
      const [ox0, ox1] = outputSpan(x, l.k, l.stride, l.pad, l.out.w);
      // output channels the source channel reaches: all of them (conv), its group's (grouped conv), itself (pool)
      const [c0, c1] = conn.kind === 'pool' ? [ch, ch + 1] : groupChannels(conn.conv, byToken ? null : ch, c.channels);
      for (let oy = oy0; oy <= oy1; oy++)
        for (let ox = ox0; ox <= ox1; ox++) {
          const base = (oy * l.out.w + ox) * c.channels;
          range(base + c0, base + c1);
        }
      return;
    }
    case 'maskAttention': {
      const C = c.channels;
      if (conn.mask.mode === 'token') {
        const per = C / conn.mask.heads;
        const lo = token * C + ch * per;
        range(lo, lo + per);
      } else for (let n = 0; n < c.tokens; n++) range(n * C + key, n * C + key + 1);
      return;
    }
    case 'identity':
    case 'headSum':
    case 'tokenSum':
      throw new Error('internal: a one-to-one connection has no range table');
    default:
      assertNeverConnection(conn);
  }
}

/** Output channels [lo, hi) that input channel `ch` feeds: group g = floor(ch / (C_in / G)) owns [g C_out / G, (g + 1) C_out / G). */
function groupChannels(l: ConvLayer, ch: number | null, outChannels: number): [number, number] {
  const groups = convGroups(l);
  if (ch === null || groups === 1) return [0, outChannels];
  const g = Math.floor(ch / (l.in.c / groups)),
    per = outChannels / groups;
  return [g * per, (g + 1) * per];
}

/** Output positions o with o s - pad <= i <= o s - pad + k - 1, within [0, size). */
function outputSpan(i: number, k: number, s: number, pad: number, size: number): [number, number] {
  const lo = Math.max(0, Math.ceil((i + pad - k + 1) / s));
  const hi = Math.min(size - 1, Math.floor((i + pad) / s));
  return [lo, hi];
}
