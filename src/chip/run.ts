import type { Architecture, ChipEvent } from '../cost-models/architecture-schema.js';
import type { LayerCounts, OpCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex, type OpKind } from '../sim/ops.js';
import type { ChipGraph } from './graph.js';
import type { Mapping } from './map.js';
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
  const S = counts.samples,
    T = counts.timesteps;
  const mesh = m.mesh;
  const hasMesh = mesh.tiles !== null;
  const byName = new Map(counts.layers.map((l) => [l.name, l] as const));
  const popIndex = new Map(graph.populations.map((p, i) => [p.layer, i] as const));
  const toProcessor = new Set(graph.toProcessor);
  const partials = new Set(graph.partials);
  const sources = [...graph.populations.map((p) => p.layer), ...graph.fromProcessor];
  const nCores = mesh.cores;
  const neuronsOnCore = new Float64Array(nCores);
  graph.populations.forEach((p, i) => {
    for (let c = 0; c < m.cores[i]!; c++) neuronsOnCore[m.firstCore[i]! + c] = Math.min(m.perCore[i]!, p.neurons - c * m.perCore[i]!);
  });
  const msgOut = new Float64Array(nCores),
    msgIn = new Float64Array(nCores),
    syn = new Float64Array(nCores),
    fired = new Float64Array(nCores);
  const GW = mesh.widthTiles,
    GH = mesh.heightTiles;
  const east = new Float64Array(hasMesh ? GH * (GW + 1) : 0),
    west = new Float64Array(east.length),
    south = new Float64Array(hasMesh ? GW * (GH + 1) : 0),
    north = new Float64Array(south.length);
  const tileEvents = hasMesh ? new Float64Array(GW * GH) : null;
  const synByPop = new Float64Array(graph.populations.length);
  const perLayer = new Map<string, { spikes: number; messages: number; hops: number }>(
    sources.map((s) => [s, { spikes: 0, messages: 0, hops: 0 }]),
  );
  const lat = {
    access: eventLatencyNs(arch, 'neuronAccess'),
    update: eventLatencyNs(arch, 'neuronUpdate'),
    spike: eventLatencyNs(arch, 'spikeOut'),
    out: eventLatencyNs(arch, 'messageOut'),
    in: eventLatencyNs(arch, 'messageIn'),
    syn: eventLatencyNs(arch, 'synapse'),
  };
  const en = (e: ChipEvent) => eventEnergyPj(arch, e);
  const hopEW = eventLatencyNs(arch, 'hopEastWest'),
    hopNS = eventLatencyNs(arch, 'hopNorthSouth');
  const sync = syncLatencyNs(arch, mesh);
  const fixed = arch.sync.fixedStepNs?.value ?? null;
  const maxDest = arch.core.maxDestinationCoresPerNeuron?.value ?? Infinity;
  const mappedNeurons = graph.populations.reduce((s, p) => s + p.neurons, 0) + m.splitterNeurons;
  const processorLayers = graph.processor.map((p) => byName.get(p.layer)).filter((l): l is LayerCounts => l !== undefined);
  const E = { synapse: new PartSum(), neuron: new PartSum(), network: new PartSum(), processor: new PartSum() };
  let usedLayerTotals = false,
    processorIn = 0,
    processorOut = 0;
  const steps: ChipStep[] = [];

  for (let t = 0; t < T; t++) {
    msgOut.fill(0);
    msgIn.fill(0);
    syn.fill(0);
    fired.fill(0);
    east.fill(0);
    west.fill(0);
    south.fill(0);
    north.fill(0);
    let messages = 0,
      hopsX = 0,
      hopsY = 0,
      crossings = 0,
      synTotal = 0,
      spikes = 0,
      toCpu = 0,
      fromCpu = 0,
      extraMessages = 0,
      splitterSpikes = 0,
      firedOnCores = 0;
    const route = (from: number, to: number, s: number): number => {
      const sx = from < 0 ? 0 : mesh.x[from]!,
        sy = from < 0 ? 0 : mesh.y[from]!;
      const dx = to < 0 ? 0 : mesh.x[to]!,
        dy = to < 0 ? 0 : mesh.y[to]!;
      const ex = Math.abs(dx - sx),
        ey = Math.abs(dy - sy);
      hopsX += s * ex;
      hopsY += s * ey;
      const cx0 = from < 0 ? 0 : mesh.chipX[from]!,
        cy0 = from < 0 ? 0 : mesh.chipY[from]!;
      const cx1 = to < 0 ? 0 : mesh.chipX[to]!,
        cy1 = to < 0 ? 0 : mesh.chipY[to]!;
      crossings += s * (Math.abs(cx1 - cx0) + Math.abs(cy1 - cy0));
      // XY routing: along the source row first, then along the destination column (difference arrays per line)
      const row = sy * (GW + 1);
      if (dx > sx) {
        east[row + sx]! += s;
        east[row + dx]! -= s;
      } else if (dx < sx) {
        west[row + dx]! += s;
        west[row + sx]! -= s;
      }
      const col = dx * (GH + 1);
      if (dy > sy) {
        south[col + sy]! += s;
        south[col + dy]! -= s;
      } else if (dy < sy) {
        north[col + dy]! += s;
        north[col + sy]! -= s;
      }
      return ex + ey;
    };
    for (const name of sources) {
      const lc = byName.get(name);
      const tab = m.tables.get(name);
      const partial = partials.has(name);
      if (!tab || (!lc && !partial)) continue;
      const N = lc ? lc.outputElements : graph.populations[popIndex.get(name)!]!.neurons,
        C = tab.channels,
        tokens = N / C;
      const pi = popIndex.get(name);
      const first = pi === undefined ? -1 : m.firstCore[pi]!,
        per = pi === undefined ? N : m.perCore[pi]!;
      const ns = lc?.neuronSpikes;
      if (!ns && !partial) usedLayerTotals = true;
      // a partial-sum neuron (split.ts) sends one message every step of every sample
      const even = ns ? 0 : partial ? S : lc!.outputSpikes[t]! / N;
      const feedsCpu = toProcessor.has(name) ? 1 : 0;
      const convs = tab.connections.filter((c) => c.byToken);
      const sliced = convs.some((c) => c.inChannels !== null);
      const dTok = new Float64Array(convs.length),
        sConv = new Float64Array(convs.length);
      const others = tab.connections.filter((c) => !c.byToken);
      // one-to-one consumers: consecutive neurons of a group mostly land on one core, so their spikes are summed per
      // destination core before delivery (exact: every count is linear in spikes)
      const pendCore = new Int32Array(others.length).fill(-1),
        pendSpikes = new Float64Array(others.length);
      const flush = () => {
        others.forEach((c, k) => {
          if (pendSpikes[k]! > 0) deliver(pendCore[k]!, c.pop, pendSpikes[k]!, pendSpikes[k]!);
          pendCore[k] = -1;
          pendSpikes[k] = 0;
        });
      };
      const off = t * N;
      let layerSpikes = 0,
        layerMessages = 0,
        layerHops = 0;
      let src = -1;
      /** One message of s spikes to global core g meeting y synapses there. */
      const deliver = (g: number, pop: number, s: number, y: number) => {
        msgIn[g]! += s;
        syn[g]! += y;
        synByPop[pop]! += y;
        synTotal += y;
        if (hasMesh) layerHops += s * route(src, g, s);
      };
      for (let p = 0; p < tokens; p++) {
        const base = p * C;
        let dConv = 0;
        convs.forEach((c, k) => {
          dTok[k] = c.offsets[p + 1]! - c.offsets[p]!;
          dConv += dTok[k]!;
        });
        // NOTE: a conv consumer's destinations depend on the token only: the spikes of a token's channels on one source
        // core travel as one sum (every count below is linear in spikes)
        for (let c0 = 0; c0 < C;) {
          const localCore = Math.floor((base + c0) / per);
          const c1 = Math.min(C, (localCore + 1) * per - base);
          src = first < 0 ? -1 : first + localCore;
          let s = 0,
            groupMessages = 0;
          sConv.fill(0);
          for (let i = base + c0; i < base + c1; i++) {
            const si = ns ? ns[off + i]! : even;
            if (si === 0) continue;
            s += si;
            let d = dConv;
            if (sliced) {
              // a split conv's parts each take a slice of the channels: this neuron reaches only its slice's part
              d = 0;
              const ch = i - base;
              convs.forEach((c, k) => {
                if (c.inChannels === null || (ch >= c.inChannels[0] && ch < c.inChannels[1])) {
                  sConv[k]! += si;
                  d += dTok[k]!;
                }
              });
            }
            for (let k = 0; k < others.length; k++) {
              const c = others[k]!;
              const fc = m.firstCore[c.pop]!;
              if (c.direct) {
                const g = fc + Math.floor(c.direct(i) / c.perCore);
                if (g !== pendCore[k]) {
                  if (pendSpikes[k]! > 0) deliver(pendCore[k]!, c.pop, pendSpikes[k]!, pendSpikes[k]!);
                  pendCore[k] = g;
                  pendSpikes[k] = 0;
                }
                pendSpikes[k]! += si;
                d += 1;
              } else {
                const a = c.offsets[i]!,
                  b = c.offsets[i + 1]!;
                for (let e = a; e < b; e++) deliver(fc + c.core[e]!, c.pop, si, si * c.synapses[e]!);
                d += b - a;
              }
            }
            if (d > maxDest) {
              extraMessages += si;
              splitterSpikes += si * d;
            }
            groupMessages += si * (d + feedsCpu);
          }
          c0 = c1;
          if (s === 0) continue;
          flush();
          convs.forEach((c, k) => {
            const sc = sliced ? sConv[k]! : s;
            if (sc === 0) return;
            const fc = m.firstCore[c.pop]!;
            for (let e = c.offsets[p]!; e < c.offsets[p + 1]!; e++) deliver(fc + c.core[e]!, c.pop, sc, sc * c.synapses[e]!);
          });
          if (feedsCpu) {
            toCpu += s;
            if (hasMesh && src >= 0) layerHops += s * route(src, -1, s);
          }
          if (src >= 0) {
            msgOut[src]! += groupMessages;
            fired[src]! += s;
            firedOnCores += s;
          } else fromCpu += groupMessages;
          messages += groupMessages;
          spikes += s;
          layerSpikes += s;
          layerMessages += groupMessages;
        }
      }
      const stats = perLayer.get(name)!;
      stats.spikes += layerSpikes / S;
      stats.messages += layerMessages / S;
      stats.hops += layerHops / S;
    }

    // per core, SANA-FE simple model on the mean sample's loads
    const needs: [keyof typeof lat, number, string][] = [
      ['access', mappedNeurons, 'neuronAccess latency'],
      ['update', mappedNeurons, 'neuronUpdate latency'],
      ['spike', firedOnCores, 'spikeOut latency'],
      ['out', messages, 'messageOut latency'],
      ['in', messages, 'messageIn latency'],
      ['syn', synTotal, 'synapse latency'],
    ];
    const latMissing = needs.filter(([k, n]) => n > 0 && lat[k] === null).map(([, , w]) => w);
    let coreNs: number | null = null,
      busiestCore: ChipStep['busiestCore'] = null;
    if (!latMissing.length) {
      const [la, lu, ls, lo, li, ly] = [lat.access ?? 0, lat.update ?? 0, lat.spike ?? 0, lat.out ?? 0, lat.in ?? 0, lat.syn ?? 0];
      coreNs = 0;
      for (let g = 0; g < nCores; g++) {
        const send = neuronsOnCore[g]! * (la + lu) + (fired[g]! / S) * ls + (msgOut[g]! / S) * lo;
        const receive = (msgIn[g]! / S) * li + (syn[g]! / S) * ly;
        if (Math.max(send, receive) > coreNs || busiestCore === null) {
          coreNs = Math.max(send, receive);
          busiestCore = { core: g, sendNs: send, receiveNs: receive };
        }
      }
    }
    if (tileEvents) for (let g = 0; g < nCores; g++) tileEvents[mesh.y[g]! * GW + mesh.x[g]!]! += (syn[g]! + msgIn[g]!) / S;

    // the processor: the ops of the layers it runs, at its energy and time per op
    const stepPart = { synapse: new PartSum(), neuron: new PartSum(), network: new PartSum(), processor: new PartSum() };
    const book = (part: keyof typeof stepPart, count: number, unit: number | null, name: string) => {
      stepPart[part].add(count, unit, name);
      E[part].add(count, unit, name);
    };
    const cpuTime = new PartSum();
    for (const lc of processorLayers)
      for (const k of OP_KINDS) {
        const n = lc.ops[t * NUM_OP_KINDS + opIndex(k)]! / S;
        book('processor', n, processorCost(arch, k, 'energyPj'), `processor ${k} energy`);
        cpuTime.add(n, processorCost(arch, k, 'latencyNs'), `processor ${k} time`);
      }
    processorIn += toCpu / S;
    processorOut += fromCpu / S;

    book('synapse', (synTotal + splitterSpikes) / S, en('synapse'), 'synapse energy');
    book('neuron', mappedNeurons, en('neuronAccess'), 'neuronAccess energy');
    book('neuron', mappedNeurons, en('neuronUpdate'), 'neuronUpdate energy');
    book('neuron', (firedOnCores + splitterSpikes) / S, en('spikeOut'), 'spikeOut energy');
    const allMessages = (messages + extraMessages) / S;
    book('network', allMessages, en('messageOut'), 'messageOut energy');
    book('network', allMessages, en('messageIn'), 'messageIn energy');
    if (hasMesh) {
      book('network', hopsX / S, en('hopEastWest'), 'hopEastWest energy');
      book('network', hopsY / S, en('hopNorthSouth'), 'hopNorthSouth energy');
      book('network', crossings / S, en('chipCrossing'), 'chipCrossing energy');
    } else if (messages > 0) book('network', 1, null, 'mesh layout (hops)');

    // link-load bound: the busiest link's messages x its hop latency
    let linkBoundNs: number | null = null;
    if (hasMesh && hopEW !== null && hopNS !== null) {
      let maxX = 0,
        maxY = 0;
      for (let r = 0; r < GH; r++) {
        let e = 0,
          w = 0;
        for (let x = 0; x < GW; x++) {
          e += east[r * (GW + 1) + x]!;
          w += west[r * (GW + 1) + x]!;
          maxX = Math.max(maxX, e, w);
        }
      }
      for (let c = 0; c < GW; c++) {
        let so = 0,
          no = 0;
        for (let y = 0; y < GH; y++) {
          so += south[c * (GH + 1) + y]!;
          no += north[c * (GH + 1) + y]!;
          maxY = Math.max(maxY, so, no);
        }
      }
      linkBoundNs = Math.max(maxX * hopEW, maxY * hopNS) / S;
    }
    const processorNs = cpuTime.get();
    const estimate = coreNs !== null && sync !== null ? Math.max(coreNs, processorNs ?? 0) + sync : null;
    const latencyNs = fixed !== null ? Math.max(fixed, estimate ?? 0) : estimate;
    steps.push({
      t,
      messages: allMessages,
      hopsEastWest: hasMesh ? hopsX / S : null,
      hopsNorthSouth: hasMesh ? hopsY / S : null,
      chipCrossings: hasMesh ? crossings / S : null,
      synapseEvents: synTotal / S,
      spikes: spikes / S,
      messagesToProcessor: toCpu / S,
      messagesFromProcessor: fromCpu / S,
      busiestCore,
      coreNs,
      processorNs: processorLayers.length ? processorNs : 0,
      syncNs: sync,
      latencyNs,
      linkBoundNs,
      energyPj: {
        synapse: stepPart.synapse.get(),
        neuron: stepPart.neuron.get(),
        network: stepPart.network.get(),
        processor: stepPart.processor.get(),
      },
    });
  }
  return {
    steps,
    energy: { synapse: E.synapse.part(), neuron: E.neuron.part(), network: E.network.part(), processor: E.processor.part() },
    perLayer,
    synapseEventsByPop: synByPop,
    processorIn,
    processorOut,
    tileEvents,
    usedLayerTotals,
  };
}
