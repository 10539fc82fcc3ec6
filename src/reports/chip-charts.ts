import { barChart, energyUnit, heatmapDatasets, slug, viridis, type ChartSpec } from './charts.js';
import type { ChipReport } from './chip-schema.js';
import type { ProfileReport } from './schema.js';

type Mapped = Extract<ChipReport, { mapped: true }>;
const round = (x: number) => Number(x.toPrecision(6));
const VIRIDIS_STOPS = ['#440154', '#3e4a89', '#26828e', '#35b779', '#b5de2b', '#fde725'];

/** The chip results of a report, one per profile (the chip model does not depend on the counting convention). */
export function chipResults(r: ProfileReport): Mapped[] {
  const seen = new Set<string>();
  const out: Mapped[] = [];
  for (const e of r.energy) {
    if (!e.chip?.mapped || seen.has(e.profile)) continue;
    seen.add(e.profile);
    out.push(e.chip);
  }
  return out;
}

/**
 * Load per tile on the chip mesh: synapse events + messages received per inference, one cell per tile, drawn like
 * the firing heatmap (unit-width stacked bars, one dataset per mesh column, one bar per mesh row).
 */
export function chipLoadHeatmap(c: Mapped): ChartSpec | null {
  const g = c.tileLoad;
  if (!g || g.widthTiles * g.heightTiles === 0) return null;
  // NOTE: a loop, not Math.max(...events): a full-size model on TrueNorth spans tens of thousands of tiles
  const max = g.events.reduce((m, v) => (v > m ? v : m), 1e-9);
  // rows past the last busy one are idle: shown cut (a 64 x 64 TrueNorth mesh holding a small network)
  let last = 0;
  g.events.forEach((v, i) => {
    if (v > 0) last = Math.max(last, Math.floor(i / g.widthTiles));
  });
  const shown = Math.min(g.heightTiles, last + 2);
  const cut = shown < g.heightTiles ? `; rows ${shown}-${g.heightTiles - 1} idle, not drawn` : '';
  const title = `${c.profile}: load per tile on the mesh (synapse events + messages received per inference, max ${round(max)})`;
  const rows = Array.from({ length: shown }, (_, y) => `row ${y}`);
  return barChart({
    id: slug(`chip-load-${c.profile}`),
    title,
    caption:
      `The ${g.widthTiles} x ${g.heightTiles} tile mesh of ${c.chips} chip(s) (${c.cores} cores, layers placed along a snake from the top-left tile); ` +
      `colour: work a tile receives per inference, dark none, yellow the busiest tile${cut}.`,
    heightPx: Math.min(900, Math.max(240, 80 + 16 * shown)),
    labels: rows,
    datasets: heatmapDatasets(
      g.widthTiles,
      (x) => `x=${x}`,
      shown,
      (y, x) => viridis(g.events[y * g.widthTiles + x]! / max),
    ),
    options: {
      indexAxis: 'y',
      plugins: { title: { display: true, text: title, font: { size: 14 } }, legend: { display: false }, tooltip: { enabled: false } },
      scales: {
        x: { stacked: true, min: 0, max: g.widthTiles, title: { display: true, text: 'mesh column (tile x)' } },
        y: { stacked: true, reverse: false, ticks: { autoSkip: true, font: { size: 10 } } },
      },
    },
    colorScale: { min: 0, max, label: 'events per tile', stops: VIRIDIS_STOPS },
  });
}

/** Latency of each time step (busiest core, processor, sync) beside the link-load bound, in µs. */
export function chipLatencyChart(c: Mapped): ChartSpec | null {
  if (c.steps.every((s) => s.latencyNs === null)) return null;
  const us = (x: number | null) => (x === null ? null : round(x / 1000));
  const title = `${c.profile}: latency per time step (µs; SANA-FE simple model)`;
  return barChart({
    id: slug(`chip-latency-${c.profile}`),
    title,
    caption:
      'Per time step: the step latency (busiest core or processor, plus the barrier sync), the busiest core alone, and the link-load bound ' +
      '(busiest mesh link x hop latency) beside it.',
    heightPx: 380,
    labels: c.steps.map((s) => `t=${s.t}`),
    datasets: [
      { label: 'step latency', data: c.steps.map((s) => us(s.latencyNs)), backgroundColor: '#4e79a7' },
      { label: 'busiest core', data: c.steps.map((s) => us(s.coreNs)), backgroundColor: '#f28e2b' },
      { label: 'sync', data: c.steps.map((s) => us(s.syncNs)), backgroundColor: '#bab0ac' },
      { label: 'link-load bound', data: c.steps.map((s) => us(s.linkBoundNs)), backgroundColor: '#59a14f' },
    ],
    options: {
      scales: { x: { title: { display: true, text: 'time step' } }, y: { beginAtZero: true, title: { display: true, text: 'µs' } } },
    },
  });
}

/** Active (synapse, neuron, network, processor) vs static energy per inference, one bar per chip profile. */
export function chipEnergyChart(chips: readonly Mapped[]): ChartSpec | null {
  if (!chips.length) return null;
  const parts = ['synapse', 'neuron', 'network', 'processor', 'static'] as const;
  const colors = { synapse: '#4e79a7', neuron: '#59a14f', network: '#edc948', processor: '#e15759', static: '#9c755f' };
  const unit = energyUnit(Math.max(1, ...chips.flatMap((c) => parts.map((p) => c.energy[p].value ?? 0))));
  const label = (c: Mapped) => (c.energy.complete ? c.profile : `${c.profile} (not all estimated: ≥)`);
  const title = `Chip energy per inference: active vs static (${unit.label})`;
  return barChart({
    id: 'chip-energy-split',
    title,
    caption:
      'The chip model energy of one inference, split into synaptic, neuron, network (messages, hops, chip crossings), processor and static ' +
      '(static power x image latency). A part that is not estimated is left out and its profile is marked ≥.',
    heightPx: Math.max(220, 120 + 50 * chips.length),
    labels: chips.map(label),
    datasets: parts.map((p) => ({
      label: p,
      data: chips.map((c) => round((c.energy[p].value ?? 0) * unit.perPj)),
      backgroundColor: colors[p],
      stack: 'e',
    })),
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true, title: { display: true, text: unit.label } }, y: { stacked: true } },
    },
  });
}

/** Every chip chart of a report (none without an architecture profile). */
export function chipCharts(r: ProfileReport): ChartSpec[] {
  const chips = chipResults(r);
  const out: ChartSpec[] = [];
  const energy = chipEnergyChart(chips);
  if (energy) out.push(energy);
  for (const c of chips) {
    const lat = chipLatencyChart(c);
    if (lat) out.push(lat);
    const heat = chipLoadHeatmap(c);
    if (heat) out.push(heat);
  }
  return out;
}
