import type { Architecture, ChipEvent } from '../cost-models/architecture-schema.js';
import type { LayerCounts, OpCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex, type OpKind } from '../sim/ops.js';
import type { ChipGraph } from './graph.js';
import type { ConnectionTable } from './destinations.js';
import type { Mapping } from './map.js';
import type { Mesh } from './mesh.js';
import { syncLatencyNs } from './mesh.js';
import type { ChipPart, ChipStep } from './types.js';

/** A coefficient: a number, 0 when sourced as included in another, null when unknown. */
export function eventEnergyPj(arch: Architecture, e: ChipEvent): number | null {
  const c = arch.events[e];
  if (!c) return null;
  return c.includedIn !== undefined ? 0 : (c.energyPj ?? null);
}
export function eventLatencyNs(arch: Architecture, e: ChipEvent): number | null {
  const c = arch.events[e];
  if (!c) return null;
  return c.includedIn !== undefined ? 0 : (c.latencyNs ?? null);
}
function processorCost(arch: Architecture, k: OpKind, what: 'energyPj' | 'latencyNs'): number | null {
  const p = arch.processor.ops[k];
  if (!p) return null;
  return p.includedIn !== undefined ? 0 : (p[what] ?? null);
}

/** Adds count x unit to a part; an unknown unit with a nonzero count makes the part null and names what is missing. */
class PartSum {
  value = 0;
  missing = new Set<string>();
  add(count: number, unit: number | null, name: string): void {
    if (count === 0) return;
    if (unit === null) this.missing.add(name);
    else this.value += count * unit;
  }
  get(): number | null {
    return this.missing.size ? null : this.value;
  }
  part(): ChipPart {
    return { value: this.get(), missing: [...this.missing] };
  }
}

export interface RunTotals {
  steps: ChipStep[];
  energy: { synapse: ChipPart; neuron: ChipPart; network: ChipPart; processor: ChipPart };
  perLayer: Map<string, { spikes: number; messages: number; hops: number }>;
  synapseEventsByPop: Float64Array;
  /** Messages per inference into and out of the processor. */
  processorIn: number;
  processorOut: number;
  tileEvents: Float64Array | null;
  usedLayerTotals: boolean;
}

/**
 * Replays the recorded spikes step by step (counts summed over samples; everything below is per inference, / S):
 * for each firing neuron, one message per destination core (and one to the processor when it feeds it), the
 * synapses met there, XY hops split east-west / north-south, chip crossings, and the load of every mesh link.
 * Per core (SANA-FE simple model): send = N a + N u + fired s + messages out m_o, receive = messages in m_i + synapses y
 * (a, u, s, m_o, m_i, y the event latencies; every mapped neuron accessed and updated every step).
 */
export function runSteps(counts: OpCounts, arch: Architecture, graph: ChipGraph, m: Mapping): RunTotals {
  const r = new Replay(counts, arch, graph, m);
  for (let t = 0; t < counts.timesteps; t++) r.steps.push(r.step(t));
  const E = r.energy;
  return {
    steps: r.steps,
    energy: { synapse: E.synapse.part(), neuron: E.neuron.part(), network: E.network.part(), processor: E.processor.part() },
    perLayer: r.perLayer,
    synapseEventsByPop: r.synByPop,
    processorIn: r.processorIn,
    processorOut: r.processorOut,
    tileEvents: r.tileEvents,
    usedLayerTotals: r.usedLayerTotals,
  };
}

type EnergyParts = Record<'synapse' | 'neuron' | 'network' | 'processor', PartSum>;
const energyParts = (): EnergyParts => ({
  synapse: new PartSum(),
  neuron: new PartSum(),
  network: new PartSum(),
  processor: new PartSum(),
});

/** One step's loads, summed over samples. */
class StepLoad {
  messages = 0;
  hopsX = 0;
  hopsY = 0;
  crossings = 0;
  synTotal = 0;
  spikes = 0;
  toCpu = 0;
  fromCpu = 0;
  extraMessages = 0;
  splitterSpikes = 0;
  firedOnCores = 0;
}

