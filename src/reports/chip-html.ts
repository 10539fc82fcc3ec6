import { chipResults } from './chip-charts.js';
import type { ChipReport } from './chip-schema.js';
import { escapeHtml, fmtNum, kvTable, numCol, table, textCol } from './html-page.js';
import type { ProfileReport } from './schema.js';

type Mapped = Extract<ChipReport, { mapped: true }>;
type Part = Mapped['energy']['total'];

const NE = 'not estimated';
/** A value with its unit, or "not estimated (needs ...)". */
export function partText(p: Part, fmt: (v: number) => string): string {
  return p.value !== null ? fmt(p.value) : `${NE}${p.missing.length ? ` (needs ${p.missing.join(', ')})` : ''}`;
}
export const fmtNs = (ns: number): string =>
  ns >= 1e6 ? `${fmtNum(ns / 1e6)} ms` : ns >= 1e3 ? `${fmtNum(ns / 1e3)} µs` : `${fmtNum(ns)} ns`;
export const fmtPj = (pj: number): string =>
  pj >= 1e9 ? `${fmtNum(pj / 1e9)} mJ` : pj >= 1e6 ? `${fmtNum(pj / 1e6)} µJ` : pj >= 1e3 ? `${fmtNum(pj / 1e3)} nJ` : `${fmtNum(pj)} pJ`;
const opt = (x: number | null, f: (v: number) => string = fmtNum) => (x === null ? NE : f(x));
const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);

/** The headline numbers of one chip result (HTML key-value rows and the terminal summary share them). */
export function chipHeadline(c: Mapped): [string, string][] {
  const total = c.energy.total;
  return [
    [
      'cores / chips / tiles',
      `${fmtNum(c.cores)} cores on ${c.chips} chip(s) (${c.coresPerChip} cores each), ${c.tiles ?? 'unknown'} tiles`,
    ],
    [
      'weight sharing',
      c.weightSharing === 'none' ? 'none (every synapse stores its weight)' : 'per core (a core stores each conv kernel row once)',
    ],
    [
      'neurons mapped',
      `${fmtNum(c.neurons)}${c.splitterNeurons ? ` + ${fmtNum(c.splitterNeurons)} splitter neurons on ${c.splitterCores} cores` : ''}`,
    ],
    ['latency per step (mean)', partText(c.latency.stepNs, fmtNs)],
    ['latency per image', `${partText(c.latency.imageNs, fmtNs)} (${c.latency.depthSteps} layers deep)`],
    ['throughput (pipelined)', partText(c.latency.imagesPerSecond, (v) => `${fmtNum(v)} images/s`)],
    ['messages per inference', fmtNum(c.totals.messages)],
    [
      'hops east-west / north-south / chip crossings',
      `${opt(c.totals.hopsEastWest)} / ${opt(c.totals.hopsNorthSouth)} / ${opt(c.totals.chipCrossings)}`,
    ],
    ['synapse events per inference', fmtNum(c.totals.synapseEvents)],
    ['energy per inference', `${partText(total, fmtPj)}${c.energy.complete ? ' (complete)' : ''}`],
  ];
}

function energyTable(c: Mapped): string {
  const parts = ['synapse', 'neuron', 'network', 'processor', 'static', 'active', 'total'] as const;
  const what: Record<(typeof parts)[number], string> = {
    synapse: 'synapse lookups (per message x synapse)',
    neuron: 'neuron access + update of every mapped neuron every step, spikes out',
    network: 'messages out and in, hops east-west / north-south, chip crossings',
    processor: `${c.processor.name}: the layers the cores cannot run`,
    static: 'static power x image latency',
    active: 'synapse + neuron + network + processor',
    total: 'active + static',
  };
  return table(
    [textCol('part'), numCol('energy per inference'), textCol('what it counts')],
    parts.map((p) => [escapeHtml(p), escapeHtml(partText(c.energy[p], fmtPj)), escapeHtml(what[p])]),
  );
}

