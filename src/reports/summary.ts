import { fmtNum, fmtPct } from './html-page.js';
import { meanFiringRate, type ProfileReport } from './schema.js';

/** Left/right aligned text table (first column left). */
export function textTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The compact stdout summary of one profile run. */
export function profileSummary(r: ProfileReport): string {
  const rate = meanFiringRate(r.layers);
  const head = `${r.model.name} (${r.model.weights}) on ${r.dataset.name}, ${r.accuracy.samples} samples, T=${r.timesteps}, ${r.config.convention} counting`;
  const acc = `accuracy: top-1 ${fmtPct(r.accuracy.top1)}${r.accuracy.top5 !== null ? `, top-5 ${fmtPct(r.accuracy.top5)}` : ''}; mean firing rate ${rate === null ? 'n/a' : rate.toFixed(4)}`;
  const rows = r.energy.map((e) => [
    e.profile, fmtNum(e.totalMj), fmtNum(e.countsPerInference.ac), fmtNum(e.countsPerInference.mac),
    e.unpriced.length ? e.unpriced.map((u) => u.op).join(',') : '-',
  ]);
  return `${head}\n${acc}\n${textTable(['profile', 'mJ/inference', 'AC/inference', 'MAC/inference', 'unpriced'], rows)}`;
}
