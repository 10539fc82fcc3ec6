import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { sumOps, type ProfileEnergy, type ProfileReport } from './schema.js';

/** Kinds a profile leaves unpriced: charts say so in titles and labels (an incomplete total never reads as complete). */
const unpricedOf = (e: ProfileEnergy): string[] => e.unpriced.map((u) => u.op);
const seriesName = (r: ProfileReport, e: ProfileEnergy): string => {
  const several = new Set(r.energy.map((x) => x.convention)).size > 1;
  const name = several ? `${e.profile} (${e.convention})` : e.profile;
  return e.unpriced.length ? `${name} ≥ (incomplete: no ${unpricedOf(e).join(', ')})` : name;
};
const chartId = (r: ProfileReport, e: ProfileEnergy): string =>
  new Set(r.energy.map((x) => x.convention)).size > 1 ? slug(`${e.profile}-${e.convention}`) : slug(e.profile);

/**
 * Chart descriptions as plain JSON chart.js configurations (no functions), so that one description is drawn
 * both by chart.js in the browser (report.html) and by chart.js on a node canvas (PNG). The firing-rate
 * heatmap is a stacked horizontal bar chart whose cells are unit-width bars coloured by rate.
 */
export interface ChartSpec {
  /** File stem of the PNG and element id in the HTML: `[a-z0-9-]+`. */
  id: string;
  title: string;
  /** One sentence saying what the chart shows and how to read it. */
  caption: string;
  widthPx: number;
  heightPx: number;
  /** A chart.js configuration, JSON-serialisable. */
  config: ChartConfigJson;
  /** Colour scale of a heatmap (drawn as a CSS gradient in the HTML), else null. */
  colorScale: { min: number; max: number; label: string; stops: string[] } | null;
}

export interface ChartConfigJson {
  type: 'bar' | 'line';
  data: { labels: (string | number)[]; datasets: Record<string, unknown>[] };
  options: Record<string, unknown>;
}

/** One colour per op kind (Tableau 10). */
const OP_COLORS = {
  ac: '#4e79a7',
  mac: '#e15759',
  neuronUpdate: '#59a14f',
  spike: '#edc948',
  cmp: '#b07aa1',
  add: '#76b7b2',
  mask: '#ff9da7',
  memRead: '#9c755f',
  memWrite: '#bab0ac',
} satisfies Record<OpKind, string>;

const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

/** Viridis stops (matplotlib), dark = 0, yellow = max. */
const VIRIDIS = ['#440154', '#482878', '#3e4a89', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

export function viridis(x: number): string {
  const v = Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(v)),
    f = v - i;
  const a = hex(VIRIDIS[i]!),
    b = hex(VIRIDIS[i + 1]!);
  const mix = a.map((c, j) => Math.round(c + (b[j]! - c) * f));
  return `rgb(${mix[0]},${mix[1]},${mix[2]})`;
}
function hex(s: string): number[] {
  return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
}

/** Picks an energy unit so that the largest value reads as 1 .. 1000. Values are pJ. */
export function energyUnit(maxPj: number): { label: string; perPj: number } {
  if (maxPj >= 1e9) return { label: 'mJ', perPj: 1e-9 };
  if (maxPj >= 1e6) return { label: 'µJ', perPj: 1e-6 };
  if (maxPj >= 1e3) return { label: 'nJ', perPj: 1e-3 };
  return { label: 'pJ', perPj: 1 };
}

const round = (x: number) => Number(x.toPrecision(6));

function baseOptions(title: string): Record<string, unknown> {
  return {
    responsive: false,
    animation: false,
    maintainAspectRatio: false,
    plugins: { title: { display: true, text: title, font: { size: 15 } }, legend: { position: 'top' } },
  };
}

function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { display: true, text: title }, ...extra };
}

/** A bar chart 960 px wide: its chart.js config with the common options (title, no animation), `options` over them. */
export function barChart(c: {
  id: string;
  title: string;
  caption: string;
  heightPx: number;
  labels: (string | number)[];
  datasets: Record<string, unknown>[];
  options: Record<string, unknown>;
  colorScale?: ChartSpec['colorScale'];
}): ChartSpec {
  return {
    id: c.id,
    title: c.title,
    caption: c.caption,
    widthPx: 960,
    heightPx: c.heightPx,
    config: { type: 'bar', data: { labels: c.labels, datasets: c.datasets }, options: { ...baseOptions(c.title), ...c.options } },
    colorScale: c.colorScale ?? null,
  };
}

