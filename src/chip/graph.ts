import type { ConvLayer, LayerSpec, MaskLayer, MaxPoolLayer, ModelSpec } from '../models/spec.js';
import { convGroups, tokens } from '../models/spec.js';

/**
 * The chip graph: which layers of a model run on static-synapse neuromorphic cores and which on the processor.
 *
 * A core holds neurons `y = neuron(W . spikes)` with W fixed at map time. A *population* is the neurons of one
 * spiking layer together with the synapses that feed it:
 *  - `conv`: a conv / linear (BN folded) fed by spikes, then its LIF: fan-in C_in k^2 per source;
 *  - `headSum`: QKTA's token sum, a fixed all-ones fan-in of C/heads Q channels to one attention LIF per (token, head);
 *  - `tokenSum`: QKCA's channel sum, an all-ones fan-in of N tokens to one attention LIF per channel;
 *  - `mask`: QKTA / QKCA mask, a 2-input coincidence neuron per (token, channel): weights 1 and 1, threshold in
 *    (1, 2], full decay (no state carried), so it fires exactly when the attention bit and the K spike coincide;
 *  - `pool`: max pooling of spikes, an OR neuron over its k x k window (weights 1, threshold <= 1).
 *  - `relay`: a SEW residual add, one neuron per element with one weight-1 synapse from each summand, passing the sum on
 *    as unit spikes (a value m is m spikes, as the simulator counts it; a graded-spike chip sends one message).
 * NOTE: a relay rather than folding the add into its consumers (synapses from both summands with the same weights):
 * folding multiplies the fan-in along a residual chain (x6 by the end of a QKFormer stage, 6,912 presynaptic neurons for
 * a 3x3 conv of 192 channels), past Loihi's 4,096 input axons per core.
 * What a static-synapse core cannot compute runs on the processor: a synaptic layer fed real values (the encoding
 * conv) with its max pooling of real values and its LIF, SSA's products (both operands dynamic) with their LIF, the
 * token mean and the head. Their spikes travel to and from the processor as messages.
 */
export type PopulationKind = 'conv' | 'headSum' | 'tokenSum' | 'mask' | 'pool' | 'relay';

/** How one source layer's neuron reaches a population's neurons. */
export type Connection =
  /** `inChannels`: only input channels [lo, hi) (one part of a neuron split over cores, see split.ts). */
  | { kind: 'conv'; conv: ConvLayer; inChannels?: [number, number] }
  | { kind: 'headSum'; heads: number; channels: number }
  | { kind: 'tokenSum'; channels: number }
  | { kind: 'maskAttention'; mask: MaskLayer }
  | { kind: 'identity' }
  | { kind: 'pool'; pool: MaxPoolLayer };

export interface Population {
  /** The layer whose neurons these are (its output spikes are the population's). */
  layer: string;
  kind: PopulationKind;
  /** The synaptic layers folded into it (e.g. the conv before a LIF, QKTA's head sum). */
  synaptic: string[];
  neurons: number;
  /** Output layout [n][c]: channels per token. */
  channels: number;
  /** Synapses per neuron (all sources). */
  fanIn: number;
  /** Distinct weights per output channel row when weights are shared per core (conv: C_in k^2); all-ones layers: 1. */
  sharedRowWeights: number;
  /** Output channels with distinct weight rows (conv: C_out; all-ones layers: 1). */
  weightRows: number;
  /** Source spike layers and how each reaches these neurons. */
  inputs: { source: string; connection: Connection }[];
}

export interface ProcessorLayer {
  layer: string;
  kind: LayerSpec['kind'];
  reason: string;
}

export interface ChipGraph {
  populations: Population[];
  processor: ProcessorLayer[];
  /** Spike sources (population or processor layers) feeding the processor, one message per spike. */
  toProcessor: string[];
  /** Layers whose spikes leave the processor (processor-run LIFs). */
  fromProcessor: string[];
  /** Longest chain of populations and processor steps (each adds one step of delay, SANA-FE's buffer rule). */
  depth: number;
  /** Partial-sum populations of neurons split over cores (no recorded spikes: they send every step), with notes. */
  partials: string[];
  splitNotes: string[];
}

export function buildChipGraph(spec: ModelSpec): ChipGraph {
  const b = new GraphBuild(spec);
  for (const l of spec.layers) b.place(l);
  b.placeUntakenStages(spec);
  const fromProcessor = spec.layers.filter((l) => l.kind === 'lif' && b.onProcessor.has(l.name)).map((l) => l.name);
  return {
    populations: b.populations,
    processor: b.processor,
    toProcessor: [...b.toProcessor],
    fromProcessor,
    depth: Math.max(1, ...b.depthOf.values()),
    partials: [],
    splitNotes: [],
  };
}

