import { energyUnit, seriesColor, type ChartSpec } from './charts.js';
import { chipCompareSection } from './chip-compare.js';
import type { AttentionForm } from './attention-cost.js';
import type { CompareReport } from './compare.js';
import { blockTypeLabel } from './blocks.js';
import { fmtInterval, incompleteNote, unitFor, wilson95, type EnergyUnit } from './format.js';
import { chartFigure, escapeHtml, fmtNum, fmtPct, numCol, renderPage, table, textCol } from './html-page.js';

const round = (x: number) => Number(x.toPrecision(6));

function chartBase(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responsive: false,
    animation: false,
    maintainAspectRatio: false,
    plugins: { title: { display: true, text: title, font: { size: 15 } }, legend: { position: 'top' } },
    ...extra,
  };
}

/** Energy per inference of each variant on each profile (grouped bars; log axis when they differ by > 50x). */
export function compareEnergyChart(r: CompareReport): ChartSpec {
  const profiles = [...new Set(r.variants.flatMap((v) => v.energyMj.map((e) => e.profile)))];
  const all = r.variants.flatMap((v) => v.energyMj.map((e) => e.totalMj * 1e9)).filter((x) => x > 0);
  const unit = energyUnit(Math.max(1, ...all));
  const log = all.length > 0 && Math.max(...all) / Math.min(...all) > 50;
  const incomplete = profiles.filter((p) => r.variants.some((v) => v.energyMj.some((e) => e.profile === p && !e.complete)));
  const flag = incomplete.length ? `; ≥ incomplete: ${incomplete.join(', ')}` : '';
  const title = `Energy per inference by model and hardware profile (${unit.label})${flag}`;
  return {
    id: 'compare-energy',
    title,
    caption:
      `One group per model, one bar per hardware profile${log ? ' (logarithmic axis)' : ''}. A profile marked ≥ leaves some counted ops unpriced: ` +
      'its bars are lower bounds and do not compare bar for bar with a complete profile.',
    widthPx: 960,
    heightPx: 420,
    colorScale: null,
    config: {
      type: 'bar',
      data: {
        labels: r.variants.map((v) => v.label),
        datasets: profiles.map((p, i) => ({
          label: incomplete.includes(p) ? `${p} ≥ (incomplete)` : p,
          backgroundColor: seriesColor(i),
          ...(incomplete.includes(p) ? { borderColor: '#9a5b00', borderWidth: 2, borderDash: [4, 3] } : {}),
          data: r.variants.map((v) => round((v.energyMj.find((e) => e.profile === p)?.totalMj ?? 0) * 1e9 * unit.perPj)),
        })),
      },
      options: chartBase(title, {
        scales: {
          x: { title: { display: true, text: 'model' } },
          y: { title: { display: true, text: `energy (${unit.label})` }, ...(log ? { type: 'logarithmic' } : { beginAtZero: true }) },
        },
      }),
    },
  };
}

/** Mean firing rate of each stage, one bar per variant. */
export function compareFiringChart(r: CompareReport): ChartSpec {
  const stages = [...new Set(r.variants.flatMap((v) => v.firingRateByStage.map((s) => s.stage)))];
  const title = 'Mean firing rate per stage';
  return {
    id: 'compare-firing-rates',
    title,
    caption: 'Spikes / (neurons x time steps) over the LIF layers of each stage, one bar per model.',
    widthPx: 960,
    heightPx: 400,
    colorScale: null,
    config: {
      type: 'bar',
      data: {
        labels: stages,
        datasets: r.variants.map((v, i) => ({
          label: v.label,
          backgroundColor: seriesColor(i),
          data: stages.map((s) => round(v.firingRateByStage.find((x) => x.stage === s)?.rate ?? 0)),
        })),
      },
      options: chartBase(title, {
        scales: { x: { title: { display: true, text: 'stage' } }, y: { title: { display: true, text: 'firing rate' }, beginAtZero: true } },
      }),
    },
  };
}