/**
 * A heatmap drawn as unit-width stacked bars: one dataset per column, labelled, holding one unit cell per row (a bar),
 * each cell coloured by `color(row, column)`.
 */
export function heatmapDatasets(
  columns: number,
  label: (x: number) => string,
  rows: number,
  color: (y: number, x: number) => string,
): Record<string, unknown>[] {
  return Array.from({ length: columns }, (_, x) => ({
    label: label(x),
    data: Array.from({ length: rows }, () => 1),
    stack: 'h',
    borderWidth: 0,
    barPercentage: 1,
    categoryPercentage: 1,
    backgroundColor: Array.from({ length: rows }, (_, y) => color(y, x)),
  }));
}

/** Energy per layer (summed over t), stacked by op kind; horizontal, one bar per layer that costs anything. */
export function energyPerLayerChart(r: ProfileReport, e: ProfileEnergy): ChartSpec {
  const exactUnpriced = new Set(unpricedOf(e));
  const rows = e.layers
    .map((l, i) => {
      const by = {} as Record<OpKind, number>;
      for (const k of OP_KINDS) by[k] = 0;
      for (const s of l.perStep) for (const k of OP_KINDS) by[k] += s.byOpKindPj[k];
      const unpriced = l.unpriced
        ? l.unpriced.map((u) => u.op)
        : OP_KINDS.filter((k) => exactUnpriced.has(k) && (r.layers[i]?.perStep ?? []).some((s) => s.ops[k] > 0));
      // NOTE: a layer whose ops are unpriced stays in the chart, labelled, so that it never looks free.
      return { name: unpriced.length ? `${l.name} [unpriced: ${unpriced.join(', ')}]` : l.name, by, total: sumOps(by), unpriced };
    })
    .filter((x) => x.total > 0 || x.unpriced.length > 0);
  const unit = energyUnit(Math.max(1, ...rows.map((x) => x.total)));
  const kinds = OP_KINDS.filter((k) => rows.some((x) => x.by[k] > 0));
  const incomplete = e.unpriced.length ? `; incomplete: no price for ${unpricedOf(e).join(', ')}` : '';
  const title = `Energy per layer and op kind, ${seriesName(r, e).replace(/ ≥.*$/, '')} (${unit.label} per inference${incomplete})`;
  return barChart({
    id: `energy-per-layer-${chartId(r, e)}`,
    title,
    caption:
      `Energy of each layer summed over the ${r.timesteps} time steps on ${e.profile} (${e.convention} convention), stacked by op kind; layers that cost nothing are left out` +
      (incomplete ? `, layers marked [unpriced] hold ops ${e.profile} does not price (their bars are lower bounds).` : '.'),
    heightPx: Math.max(320, 90 + 15 * rows.length),
    labels: rows.map((x) => x.name),
    datasets: kinds.map((k) => ({
      label: k,
      data: rows.map((x) => round(x.by[k] * unit.perPj)),
      backgroundColor: OP_COLORS[k],
      stack: 'e',
    })),
    options: {
      indexAxis: 'y',
      scales: {
        x: axis(`energy (${unit.label})`, { stacked: true }),
        y: { stacked: true, ticks: { autoSkip: false, font: { size: 10 } } },
      },
    },
  });
}

/** Firing rate of every LIF layer at every time step: a layer x t grid of cells coloured by rate. */
export function firingHeatmapChart(r: ProfileReport): ChartSpec {
  const lifs = r.layers.filter((l) => l.kind === 'lif');
  const max = Math.max(1e-9, ...lifs.flatMap((l) => l.perStep.map((s) => s.firingRate ?? 0)));
  const title = `Firing rate per LIF layer and time step (0 to ${max.toFixed(3)})`;
  return barChart({
    id: 'firing-rate-heatmap',
    title,
    caption: `Each row is a LIF layer, each cell one time step t = 0 .. ${r.timesteps - 1} from left to right; colour: spikes / neurons, dark 0, yellow ${max.toFixed(3)} (the highest rate seen).`,
    heightPx: Math.max(320, 100 + 14 * lifs.length),
    labels: lifs.map((l) => l.name),
    datasets: heatmapDatasets(
      r.timesteps,
      (t) => `t=${t}`,
      lifs.length,
      (y, t) => viridis((lifs[y]!.perStep[t]?.firingRate ?? 0) / max),
    ),
    options: {
      indexAxis: 'y',
      plugins: { title: { display: true, text: title, font: { size: 15 } }, legend: { display: false }, tooltip: { enabled: false } },
      scales: {
        // NOTE: the cells are unit-width stacked bars on a linear axis; a category axis on top of it labels each cell t=0 ..
        x: { stacked: true, min: 0, max: r.timesteps, display: false },
        t: {
          type: 'category',
          position: 'bottom',
          offset: true,
          labels: Array.from({ length: r.timesteps }, (_, t) => `t=${t}`),
          grid: { display: false },
          title: { display: true, text: 'time step' },
        },
        y: { stacked: true, ticks: { autoSkip: false, font: { size: 10 } } },
      },
    },
    colorScale: { min: 0, max, label: 'firing rate', stops: VIRIDIS },
  });
}

