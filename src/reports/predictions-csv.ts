import type { RunRecord } from '../record/record.js';

/**
 * `predictions.csv`: one row per simulated sample, to analyse errors or compare with another framework sample by
 * sample. Columns: `sample` (dataset index), `label`, `top1`..`top5` (classes by descending logit, a tie to the
 * lower index; empty past the model's class count), `correct_top1` (0/1). Integers only, so nothing needs quoting.
 */
export function predictionsCsv(r: Pick<RunRecord, 'predictions'>): string {
  const rows = ['sample,label,top1,top2,top3,top4,top5,correct_top1'];
  for (const p of r.predictions) {
    const top = Array.from({ length: 5 }, (_, i) => (p.top5[i] === undefined ? '' : String(p.top5[i])));
    rows.push(`${p.sample},${p.label},${top.join(',')},${p.top5[0] === p.label ? 1 : 0}`);
  }
  return `${rows.join('\n')}\n`;
}
