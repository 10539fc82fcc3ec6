import type { HardwareProfile } from '../cost-models/profile-schema.js';
import type { ModelSpec } from '../models/spec.js';
import type { OpCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex } from '../sim/ops.js';
import type { Architecture } from '../cost-models/architecture-schema.js';
import { MappingRefusal, type CapacityLimit, type WeightSharing } from './capacity.js';
import { buildChipGraph, type ChipGraph } from './graph.js';
import { bindingLimit, coresUnder, mapGraph, type Mapping } from './map.js';
import { runSteps, type RunTotals } from './run.js';
import { splitForAxons } from './split.js';
import type { ChipEnergy, ChipLatency, ChipLayer, ChipOptions, ChipPart, ChipResult, ChipStep, ProcessorLayerResult } from './types.js';

export { WEIGHT_SHARINGS, CAPACITY_LIMITS, MappingRefusal, inputAxons, windowPositions } from './capacity.js';
export type { WeightSharing, CapacityLimit } from './capacity.js';
export { buildChipGraph } from './graph.js';
export type { ChipGraph, Population, PopulationKind, ProcessorLayer } from './graph.js';
export type * from './types.js';

export const PLACEMENT_RULE =
  'layers in model order on consecutive cores (no core holds two layers), tiles along a snake over each chip mesh ' +
  '(even rows west to east, odd rows east to west), chips side by side in a near-square grid; XY routing; the processor at tile (0, 0)';
export const TIMING_RULE =
  "SANA-FE 'simple': per step, the busiest core's send or receive time (every mapped neuron accessed and updated, " +
  'fired neurons, messages out; messages in, synapses) or the processor time, whichever is longer, plus the barrier sync; ' +
  'image latency = sum of the T steps + (depth - 1) mean steps; pipelined throughput = 1 / sum of the T steps';

/**
 * The chip model: maps a model onto the profile's architecture and times and prices its recorded spike traffic.
 * Null when the profile has no architecture. Pure; linear in recorded spikes x destination cores.
 */
export function chipModel(spec: ModelSpec, counts: OpCounts, profile: HardwareProfile, options: ChipOptions = {}): ChipResult | null {
  const arch = profile.architecture;
  if (!arch) return null;
  const weightSharing = options.weightSharing ?? 'none';
  const graph = splitForAxons(buildChipGraph(spec), arch);
  let m;
  try {
    m = mapGraph(spec, graph, arch, weightSharing);
  } catch (e) {
    if (e instanceof MappingRefusal) return { mapped: false, profile: profile.name, weightSharing, reason: e.message };
    throw e;
  }
  if (!(counts.samples > 0)) throw new Error(`counts of ${counts.model} hold no samples`);
  const run = runSteps(counts, arch, graph, m);
  const latency = chipLatency(run, graph, arch, counts);
  return {
    mapped: true,
    profile: profile.name,
    weightSharing,
    placementRule: PLACEMENT_RULE,
    timingRule: TIMING_RULE,
    cores: m.mesh.cores,
    chips: m.mesh.chips,
    tiles: m.mesh.tiles,
    coresPerChip: m.mesh.coresPerChip,
    neurons: graph.populations.reduce((s, p) => s + p.neurons, 0),
    splitterNeurons: m.splitterNeurons,
    splitterCores: m.splitterCores,
    layers: chipLayers(graph, m, run, arch, weightSharing, counts.samples),
    processor: {
      name: arch.processor.name,
      layers: processorLayers(graph, counts),
      messagesIn: run.processorIn,
      messagesOut: run.processorOut,
    },
    steps: run.steps,
    totals: {
      messages: sumSteps(run, (s) => s.messages)!,
      hopsEastWest: sumSteps(run, (s) => s.hopsEastWest),
      hopsNorthSouth: sumSteps(run, (s) => s.hopsNorthSouth),
      chipCrossings: sumSteps(run, (s) => s.chipCrossings),
      synapseEvents: sumSteps(run, (s) => s.synapseEvents)!,
      spikes: sumSteps(run, (s) => s.spikes)!,
    },
    latency,
    energy: chipEnergy(run, arch, m, latency.imageNs.value),
    tileLoad: run.tileEvents
      ? { widthTiles: m.mesh.widthTiles, heightTiles: m.mesh.heightTiles, events: Array.from(run.tileEvents) }
      : null,
    spikeSource: run.usedLayerTotals ? 'layer totals spread evenly' : 'per-neuron counts',
    notes: chipNotes(run, graph, arch, m),
  };
}

