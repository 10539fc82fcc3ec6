import { energyLabel, fmtInterval, isComplete, totalText, unitFor, wilson95 } from './format.js';
import { fmtNum, fmtPct } from './html-page.js';
import { paperCheck } from './paper.js';
import { chipSummary } from './chip-summary.js';
import { meanFiringRate, type ProfileReport } from './schema.js';

/** Left/right aligned text table (first column left). */
export function textTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The compact stdout summary of one profile run. */
export function profileSummary(r: ProfileReport): string {
  const rate = meanFiringRate(r.layers);
  const head = `${r.model.label ?? r.model.name} (${r.model.weights}) on ${r.dataset.name}, ${r.accuracy.samples} samples, T=${r.timesteps}, ${r.config.convention} counting`;
  const ci = fmtInterval(r.accuracy.top1Wilson95 ?? wilson95(r.accuracy.correctTop1, r.accuracy.samples));
  const acc = `accuracy: top-1 ${fmtPct(r.accuracy.top1)} (${ci})${r.accuracy.top5 !== null ? `, top-5 ${fmtPct(r.accuracy.top5)}` : ''}; mean firing rate ${rate === null ? 'n/a' : rate.toFixed(4)}`;
  const unit = unitFor(r.energy.map((e) => e.totalMj * 1e9));
  const rows = r.energy.map((e) => [
    energyLabel(r, e),
    totalText(e.totalMj * 1e9, isComplete(e), unit),
    fmtNum(e.countsPerInference.ac),
    fmtNum(e.countsPerInference.mac),
    e.unpriced.length ? `incomplete: no price for ${e.unpriced.map((u) => u.op).join(', ')}` : 'complete',
  ]);
  const paper = paperCheck(r);
  const match = paper?.rows.find((x) => x.matches);
  const paperLine =
    paper && match
      ? `\npaper (${paper.source}): ${match.model} at ${match.imgSize} px, T=${match.timesteps}: ${fmtNum(match.energyMj)} mJ; spikewatt ` +
        (paper.spikewatt.length
          ? paper.spikewatt.map((x) => `${x.complete ? '' : '≥ '}${fmtNum(x.energyMj)} mJ on ${x.profile}`).join(', ')
          : 'priced no spikformer convention (--convention spikformer)')
      : '';
  const columns = ['profile', `${unit.label}/inference`, 'AC/inference', 'MAC/inference', 'completeness'];
  const chip = chipSummary(r);
  return `${head}\n${acc}${paperLine}\n${textTable(columns, rows)}${chip ? `\n${chip}` : ''}`;
}