/** Total energy at each time step, one bar per profile (log axis when the profiles differ by > 50x). */
export function energyPerTimestepChart(r: ProfileReport): ChartSpec {
  const series = r.energy.map((e) =>
    Array.from({ length: r.timesteps }, (_, t) => e.layers.reduce((s, l) => s + (l.perStep[t]?.totalPj ?? 0), 0)),
  );
  const all = series.flat().filter((x) => x > 0);
  const unit = energyUnit(Math.max(1, ...all));
  const log = all.length > 0 && Math.max(...all) / Math.min(...all) > 50;
  const anyIncomplete = r.energy.some((e) => e.unpriced.length > 0);
  const title = `Energy per time step (${unit.label} per inference${anyIncomplete ? '; ≥ marks incomplete profiles' : ''})`;
  return barChart({
    id: 'energy-per-timestep',
    title,
    caption: `Energy spent at each time step, all layers, one bar per hardware profile${log ? ' (logarithmic axis)' : ''}.`,
    heightPx: 420,
    labels: Array.from({ length: r.timesteps }, (_, t) => `t=${t}`),
    datasets: r.energy.map((e, i) => ({
      label: seriesName(r, e),
      data: series[i]!.map((x) => round(x * unit.perPj)),
      backgroundColor: seriesColor(i),
      ...(e.unpriced.length ? { borderColor: '#9a5b00', borderWidth: 2, borderDash: [4, 3] } : {}),
    })),
    options: {
      scales: {
        x: axis('time step (categorical)'),
        y: axis(`energy (${unit.label})`, log ? { type: 'logarithmic' } : { beginAtZero: true }),
      },
    },
  });
}

/** Total energy per inference of each profile, stacked by op kind. */
export function totalsPerProfileChart(r: ProfileReport): ChartSpec {
  const unit = energyUnit(Math.max(1, ...r.energy.map((e) => e.totalMj * 1e9)));
  const kinds = OP_KINDS.filter((k) => r.energy.some((e) => e.byOpKindPj[k] > 0));
  const incomplete = r.energy.filter((e) => e.unpriced.length > 0).map((e) => e.profile);
  const flag = incomplete.length ? `; incomplete: ${incomplete.join(', ')} (≥)` : '';
  const title = `Total energy per inference by hardware profile (${unit.label})${flag}`;
  return barChart({
    id: 'totals-per-profile',
    title,
    caption:
      'Energy of one inference on each hardware profile, stacked by op kind. A profile labelled "≥ (incomplete ...)" prices only some of the' +
      ' counted ops: its bar is a lower bound, not comparable bar for bar with a complete one.',
    heightPx: Math.max(260, 140 + 50 * r.energy.length),
    labels: r.energy.map((e) => seriesName(r, e)),
    datasets: kinds.map((k) => ({
      label: k,
      data: r.energy.map((e) => round(e.byOpKindPj[k] * unit.perPj)),
      backgroundColor: OP_COLORS[k],
      stack: 'p',
    })),
    options: {
      indexAxis: 'y',
      scales: { x: axis(`energy (${unit.label})`, { stacked: true }), y: { stacked: true } },
    },
  });
}

export function profileCharts(r: ProfileReport): ChartSpec[] {
  return [totalsPerProfileChart(r), ...r.energy.map((e) => energyPerLayerChart(r, e)), firingHeatmapChart(r), energyPerTimestepChart(r)];
}

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  );
}