/**
 * Messages on every mesh link in one step, as difference arrays per line: a message from x0 to x1 along a row adds
 * +s at the link leaving x0 and -s at the link leaving x1 (east when x1 > x0, else west); a prefix sum gives each link.
 */
class LinkLoads {
  readonly east: Float64Array;
  readonly west: Float64Array;
  readonly south: Float64Array;
  readonly north: Float64Array;
  constructor(
    readonly widthTiles: number,
    readonly heightTiles: number,
    hasMesh: boolean,
  ) {
    this.east = new Float64Array(hasMesh ? heightTiles * (widthTiles + 1) : 0);
    this.west = new Float64Array(this.east.length);
    this.south = new Float64Array(hasMesh ? widthTiles * (heightTiles + 1) : 0);
    this.north = new Float64Array(this.south.length);
  }
  reset(): void {
    for (const a of [this.east, this.west, this.south, this.north]) a.fill(0);
  }
  /** XY routing: along the source row first, then along the destination column. */
  add(sx: number, sy: number, dx: number, dy: number, s: number): void {
    addSpan(this.east, this.west, sy * (this.widthTiles + 1), sx, dx, s);
    addSpan(this.south, this.north, dx * (this.heightTiles + 1), sy, dy, s);
  }
  /** The most messages on one east-west link and on one north-south link. */
  busiest(): { x: number; y: number } {
    return {
      x: busiestLink(this.east, this.west, this.heightTiles, this.widthTiles),
      y: busiestLink(this.south, this.north, this.widthTiles, this.heightTiles),
    };
  }
}

/** s messages over the links between positions `from` and `to` of one line starting at `line` (up: increasing). */
function addSpan(up: Float64Array, down: Float64Array, line: number, from: number, to: number, s: number): void {
  if (to > from) {
    up[line + from]! += s;
    up[line + to]! -= s;
  } else if (to < from) {
    down[line + to]! += s;
    down[line + from]! -= s;
  }
}

/** The largest prefix sum over `lines` lines of `length` links (stride length + 1) of two difference arrays. */
function busiestLink(a: Float64Array, b: Float64Array, lines: number, length: number): number {
  let max = 0;
  for (let r = 0; r < lines; r++) {
    let sa = 0,
      sb = 0;
    for (let x = 0; x < length; x++) {
      sa += a[r * (length + 1) + x]!;
      sb += b[r * (length + 1) + x]!;
      max = Math.max(max, sa, sb);
    }
  }
  return max;
}

/** One source layer's spikes at one step as the replay sends them, with its running tallies. */
interface Sender {
  /** Spikes of neuron i: `ns[off + i]`, or `even` each without per-neuron counts. */
  ns: Uint32Array | undefined;
  off: number;
  even: number;
  first: number;
  per: number;
  channels: number;
  /** 1 when the layer's spikes also go to the processor. */
  feedsCpu: number;
  /** Consumers whose destinations depend on the token only (convs), the others one-to-one or per neuron. */
  convs: ConnectionTable[];
  sliced: boolean;
  others: ConnectionTable[];
  /** Destinations per conv consumer of the current token; spikes per conv consumer of the current group. */
  dTok: Float64Array;
  sConv: Float64Array;
  /** One-to-one consumers: the core a pending sum goes to, and its spikes. */
  pendCore: Int32Array;
  pendSpikes: Float64Array;
  /** The global core sending now (-1: the processor). */
  src: number;
  spikes: number;
  messages: number;
  hops: number;
}

/** The replay's state: per-core loads of the current step and the totals over steps. */
class Replay {
  readonly S: number;
  readonly mesh: Mesh;
  readonly hasMesh: boolean;
  readonly byName: Map<string, LayerCounts>;
  readonly popIndex: Map<string, number>;
  readonly toProcessor: Set<string>;
  readonly partials: Set<string>;
  readonly sources: string[];
  readonly nCores: number;
  readonly neuronsOnCore: Float64Array;
  readonly msgOut: Float64Array;
  readonly msgIn: Float64Array;
  readonly syn: Float64Array;
  readonly fired: Float64Array;
  readonly links: LinkLoads;
  readonly tileEvents: Float64Array | null;
  readonly synByPop: Float64Array;
  readonly perLayer: Map<string, { spikes: number; messages: number; hops: number }>;
  readonly maxDest: number;
  readonly mappedNeurons: number;
  readonly processorLayers: LayerCounts[];
  readonly energy = energyParts();
  readonly steps: ChipStep[] = [];
  usedLayerTotals = false;
  processorIn = 0;
  processorOut = 0;
  load = new StepLoad();

