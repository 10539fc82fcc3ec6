import type { CapacityLimit, WeightSharing } from './capacity.js';
import type { PopulationKind } from './graph.js';

/** Options of the chip model. */
export interface ChipOptions {
  /** How conv weights are stored on a core (default `none`: every synapse stores its weight). */
  weightSharing?: WeightSharing;
}

/** One population on cores. Counts are per inference (mean over the samples). */
export interface ChipLayer {
  layer: string;
  kind: PopulationKind;
  /** Synaptic layers folded into it (the conv before a LIF, QKTA's head sum). */
  synaptic: string[];
  neurons: number;
  fanIn: number;
  /** Cores the layer needs under each limit alone; null where the profile does not give the limit. */
  coresByLimit: Record<CapacityLimit, number | null>;
  /** The limit that needs the most cores; null when no limit is known. */
  binding: CapacityLimit | null;
  neuronsPerCore: number;
  cores: number;
  firstCore: number;
  firstChip: number;
  lastChip: number;
  /** neurons / (cores x maxNeurons); null without maxNeurons. */
  neuronUtilisation: number | null;
  /** stored synapse bits / (cores x synapse memory); null without a synapse memory. */
  synapseMemoryUtilisation: number | null;
  /** Per inference, over all steps: spikes fired, messages sent, tile hops, synapse events received. */
  spikes: number;
  messages: number;
  hops: number | null;
  synapseEvents: number;
}

export interface ProcessorLayerResult {
  layer: string;
  kind: string;
  reason: string;
  /** Ops per inference by op kind (nonzero kinds only). */
  ops: Record<string, number>;
}

/** An energy or time part: a number, or null with the missing coefficients named. */
export interface ChipPart {
  value: number | null;
  missing: string[];
}

/** Traffic per inference (mean sample): messages sent, tile hops and chip crossings (null without a mesh), synapse events, spikes. */
export interface ChipTraffic {
  messages: number;
  hopsEastWest: number | null;
  hopsNorthSouth: number | null;
  chipCrossings: number | null;
  synapseEvents: number;
  spikes: number;
}

export interface ChipStep extends ChipTraffic {
  t: number;
  messagesToProcessor: number;
  messagesFromProcessor: number;
  /** The busiest core's send and receive time (ns), its index; null when a needed latency is unknown. */
  busiestCore: { core: number; sendNs: number; receiveNs: number } | null;
  coreNs: number | null;
  processorNs: number | null;
  syncNs: number | null;
  /** SANA-FE simple model: max(busiest core, processor) + sync, at least the fixed tick; null when not estimated. */
  latencyNs: number | null;
  /** Link-load bound: the busiest mesh link's messages x its hop latency (ns); null without a mesh or hop latency. */
  linkBoundNs: number | null;
  energyPj: { synapse: number | null; neuron: number | null; network: number | null; processor: number | null };
}

export interface ChipEnergy {
  /** Per inference, pJ. */
  synapse: ChipPart;
  neuron: ChipPart;
  network: ChipPart;
  processor: ChipPart;
  static: ChipPart;
  active: ChipPart;
  total: ChipPart;
  /** True when every part is estimated. */
  complete: boolean;
}

export interface ChipLatency {
  /** Mean step latency (ns) over the T steps. */
  stepNs: ChipPart;
  /** Image latency: sum of the T steps + (depth - 1) mean steps for the last spikes to cross the layers (ns). */
  imageNs: ChipPart;
  /** Pipelined throughput: a new image every T steps, 1e9 / sum of step latencies (images per second). */
  imagesPerSecond: ChipPart;
  depthSteps: number;
  /** Why the numbers are bounds (e.g. processor time not estimated; max over cores of the mean sample). */
  notes: string[];
}

export interface ChipMapped {
  mapped: true;
  profile: string;
  weightSharing: WeightSharing;
  placementRule: string;
  timingRule: string;
  cores: number;
  chips: number;
  tiles: number | null;
  coresPerChip: number;
  neurons: number;
  /** Splitter neurons added for fan-out beyond maxDestinationCoresPerNeuron (TrueNorth), and their cores. */
  splitterNeurons: number;
  splitterCores: number;
  layers: ChipLayer[];
  processor: { name: string; layers: ProcessorLayerResult[]; messagesIn: number; messagesOut: number };
  steps: ChipStep[];
  /** Per inference over all steps. */
  totals: ChipTraffic;
  latency: ChipLatency;
  energy: ChipEnergy;
  /** Per tile of the global mesh (row-major, widthTiles x heightTiles): synapse events + messages received per inference. */
  tileLoad: { widthTiles: number; heightTiles: number; events: number[] } | null;
  /** How the per-neuron spikes were obtained. */
  spikeSource: 'per-neuron counts' | 'layer totals spread evenly';
  notes: string[];
}

export interface ChipRefused {
  mapped: false;
  profile: string;
  weightSharing: WeightSharing;
  reason: string;
}

export type ChipResult = ChipMapped | ChipRefused;
