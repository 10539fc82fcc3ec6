import { energyUnit, seriesColor, type ChartSpec } from './charts.js';
import type { CompareReport } from './compare.js';
import { chartFigure, escapeHtml, fmtNum, fmtPct, numCol, renderPage, table, textCol } from './html-page.js';

const round = (x: number) => Number(x.toPrecision(6));

function chartBase(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responsive: false, animation: false, maintainAspectRatio: false,
    plugins: { title: { display: true, text: title, font: { size: 15 } }, legend: { position: 'top' } }, ...extra,
  };
}

/** Energy per inference of each variant on each profile (grouped bars; log axis when they differ by > 50x). */
export function compareEnergyChart(r: CompareReport): ChartSpec {
  const profiles = [...new Set(r.variants.flatMap((v) => v.energyMj.map((e) => e.profile)))];
  const all = r.variants.flatMap((v) => v.energyMj.map((e) => e.totalMj * 1e9)).filter((x) => x > 0);
  const unit = energyUnit(Math.max(1, ...all));
  const log = all.length > 0 && Math.max(...all) / Math.min(...all) > 50;
  const title = `Energy per inference by model and hardware profile (${unit.label})`;
  return {
    id: 'compare-energy', title, caption: `One group per model, one bar per hardware profile${log ? ' (logarithmic axis)' : ''}.`,
    widthPx: 960, heightPx: 420, colorScale: null,
    config: {
      type: 'bar',
      data: {
        labels: r.variants.map((v) => v.label),
        datasets: profiles.map((p, i) => ({
          label: p, backgroundColor: seriesColor(i),
          data: r.variants.map((v) => round((v.energyMj.find((e) => e.profile === p)?.totalMj ?? 0) * 1e9 * unit.perPj)),
        })),
      },
      options: chartBase(title, { scales: { x: { title: { display: true, text: 'model' } }, y: { title: { display: true, text: `energy (${unit.label})` }, ...(log ? { type: 'logarithmic' } : { beginAtZero: true }) } } }),
    },
  };
}

/** Mean firing rate of each stage, one bar per variant. */
export function compareFiringChart(r: CompareReport): ChartSpec {
  const stages = [...new Set(r.variants.flatMap((v) => v.firingRateByStage.map((s) => s.stage)))];
  const title = 'Mean firing rate per stage';
  return {
    id: 'compare-firing-rates', title, caption: 'Spikes / (neurons x time steps) over the LIF layers of each stage, one bar per model.',
    widthPx: 960, heightPx: 400, colorScale: null,
    config: {
      type: 'bar',
      data: {
        labels: stages,
        datasets: r.variants.map((v, i) => ({
          label: v.label, backgroundColor: seriesColor(i),
          data: stages.map((s) => round(v.firingRateByStage.find((x) => x.stage === s)?.rate ?? 0)),
        })),
      },
      options: chartBase(title, { scales: { x: { title: { display: true, text: 'stage' } }, y: { title: { display: true, text: 'firing rate' }, beginAtZero: true } } }),
    },
  };
}