/** A quantity summed over the steps; null when any step's is null. */
function sumSteps(run: RunTotals, f: (s: ChipStep) => number | null): number | null {
  let total = 0;
  for (const s of run.steps) {
    const v = f(s);
    if (v === null) return null;
    total += v;
  }
  return total;
}

/** Each population on its cores: cores under each limit, utilisation, and its traffic per inference. */
function chipLayers(
  graph: ChipGraph,
  m: Mapping,
  run: RunTotals,
  arch: Architecture,
  weightSharing: WeightSharing,
  S: number,
): ChipLayer[] {
  const core = arch.core;
  const chipOf = (g: number) => Math.floor(g / m.mesh.coresPerChip);
  return graph.populations.map((p, i) => {
    const lim = m.limits[i]!;
    const coresByLimit: Record<CapacityLimit, number | null> = {
      neurons: coresUnder(p.neurons, lim.neurons),
      synapseMemory: coresUnder(p.neurons, lim.synapseMemory),
      inputAxons: coresUnder(p.neurons, lim.inputAxons),
      outputAxons: coresUnder(p.neurons, m.outputAxons[i]!),
    };
    const cores = m.cores[i]!;
    const stats = run.perLayer.get(p.layer) ?? { spikes: 0, messages: 0, hops: 0 };
    const storedBits =
      weightSharing === 'per-core' ? Math.min(m.perCore[i]!, p.weightRows) * p.sharedRowWeights * cores : p.neurons * p.fanIn;
    return {
      layer: p.layer,
      kind: p.kind,
      synaptic: [...p.synaptic],
      neurons: p.neurons,
      fanIn: p.fanIn,
      coresByLimit,
      binding: bindingLimit(coresByLimit),
      neuronsPerCore: m.perCore[i]!,
      cores,
      firstCore: m.firstCore[i]!,
      firstChip: chipOf(m.firstCore[i]!),
      lastChip: chipOf(m.firstCore[i]! + cores - 1),
      neuronUtilisation: core.maxNeurons ? p.neurons / (cores * core.maxNeurons.value) : null,
      synapseMemoryUtilisation:
        core.synapseMemoryBits && core.synapseBits ? (storedBits * core.synapseBits.value) / (cores * core.synapseMemoryBits.value) : null,
      spikes: stats.spikes,
      messages: stats.messages,
      hops: m.mesh.tiles === null ? null : stats.hops,
      synapseEvents: run.synapseEventsByPop[i]! / S,
    };
  });
}

/** Step and image latency and pipelined throughput, with the reasons they are bounds. */
function chipLatency(run: RunTotals, graph: ChipGraph, arch: Architecture, counts: OpCounts): ChipLatency {
  const S = counts.samples,
    T = counts.timesteps;
  const stepSum = sumSteps(run, (s) => s.latencyNs);
  const latMissing = new Set<string>();
  if (stepSum === null) {
    if (run.steps.some((s) => s.coreNs === null)) latMissing.add('core event latencies');
    if (run.steps.some((s) => s.syncNs === null)) latMissing.add('sync latency');
  }
  const part = (value: number | null): ChipPart => ({ value, missing: value === null ? [...latMissing] : [] });
  const depth = graph.depth;
  const latency: ChipLatency = {
    stepNs: part(stepSum === null ? null : stepSum / T),
    imageNs: part(stepSum === null ? null : stepSum + (depth - 1) * (stepSum / T)),
    imagesPerSecond: part(stepSum === null || stepSum === 0 ? null : 1e9 / stepSum),
    depthSteps: depth,
    notes: [],
  };
  if (S > 1)
    latency.notes.push(
      `the step latency is taken from the mean of ${S} samples' loads: a max over cores of mean loads is a lower bound of the mean per-sample latency`,
    );
  if (graph.processor.length && run.steps.some((s) => s.processorNs === null))
    latency.notes.push(
      `processor time not estimated (the profile gives no time per op for ${arch.processor.name}): the latency leaves it out, a lower bound`,
    );
  if (arch.sync.fixedStepNs) latency.notes.push(`a step lasts at least the fixed tick of ${arch.sync.fixedStepNs.value} ns`);
  if (run.steps.some((s) => s.latencyNs === null)) latency.notes.push('step latency not estimated: ' + [...latMissing].join(', '));
  return latency;
}

