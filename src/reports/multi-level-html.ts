import { fmtEnergy, unitFor } from './format.js';
import { escapeHtml, fmtNum, numCol, table, textCol } from './html-page.js';
import type { MultiLevelReport } from './multi-level.js';

/** The report.html section: per layer the two views' counts, then each profile's price of each view. */
export function multiLevelSection(ml: MultiLevelReport | undefined): string {
  if (!ml) return '';
  const views = table(
    [
      textCol('multi-spike layer'),
      numCol('D'),
      numCol('neuron updates: integer / binary'),
      numCol('unit spikes'),
      numCol('memory writes: integer / binary'),
    ],
    ml.layers.map((l) => [
      escapeHtml(l.name),
      escapeHtml(l.levels),
      escapeHtml(`${fmtNum(l.integerEvents.neuronUpdate)} / ${fmtNum(l.binaryExpansion.neuronUpdate)}`),
      escapeHtml(fmtNum(l.integerEvents.spike)),
      escapeHtml(`${fmtNum(l.integerEvents.memWrite)} / ${fmtNum(l.binaryExpansion.memWrite)}`),
    ]),
  );
  const unit = unitFor(ml.byProfile.flatMap((p) => [p.integerEventsPj ?? 0, p.binaryExpansionPj ?? 0]));
  const pj = (x: number | null) => (x === null ? 'not priced' : fmtEnergy(x, unit));
  const priced = table(
    [textCol('profile'), numCol('integer events'), numCol('binary expansion'), numCol('ratio')],
    ml.byProfile.map((p) => [
      escapeHtml(p.profile),
      escapeHtml(pj(p.integerEventsPj)),
      escapeHtml(pj(p.binaryExpansionPj)),
      escapeHtml(p.integerEventsPj && p.binaryExpansionPj !== null ? `${fmtNum(p.binaryExpansionPj / p.integerEventsPj)}×` : 'n/a'),
    ]),
  );
  return `<h2>Multi-level spikes: integer events vs binary expansion</h2>
<p class="note">${escapeHtml(ml.note)} Energy of the multi-spike layers' own neuron updates, spikes and memory writes per inference.</p>
${priced}
<details><summary>Per multi-spike layer (${escapeHtml(ml.layers.length)})</summary>
${views}
</details>`;
}