/** The graph as it is built, layer by layer in model order. */
class GraphBuild {
  readonly byName: Map<string, LayerSpec>;
  /** Spike-source layers an input resolves to: adds expand to their summands' sources. */
  readonly spikeSources = new Map<string, string[]>();
  readonly onProcessor = new Set<string>();
  readonly populations: Population[] = [];
  readonly processor: ProcessorLayer[] = [];
  readonly depthOf = new Map<string, number>();
  readonly toProcessor = new Set<string>();

  constructor(spec: ModelSpec) {
    this.byName = new Map(spec.layers.map((l) => [l.name, l] as const));
  }

  readonly sourcesOf = (name: string): string[] | null => this.spikeSources.get(name) ?? null;

  /** Places one layer: on cores as a population, with its consumer, or on the processor. */
  place(l: LayerSpec): void {
    this.depthOf.set(l.name, this.depthIn(l));
    switch (l.kind) {
      case 'conv':
      case 'headSum':
      case 'tokenSum':
      case 'ssaProduct':
        // synaptic or product stages: placed with the neuron that consumes them (at the LIF)
        break;
      case 'maxpool': {
        const src = this.sourcesOf(l.inputs[0]!);
        if (src && src.length === 1) this.onCores(l, pool(l, src[0]!));
        // a max pool of real values stays with its conv and LIF on the processor (handled at the LIF)
        break;
      }
      case 'add': {
        const parts = l.inputs.map(this.sourcesOf);
        if (parts.every((p) => p?.length === 1))
          this.onCores(
            l,
            relay(
              l,
              parts.map((p) => p![0]!),
            ),
          );
        else this.toCpu(l, 'a residual add of real values');
        break;
      }
      case 'mask': {
        const [a, k] = [this.sourcesOf(l.inputs[0]!), this.sourcesOf(l.inputs[1]!)];
        if (a?.length === 1 && k?.length === 1) this.onCores(l, mask(l, a[0]!, k[0]!));
        else this.toCpu(l, 'a mask whose operands are not single spike layers');
        break;
      }
      case 'lif':
        this.placeLif(l);
        break;
      case 'tokenMean':
      case 'head':
        this.toCpu(l, l.kind === 'head' ? 'the classifier reads real-valued means' : 'a mean over tokens is real-valued');
        this.feedCpu(l);
        this.depthOf.set(l.name, this.depthIn(l) + 1);
        break;
      default: {
        // NOTE: a layer kind without a core rule here (a newer primitive) runs on the processor, named with its kind,
        // with every spike layer feeding it sending there: explicit, never silently dropped
        const other: LayerSpec = l;
        this.toCpu(other, `a ${other.kind} layer: no core mapping rule for it`);
        this.feedCpu(other);
        this.depthOf.set(other.name, this.depthIn(other) + 1);
        break;
      }
    }
  }

  /** A LIF heads a population, or runs on the processor with the layers that go with it. */
  private placeLif(l: LayerSpec): void {
    const p = lifPopulation(l, this.byName, this.sourcesOf);
    this.spikeSources.set(l.name, [l.name]);
    if ('reason' in p) {
      for (const x of p.chain) if (!this.onProcessor.has(x.name)) this.toCpu(x, p.reason);
      this.toCpu(l, p.reason);
      for (const s of p.spikeInputs) this.toProcessor.add(s);
    } else this.populations.push(p);
    // its synaptic stage carries its inputs' depth; the neuron adds one step of delay
    this.depthOf.set(l.name, this.depthIn(l) + 1);
  }

  /** A synaptic or product stage no population took (e.g. a conv feeding a membrane-shortcut add) runs on the processor. */
  placeUntakenStages(spec: ModelSpec): void {
    const taken = new Set(this.populations.flatMap((p) => p.synaptic));
    for (const l of spec.layers)
      if (
        (l.kind === 'conv' || l.kind === 'headSum' || l.kind === 'tokenSum' || l.kind === 'ssaProduct') &&
        !taken.has(l.name) &&
        !this.onProcessor.has(l.name)
      ) {
        this.toCpu(l, 'a synaptic stage whose output no core neuron reads directly');
        this.feedCpu(l);
      }
  }

  /** A population of layer `l` on cores: its own spike source, one step of delay after its inputs. */
  private onCores(l: LayerSpec, p: Population): void {
    this.populations.push(p);
    this.spikeSources.set(l.name, [l.name]);
    this.depthOf.set(l.name, this.depthIn(l) + 1);
  }

  private toCpu(l: LayerSpec, reason: string): void {
    this.onProcessor.add(l.name);
    this.processor.push({ layer: l.name, kind: l.kind, reason });
  }

