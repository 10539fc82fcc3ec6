import type { LayerKind, ModelSpec } from '../models/spec.js';
import type { EventBuffer } from './events.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex, type OpKind } from './ops.js';

/**
 * Counts of one layer, summed over all simulated samples, per time step.
 * `ops[t * NUM_OP_KINDS + opIndex(kind)]`. Integers stored in doubles (exact below 2^53).
 */
export interface LayerCounts {
  name: string;
  kind: LayerKind;
  ops: Float64Array;
  /** Per t: events received (active addresses), unit spikes received (sum of multiplicities), spikes emitted. */
  inputEvents: Float64Array;
  inputUnitSpikes: Float64Array;
  outputSpikes: Float64Array;
  /** Elements of the layer's (first) input and of its output, per sample per time step. */
  inputElements: number;
  outputElements: number;
  /** True while every input value seen so far was exactly 0 or 1 (syops-counter's spike test). */
  inputBinary: boolean;
  /** True when the layer's input travelled as events (else dense real values). */
  inputIsEvents: boolean;
  /**
   * Unit spikes emitted per neuron and step, summed over samples: `[t * outputElements + address]`, the address in
   * the token-major `[n][c]` output layout (a SEW sum's value m counts m). Present on layers whose output travelled
   * as events; the chip model derives messages, hops and per-core loads from it (all linear in these counts).
   * uint32: half the memory of doubles for the 2.4 M neurons x T of a full-size model; a sum past 2^32 - 1 (four
   * billion spikes of one neuron at one step) is refused, never wrapped.
   */
  neuronSpikes?: Uint32Array;
}

/** The product of one simulation: layer x time step x op kind, plus what firing rates need. */
export interface OpCounts {
  model: string;
  timesteps: number;
  samples: number;
  layers: LayerCounts[];
}

/**
 * The counting sink, passed explicitly to every primitive; two simulations never share one.
 */
export class CountingSink {
  readonly counts: OpCounts;
  private readonly index = new Map<string, LayerCounts>();
  /** Spikes per LIF layer (unit spikes per multi-spike layer) per sample per t, for the fidelity contract (`infer`). */
  readonly spikesPerSample = new Map<string, number[][]>();
  /** Sample index of row 0 of `spikesPerSample` (a worker hands its rows over and moves the base on). */
  spikeRowBase = 0;
  /** Keep per-sample spike records (infer, fidelity); long runs turn it off so memory stays flat. */
  recordPerSample = true;

  constructor(spec: ModelSpec, timesteps: number) {
    this.counts = { model: spec.name, timesteps, samples: 0, layers: [] };
    for (const l of spec.layers) {
      const lc: LayerCounts = {
        name: l.name,
        kind: l.kind,
        ops: new Float64Array(timesteps * NUM_OP_KINDS),
        inputEvents: new Float64Array(timesteps),
        inputUnitSpikes: new Float64Array(timesteps),
        outputSpikes: new Float64Array(timesteps),
        inputElements: 0,
        outputElements: l.out.c * l.out.h * l.out.w,
        inputBinary: true,
        inputIsEvents: false,
      };
      this.counts.layers.push(lc);
      this.index.set(l.name, lc);
      if (l.kind === 'lif' || l.kind === 'multiSpike') this.spikesPerSample.set(l.name, []);
    }
  }

  layer(name: string): LayerCounts {
    const lc = this.index.get(name);
    if (!lc) throw new Error(`no counts for layer ${name}`);
    return lc;
  }

  add(lc: LayerCounts, t: number, kind: OpKind, n: number): void {
    lc.ops[t * NUM_OP_KINDS + opIndex(kind)]! += n;
  }

  recordSpikes(layerName: string, sample: number, t: number, timesteps: number, n: number): void {
    if (!this.recordPerSample) return;
    const rows = this.spikesPerSample.get(layerName);
    if (!rows) return;
    const row = sample - this.spikeRowBase;
    while (rows.length <= row) rows.push(new Array<number>(timesteps).fill(0));
    rows[row]![t]! += n;
  }
}

