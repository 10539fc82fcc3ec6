import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { profileCharts } from './charts.js';
import { chartFigure, escapeHtml, fmtNum, fmtPct, kvTable, numCol, renderPage, table, textCol } from './html-page.js';
import { meanFiringRate, type ProfileReport } from './schema.js';

/** report.html of one profile run: configuration, accuracy, totals, charts, hardware sources, layer table. */
export function renderProfileHtml(r: ProfileReport, chartJs: string): string {
  const charts = profileCharts(r);
  const c = r.config, m = r.model;
  const rate = meanFiringRate(r.layers);
  const cards = [
    ['top-1 accuracy', fmtPct(r.accuracy.top1)],
    ...(r.accuracy.top5 !== null ? [['top-5 accuracy', fmtPct(r.accuracy.top5)]] : []),
    ['samples', String(r.accuracy.samples)],
    ['mean firing rate', rate === null ? 'n/a' : rate.toFixed(4)],
    ...r.energy.map((e) => [`${e.profile}`, `${fmtNum(e.totalMj)} mJ`]),
  ];
  const cardHtml = `<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${escapeHtml(k!)}</div><div class="v">${escapeHtml(v!)}</div></div>`).join('')}</div>`;

  const config = kvTable([
    ['model', m.name], ['weights', m.weights], ['family', m.family], ['attention per stage', m.attention.join(', ')],
    ['time steps T', m.timesteps], ['input shape', m.inputShape.join(' x ')], ['classes', m.numClasses],
    ['parameters', fmtNum(m.params)], ['dense MACs per step', fmtNum(m.denseMacsPerStep)], ['attention FLOPs per step', fmtNum(m.attentionFlopsPerStep)],
    ['dataset', `${r.dataset.name} (${r.dataset.split}, ${r.dataset.kind}, source ${r.dataset.source})`], ['samples', c.samples],
    ['counting convention', c.convention], ['compute core', c.core], ['batch coupling', c.batchCoupling], ['batch size', c.batchSize], ['seed', c.seed],
  ]);

  const totalsRows = r.energy.map((e) => [
    escapeHtml(e.profile), escapeHtml(e.technology), escapeHtml(e.convention), escapeHtml(fmtNum(e.totalMj)),
    e.unpriced.length ? `<div class="warn">${escapeHtml(e.unpriced.map((u) => `${u.op} (${fmtNum(u.count)} per inference)`).join(', '))}</div>` : 'none',
  ]);
  const totals = table([
    textCol('profile'), textCol('technology'), textCol('convention'), numCol('energy per inference (mJ)'), textCol('unpriced ops (not in the total)'),
  ], totalsRows);

  const ops = opTotals(r);
  const opsTable = table([textCol('op kind'), numCol('count per inference')],
    OP_KINDS.filter((k) => ops[k] > 0).map((k) => [escapeHtml(k), escapeHtml(fmtNum(ops[k]))]));

  const hardware = r.energy.map((e) => {
    const rows = e.sources.map((s) => [
      escapeHtml(s.op),
      escapeHtml(s.energyPj !== null ? fmtNum(s.energyPj) : s.includedIn ? `in ${s.includedIn.join(', ')}` : 'not priced'),
      escapeHtml(s.provenance ?? ''), escapeHtml(s.source),
    ]);
    const derived = Object.entries(e.derived);
    return `<h3>${escapeHtml(e.profile)}</h3><p class="sub">${escapeHtml(e.technology)}: ${escapeHtml(e.description)}</p>
${table([textCol('op'), numCol('pJ per op'), textCol('provenance'), textCol('source')], rows)}
${e.notes.length ? `<ul class="note">${e.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
${derived.length ? kvTable(derived.map(([k, v]) => [k, fmtNum(v)])) : ''}`;
  }).join('\n');

  const layerRows = r.layers.map((l, i) => {
    const by = {} as Record<OpKind, number>;
    for (const k of OP_KINDS) by[k] = 0;
    for (const s of l.perStep) for (const k of OP_KINDS) by[k] += s.ops[k];
    const fr = l.kind === 'lif' ? meanFiringRate([l]) : null;
    return [escapeHtml(l.name), escapeHtml(l.kind), escapeHtml(fmtNum(by.ac)), escapeHtml(fmtNum(by.mac)), escapeHtml(fmtNum(by.neuronUpdate)),
      escapeHtml(fr === null ? '' : fr.toFixed(4)),
      ...r.energy.map((e) => escapeHtml(fmtNum((e.layers[i]?.perStep ?? []).reduce((s, x) => s + x.totalPj, 0))))];
  });
  const layerTable = `<div class="scroll">${table([
    textCol('layer'), textCol('kind'), numCol('AC'), numCol('MAC'), numCol('neuron updates'), numCol('firing rate'),
    ...r.energy.map((e) => numCol(`${e.profile} (pJ)`)),
  ], layerRows)}</div>`;

  const body = `<h1>spikewatt profile: ${escapeHtml(m.name)}</h1>
<p class="sub">${escapeHtml(r.dataset.name)}, ${escapeHtml(r.accuracy.samples)} samples, T = ${escapeHtml(m.timesteps)}, ${escapeHtml(c.convention)} counting; every number is per inference. Made by spikewatt ${escapeHtml(r.spikewattVersion)} from profile.json (schema ${escapeHtml(r.schemaVersion)}).</p>
${cardHtml}
<h2>Energy per hardware profile</h2>
${totals}
${charts.map(chartFigure).join('\n')}
<h2>Operations</h2>
${opsTable}
<h2>Hardware profiles and their sources</h2>
${hardware}
<h2>Layers</h2>
<p class="note">Counts summed over the time steps; firing rate = spikes / (neurons x time steps); energy per layer per profile. The per-step values are in timesteps.csv and layers.csv.</p>
${layerTable}
<h2>Configuration</h2>
${config}`;
  return renderPage({ title: `spikewatt profile: ${m.name}`, body, charts, chartJs });
}

function opTotals(r: ProfileReport): Record<OpKind, number> {
  const out = {} as Record<OpKind, number>;
  for (const k of OP_KINDS) out[k] = 0;
  for (const l of r.layers) for (const s of l.perStep) for (const k of OP_KINDS) out[k] += s.ops[k];
  return out;
}