function layerTable(c: Mapped): string {
  const lim = (x: number | null) => (x === null ? 'n/a' : fmtNum(x));
  return table(
    [
      textCol('layer'),
      textCol('kind'),
      numCol('neurons'),
      numCol('fan-in'),
      numCol('cores: neurons'),
      numCol('cores: synapse memory'),
      numCol('cores: input axons'),
      numCol('cores: output axons'),
      textCol('binding'),
      numCol('neurons / core'),
      numCol('cores'),
      textCol('chips'),
      numCol('neuron use'),
      numCol('synapse memory use'),
      numCol('spikes'),
      numCol('messages'),
      numCol('hops'),
      numCol('synapse events'),
    ],
    c.layers.map((l) =>
      [
        l.layer,
        l.kind,
        fmtNum(l.neurons),
        fmtNum(l.fanIn),
        lim(l.coresByLimit.neurons),
        lim(l.coresByLimit.synapseMemory),
        lim(l.coresByLimit.inputAxons),
        lim(l.coresByLimit.outputAxons),
        l.binding ?? 'none known',
        fmtNum(l.neuronsPerCore),
        fmtNum(l.cores),
        l.firstChip === l.lastChip ? String(l.firstChip) : `${l.firstChip}-${l.lastChip}`,
        pct(l.neuronUtilisation),
        pct(l.synapseMemoryUtilisation),
        fmtNum(l.spikes),
        fmtNum(l.messages),
        opt(l.hops),
        fmtNum(l.synapseEvents),
      ].map(escapeHtml),
    ),
  );
}

function processorTable(c: Mapped): string {
  if (!c.processor.layers.length) return '<p class="note">Every layer maps onto the cores.</p>';
  return `<p class="note">${escapeHtml(`${fmtNum(c.processor.messagesIn)} messages per inference go to the processor, ${fmtNum(c.processor.messagesOut)} come from it.`)}</p>
${table(
  [textCol('layer'), textCol('kind'), textCol('why on the processor'), textCol('ops per inference')],
  c.processor.layers.map((l) =>
    [
      l.layer,
      l.kind,
      l.reason,
      Object.entries(l.ops)
        .map(([k, n]) => `${k} ${fmtNum(n)}`)
        .join(', '),
    ].map(escapeHtml),
  ),
)}`;
}

function stepTable(c: Mapped): string {
  return table(
    [
      numCol('t'),
      numCol('messages'),
      numCol('hops E-W'),
      numCol('hops N-S'),
      numCol('synapse events'),
      textCol('busiest core'),
      numCol('core time'),
      numCol('processor time'),
      numCol('sync'),
      numCol('step latency'),
      numCol('link-load bound'),
      numCol('active energy'),
    ],
    c.steps.map((s) => {
      const e = [s.energyPj.synapse, s.energyPj.neuron, s.energyPj.network, s.energyPj.processor];
      return [
        String(s.t),
        fmtNum(s.messages),
        opt(s.hopsEastWest),
        opt(s.hopsNorthSouth),
        fmtNum(s.synapseEvents),
        s.busiestCore ? `#${s.busiestCore.core} (send ${fmtNs(s.busiestCore.sendNs)}, receive ${fmtNs(s.busiestCore.receiveNs)})` : NE,
        opt(s.coreNs, fmtNs),
        opt(s.processorNs, fmtNs),
        opt(s.syncNs, fmtNs),
        opt(s.latencyNs, fmtNs),
        opt(s.linkBoundNs, fmtNs),
        e.some((x) => x === null) ? NE : fmtPj(e.reduce<number>((a, b) => a + b!, 0)),
      ].map(escapeHtml);
    }),
  );
}

/** The report.html section of the chip model: one block per profile with an architecture. */
export function chipSection(r: ProfileReport): string {
  const refused = new Map<string, string>();
  for (const e of r.energy) if (e.chip && !e.chip.mapped) refused.set(e.profile, e.chip.reason);
  const chips = chipResults(r);
  if (!chips.length && !refused.size) return '';
  const blocks = chips.map(
    (c) => `<h3>${escapeHtml(c.profile)}</h3>
${kvTable(chipHeadline(c))}
<h4>Energy split</h4>
${energyTable(c)}
<h4>Cores per layer</h4>
<p class="note">Cores each layer needs under each limit alone, the binding limit, and its traffic per inference (spikes it fires, messages it sends, hops they travel, synapse events it receives).</p>
${layerTable(c)}
<h4>On the processor</h4>
${processorTable(c)}
<h4>Per time step</h4>
${stepTable(c)}
<ul class="note">${[
      ...c.latency.notes,
      ...c.notes,
      `placement: ${c.placementRule}`,
      `timing: ${c.timingRule}`,
      `spikes from ${c.spikeSource}`,
    ]
      .map((n) => `<li>${escapeHtml(n)}</li>`)
      .join('')}</ul>`,
  );
  const refusedHtml = [...refused].map(([p, why]) => `<h3>${escapeHtml(p)}</h3><div class="warn">not mapped: ${escapeHtml(why)}</div>`);
  return `<h2>Chip model</h2>
<p class="note">The network mapped onto the cores of each profile with an architecture (docs/chip.md): SANA-FE's event rules, one message per firing neuron and destination core, XY hops, static power over the image latency. Per inference; "not estimated" names the numbers the profile does not give.</p>
${[...blocks, ...refusedHtml].join('\n')}`;
}
