import { profileCharts } from './charts.js';
import { chipCharts } from './chip-charts.js';
import { layersCsv, timestepsCsv } from './csv.js';
import { renderChartPng } from './png.js';
import { neurobenchJson } from './neurobench.js';
import { renderProfileHtml } from './profile-html.js';
import { profileReportJson, type ProfileReport } from './schema.js';

/**
 * Every file of a profile output directory, rendered from the report alone (what `spikewatt report`
 * re-renders): profile.json, layers.csv, timesteps.csv, report.html and one PNG per chart. Nothing is written.
 */
export async function renderProfileFiles(
  r: ProfileReport,
  chartJs: string,
  o: { json?: boolean } = {},
): Promise<Map<string, string | Buffer>> {
  const files = new Map<string, string | Buffer>();
  if (o.json !== false) files.set('profile.json', profileReportJson(r));
  if (r.neurobench) files.set('neurobench.json', neurobenchJson(r.neurobench));
  files.set('layers.csv', await layersCsv(r));
  files.set('timesteps.csv', await timestepsCsv(r));
  files.set('report.html', renderProfileHtml(r, chartJs));
  for (const c of [...profileCharts(r), ...chipCharts(r)]) files.set(`${c.id}.png`, renderChartPng(c));
  return files;
}