/** Activation memory of one attention block vs sqrt(N): spikewatt's two models and the paper's table (log axis). */
export function attentionMemoryChart(r: CompareReport): ChartSpec {
  const ac = r.attentionCost;
  const xs = ac.setup.sqrtTokens;
  const curve = (form: string) => ac.curves.find((c) => c.form === form)!;
  const line = (label: string, data: (number | null)[], color: string, dash: boolean) => ({
    label, data: data.map((d) => (d === null ? null : round(d))), borderColor: color, backgroundColor: color,
    borderDash: dash ? [6, 4] : [], pointRadius: 2, spanGaps: true, fill: false,
  });
  const paperAt = (key: 'qktaMb' | 'ssaMb') => xs.map((x) => ac.paper.table.find((p) => p.sqrtTokens === x)?.[key] ?? null);
  const title = `Activation memory of one attention block, C = ${ac.setup.channels}, T = B = 1 (MiB, log axis)`;
  return {
    id: 'attention-memory', title,
    caption: 'Solid: spikewatt\'s analytic "attention result" model; dashed: every intermediate held; markers: the QKFormer paper\'s appendix table.',
    widthPx: 960, heightPx: 480, colorScale: null,
    config: {
      type: 'line',
      data: {
        labels: xs,
        datasets: [
          line('SSA N x N, attention result', curve('ssa-nxn').points.map((p) => p.attentionResultMib), '#e15759', false),
          line('SSA N x N, all intermediates', curve('ssa-nxn').points.map((p) => p.allIntermediatesMib), '#e15759', true),
          line('SSA Q(K^T V), all intermediates', curve('ssa-kv').points.map((p) => p.allIntermediatesMib), '#b07aa1', true),
          line('QKTA, attention result', curve('qkta').points.map((p) => p.attentionResultMib), '#4e79a7', false),
          line('QKTA, all intermediates', curve('qkta').points.map((p) => p.allIntermediatesMib), '#4e79a7', true),
          { ...line('paper: SSA', paperAt('ssaMb'), '#000000', false), showLine: false, pointRadius: 5, pointStyle: 'rectRot' },
          { ...line('paper: QKTA', paperAt('qktaMb'), '#555555', false), showLine: false, pointRadius: 5, pointStyle: 'triangle' },
        ],
      },
      options: chartBase(title, {
        plugins: { title: { display: true, text: title, font: { size: 15 } }, legend: { position: 'top', labels: { usePointStyle: true } } },
        scales: { x: { title: { display: true, text: 'sqrt(N) (tokens per side)' } }, y: { type: 'logarithmic', title: { display: true, text: 'memory (MiB)' } } },
      }),
    },
  };
}

/** Token-mixing ops of one block per time step vs sqrt(N) (dense, firing rate 1). */
export function attentionOpsChart(r: CompareReport): ChartSpec {
  const ac = r.attentionCost;
  const title = `Token-mixing ops of one attention block per time step, C = ${ac.setup.channels} (dense, log axis)`;
  return {
    id: 'attention-ops', title,
    caption: 'QKTA: head sum + mask (2 N C); SSA (Q K^T) V: 2 N^2 C; SSA Q (K^T V): 2 N C^2 / h. The q/k/v/proj projections (C^2 N each) are in compare.json.',
    widthPx: 960, heightPx: 420, colorScale: null,
    config: {
      type: 'line',
      data: {
        labels: ac.setup.sqrtTokens,
        datasets: ac.curves.map((c, i) => ({
          label: c.label, data: c.points.map((p) => p.mixingOps), borderColor: seriesColor(i), backgroundColor: seriesColor(i), pointRadius: 2, fill: false,
        })),
      },
      options: chartBase(title, { scales: { x: { title: { display: true, text: 'sqrt(N)' } }, y: { type: 'logarithmic', title: { display: true, text: 'ops' } } } }),
    },
  };
}

export function compareCharts(r: CompareReport): ChartSpec[] {
  return [...(r.variants.length ? [compareEnergyChart(r), compareFiringChart(r)] : []), attentionMemoryChart(r), attentionOpsChart(r)];
}

