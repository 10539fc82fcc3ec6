import { chipResults } from './chip-charts.js';
import { fmtNs, fmtPj, partText } from './chip-html.js';
import { fmtNum } from './html-page.js';
import type { ProfileReport } from './schema.js';

/** Terminal lines of the chip model: one line per profile with an architecture (empty without one). */
export function chipSummary(r: ProfileReport): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const e of r.energy) {
    if (!e.chip || seen.has(e.profile)) continue;
    seen.add(e.profile);
    if (!e.chip.mapped) lines.push(`chip ${e.profile}: not mapped: ${e.chip.reason}`);
  }
  for (const c of chipResults(r)) {
    const en = c.energy;
    const split = (['synapse', 'neuron', 'network', 'processor', 'static'] as const)
      .map((p) => `${p} ${en[p].value === null ? 'not estimated' : fmtPj(en[p].value!)}`)
      .join(', ');
    const lat = c.latency;
    const time =
      lat.stepNs.value === null
        ? partText(lat.stepNs, fmtNs).replace(/^not estimated/, 'latency not estimated')
        : `step ${fmtNs(lat.stepNs.value)}, image ${partText(lat.imageNs, fmtNs)}, ${partText(lat.imagesPerSecond, (v) => `${fmtNum(v)} images/s`)}`;
    lines.push(
      `chip ${c.profile} (weight sharing ${c.weightSharing}): ${fmtNum(c.cores)} cores, ${c.chips} chip(s); ${time}; ${fmtNum(c.totals.messages)} messages\n` +
        `  energy ${en.total.value === null ? 'not estimated' : fmtPj(en.total.value)}${en.complete ? '' : ' (incomplete)'}: ${split}`,
    );
  }
  return lines.join('\n');
}