/** The memory chart's model curves: label, attention form, which memory, colour, dashed. */
const MEMORY_SERIES: readonly [string, AttentionForm, 'attentionResultMib' | 'allIntermediatesMib', string, boolean][] = [
  ['SSA N x N, attention result', 'ssa-nxn', 'attentionResultMib', '#e15759', false],
  ['SSA N x N, all intermediates', 'ssa-nxn', 'allIntermediatesMib', '#e15759', true],
  ['SSA Q(K^T V), all intermediates', 'ssa-kv', 'allIntermediatesMib', '#b07aa1', true],
  ['QKTA, attention result', 'qkta', 'attentionResultMib', '#4e79a7', false],
  ['QKTA, all intermediates', 'qkta', 'allIntermediatesMib', '#4e79a7', true],
  ['SDSA, attention result', 'sdsa', 'attentionResultMib', '#59a14f', false],
];

/** Activation memory of one attention block vs sqrt(N): spikewatt's two models and the paper's table (log axis). */
export function attentionMemoryChart(r: CompareReport): ChartSpec {
  const ac = r.attentionCost;
  const xs = ac.setup.sqrtTokens;
  const curve = (form: string) => ac.curves.find((c) => c.form === form)!;
  const line = (label: string, data: (number | null)[], color: string, dash: boolean) => ({
    label,
    data: data.map((d) => (d === null ? null : round(d))),
    borderColor: color,
    backgroundColor: color,
    borderDash: dash ? [6, 4] : [],
    pointRadius: 2,
    spanGaps: true,
    fill: false,
  });
  const paperAt = (key: 'qktaMb' | 'ssaMb') => xs.map((x) => ac.paper.table.find((p) => p.sqrtTokens === x)?.[key] ?? null);
  const title = `Activation memory of one attention block, C = ${ac.setup.channels}, T = B = 1 (MiB, log axis)`;
  return {
    id: 'attention-memory',
    title,
    caption:
      'Solid: spikewatt\'s analytic "attention result" model; dashed: every intermediate held; markers: the QKFormer paper\'s appendix table.',
    widthPx: 960,
    heightPx: 480,
    colorScale: null,
    config: {
      type: 'line',
      data: {
        labels: xs,
        datasets: [
          ...MEMORY_SERIES.map(([label, form, field, color, dashed]) =>
            line(
              label,
              curve(form).points.map((p) => p[field]),
              color,
              dashed,
            ),
          ),
          { ...line('paper: SSA', paperAt('ssaMb'), '#000000', false), showLine: false, pointRadius: 5, pointStyle: 'rectRot' },
          { ...line('paper: QKTA', paperAt('qktaMb'), '#555555', false), showLine: false, pointRadius: 5, pointStyle: 'triangle' },
        ],
      },
      options: chartBase(title, {
        plugins: {
          title: { display: true, text: title, font: { size: 15 } },
          legend: { position: 'top', labels: { usePointStyle: true } },
        },
        scales: {
          x: { title: { display: true, text: 'sqrt(N) (tokens per side)' } },
          y: { type: 'logarithmic', title: { display: true, text: 'memory (MiB)' } },
        },
      }),
    },
  };
}

/** Token-mixing ops of one block per time step vs sqrt(N) (dense, firing rate 1). */
export function attentionOpsChart(r: CompareReport): ChartSpec {
  const ac = r.attentionCost;
  const title = `Token-mixing ops of one attention block per time step, C = ${ac.setup.channels} (dense, log axis)`;
  return {
    id: 'attention-ops',
    title,
    caption:
      'QKTA: head sum + mask (2 N C); SSA (Q K^T) V: 2 N^2 C; SSA Q (K^T V): 2 N C^2 / h; SDSA: AND + token sum + mask (3 N C). ' +
      'The q/k/v/proj projections (C^2 N each) are in compare.json.',
    widthPx: 960,
    heightPx: 420,
    colorScale: null,
    config: {
      type: 'line',
      data: {
        labels: ac.setup.sqrtTokens,
        datasets: ac.curves.map((c, i) => ({
          label: c.label,
          data: c.points.map((p) => p.mixingOps),
          borderColor: seriesColor(i),
          backgroundColor: seriesColor(i),
          pointRadius: 2,
          fill: false,
        })),
      },
      options: chartBase(title, {
        scales: { x: { title: { display: true, text: 'sqrt(N)' } }, y: { type: 'logarithmic', title: { display: true, text: 'ops' } } },
      }),
    },
  };
}

