import type { Architecture } from '../cost-models/architecture-schema.js';
import { convGroups, type ConvLayer } from '../models/spec.js';
import type { Connection, Population } from './graph.js';

/** How convolution weights are stored: once per synapse (`none`), or once per core for all its neurons (`per-core`). */
export type WeightSharing = 'none' | 'per-core';
export const WEIGHT_SHARINGS: readonly WeightSharing[] = ['none', 'per-core'];

export type CapacityLimit = 'neurons' | 'synapseMemory' | 'inputAxons' | 'outputAxons';
export const CAPACITY_LIMITS: readonly CapacityLimit[] = ['neurons', 'synapseMemory', 'inputAxons', 'outputAxons'];

/**
 * Neurons one core can hold under each limit alone (Infinity: the limit never binds; null: the profile does not
 * give it), for `n` consecutive neurons of a population in its [n][c] layout:
 *  - neurons: maxNeurons;
 *  - synapse memory, `none`: n f b <= M (f synapses per neuron, b bits each); `per-core`: a core stores each distinct
 *    weight row once, min(n, rows) r b <= M (conv: rows = C_out, r = C_in k^2; all-ones layers: one row of f);
 *  - input axons: distinct presynaptic neurons of the n neurons <= maxInputAxons (`axonNeuronLimit` below);
 *  - output axons: n D <= maxOutputAxons, D the most destination cores of one neuron (set once consumers are mapped).
 */
export interface PerCoreLimits {
  neurons: number | null;
  synapseMemory: number | null;
  inputAxons: number | null;
}

/** A population no core of this chip can hold: one clear line naming the layer, the limit and the numbers. */
export class MappingRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingRefusal';
  }
}

export function perCoreLimits(pop: Population, arch: Architecture, sharing: WeightSharing): PerCoreLimits {
  const core = arch.core;
  const neurons = core.maxNeurons?.value ?? null;
  let synapseMemory: number | null = null;
  if (core.synapseMemoryBits && core.synapseBits) {
    const M = core.synapseMemoryBits.value,
      b = core.synapseBits.value;
    // NOTE: all-ones layers (token sums, masks, OR pools) store one row under per-core sharing; convs share only on request
    if (sharing === 'per-core') {
      const row = pop.sharedRowWeights * b;
      synapseMemory = pop.weightRows * row <= M ? Infinity : Math.floor(M / row);
    } else synapseMemory = Math.floor(M / (pop.fanIn * b));
    if (synapseMemory < 1)
      throw new MappingRefusal(`${pop.layer}: one neuron's ${pop.fanIn} synapses x ${b} bits exceed a core's ${M} bits of synapse memory`);
  }
  let axonLimit: number | null = null;
  if (core.maxInputAxons) {
    const A = core.maxInputAxons.value;
    if (inputAxons1(pop) > A)
      throw new MappingRefusal(
        `${pop.layer}: one neuron's fan-in (${inputAxons1(pop)} presynaptic neurons) exceeds the ${A} input axons of a core; ` +
          'splitting a neuron over cores (dendritic partial sums) is not modelled',
      );
    axonLimit = axonNeuronLimit(pop, A);
  }
  return { neurons, synapseMemory, inputAxons: axonLimit };
}

const inputAxons1 = (pop: Population) => inputAxons(pop, 1);

/**
 * The most neurons per core under the input-axon limit A. Cores hold aligned runs [k n, (k + 1) n) of the [n][c]
 * layout, so a run's start lies at a multiple of gcd(n, C) within its token and it spans at most
 * r(n) = floor((C - gcd(n, C) + n - 1) / C) + 1 output positions (r = 1 when n divides C or C divides n: a run of
 * whole tokens). r is not monotone in n: a binary search over the monotone bound ceil(n / C) + 1 finds n0, then
 * the divisors of C and the multiples of C above n0 are tried with the exact r.
 */
export function axonNeuronLimit(pop: Population, A: number): number {
  const N = pop.neurons,
    C = pop.channels;
  const fits = (n: number, exact: boolean) => inputAxons(pop, n, exact) <= A;
  let lo = 1,
    hi = N;
  if (fits(hi, false)) lo = hi;
  else
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fits(mid, false)) lo = mid;
      else hi = mid;
    }
  let best = lo;
  for (let d = lo + 1; d <= Math.min(C, N); d++) if (C % d === 0 && fits(d, true)) best = d;
  for (let m = Math.floor(best / C) + 1; m * C <= N && fits(m * C, true); m++) best = m * C;
  return best >= N ? Infinity : best;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Distinct presynaptic neurons of a run of n neurons starting at a multiple of n (an upper bound where a run may wrap
 * a row). `exact`: the run spans r = floor((C - gcd(n, C) + n - 1) / C) + 1 output positions; else the monotone
 * bound ceil(n / C) + 1; 1 for n = 1; at most the tokens.
 */
export function inputAxons(pop: Population, n: number, exact = true): number {
  const C = pop.channels;
  const tokensOut = pop.neurons / C;
  const span = exact ? Math.floor((C - gcd(n, C) + n - 1) / C) + 1 : Math.ceil(n / C) + 1;
  const r = n === 1 ? 1 : Math.min(tokensOut, span);
  let total = 0;
  for (const { connection } of pop.inputs) total += axonsOf(connection, n, r, C, tokensOut);
  return total;
}

function axonsOf(c: Connection, n: number, r: number, C: number, tokensOut: number): number {
  switch (c.kind) {
    case 'conv': {
      const l = c.conv;
      const cin = c.inChannels ? c.inChannels[1] - c.inChannels[0] : groupedInputChannels(l, n, C);
      return cin * windowPositions(r, l.k, l.stride, l.in.h * l.in.w);
    }
    case 'headSum':
      return Math.min(n * (c.channels / c.heads), tokensOut * c.channels);
    case 'tokenSum':
      return Math.min(n, C) * tokensOut;
    case 'maskAttention':
      return c.mask.mode === 'token' ? Math.min(r * c.mask.heads, tokensOut * c.mask.heads) : Math.min(n, C);
    case 'identity':
      return n;
    case 'pool': {
      const l = c.pool;
      return Math.min(n, C) * windowPositions(r, l.k, l.stride, l.in.h * l.in.w);
    }
    default:
      return assertNeverConnection(c);
  }
}

/**
 * Input channels that n consecutive neurons of a conv (layout [n][C]) read: all C_in for groups 1; a grouped conv's
 * neurons read their groups' C_in / G channels each, and n consecutive neurons span at most ceil(n / (C / G)) + 1
 * groups (all G once n >= C).
 */
function groupedInputChannels(l: ConvLayer, n: number, C: number): number {
  const groups = convGroups(l);
  if (groups === 1) return l.in.c;
  const spanned = n >= C ? groups : Math.min(groups, n === 1 ? 1 : Math.ceil(n / (C / groups)) + 1);
  return spanned * (l.in.c / groups);
}

/**
 * Input positions under the windows of r consecutive output positions: k^2 for one; for k <= stride the windows do
 * not overlap (r k^2); else ((r - 1) s + k) k along a row plus (k - s) k for a possible wrap; at most the input.
 */
export function windowPositions(r: number, k: number, s: number, inputPositions: number): number {
  if (r === 1) return Math.min(k * k, inputPositions);
  if (k <= s) return Math.min(r * k * k, inputPositions);
  return Math.min(((r - 1) * s + k) * k + (k - s) * k, inputPositions);
}

export function assertNeverConnection(x: never): never {
  throw new Error(`chip: unhandled connection ${String((x as { kind?: unknown }).kind)}`);
}