  /** Every spike layer feeding `l` sends its spikes to the processor. */
  private feedCpu(l: LayerSpec): void {
    for (const i of l.inputs) for (const s of this.sourcesOf(i) ?? []) this.toProcessor.add(s);
  }

  private depthIn(l: LayerSpec): number {
    return Math.max(0, ...l.inputs.map((i) => this.depthOf.get(i) ?? 0));
  }
}

type LifResult = Population | { reason: string; chain: LayerSpec[]; spikeInputs: string[] };

/** The population a LIF heads, or why it runs on the processor (with the layers that go with it). */
function lifPopulation(lif: LayerSpec, byName: Map<string, LayerSpec>, sourcesOf: (n: string) => string[] | null): LifResult {
  const feed = byName.get(lif.inputs[0]!);
  const neurons = lif.out.c * lif.out.h * lif.out.w;
  const base = { layer: lif.name, neurons, channels: lif.out.c };
  if (!feed) return { reason: 'a neuron fed by the raw input', chain: [], spikeInputs: [] };
  if (feed.kind === 'conv') {
    const src = sourcesOf(feed.inputs[0]!);
    if (!src) return { reason: 'a synaptic layer fed real values (the encoding layer)', chain: [feed], spikeInputs: [] };
    // a grouped conv's neuron reads only its group's C_in / groups channels: its row (and its fan-in) is that wide
    const row = (feed.in.c / convGroups(feed)) * feed.k * feed.k;
    return {
      ...base,
      kind: 'conv',
      synaptic: [feed.name],
      fanIn: row * src.length,
      sharedRowWeights: row,
      weightRows: feed.out.c,
      inputs: src.map((source) => ({ source, connection: { kind: 'conv', conv: feed } as Connection })),
    };
  }
  if (feed.kind === 'maxpool') {
    const conv = byName.get(feed.inputs[0]!);
    const chain = conv?.kind === 'conv' ? [conv, feed] : [feed];
    const spikeInputs = conv?.kind === 'conv' ? (sourcesOf(conv.inputs[0]!) ?? []) : [];
    return { reason: 'max pooling of real values (conv output before its LIF)', chain, spikeInputs };
  }
  if (feed.kind === 'headSum') {
    const src = sourcesOf(feed.inputs[0]!);
    const q = byName.get(feed.inputs[0]!);
    if (!src || src.length !== 1 || !q) return { reason: 'a token sum of non-spiking values', chain: [feed], spikeInputs: [] };
    const connection: Connection = { kind: 'headSum', heads: feed.heads, channels: q.out.c };
    return allOnes(lif, 'headSum', [feed.name], q.out.c / feed.heads, [{ source: src[0]!, connection }]);
  }
  if (feed.kind === 'tokenSum') {
    const src = sourcesOf(feed.inputs[0]!);
    const q = byName.get(feed.inputs[0]!);
    if (!src || src.length !== 1 || !q) return { reason: 'a channel sum of non-spiking values', chain: [feed], spikeInputs: [] };
    return allOnes(lif, 'tokenSum', [feed.name], tokens(q.out), [{ source: src[0]!, connection: { kind: 'tokenSum', channels: q.out.c } }]);
  }
  if (feed.kind === 'ssaProduct') {
    const spikeInputs = feed.inputs.flatMap((i) => sourcesOf(i) ?? []);
    return { reason: "SSA's products: both operands are dynamic, no static synapse realises them", chain: [feed], spikeInputs };
  }
  return { reason: `a neuron fed by a ${feed.kind} layer`, chain: [feed], spikeInputs: [] };
}

/**
 * A population of one neuron per output element of `l` whose `fanIn` synapses all weigh 1: one weight row, shared by
 * every neuron (the head and token sums, pooling, masks, relays).
 */
function allOnes(l: LayerSpec, kind: PopulationKind, synaptic: string[], fanIn: number, inputs: Population['inputs']): Population {
  const neurons = l.out.c * l.out.h * l.out.w;
  return { layer: l.name, kind, synaptic, neurons, channels: l.out.c, fanIn, sharedRowWeights: fanIn, weightRows: 1, inputs };
}

function pool(l: MaxPoolLayer, source: string): Population {
  return allOnes(l, 'pool', [], l.k * l.k, [{ source, connection: { kind: 'pool', pool: l } }]);
}

function mask(l: MaskLayer, a: string, k: string): Population {
  return allOnes(l, 'mask', [], 2, [
    { source: a, connection: { kind: 'maskAttention', mask: l } },
    { source: k, connection: { kind: 'identity' } },
  ]);
}

function relay(l: LayerSpec, sources: string[]): Population {
  return allOnes(
    l,
    'relay',
    [],
    sources.length,
    sources.map((source) => ({ source, connection: { kind: 'identity' } as Connection })),
  );
}