  constructor(
    readonly counts: OpCounts,
    readonly arch: Architecture,
    readonly graph: ChipGraph,
    readonly m: Mapping,
  ) {
    this.S = counts.samples;
    this.mesh = m.mesh;
    this.hasMesh = this.mesh.tiles !== null;
    this.byName = new Map(counts.layers.map((l) => [l.name, l] as const));
    this.popIndex = new Map(graph.populations.map((p, i) => [p.layer, i] as const));
    this.toProcessor = new Set(graph.toProcessor);
    this.partials = new Set(graph.partials);
    this.sources = [...graph.populations.map((p) => p.layer), ...graph.fromProcessor];
    this.nCores = this.mesh.cores;
    this.neuronsOnCore = new Float64Array(this.nCores);
    graph.populations.forEach((p, i) => {
      for (let c = 0; c < m.cores[i]!; c++)
        this.neuronsOnCore[m.firstCore[i]! + c] = Math.min(m.perCore[i]!, p.neurons - c * m.perCore[i]!);
    });
    this.msgOut = new Float64Array(this.nCores);
    this.msgIn = new Float64Array(this.nCores);
    this.syn = new Float64Array(this.nCores);
    this.fired = new Float64Array(this.nCores);
    this.links = new LinkLoads(this.mesh.widthTiles, this.mesh.heightTiles, this.hasMesh);
    this.tileEvents = this.hasMesh ? new Float64Array(this.mesh.widthTiles * this.mesh.heightTiles) : null;
    this.synByPop = new Float64Array(graph.populations.length);
    this.perLayer = new Map(this.sources.map((s) => [s, { spikes: 0, messages: 0, hops: 0 }]));
    this.maxDest = arch.core.maxDestinationCoresPerNeuron?.value ?? Infinity;
    this.mappedNeurons = graph.populations.reduce((s, p) => s + p.neurons, 0) + m.splitterNeurons;
    this.processorLayers = graph.processor.map((p) => this.byName.get(p.layer)).filter((l): l is LayerCounts => l !== undefined);
  }

  /** Step t: every source layer's spikes delivered, then the step's time and energy. */
  step(t: number): ChipStep {
    for (const a of [this.msgOut, this.msgIn, this.syn, this.fired]) a.fill(0);
    this.links.reset();
    this.load = new StepLoad();
    for (const name of this.sources) this.replayLayer(name, t);
    const L = this.load,
      S = this.S,
      hasMesh = this.hasMesh;
    const { coreNs, busiestCore } = this.coreTime();
    if (this.tileEvents)
      for (let g = 0; g < this.nCores; g++)
        this.tileEvents[this.mesh.y[g]! * this.mesh.widthTiles + this.mesh.x[g]!]! += (this.syn[g]! + this.msgIn[g]!) / S;
    const { part, processorNs } = this.bookStep(t);
    const sync = syncLatencyNs(this.arch, this.mesh);
    const fixed = this.arch.sync.fixedStepNs?.value ?? null;
    const estimate = coreNs !== null && sync !== null ? Math.max(coreNs, processorNs ?? 0) + sync : null;
    return {
      t,
      messages: (L.messages + L.extraMessages) / S,
      hopsEastWest: hasMesh ? L.hopsX / S : null,
      hopsNorthSouth: hasMesh ? L.hopsY / S : null,
      chipCrossings: hasMesh ? L.crossings / S : null,
      synapseEvents: L.synTotal / S,
      spikes: L.spikes / S,
      messagesToProcessor: L.toCpu / S,
      messagesFromProcessor: L.fromCpu / S,
      busiestCore,
      coreNs,
      processorNs: this.processorLayers.length ? processorNs : 0,
      syncNs: sync,
      latencyNs: fixed !== null ? Math.max(fixed, estimate ?? 0) : estimate,
      linkBoundNs: this.linkBoundNs(),
      energyPj: { synapse: part.synapse.get(), neuron: part.neuron.get(), network: part.network.get(), processor: part.processor.get() },
    };
  }