/** Energy of one attention block per inference vs sqrt(N), priced on each profile at the compared model's C, heads, T and rates. */
export function attentionEnergyChart(r: CompareReport): ChartSpec | null {
  const p = r.attentionCost.priced;
  if (!p) return null;
  const unit = unitFor(p.curves.flatMap((c) => c.energyPj));
  const title = `Energy of one attention block per inference, C = ${p.setup.channels}, T = ${p.setup.timesteps} (${unit.label}, log axis)`;
  return {
    id: 'attention-energy',
    title,
    caption:
      'Analytic op counts scaled by the measured firing rates and priced on each profile (memory traffic not included); ' +
      'solid QKTA, dashed SSA Q(KᵀV), dotted SSA (Q Kᵀ) V, dash-dot SDSA.',
    widthPx: 960,
    heightPx: 460,
    colorScale: null,
    config: {
      type: 'line',
      data: {
        labels: p.setup.sqrtTokens,
        datasets: p.curves.map((c) => {
          const i = [...new Set(p.curves.map((x) => x.profile))].indexOf(c.profile);
          return {
            label: `${c.profile}: ${c.label}${c.complete ? '' : ' (≥, incomplete)'}`,
            data: c.energyPj.map((x) => round(x * unit.perPj)),
            borderColor: seriesColor(i),
            backgroundColor: seriesColor(i),
            pointRadius: 1,
            fill: false,
            borderDash: c.form === 'qkta' ? [] : c.form === 'ssa-kv' ? [6, 4] : c.form === 'sdsa' ? [10, 3, 2, 3] : [2, 3],
          };
        }),
      },
      options: chartBase(title, {
        scales: {
          x: { title: { display: true, text: 'sqrt(N) (tokens per side)' } },
          y: { type: 'logarithmic', title: { display: true, text: `energy (${unit.label})` } },
        },
      }),
    },
  };
}

export function compareCharts(r: CompareReport): ChartSpec[] {
  const energy = attentionEnergyChart(r);
  return [
    ...(r.variants.length ? [compareEnergyChart(r), compareFiringChart(r)] : []),
    ...(energy ? [energy] : []),
    attentionMemoryChart(r),
    attentionOpsChart(r),
  ];
}

/** Energy by block type per profile, one column per model; shares of each model's own total. */
function blockTypeTable(r: CompareReport, profile: string, unit: EnergyUnit): string {
  const types = [...new Set(r.variants.flatMap((v) => v.blocks.find((b) => b.profile === profile)?.byType.map((t) => t.type) ?? []))];
  return table(
    [textCol('block type'), ...r.variants.map((v) => numCol(`${v.label} (${unit.label}, % of its total)`))],
    types.map((t) => [
      escapeHtml(blockTypeLabel(t)),
      ...r.variants.map((v) => {
        const b = v.blocks.find((x) => x.profile === profile)?.byType.find((x) => x.type === t);
        if (!b) return '';
        const unpriced = b.unpriced.length ? ` unpriced: ${b.unpriced.join(', ')}` : '';
        return escapeHtml(`${b.unpriced.length ? '≥ ' : ''}${fmtNum(b.energyPj * unit.perPj)} (${fmtPct(b.share)})${unpriced}`);
      }),
    ]),
  );
}

/** The attention blocks of every model side by side, per profile, at the measured firing rates. */
function attentionTable(r: CompareReport, profile: string, unit: EnergyUnit): string {
  const attentionOf = (v: CompareReport['variants'][number]) =>
    v.blocks
      .find((b) => b.profile === profile)
      ?.instances.filter((i) => i.type === 'attention')
      .map((i) => i.instance) ?? [];
  const instances = [...new Set(r.variants.flatMap(attentionOf))];
  const kindOf = (v: CompareReport['variants'][number], inst: string) => {
    const stage = Number(/^stage(\d+)/.exec(inst)?.[1] ?? '1');
    return v.attention[Math.min(v.attention.length - 1, stage - 1)] ?? '';
  };
  const rows = instances.map((inst) => [
    escapeHtml(inst),
    ...r.variants.map((v) => {
      const b = v.blocks.find((x) => x.profile === profile)?.instances.find((x) => x.instance === inst);
      if (!b) return '';
      return escapeHtml(`${kindOf(v, inst)}: ${b.unpriced.length ? '≥ ' : ''}${fmtNum(b.energyPj * unit.perPj)} (${fmtPct(b.share)})`);
    }),
  ]);
  const totals = [
    '<b>all attention blocks</b>',
    ...r.variants.map((v) => {
      const b = v.blocks.find((x) => x.profile === profile)?.byType.find((x) => x.type === 'attention');
      return b ? `<b>${escapeHtml(`${b.unpriced.length ? '≥ ' : ''}${fmtNum(b.energyPj * unit.perPj)} (${fmtPct(b.share)})`)}</b>` : '';
    }),
  ];
  const cols = [textCol('attention block'), ...r.variants.map((v) => numCol(`${v.label} (${unit.label}, % of its total)`))];
  return table(cols, [...rows, totals]);
}

