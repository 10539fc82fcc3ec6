import type { Architecture } from '../cost-models/architecture-schema.js';
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
 *  - input axons: distinct presynaptic neurons of the n neurons <= maxInputAxons (`inputAxons(pop, n)` below);
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
    // largest n with inputAxons(n) <= A (monotone in n)
    let lo = 1,
      hi = pop.neurons;
    if (inputAxons(pop, hi) <= A) lo = hi;
    else
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (inputAxons(pop, mid) <= A) lo = mid;
        else hi = mid;
      }
    axonLimit = lo >= pop.neurons ? Infinity : lo;
  }
  return { neurons, synapseMemory, inputAxons: axonLimit };
}

const inputAxons1 = (pop: Population) => inputAxons(pop, 1);

/**
 * Distinct presynaptic neurons of n consecutive neurons (an upper bound where a run of neurons may wrap a row).
 * A run of n neurons in [n][c] order spans r = min(tokens, ceil(n / C) + 1) output positions (1 when n = 1).
 */
export function inputAxons(pop: Population, n: number): number {
  const C = pop.channels;
  const tokensOut = pop.neurons / C;
  const r = n === 1 ? 1 : Math.min(tokensOut, Math.ceil(n / C) + 1);
  let total = 0;
  for (const { connection } of pop.inputs) total += axonsOf(connection, n, r, C, tokensOut);
  return total;
}

function axonsOf(c: Connection, n: number, r: number, C: number, tokensOut: number): number {
  switch (c.kind) {
    case 'conv': {
      const l = c.conv;
      return l.in.c * windowPositions(r, l.k, l.stride, l.in.h * l.in.w);
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