  /** XY route of s messages from global core `from` to `to` (-1: the processor, at tile (0, 0)); returns the hops. */
  route(from: number, to: number, s: number): number {
    const mesh = this.mesh,
      L = this.load;
    const sx = from < 0 ? 0 : mesh.x[from]!,
      sy = from < 0 ? 0 : mesh.y[from]!;
    const dx = to < 0 ? 0 : mesh.x[to]!,
      dy = to < 0 ? 0 : mesh.y[to]!;
    const ex = Math.abs(dx - sx),
      ey = Math.abs(dy - sy);
    L.hopsX += s * ex;
    L.hopsY += s * ey;
    const cx0 = from < 0 ? 0 : mesh.chipX[from]!,
      cy0 = from < 0 ? 0 : mesh.chipY[from]!;
    const cx1 = to < 0 ? 0 : mesh.chipX[to]!,
      cy1 = to < 0 ? 0 : mesh.chipY[to]!;
    L.crossings += s * (Math.abs(cx1 - cx0) + Math.abs(cy1 - cy0));
    this.links.add(sx, sy, dx, dy, s);
    return ex + ey;
  }

  /** One source layer's spikes at step t, token by token and core group by core group. */
  replayLayer(name: string, t: number): void {
    const lc = this.byName.get(name);
    const tab = this.m.tables.get(name);
    const partial = this.partials.has(name);
    if (!tab || (!lc && !partial)) return;
    const pi = this.popIndex.get(name);
    const N = lc ? lc.outputElements : this.graph.populations[pi!]!.neurons,
      C = tab.channels,
      tokens = N / C;
    const ns = lc?.neuronSpikes;
    if (!ns && !partial) this.usedLayerTotals = true;
    const convs = tab.connections.filter((c) => c.byToken);
    const others = tab.connections.filter((c) => !c.byToken);
    const snd: Sender = {
      ns,
      off: t * N,
      // a partial-sum neuron (split.ts) sends one message every step of every sample
      even: ns ? 0 : partial ? this.S : lc!.outputSpikes[t]! / N,
      first: pi === undefined ? -1 : this.m.firstCore[pi]!,
      per: pi === undefined ? N : this.m.perCore[pi]!,
      channels: C,
      feedsCpu: this.toProcessor.has(name) ? 1 : 0,
      convs,
      sliced: convs.some((c) => c.inChannels !== null),
      others,
      dTok: new Float64Array(convs.length),
      sConv: new Float64Array(convs.length),
      // one-to-one consumers: consecutive neurons of a group mostly land on one core, so their spikes are summed per
      // destination core before delivery (exact: every count is linear in spikes)
      pendCore: new Int32Array(others.length).fill(-1),
      pendSpikes: new Float64Array(others.length),
      src: -1,
      spikes: 0,
      messages: 0,
      hops: 0,
    };
    for (let p = 0; p < tokens; p++) {
      let dConv = 0;
      convs.forEach((c, k) => {
        snd.dTok[k] = c.offsets[p + 1]! - c.offsets[p]!;
        dConv += snd.dTok[k]!;
      });
      // NOTE: a conv consumer's destinations depend on the token only: the spikes of a token's channels on one source
      // core travel as one sum (every count below is linear in spikes)
      for (let c0 = 0; c0 < C;) c0 = this.replayGroup(snd, p, c0, dConv);
    }
    const stats = this.perLayer.get(name)!;
    stats.spikes += snd.spikes / this.S;
    stats.messages += snd.messages / this.S;
    stats.hops += snd.hops / this.S;
  }