export function renderCompareHtml(r: CompareReport, chartJs: string): string {
  const charts = compareCharts(r);
  const profiles = [...new Set(r.variants.flatMap((v) => v.energyMj.map((e) => e.profile)))];
  const stages = [...new Set(r.variants.flatMap((v) => v.firingRateByStage.map((s) => s.stage)))];
  const anyTrained = r.variants.some((v) => v.trained);
  const unit = unitFor(r.variants.flatMap((v) => v.energyMj.map((e) => e.totalMj * 1e9)));
  // NOTE: a profile complete for one model and incomplete for another (or incomplete at all) is not comparable bar for bar.
  const flags = profiles
    .filter((p) => r.variants.some((v) => v.energyMj.some((e) => e.profile === p && !e.complete)))
    .map(
      (p) =>
        `${p}: incomplete for ${r.variants
          .filter((v) => v.energyMj.some((e) => e.profile === p && !e.complete))
          .map((v) => v.label)
          .join(', ')} ` + '(≥: its totals are lower bounds; compare them only with totals that leave out the same op kinds)',
    );
  const blockSections = profiles
    .map(
      (p) => `<h3>${escapeHtml(p)}</h3>
${blockTypeTable(r, p, unit)}
<h4>Attention blocks side by side (measured firing rates)</h4>
${attentionTable(r, p, unit)}`,
    )
    .join('\n');
  const pc = r.attentionCost.priced;
  const vt = table(
    [
      textCol('model'),
      textCol('attention'),
      textCol('weights'),
      numCol('params'),
      ...(anyTrained ? [numCol('top-1'), numCol('top-1 95 % CI'), numCol('top-5')] : []),
      numCol('AC'),
      numCol('MAC'),
      numCol('neuron updates'),
      numCol('mean firing rate'),
      ...profiles.map((p) => numCol(`${p} (${unit.label})`)),
    ],
    r.variants.map((v) => [
      escapeHtml(v.label),
      escapeHtml(v.attention.join(', ')),
      escapeHtml(v.weights),
      escapeHtml(fmtNum(v.params)),
      ...(anyTrained
        ? [
            escapeHtml(v.trained ? fmtPct(v.accuracy.top1) : 'untrained'),
            escapeHtml(v.trained ? fmtInterval(wilson95(v.accuracy.correctTop1, v.accuracy.samples)).replace('95 % CI ', '') : ''),
            escapeHtml(v.trained ? fmtPct(v.accuracy.top5) : ''),
          ]
        : []),
      escapeHtml(fmtNum(v.opsPerInference.ac)),
      escapeHtml(fmtNum(v.opsPerInference.mac)),
      escapeHtml(fmtNum(v.opsPerInference.neuronUpdate)),
      escapeHtml(v.meanFiringRate === null ? 'n/a' : v.meanFiringRate.toFixed(4)),
      ...profiles.map((p) => {
        const e = v.energyMj.find((x) => x.profile === p);
        if (!e) return '';
        const note = e.unpriced.length ? ` (${incompleteNote(e.unpriced)})` : '';
        return escapeHtml(`${e.complete ? '' : '≥ '}${fmtNum(e.totalMj * 1e9 * unit.perPj)}${note}`);
      }),
    ]),
  );
  const ft = table(
    [textCol('model'), ...stages.map(numCol)],
    r.variants.map((v) => [
      escapeHtml(v.label),
      ...stages.map((s) => {
        const x = v.firingRateByStage.find((y) => y.stage === s)?.rate;
        return escapeHtml(x === undefined || x === null ? '' : x.toFixed(4));
      }),
    ]),
  );

  const ac = r.attentionCost;
  const at = (form: string, x: number) => ac.curves.find((c) => c.form === form)!.points.find((p) => p.sqrtTokens === x);
  const memRows = ac.paper.table.map((p) => {
    const q = at('qkta', p.sqrtTokens),
      s = at('ssa-nxn', p.sqrtTokens),
      k = at('ssa-kv', p.sqrtTokens);
    const cell = (x: number | undefined) => escapeHtml(x === undefined ? '' : fmtNum(x, 4));
    return [
      escapeHtml(p.sqrtTokens),
      escapeHtml(fmtNum(p.qktaMb)),
      cell(q?.attentionResultMib),
      cell(q?.allIntermediatesMib),
      escapeHtml(fmtNum(p.ssaMb)),
      cell(s?.attentionResultMib),
      cell(s?.allIntermediatesMib),
      cell(k?.allIntermediatesMib),
      escapeHtml(fmtNum(p.ratio)),
      cell(q && s ? s.attentionResultMib / q.attentionResultMib : undefined),
      cell(q && s ? s.allIntermediatesMib / q.allIntermediatesMib : undefined),
    ];
  });
  const mt = table(
    [
      'sqrt(N)',
      'QKTA paper MB',
      'QKTA result MiB',
      'QKTA all MiB',
      'SSA paper MB',
      'SSA NxN result MiB',
      'SSA NxN all MiB',
      'SSA Q(KᵀV) all MiB',
      'ratio paper',
      'ratio result',
      'ratio all',
    ].map(numCol),
    memRows,
  );

  const body = `<h1>spikewatt compare</h1>
<p class="sub">${escapeHtml(r.variants.length)} model(s) on ${escapeHtml(r.dataset)}, ${escapeHtml(r.samples)} samples; every number is per inference. Made by spikewatt ${escapeHtml(r.spikewattVersion)}.</p>
${
  r.variants.length
    ? `<h2>Models side by side</h2>
${vt}
${anyTrained ? '' : '<p class="note">No model has trained weights: accuracies are not shown.</p>'}
${flags.length ? `<div class="warn"><ul>${flags.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul></div>` : ''}
<h3>Mean firing rate per stage</h3>
${ft}
<p class="note">Models: ${r.variants.map((v) => `${escapeHtml(v.label)}: ${escapeHtml(v.modelLabel)}`).join('; ')}.</p>
<h2>Energy by block</h2>
<p class="note">Patch embedding (SPEDS), attention (with its residual add), MLP (with its residual add) and head; each share is of that model's own total on that profile.</p>
${blockSections}
${chipCompareSection(r.variants)}
`
    : ''
}
${charts
  .filter((c) => c.id.startsWith('compare-'))
  .map(chartFigure)
  .join('\n')}
<h2>QKTA vs SSA as tokens grow</h2>
${
  pc
    ? `<h3>Energy, priced</h3><ul>${pc.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
<p class="note">Rates used: ${[...new Set(pc.curves.map((c) => `${c.label} ${c.rateMeasured ? `measured ${c.rate.toFixed(4)}` : 'dense (not simulated)'}`))].map(escapeHtml).join('; ')}.</p>
${charts
  .filter((c) => c.id === 'attention-energy')
  .map(chartFigure)
  .join('\n')}`
    : ''
}
<h3>Memory and ops (analytic, dense)</h3>
<p>The cost of one attention block computed analytically from spikewatt's block definitions, next to the table the QKFormer paper measured (${escapeHtml(ac.paper.source)}).</p>
<h3>Memory model</h3>
<ul>${ac.memoryModel.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
${charts
  .filter((c) => c.id.startsWith('attention-') && c.id !== 'attention-energy')
  .map(chartFigure)
  .join('\n')}
${mt}
<h3>Where spikewatt's model and the paper differ</h3>
<ul>${ac.differences.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  return renderPage({ title: 'spikewatt compare', body, charts, chartJs });
}