/** Adds one (sample, t) of a layer's output events to its per-neuron spike counts. */
export function recordNeuronSpikes(lc: LayerCounts, t: number, timesteps: number, events: EventBuffer): void {
  const ns = (lc.neuronSpikes ??= new Uint32Array(timesteps * lc.outputElements));
  const base = t * lc.outputElements,
    addr = events.addr,
    mult = events.mult,
    n = events.count;
  if (events.unit) for (let i = 0; i < n; i++) ns[base + addr[i]!]!++;
  else for (let i = 0; i < n; i++) ns[base + addr[i]!]! += mult[i]!;
}

/** Hands over the spike records held so far (per LIF layer, one row per sample) and clears them. */
export function takeSpikeRows(sink: CountingSink): [string, number[][]][] {
  const out: [string, number[][]][] = [];
  let taken = 0;
  for (const [name, rows] of sink.spikesPerSample) {
    out.push([name, rows.splice(0, rows.length)]);
    taken = Math.max(taken, out[out.length - 1]![1].length);
  }
  sink.spikeRowBase += taken;
  return out;
}

/**
 * Adds the counts of `from` into `into` (same model): op counts and input statistics are integer sums, exact
 * in doubles below 2^53, so any grouping of samples gives the same totals. `fromIsSpent`: the caller drops `from`
 * afterwards, so its per-neuron arrays may become `into`'s where `into` has none (no copy of tens of MB).
 */
export function mergeCounts(into: OpCounts, from: OpCounts, fromIsSpent = false): void {
  if (into.layers.length !== from.layers.length || into.timesteps !== from.timesteps)
    throw new Error('mergeCounts: counts of different models');
  into.samples += from.samples;
  into.layers.forEach((a, i) => {
    const b = from.layers[i]!;
    if (a.name !== b.name) throw new Error(`mergeCounts: layer ${a.name} vs ${b.name}`);
    for (let j = 0; j < a.ops.length; j++) a.ops[j]! += b.ops[j]!;
    for (let t = 0; t < a.inputEvents.length; t++) {
      a.inputEvents[t]! += b.inputEvents[t]!;
      a.inputUnitSpikes[t]! += b.inputUnitSpikes[t]!;
      a.outputSpikes[t]! += b.outputSpikes[t]!;
    }
    const bs = b.neuronSpikes;
    if (bs && !a.neuronSpikes) a.neuronSpikes = fromIsSpent ? bs : bs.slice();
    else if (bs) {
      const ns = a.neuronSpikes!;
      for (let j = 0; j < ns.length; j++) {
        const v = ns[j]! + bs[j]!;
        if (v > 0xffffffff) throw new Error(`mergeCounts: ${a.name} neuron spike count ${v} past 2^32 - 1`);
        ns[j] = v;
      }
    }
    a.inputElements = Math.max(a.inputElements, b.inputElements);
    a.inputBinary &&= b.inputBinary;
    a.inputIsEvents ||= b.inputIsEvents;
  });
}

/** Total of one op kind in one layer over all t. */
export function layerTotal(lc: LayerCounts, kind: OpKind): number {
  let s = 0;
  const T = lc.inputEvents.length;
  for (let t = 0; t < T; t++) s += lc.ops[t * NUM_OP_KINDS + opIndex(kind)]!;
  return s;
}

/** Per op kind totals of one layer over all t (whole run, all samples). */
export function layerTotals(lc: LayerCounts): Record<OpKind, number> {
  const out = {} as Record<OpKind, number>;
  for (const k of OP_KINDS) out[k] = layerTotal(lc, k);
  return out;
}

/** Per op kind totals over all layers, divided by the number of samples (per inference). */
export function perImageTotals(c: OpCounts): Record<OpKind, number> {
  const out = {} as Record<OpKind, number>;
  for (const k of OP_KINDS) out[k] = 0;
  for (const lc of c.layers) for (const k of OP_KINDS) out[k] += layerTotal(lc, k);
  if (c.samples > 0) for (const k of OP_KINDS) out[k] /= c.samples;
  return out;
}
