import { escapeHtml, fmtNum, fmtPct, kvTable, numCol, table, textCol } from './html-page.js';
import type { NeuroBenchReport } from './neurobench.js';

/** The NeuroBench section of report.html: the metrics under NeuroBench's names, the estimate mark, per-module pairs. */
export function neurobenchSection(nb: NeuroBenchReport | undefined): string {
  if (nb === undefined) return '';
  const ops = nb.workload.synaptic_operations;
  const summary = kvTable([
    ['footprint (bytes)', fmtNum(nb.static.footprint)],
    ['parameter_count', fmtNum(nb.static.parameter_count)],
    ['connection_sparsity', nb.static.connection_sparsity === null ? 'n/a' : nb.static.connection_sparsity.toFixed(4)],
    ['classification_accuracy', fmtPct(nb.workload.classification_accuracy)],
    ['activation_sparsity', nb.workload.activation_sparsity === null ? 'n/a' : nb.workload.activation_sparsity.toFixed(4)],
    ['synaptic_operations: Effective_MACs', fmtNum(ops.Effective_MACs)],
    ['synaptic_operations: Effective_ACs', fmtNum(ops.Effective_ACs)],
    ['synaptic_operations: Dense', fmtNum(ops.Dense)],
  ]);
  const modules = table(
    [textCol('Conv/Linear module'), textCol('counted as'), numCol('effective per sample'), numCol('dense per sample'), textCol('exact')],
    nb.layers.map((l) => [
      escapeHtml(l.name),
      l.kind === 'ac' ? 'AC' : 'MAC',
      escapeHtml(fmtNum(l.effective)),
      escapeHtml(fmtNum(l.dense)),
      l.exact ? 'yes' : 'estimated',
    ]),
  );
  return `<h2>NeuroBench metrics</h2>
<p class="note"><b>${escapeHtml(nb.estimate)}.</b> Definitions: ${escapeHtml(nb.definitions)}; per sample, summed over the time steps (also in neurobench.json). docs/neurobench.md says where they differ from spikewatt's own counts.</p>
${summary}
<details><summary>Per module</summary>
${modules}
</details>
<ul class="note">${nb.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
}
