import { assertNeverConnection } from './capacity.js';
import type { Connection } from './graph.js';

/**
 * Where one source neuron's spike goes: per destination core, the synapses it meets there. SANA-FE sends one
 * message per (firing neuron, distinct destination core) and looks up every synapse of that message's list on the
 * core. A table is keyed by source token when every consumer is a conv (its destinations depend on the position
 * only), else by source neuron; entries are (consumer index, core within the consumer, synapses) in CSR form.
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

export interface DestinationTable {
  /** Key of source neuron i: i / channels (by token) or i (by neuron). */
  byToken: boolean;
  channels: number;
  offsets: Int32Array;
  pop: Int32Array;
  core: Int32Array;
  synapses: Float64Array;
  /** Most destination cores of one source neuron. */
  maxDestinations: number;
}

/** Builds the table of a source with `neurons` neurons, `channels` per token and output width `width`. */
export function destinationTable(neurons: number, channels: number, width: number, consumers: readonly Consumer[]): DestinationTable {
  const byToken = consumers.every((c) => c.connection.kind === 'conv');
  const keys = byToken ? neurons / channels : neurons;
  const offsets = new Int32Array(keys + 1);
  const pop: number[] = [],
    core: number[] = [],
    syn: number[] = [];
  const acc = new Map<number, number>();
  let maxDestinations = 0;
  for (let key = 0; key < keys; key++) {
    let count = 0;
    for (const c of consumers) {
      acc.clear();
      addRanges(c, key, byToken, channels, width, (lo, hi) => {
        // a neuron range [lo, hi) of the consumer, cut at core boundaries
        for (let a = lo; a < hi;) {
          const k = Math.floor(a / c.perCore);
          const end = Math.min(hi, (k + 1) * c.perCore);
          acc.set(k, (acc.get(k) ?? 0) + (end - a));
          a = end;
        }
      });
      for (const [k, s] of acc) {
        pop.push(c.pop);
        core.push(k);
        syn.push(s);
      }
      count += acc.size;
    }
    offsets[key + 1] = offsets[key]! + count;
    if (count > maxDestinations) maxDestinations = count;
  }
  return {
    byToken,
    channels,
    offsets,
    pop: Int32Array.from(pop),
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
      for (let oy = oy0; oy <= oy1; oy++)
        for (let ox = ox0; ox <= ox1; ox++) {
          const base = (oy * l.out.w + ox) * c.channels;
          if (conn.kind === 'conv') range(base, base + c.channels);
          else range(base + ch, base + ch + 1);
        }
      return;
    }
    case 'headSum': {
      const d = token * conn.heads + Math.floor(ch / (conn.channels / conn.heads));
      range(d, d + 1);
      return;
    }
    case 'tokenSum':
      range(ch, ch + 1);
      return;
    case 'maskAttention': {
      const C = c.channels;
      if (conn.mask.mode === 'token') {
        const per = C / conn.mask.heads;
        const lo = token * C + ch * per;
        range(lo, lo + per);
      } else for (let n = 0; n < c.tokens; n++) range(n * C + key, n * C + key + 1);
      return;
    }
    case 'maskKey':
      range(key, key + 1);
      return;
    default:
      assertNeverConnection(conn);
  }
}

/** Output positions o with o s - pad <= i <= o s - pad + k - 1, within [0, size). */
function outputSpan(i: number, k: number, s: number, pad: number, size: number): [number, number] {
  const lo = Math.max(0, Math.ceil((i + pad - k + 1) / s));
  const hi = Math.min(size - 1, Math.floor((i + pad) / s));
  return [lo, hi];
}
