import type { HardwareProfile } from '../cost-models/profile-schema.js';
import type { ModelSpec } from '../models/spec.js';
import type { OpCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex } from '../sim/ops.js';
import { MappingRefusal, type CapacityLimit } from './capacity.js';
import { buildChipGraph } from './graph.js';
import { bindingLimit, coresUnder, mapGraph } from './map.js';
import { runSteps } from './run.js';
import { splitForAxons } from './split.js';
import type { ChipLayer, ChipMapped, ChipOptions, ChipPart, ChipResult } from './types.js';

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
  const S = counts.samples,
    T = counts.timesteps;
  if (!(S > 0)) throw new Error(`counts of ${counts.model} hold no samples`);
  const run = runSteps(counts, arch, graph, m);
  const core = arch.core;
  const layers: ChipLayer[] = graph.populations.map((p, i) => {
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
    const chipOf = (g: number) => Math.floor(g / m.mesh.coresPerChip);
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

  const sumSteps = (f: (s: (typeof run.steps)[number]) => number | null): number | null => {
    let total = 0;
    for (const s of run.steps) {
      const v = f(s);
      if (v === null) return null;
      total += v;
    }
    return total;
  };
  const latencies = run.steps.map((s) => s.latencyNs);
  const stepSum = sumSteps((s) => s.latencyNs);
  const latMissing = new Set<string>();
  if (stepSum === null) {
    if (run.steps.some((s) => s.coreNs === null)) latMissing.add('core event latencies');
    if (run.steps.some((s) => s.syncNs === null)) latMissing.add('sync latency');
  }
  const part = (value: number | null, missing: string[]): ChipPart => ({ value, missing: value === null ? missing : [] });
  const depth = graph.depth;
  const imageNs = stepSum === null ? null : stepSum + (depth - 1) * (stepSum / T);
  const latency: ChipMapped['latency'] = {
    stepNs: part(stepSum === null ? null : stepSum / T, [...latMissing]),
    imageNs: part(imageNs, [...latMissing]),
    imagesPerSecond: part(stepSum === null || stepSum === 0 ? null : 1e9 / stepSum, [...latMissing]),
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
  if (latencies.some((l) => l === null)) latency.notes.push('step latency not estimated: ' + [...latMissing].join(', '));

  const cores = m.mesh.cores;
  const sp = arch.staticPower;
  let staticPart: ChipPart;
  if (!sp) staticPart = { value: null, missing: ['static power'] };
  else if (imageNs === null) staticPart = { value: null, missing: ['image latency'] };
  // mW x ns = pJ
  else staticPart = { value: sp.mw * (sp.per === 'chip' ? m.mesh.chips : cores) * imageNs, missing: [] };
  const parts = [run.energy.synapse, run.energy.neuron, run.energy.network, run.energy.processor];
  const activeMissing = parts.flatMap((p) => p.missing);
  const active: ChipPart = activeMissing.length
    ? { value: null, missing: activeMissing }
    : { value: parts.reduce((s, p) => s + p.value!, 0), missing: [] };
  const total: ChipPart =
    active.value === null || staticPart.value === null
      ? { value: null, missing: [...active.missing, ...staticPart.missing] }
      : { value: active.value + staticPart.value, missing: [] };

  const byName = new Map(counts.layers.map((l) => [l.name, l] as const));
  const processorLayers = graph.processor.map((p) => {
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
  const notes: string[] = [
    'every mapped neuron is accessed and updated every step (folded BatchNorm biases and leaks keep potentials non-zero): an upper bound on updates',
  ];
  if (run.usedLayerTotals)
    notes.push(
      "no per-neuron spike counts in this run: each layer's spikes are spread evenly over its neurons (messages and loads are estimates)",
    );
  if (m.splitterNeurons)
    notes.push(
      `${m.splitterNeurons} splitter neurons on ${m.splitterCores} cores copy spikes of neurons that reach more than ${core.maxDestinationCoresPerNeuron!.value} core(s); their hops are counted as direct routes`,
    );
  if (m.mesh.chips > 1 && !arch.events.chipCrossing) notes.push('chip-to-chip links: crossings counted, their energy not estimated');
  for (const n of graph.splitNotes) notes.push(n);
  for (const n of arch.notes ?? []) notes.push(n);
  return {
    mapped: true,
    profile: profile.name,
    weightSharing,
    placementRule: PLACEMENT_RULE,
    timingRule: TIMING_RULE,
    cores,
    chips: m.mesh.chips,
    tiles: m.mesh.tiles,
    coresPerChip: m.mesh.coresPerChip,
    neurons: graph.populations.reduce((s, p) => s + p.neurons, 0),
    splitterNeurons: m.splitterNeurons,
    splitterCores: m.splitterCores,
    layers,
    processor: { name: arch.processor.name, layers: processorLayers, messagesIn: run.processorIn, messagesOut: run.processorOut },
    steps: run.steps,
    totals: {
      messages: sumSteps((s) => s.messages)!,
      hopsEastWest: sumSteps((s) => s.hopsEastWest),
      hopsNorthSouth: sumSteps((s) => s.hopsNorthSouth),
      chipCrossings: sumSteps((s) => s.chipCrossings),
      synapseEvents: sumSteps((s) => s.synapseEvents)!,
      spikes: sumSteps((s) => s.spikes)!,
    },
    latency,
    energy: {
      ...run.energy,
      static: staticPart,
      active,
      total,
      complete: total.value !== null,
    },
    tileLoad: run.tileEvents
      ? { widthTiles: m.mesh.widthTiles, heightTiles: m.mesh.heightTiles, events: Array.from(run.tileEvents) }
      : null,
    spikeSource: run.usedLayerTotals ? 'layer totals spread evenly' : 'per-neuron counts',
    notes,
  };
}