  /** Token p's channels from c0 on that sit on one source core; returns where the next group starts. */
  private replayGroup(snd: Sender, p: number, c0: number, dConv: number): number {
    const base = p * snd.channels;
    const localCore = Math.floor((base + c0) / snd.per);
    const c1 = Math.min(snd.channels, (localCore + 1) * snd.per - base);
    snd.src = snd.first < 0 ? -1 : snd.first + localCore;
    let s = 0,
      groupMessages = 0;
    snd.sConv.fill(0);
    for (let i = base + c0; i < base + c1; i++) {
      const si = snd.ns ? snd.ns[snd.off + i]! : snd.even;
      if (si === 0) continue;
      s += si;
      const d = this.sendNeuron(snd, i, i - base, si, dConv);
      if (d > this.maxDest) {
        this.load.extraMessages += si;
        this.load.splitterSpikes += si * d;
      }
      groupMessages += si * (d + snd.feedsCpu);
    }
    if (s === 0) return c1;
    this.flush(snd);
    snd.convs.forEach((c, k) => {
      const sc = snd.sliced ? snd.sConv[k]! : s;
      if (sc === 0) return;
      const fc = this.m.firstCore[c.pop]!;
      for (let e = c.offsets[p]!; e < c.offsets[p + 1]!; e++) this.deliver(snd, fc + c.core[e]!, c.pop, sc, sc * c.synapses[e]!);
    });
    const L = this.load;
    if (snd.feedsCpu) {
      L.toCpu += s;
      if (this.hasMesh && snd.src >= 0) snd.hops += s * this.route(snd.src, -1, s);
    }
    if (snd.src >= 0) {
      this.msgOut[snd.src]! += groupMessages;
      this.fired[snd.src]! += s;
      L.firedOnCores += s;
    } else L.fromCpu += groupMessages;
    L.messages += groupMessages;
    L.spikes += s;
    snd.spikes += s;
    snd.messages += groupMessages;
    return c1;
  }

  /**
   * Neuron i (channel ch of its token) fires si spikes: its conv consumers' share is counted by the group, its other
   * consumers' messages are delivered (one-to-one ones summed per destination core); returns its destinations.
   */
  private sendNeuron(snd: Sender, i: number, ch: number, si: number, dConv: number): number {
    let d = dConv;
    if (snd.sliced) {
      // a split conv's parts each take a slice of the channels: this neuron reaches only its slice's part
      d = 0;
      snd.convs.forEach((c, k) => {
        if (c.inChannels === null || (ch >= c.inChannels[0] && ch < c.inChannels[1])) {
          snd.sConv[k]! += si;
          d += snd.dTok[k]!;
        }
      });
    }
    for (let k = 0; k < snd.others.length; k++) {
      const c = snd.others[k]!;
      const fc = this.m.firstCore[c.pop]!;
      if (c.direct) {
        const g = fc + Math.floor(c.direct(i) / c.perCore);
        if (g !== snd.pendCore[k]) {
          if (snd.pendSpikes[k]! > 0) this.deliver(snd, snd.pendCore[k]!, c.pop, snd.pendSpikes[k]!, snd.pendSpikes[k]!);
          snd.pendCore[k] = g;
          snd.pendSpikes[k] = 0;
        }
        snd.pendSpikes[k]! += si;
        d += 1;
      } else {
        const a = c.offsets[i]!,
          b = c.offsets[i + 1]!;
        for (let e = a; e < b; e++) this.deliver(snd, fc + c.core[e]!, c.pop, si, si * c.synapses[e]!);
        d += b - a;
      }
    }
    return d;
  }

  /** Delivers the pending sums of the one-to-one consumers. */
  private flush(snd: Sender): void {
    snd.others.forEach((c, k) => {
      if (snd.pendSpikes[k]! > 0) this.deliver(snd, snd.pendCore[k]!, c.pop, snd.pendSpikes[k]!, snd.pendSpikes[k]!);
      snd.pendCore[k] = -1;
      snd.pendSpikes[k] = 0;
    });
  }

  /** One message of s spikes from the sender's core to global core g of population `pop`, meeting y synapses there. */
  private deliver(snd: Sender, g: number, pop: number, s: number, y: number): void {
    this.msgIn[g]! += s;
    this.syn[g]! += y;
    this.synByPop[pop]! += y;
    this.load.synTotal += y;
    if (this.hasMesh) snd.hops += s * this.route(snd.src, g, s);
  }