/** The run's active energy by part, static energy over the image latency (mW x ns = pJ), and their total. */
function chipEnergy(run: RunTotals, arch: Architecture, m: Mapping, imageNs: number | null): ChipEnergy {
  const sp = arch.staticPower;
  let staticPart: ChipPart;
  if (!sp) staticPart = { value: null, missing: ['static power'] };
  else if (imageNs === null) staticPart = { value: null, missing: ['image latency'] };
  else staticPart = { value: sp.mw * (sp.per === 'chip' ? m.mesh.chips : m.mesh.cores) * imageNs, missing: [] };
  const parts = [run.energy.synapse, run.energy.neuron, run.energy.network, run.energy.processor];
  const activeMissing = parts.flatMap((p) => p.missing);
  const active: ChipPart = activeMissing.length
    ? { value: null, missing: activeMissing }
    : { value: parts.reduce((s, p) => s + p.value!, 0), missing: [] };
  const total: ChipPart =
    active.value === null || staticPart.value === null
      ? { value: null, missing: [...active.missing, ...staticPart.missing] }
      : { value: active.value + staticPart.value, missing: [] };
  return { ...run.energy, static: staticPart, active, total, complete: total.value !== null };
}

/** The ops per inference of each layer the processor runs, by op kind (nonzero kinds only). */
function processorLayers(graph: ChipGraph, counts: OpCounts): ProcessorLayerResult[] {
  const S = counts.samples,
    T = counts.timesteps;
  const byName = new Map(counts.layers.map((l) => [l.name, l] as const));
  return graph.processor.map((p) => {
    const lc = byName.get(p.layer);
    const ops: Record<string, number> = {};
    if (lc)
      for (const k of OP_KINDS) {
        let n = 0;
        for (let t = 0; t < T; t++) n += lc.ops[t * NUM_OP_KINDS + opIndex(k)]!;
        if (n) ops[k] = n / S;
      }
    return { layer: p.layer, kind: p.kind, reason: p.reason, ops };
  });
}

/** What the numbers assume and leave out. */
function chipNotes(run: RunTotals, graph: ChipGraph, arch: Architecture, m: Mapping): string[] {
  const notes: string[] = [
    'every mapped neuron is accessed and updated every step (folded BatchNorm biases and leaks keep potentials non-zero): an upper bound on updates',
  ];
  if (run.usedLayerTotals)
    notes.push(
      "no per-neuron spike counts in this run: each layer's spikes are spread evenly over its neurons (messages and loads are estimates)",
    );
  if (m.splitterNeurons)
    notes.push(
      `${m.splitterNeurons} splitter neurons on ${m.splitterCores} cores copy spikes of neurons that reach more than ${arch.core.maxDestinationCoresPerNeuron!.value} core(s); their hops are counted as direct routes`,
    );
  if (m.mesh.chips > 1 && !arch.events.chipCrossing) notes.push('chip-to-chip links: crossings counted, their energy not estimated');
  for (const n of graph.splitNotes) notes.push(n);
  for (const n of arch.notes ?? []) notes.push(n);
  return notes;
}
