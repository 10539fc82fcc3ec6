import type { Architecture } from '../cost-models/architecture-schema.js';
import { numel, type ModelSpec } from '../models/spec.js';
import { inputAxons, MappingRefusal, perCoreLimits, type CapacityLimit, type PerCoreLimits, type WeightSharing } from './capacity.js';
import { destinationTable, type Consumer, type DestinationTable } from './destinations.js';

/** Destination cores of source neuron i (over all its consumers). */
export function destinationsOf(t: DestinationTable, i: number): number {
  let d = 0;
  for (const c of t.connections) {
    if (c.direct) d += 1;
    else {
      const key = c.byToken ? Math.floor(i / t.channels) : i;
      d += c.offsets[key + 1]! - c.offsets[key]!;
    }
  }
  return d;
}
import type { ChipGraph, Connection } from './graph.js';
import { placeCores, type Mesh } from './mesh.js';

/** A mapping: neurons per core and placement of every population, destination tables of every spike source. */
export interface Mapping {
  limits: PerCoreLimits[];
  /** Per population: neurons per core under the output-axon limit alone (Infinity: never binds; null: unknown). */
  outputAxons: (number | null)[];
  perCore: number[];
  cores: number[];
  firstCore: number[];
  tables: Map<string, DestinationTable>;
  splitterNeurons: number;
  splitterCores: number;
  mesh: Mesh;
}

/**
 * Neurons per core = the smallest of the per-core limits (capacity.ts); output axons need the consumers' mapping,
 * so populations are mapped from the last to the first (every consumer comes after its sources in a model).
 * Fan-out beyond `maxDestinationCoresPerNeuron` (TrueNorth: one core) goes through splitter neurons: a neuron with
 * D > max destination cores drives D splitter neurons (one per destination), counted and placed after the network.
 */
export function mapGraph(spec: ModelSpec, graph: ChipGraph, arch: Architecture, sharing: WeightSharing): Mapping {
  const byName = new Map(spec.layers.map((l) => [l.name, l] as const));
  const pops = graph.populations;
  const consumersOf = new Map<string, { pop: number; connection: Connection }[]>();
  pops.forEach((p, i) =>
    p.inputs.forEach((inp) => {
      const list = consumersOf.get(inp.source) ?? [];
      list.push({ pop: i, connection: inp.connection });
      consumersOf.set(inp.source, list);
    }),
  );
  const limits = pops.map((p) => perCoreLimits(p, arch, sharing));
  const perCore = new Array<number>(pops.length).fill(1);
  const outputAxons = new Array<number | null>(pops.length).fill(null);
  const tables = new Map<string, DestinationTable>();
  const tableFor = (layer: string): DestinationTable => {
    // a partial-sum population (split.ts) has the shape of the layer it is part of
    const l = byName.get(layer) ?? byName.get(layer.replace(/#part\d+$/, ''))!;
    const consumers: Consumer[] = (consumersOf.get(layer) ?? []).map((c) => ({
      pop: c.pop,
      perCore: perCore[c.pop]!,
      channels: pops[c.pop]!.channels,
      tokens: pops[c.pop]!.neurons / pops[c.pop]!.channels,
      connection: c.connection,
    }));
    return destinationTable(numel(l.out), l.out.c, l.out.w, consumers);
  };
  const maxOut = arch.core.maxOutputAxons?.value;
  for (let i = pops.length - 1; i >= 0; i--) {
    const p = pops[i]!,
      lim = limits[i]!;
    let n = Math.min(p.neurons, ...[lim.neurons, lim.synapseMemory, lim.inputAxons].filter((x): x is number => x !== null));
    const table = tableFor(p.layer);
    tables.set(p.layer, table);
    if (maxOut !== undefined) {
      const d = table.maxDestinations;
      if (d > maxOut) throw new MappingRefusal(`${p.layer}: one neuron reaches ${d} cores, over the ${maxOut} output axons of a core`);
      const o = d === 0 ? Infinity : Math.floor(maxOut / d);
      outputAxons[i] = o >= p.neurons ? Infinity : o;
      n = Math.min(n, o);
    }
    // r(n) is not monotone: a smaller n than the axon limit's may straddle more tokens; step down until it fits
    const A = arch.core.maxInputAxons?.value;
    if (A !== undefined) while (n > 1 && inputAxons(p, n) > A) n--;
    perCore[i] = Math.max(1, n);
  }
  for (const l of graph.fromProcessor) tables.set(l, tableFor(l));
  const cores = pops.map((p, i) => Math.ceil(p.neurons / perCore[i]!));
  const firstCore: number[] = [];
  let next = 0;
  for (const c of cores) {
    firstCore.push(next);
    next += c;
  }
  let splitterNeurons = 0;
  const maxDest = arch.core.maxDestinationCoresPerNeuron?.value;
  if (maxDest !== undefined)
    for (const p of pops) {
      const t = tables.get(p.layer)!;
      for (let i = 0; i < p.neurons; i++) {
        const d = destinationsOf(t, i);
        if (d > maxDest) splitterNeurons += d;
      }
    }
  const splitterCores = splitterNeurons === 0 ? 0 : Math.ceil(splitterNeurons / (arch.core.maxNeurons?.value ?? splitterNeurons));
  return {
    limits,
    outputAxons,
    perCore,
    cores,
    firstCore,
    tables,
    splitterNeurons,
    splitterCores,
    mesh: placeCores(arch, next + splitterCores),
  };
}

/** Cores a population needs under one limit alone: ceil(N / min(N, neurons per core)); null when unknown. */
export function coresUnder(neurons: number, perCoreLimit: number | null): number | null {
  if (perCoreLimit === null) return null;
  return Math.ceil(neurons / Math.min(neurons, perCoreLimit));
}

export function bindingLimit(byLimit: Record<CapacityLimit, number | null>): CapacityLimit | null {
  let best: CapacityLimit | null = null;
  for (const k of ['neurons', 'synapseMemory', 'inputAxons', 'outputAxons'] as const) {
    const v = byLimit[k];
    if (v !== null && (best === null || v > byLimit[best]!)) best = k;
  }
  return best;
}