  /** Per core, SANA-FE simple model on the mean sample's loads: the busiest core's time, null when a latency is missing. */
  private coreTime(): { coreNs: number | null; busiestCore: ChipStep['busiestCore'] } {
    const arch = this.arch,
      L = this.load,
      S = this.S;
    const lat = (e: ChipEvent, n: number) => ({ ns: eventLatencyNs(arch, e), n, name: `${e} latency` });
    const needs = [
      lat('neuronAccess', this.mappedNeurons),
      lat('neuronUpdate', this.mappedNeurons),
      lat('spikeOut', L.firedOnCores),
      lat('messageOut', L.messages),
      lat('messageIn', L.messages),
      lat('synapse', L.synTotal),
    ];
    if (needs.some((x) => x.n > 0 && x.ns === null)) return { coreNs: null, busiestCore: null };
    const [la, lu, ls, lo, li, ly] = needs.map((x) => x.ns ?? 0) as [number, number, number, number, number, number];
    let coreNs = 0,
      busiestCore: ChipStep['busiestCore'] = null;
    for (let g = 0; g < this.nCores; g++) {
      const send = this.neuronsOnCore[g]! * (la + lu) + (this.fired[g]! / S) * ls + (this.msgOut[g]! / S) * lo;
      const receive = (this.msgIn[g]! / S) * li + (this.syn[g]! / S) * ly;
      if (Math.max(send, receive) > coreNs || busiestCore === null) {
        coreNs = Math.max(send, receive);
        busiestCore = { core: g, sendNs: send, receiveNs: receive };
      }
    }
    return { coreNs, busiestCore };
  }

  /** Step t's energy by part (also added to the run's), and the processor's time for the ops of the layers it runs. */
  private bookStep(t: number): { part: EnergyParts; processorNs: number | null } {
    const arch = this.arch,
      L = this.load,
      S = this.S;
    const part = energyParts();
    const book = (k: keyof EnergyParts, count: number, unit: number | null, name: string) => {
      part[k].add(count, unit, name);
      this.energy[k].add(count, unit, name);
    };
    const en = (e: ChipEvent) => eventEnergyPj(arch, e);
    const cpuTime = new PartSum();
    for (const lc of this.processorLayers)
      for (const k of OP_KINDS) {
        const n = lc.ops[t * NUM_OP_KINDS + opIndex(k)]! / S;
        book('processor', n, processorCost(arch, k, 'energyPj'), `processor ${k} energy`);
        cpuTime.add(n, processorCost(arch, k, 'latencyNs'), `processor ${k} time`);
      }
    this.processorIn += L.toCpu / S;
    this.processorOut += L.fromCpu / S;
    book('synapse', (L.synTotal + L.splitterSpikes) / S, en('synapse'), 'synapse energy');
    book('neuron', this.mappedNeurons, en('neuronAccess'), 'neuronAccess energy');
    book('neuron', this.mappedNeurons, en('neuronUpdate'), 'neuronUpdate energy');
    book('neuron', (L.firedOnCores + L.splitterSpikes) / S, en('spikeOut'), 'spikeOut energy');
    const allMessages = (L.messages + L.extraMessages) / S;
    book('network', allMessages, en('messageOut'), 'messageOut energy');
    book('network', allMessages, en('messageIn'), 'messageIn energy');
    if (this.hasMesh) {
      book('network', L.hopsX / S, en('hopEastWest'), 'hopEastWest energy');
      book('network', L.hopsY / S, en('hopNorthSouth'), 'hopNorthSouth energy');
      book('network', L.crossings / S, en('chipCrossing'), 'chipCrossing energy');
    } else if (L.messages > 0) book('network', 1, null, 'mesh layout (hops)');
    return { part, processorNs: cpuTime.get() };
  }

  /** Link-load bound: the busiest link's messages x its hop latency; null without a mesh or hop latencies. */
  private linkBoundNs(): number | null {
    const hopEW = eventLatencyNs(this.arch, 'hopEastWest'),
      hopNS = eventLatencyNs(this.arch, 'hopNorthSouth');
    if (!this.hasMesh || hopEW === null || hopNS === null) return null;
    const busiest = this.links.busiest();
    return Math.max(busiest.x * hopEW, busiest.y * hopNS) / this.S;
  }
}
