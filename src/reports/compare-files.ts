import { compareCharts, renderCompareHtml } from './compare-html.js';
import { compareReportJson, type CompareReport } from './compare.js';
import { renderChartPng } from './png.js';

/** Every file of a compare output: compare.json, compare.html and one PNG per chart. Nothing is written. */
export function renderCompareFiles(r: CompareReport, chartJs: string): Map<string, string | Buffer> {
  const files = new Map<string, string | Buffer>();
  files.set('compare.json', compareReportJson(r));
  files.set('compare.html', renderCompareHtml(r, chartJs));
  for (const c of compareCharts(r)) files.set(`${c.id}.png`, renderChartPng(c));
  return files;
}
