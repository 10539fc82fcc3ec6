import { profileCharts, type ChartSpec } from './charts.js';
import { chipCharts } from './chip-charts.js';
import { layersCsv, timestepsCsv } from './csv.js';
import { renderChartPng } from './png.js';
import { neurobenchJson } from './neurobench.js';
import { renderProfileHtml } from './profile-html.js';
import { profileReportJson, type ProfileReport } from './schema.js';

/** The charts of a profile report, one PNG each (profile-files.ts names them `<id>.png`). */
export function profileReportCharts(r: ProfileReport): ChartSpec[] {
  return [...profileCharts(r), ...chipCharts(r)];
}

/**
 * Every file of a profile output directory, rendered from the report alone (what `spikewatt report`
 * re-renders): profile.json, layers.csv, timesteps.csv, report.html and one PNG per chart. Nothing is written.
 * `pngs`: the PNGs of profileReportCharts(r), being rendered elsewhere (else rendered here).
 */
export async function renderProfileFiles(
  r: ProfileReport,
  chartJs: string,
  o: { json?: boolean; pngs?: Promise<Buffer[]> } = {},
): Promise<Map<string, string | Buffer>> {
  const files = new Map<string, string | Buffer>();
  if (o.json !== false) files.set('profile.json', profileReportJson(r));
  if (r.neurobench) files.set('neurobench.json', neurobenchJson(r.neurobench));
  files.set('layers.csv', await layersCsv(r));
  files.set('timesteps.csv', await timestepsCsv(r));
  files.set('report.html', renderProfileHtml(r, chartJs));
  const charts = profileReportCharts(r);
  const pngs = o.pngs ? await o.pngs : charts.map(renderChartPng);
  charts.forEach((c, i) => files.set(`${c.id}.png`, pngs[i]!));
  return files;
}