export function renderCompareHtml(r: CompareReport, chartJs: string): string {
  const charts = compareCharts(r);
  const profiles = [...new Set(r.variants.flatMap((v) => v.energyMj.map((e) => e.profile)))];
  const stages = [...new Set(r.variants.flatMap((v) => v.firingRateByStage.map((s) => s.stage)))];
  const anyTrained = r.variants.some((v) => v.trained);
  const vt = table(
    [
      textCol('model'), textCol('attention'), textCol('weights'), numCol('params'), ...(anyTrained ? [numCol('top-1'), numCol('top-5')] : []),
      numCol('AC'), numCol('MAC'), numCol('neuron updates'), numCol('mean firing rate'), ...profiles.map((p) => numCol(`${p} (mJ)`)),
    ],
    r.variants.map((v) => [
      escapeHtml(v.label), escapeHtml(v.attention.join(', ')), escapeHtml(v.weights), escapeHtml(fmtNum(v.params)),
      ...(anyTrained ? [escapeHtml(v.trained ? fmtPct(v.accuracy.top1) : 'untrained'), escapeHtml(v.trained ? fmtPct(v.accuracy.top5) : '')] : []),
      escapeHtml(fmtNum(v.opsPerInference.ac)), escapeHtml(fmtNum(v.opsPerInference.mac)), escapeHtml(fmtNum(v.opsPerInference.neuronUpdate)),
      escapeHtml(v.meanFiringRate === null ? 'n/a' : v.meanFiringRate.toFixed(4)),
      ...profiles.map((p) => {
        const e = v.energyMj.find((x) => x.profile === p);
        return escapeHtml(e ? `${fmtNum(e.totalMj)}${e.unpriced.length ? ` (without ${e.unpriced.join(', ')})` : ''}` : '');
      }),
    ]),
  );
  const ft = table([textCol('model'), ...stages.map(numCol)], r.variants.map((v) => [escapeHtml(v.label), ...stages.map((s) => {
    const x = v.firingRateByStage.find((y) => y.stage === s)?.rate;
    return escapeHtml(x === undefined || x === null ? '' : x.toFixed(4));
  })]));

  const ac = r.attentionCost;
  const at = (form: string, x: number) => ac.curves.find((c) => c.form === form)!.points.find((p) => p.sqrtTokens === x);
  const memRows = ac.paper.table.map((p) => {
    const q = at('qkta', p.sqrtTokens), s = at('ssa-nxn', p.sqrtTokens), k = at('ssa-kv', p.sqrtTokens);
    const cell = (x: number | undefined) => escapeHtml(x === undefined ? '' : fmtNum(x, 4));
    return [escapeHtml(p.sqrtTokens), escapeHtml(fmtNum(p.qktaMb)), cell(q?.attentionResultMib), cell(q?.allIntermediatesMib),
      escapeHtml(fmtNum(p.ssaMb)), cell(s?.attentionResultMib), cell(s?.allIntermediatesMib), cell(k?.allIntermediatesMib),
      escapeHtml(fmtNum(p.ratio)), cell(q && s ? s.attentionResultMib / q.attentionResultMib : undefined), cell(q && s ? s.allIntermediatesMib / q.allIntermediatesMib : undefined)];
  });
  const mt = table([
    'sqrt(N)', 'QKTA paper MB', 'QKTA result MiB', 'QKTA all MiB', 'SSA paper MB', 'SSA NxN result MiB', 'SSA NxN all MiB', 'SSA Q(KᵀV) all MiB',
    'ratio paper', 'ratio result', 'ratio all',
  ].map(numCol), memRows);

  const body = `<h1>spikewatt compare</h1>
<p class="sub">${escapeHtml(r.variants.length)} model(s) on ${escapeHtml(r.dataset)}, ${escapeHtml(r.samples)} samples; every number is per inference. Made by spikewatt ${escapeHtml(r.spikewattVersion)}.</p>
${r.variants.length ? `<h2>Models side by side</h2>
${vt}
${anyTrained ? '' : '<p class="note">No model has trained weights: accuracies are not shown.</p>'}
<h3>Mean firing rate per stage</h3>
${ft}` : ''}
${charts.filter((c) => c.id.startsWith('compare-')).map(chartFigure).join('\n')}
<h2>QKTA vs SSA as tokens grow</h2>
<p>The cost of one attention block computed analytically from spikewatt's block definitions, next to the table the QKFormer paper measured (${escapeHtml(ac.paper.source)}).</p>
<h3>Memory model</h3>
<ul>${ac.memoryModel.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
${charts.filter((c) => c.id.startsWith('attention-')).map(chartFigure).join('\n')}
${mt}
<h3>Where spikewatt's model and the paper differ</h3>
<ul>${ac.differences.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  return renderPage({ title: 'spikewatt compare', body, charts, chartJs });
}
