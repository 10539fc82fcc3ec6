import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { chipCharts } from './chip-charts.js';
import { chipSection, fmtPj, partText } from './chip-html.js';
import { blocksOf, blockTypeLabel, sumBlocks } from './blocks.js';
import { profileCharts } from './charts.js';
import {
  energyLabel,
  fmtEnergy,
  fmtInterval,
  incompleteNote,
  isComplete,
  ratioSentence,
  totalText,
  unitFor,
  wilson95,
  type EnergyUnit,
} from './format.js';
import { chartFigure, escapeHtml, fmtNum, fmtPct, kvTable, numCol, renderPage, table, textCol } from './html-page.js';
import { neurobenchSection } from './neurobench-html.js';
import { multiLevelSection } from './multi-level-html.js';
import { paperCheck } from './paper.js';
import { meanFiringRate, type ProfileEnergy, type ProfileReport } from './schema.js';

const layerTotalPj = (e: ProfileEnergy, i: number) => (e.layers[i]?.perStep ?? []).reduce((s, x) => s + x.totalPj, 0);
const totalPj = (e: ProfileEnergy) => e.totalMj * 1e9;

/** Cells of the unpriced kinds of one layer on one profile ('' when everything in it is priced). */
function layerUnpriced(e: ProfileEnergy, i: number, r: ProfileReport): string[] {
  const stored = e.layers[i]?.unpriced;
  if (stored) return stored.map((u) => u.op);
  const kinds = new Set(e.unpriced.map((u) => u.op));
  const l = r.layers[i];
  return l ? OP_KINDS.filter((k) => kinds.has(k) && l.perStep.some((s) => s.ops[k] > 0)) : [];
}

/** An energy cell: the value, "≥" and the unpriced kinds when the profile leaves some of its ops out. */
function energyCell(pj: number, unpriced: readonly string[], unit: EnergyUnit): string {
  if (!unpriced.length) return escapeHtml(fmtNum(pj * unit.perPj));
  return (
    `<span class="inc" title="${escapeHtml(incompleteNote(unpriced))}">≥ ${escapeHtml(fmtNum(pj * unit.perPj))}` +
    ` <small>unpriced: ${escapeHtml(unpriced.join(', '))}</small></span>`
  );
}

/** Human labels of the derived metrics (dotted keys of profile.json's `derived`), with units; unknown keys keep their key. */
const DERIVED_LABELS: Record<string, string> = {
  energyPjPerInference: 'energy per inference (pJ)',
  energyMjPerInference: 'energy per inference (mJ)',
  complete: 'every counted op priced (1 yes, 0 no)',
  synapticOpsPerInference: 'synaptic ops (AC + MAC) per inference',
  energyPjPerSynapticOp: 'energy per synaptic op (pJ, all energy / synaptic ops)',
  spikesPerSynapsePerInference: 'spikes per synapse per inference (spike-fed convs)',
  meanFiringRate: 'mean firing rate (spikes / neuron / step)',
  'ann.macsPerInference': 'ANN of the same shape: MACs per inference (run once)',
  'ann.energyPjPerInference': "ANN of the same shape: energy per inference (pJ, priced at this profile's MAC)",
  'ann.energyRatio': 'SNN energy / ANN energy (ANN run once; > 1: the SNN costs more)',
  'ann.macsPerInferenceTimesT': 'ANN at every time step: MACs per inference',
  'ann.energyRatioTimesT': 'SNN energy / ANN energy (ANN run at every time step)',
};

function derivedTable(e: ProfileEnergy, label: string): string {
  const rows = Object.entries(e.derived).filter(([k]) => k !== 'complete' && k !== 'energyMjPerInference');
  const complete = isComplete(e);
  const sentences: string[] = [];
  const ratio = e.derived['ann.energyRatio'],
    ratioT = e.derived['ann.energyRatioTimesT'];
  if (ratio !== undefined) sentences.push(ratioSentence(ratio, label, 'ann'));
  if (ratioT !== undefined) sentences.push(ratioSentence(ratioT, label, 'annTimesT'));
  const caveat = complete ? '' : ' (a lower bound: the SNN total leaves out unpriced ops)';
  return `${kvTable(rows.map(([k, v]) => [DERIVED_LABELS[k] ?? k, fmtNum(v)]))}
${sentences.length ? `<p>${sentences.map((s) => escapeHtml(s + caveat)).join('; ')}.</p>` : ''}`;
}

/** The profile's memory model (capacity points) and, per layer, the capacity its memory ops were priced at. */
function memoryTables(r: ProfileReport, e: ProfileEnergy, unit: EnergyUnit): string {
  const memPj = e.byOpKindPj.memRead + e.byOpKindPj.memWrite,
    tot = totalPj(e);
  const share = tot > 0 ? ` (${fmtPct(memPj / tot)} of the total)` : '';
  if (!e.memory.length) {
    const src = e.sources.filter((s) => s.op === 'memRead' || s.op === 'memWrite');
    const how = src.map(
      (s) =>
        `${s.op}: ${
          s.energyPj !== null ? `${fmtNum(s.energyPj)} pJ per word` : s.includedIn ? `included in ${s.includedIn.join(', ')}` : 'not priced'
        }`,
    );
    const text = `No capacity-dependent memory model: ${how.join('; ') || 'memory ops not priced'}${share}.`;
    return `<p class="note">${escapeHtml(text)}</p>`;
  }
  const points = table(
    [
      textCol('memory'),
      numCol('capacity'),
      numCol('pJ per access'),
      numCol('access bits'),
      numCol('pJ per 32-bit word'),
      textCol('provenance'),
      textCol('source'),
    ],
    e.memory.map((m) => [
      escapeHtml(m.where),
      escapeHtml(m.capacityBytes === null ? 'DRAM' : fmtBytes(m.capacityBytes)),
      escapeHtml(fmtNum(m.energyPjPerAccess)),
      escapeHtml(m.accessBits),
      escapeHtml(fmtNum((m.energyPjPerAccess * 32) / m.accessBits)),
      escapeHtml(m.provenance),
      escapeHtml(m.source),
    ]),
  );
  const rows: string[][] = [];
  e.layers.forEach((l, i) => {
    for (const m of l.memory ?? []) {
      const pj = l.perStep.reduce((s, x) => s + x.byOpKindPj[m.op], 0);
      rows.push([
        escapeHtml(l.name),
        escapeHtml(m.op),
        escapeHtml(fmtBytes(m.bytes)),
        escapeHtml(fmtNum(m.pjPerWord)),
        escapeHtml(fmtNum(pj)),
        escapeHtml(r.layers[i]?.kind ?? ''),
      ]);
    }
  });
  const perLayer = rows.length
    ? `<details><summary>Per layer: the memory size each layer's reads and writes were priced at (${rows.length} rows)</summary>` +
      `<div class="scroll">${table(
        [textCol('layer'), textCol('op'), numCol('memory size'), numCol('pJ per word'), numCol('pJ per inference'), textCol('kind')],
        rows,
      )}</div></details>`
    : '';
  return `<p>memRead and memWrite are priced by the capacity of the memory that holds the data (log2-linear between the points below):
a synaptic layer's reads hit its weight memory, every other access the layer's state memory.
Memory costs ${escapeHtml(fmtEnergy(memPj, unit))} per inference${escapeHtml(share)}.</p>
${points}
${perLayer}`;
}

function fmtBytes(b: number): string {
  if (b >= 1048576) return `${fmtNum(b / 1048576, 3)} MiB`;
  if (b >= 1024) return `${fmtNum(b / 1024, 3)} KiB`;
  return `${fmtNum(b)} B`;
}

/** Energy by block type, by stage and block type, and per block instance, one table set per profile. */
function blockTables(r: ProfileReport, e: ProfileEnergy, unit: EnergyUnit): string {
  const blocks = blocksOf(r, e);
  const row = (name: string, pj: number, memPj: number, share: number, ops: number, unpriced: string[], n?: number) => [
    escapeHtml(name),
    ...(n !== undefined ? [escapeHtml(n)] : []),
    energyCell(pj, unpriced, unit),
    escapeHtml(fmtPct(share)),
    escapeHtml(pj > 0 && (memPj > 0 || e.memory.length > 0) ? fmtPct(memPj / pj) : 'n/a'),
    escapeHtml(fmtNum(ops)),
  ];
  const cols = (first: string, count: boolean) => [
    textCol(first),
    ...(count ? [numCol('blocks')] : []),
    numCol(`energy (${unit.label})`),
    numCol('% of total'),
    numCol('of which memory'),
    numCol('synaptic ops'),
  ];
  const byType = sumBlocks(blocks, 'type');
  const byStage = sumBlocks(blocks, 'stage');
  type Sum = { energyPj: number; memoryPj: number; share: number; synapticOps: number; unpriced: string[] };
  const rowOf = (name: string, b: Sum, n?: number) => row(name, b.energyPj, b.memoryPj, b.share, b.synapticOps, b.unpriced, n);
  return `${table(
    cols('block type', true),
    byType.map((b) => rowOf(blockTypeLabel(b.type), b, b.blocks)),
  )}
<details><summary>By stage and block type (${byStage.length} rows) and per block instance (${blocks.length})</summary>
${table(
  cols('stage, block type', true),
  byStage.map((b) => rowOf(`${b.stage} ${blockTypeLabel(b.type)}`, b, b.blocks)),
)}
<div class="scroll">${table(
    cols('block', false),
    blocks.map((b) => rowOf(`${b.instance} (${blockTypeLabel(b.type)}${b.mixing ? `: ${b.mixing}` : ''})`, b)),
  )}</div>
</details>`;
}

/** Sorts a table by a clicked header (numbers by data-v, text otherwise); subtotal rows drop out while sorted. */
const SORT_SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (t) {
  var body = t.tBodies[0], original = Array.prototype.slice.call(body.rows);
  t.querySelectorAll('th').forEach(function (th, col) {
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var dir = th.getAttribute('data-dir') === 'desc' ? 'asc' : 'desc';
      t.querySelectorAll('th').forEach(function (x) { x.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', dir);
      var rows = original.filter(function (r) { return !r.classList.contains('sub'); });
      if (col === 0 && dir === 'asc') rows = original;
      else rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
        var c = vx !== null && vy !== null ? Number(vx) - Number(vy) : x.textContent.localeCompare(y.textContent);
        return dir === 'desc' ? -c : c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      original.forEach(function (r) { if (rows.indexOf(r) < 0) r.remove(); });
    });
  });
});`;

/** The layer table: network order, a subtotal row after each stage, % of each profile's total, sortable by any column. */
function layerTable(r: ProfileReport, unit: EnergyUnit): string {
  const num = (v: number, text: string) => `<td class="n" data-v="${v}">${text}</td>`;
  const rows: string[] = [];
  const stageSum = new Map<string, number[]>();
  const flush = (stage: string) => {
    const s = stageSum.get(stage);
    if (!s) return;
    const empty = '<td></td>'.repeat(5);
    rows.push(
      `<tr class="sub"><td><b>${escapeHtml(stage)} subtotal</b></td>${empty}${r.energy
        .map((e, j) => {
          const pj = s[j]!,
            tot = totalPj(e);
          const share = tot > 0 ? fmtPct(pj / tot) : '';
          return num(pj, `<b>${escapeHtml(fmtNum(pj * unit.perPj))}</b>`) + num(tot > 0 ? pj / tot : 0, `<b>${escapeHtml(share)}</b>`);
        })
        .join('')}</tr>`,
    );
  };
  let current: string | null = null;
  r.layers.forEach((l, i) => {
    if (current !== null && l.stage !== current) flush(current);
    current = l.stage;
    const by = {} as Record<OpKind, number>;
    for (const k of OP_KINDS) by[k] = 0;
    for (const s of l.perStep) for (const k of OP_KINDS) by[k] += s.ops[k];
    const fr = l.kind === 'lif' ? meanFiringRate([l]) : null;
    const sums = stageSum.get(l.stage) ?? r.energy.map(() => 0);
    const cells = r.energy.map((e, j) => {
      const pj = layerTotalPj(e, i),
        tot = totalPj(e);
      sums[j]! += pj;
      return (
        `<td class="n" data-v="${pj}">${energyCell(pj, layerUnpriced(e, i, r), unit)}</td>` +
        num(tot > 0 ? pj / tot : 0, escapeHtml(tot > 0 ? fmtPct(pj / tot) : ''))
      );
    });
    stageSum.set(l.stage, sums);
    const rate = num(fr ?? -1, escapeHtml(fr === null ? '' : fr.toFixed(4)));
    rows.push(
      `<tr><td>${escapeHtml(l.name)}</td><td>${escapeHtml(l.kind)}</td>` +
        `${num(by.ac, escapeHtml(fmtNum(by.ac)))}${num(by.mac, escapeHtml(fmtNum(by.mac)))}` +
        `${num(by.neuronUpdate, escapeHtml(fmtNum(by.neuronUpdate)))}${rate}${cells.join('')}</tr>`,
    );
  });
  if (current !== null) flush(current);
  const head = [
    'layer',
    'kind',
    'AC',
    'MAC',
    'neuron updates',
    'firing rate',
    ...r.energy.flatMap((e) => [`${energyLabel(r, e)} (${unit.label})`, `% of ${energyLabel(r, e)}`]),
  ]
    .map((h, i) => `<th${i > 1 ? ' class="n"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  return `<div class="scroll"><table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

/** The published energies of this architecture next to this run's spikformer-convention totals. */
function paperSection(r: ProfileReport): string {
  const p = paperCheck(r);
  if (!p) return '';
  const rows = p.rows.map((row) => [
    escapeHtml(row.model),
    escapeHtml(row.imgSize),
    escapeHtml(row.timesteps),
    escapeHtml(fmtNum(row.paramsM)),
    escapeHtml(fmtNum(row.energyMj)),
    row.matches
      ? p.spikewatt
          .map((s) =>
            escapeHtml(
              `${s.complete ? '' : '≥ '}${fmtNum(s.energyMj)} on ${s.profile}` +
                `${s.ratioToPaper !== null ? ` (${fmtNum(s.ratioToPaper, 3)}× the paper)` : ''}`,
            ),
          )
          .join('<br>') || 'not priced under spikformer'
      : row.scaledMj
        ? row.scaledMj
            .map((x) =>
              escapeHtml(
                `≈ ${fmtNum(x.energyMj)} on ${x.profile} (scaled, same rates; ` + `${fmtNum(x.energyMj / row.energyMj, 3)}× the paper)`,
              ),
            )
            .join('<br>')
        : '<span class="note">another size or T</span>',
  ]);
  return `<h2>Paper check</h2>
<p>${escapeHtml(p.source)}: the published energy per image (mJ) of this architecture, and this run's total under the same formula.</p>
${table(
  [
    textCol('model'),
    numCol('image px'),
    numCol('T'),
    numCol('params (M)'),
    numCol('paper (mJ)'),
    numCol('spikewatt, spikformer convention (mJ)'),
  ],
  rows,
)}
<ul class="note">${p.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
}

/** report.html of one profile run: configuration, accuracy, totals, charts, blocks, memory, hardware sources, layer table. */
export function renderProfileHtml(r: ProfileReport, chartJs: string): string {
  const charts = profileCharts(r);
  const chipChartList = chipCharts(r);
  const c = r.config,
    m = r.model;
  const rate = meanFiringRate(r.layers);
  const unit = unitFor(r.energy.map(totalPj));
  const ci = r.accuracy.top1Wilson95 ?? wilson95(r.accuracy.correctTop1, r.accuracy.samples);
  const cards: [string, string, string][] = [
    ['top-1 accuracy', fmtPct(r.accuracy.top1), `${fmtInterval(ci)}, ${r.accuracy.samples} samples`],
    ...(r.accuracy.top5 !== null ? [['top-5 accuracy', fmtPct(r.accuracy.top5), ''] as [string, string, string]] : []),
    ['mean firing rate', rate === null ? 'n/a' : fmtPct(rate), 'spikes / neuron / time step'],
    ...r.energy.map((e): [string, string, string] => [
      energyLabel(r, e),
      totalText(totalPj(e), isComplete(e), unit),
      isComplete(e) ? 'per inference' : incompleteNote(e.unpriced.map((u) => u.op)),
    ]),
  ];
  const cardHtml = `<div class="cards">${cards
    .map(
      ([k, v, s]) =>
        `<div class="card${v.startsWith('≥') ? ' incomplete' : ''}"><div class="k">${escapeHtml(k)}</div>` +
        `<div class="v">${escapeHtml(v)}</div>${s ? `<div class="s">${escapeHtml(s)}</div>` : ''}</div>`,
    )
    .join('')}</div>`;

  const cfg = m.config;
  const config = kvTable([
    ['model', m.label ?? m.name],
    ['built from', m.name],
    ['weights', m.weights],
    ...(m.weightsFile ? [['weights file', m.weightsFile] as [string, string]] : []),
    ...(m.weightsSha256 ? [['weights SHA-256', m.weightsSha256] as [string, string]] : []),
    ...(m.init ? [['init', m.init] as [string, string]] : []),
    ['family', m.family],
    ...(cfg
      ? ([
          ['embed dims (last stage)', cfg.embedDims],
          ['depths', cfg.depths],
          ['heads per stage', cfg.heads.join(', ')],
          ['MLP ratio', cfg.mlpRatio],
          ['SPEDS', cfg.speds ? 'yes' : 'no (plain patch embedding)'],
        ] as [string, string | number][])
      : []),
    ['attention per stage', m.attention.join(', ')],
    ['time steps T', m.timesteps],
    ['input shape', m.inputShape.join(' × ')],
    ['classes', m.numClasses],
    ['parameters', fmtNum(m.params)],
    ['dense MACs per step', fmtNum(m.denseMacsPerStep)],
    ['attention FLOPs per step', fmtNum(m.attentionFlopsPerStep)],
    ['dataset', `${r.dataset.name} (${r.dataset.split}, ${r.dataset.kind}, source ${r.dataset.source})`],
    ['samples', c.samples],
    ['counting convention', (c.conventions ?? [c.convention]).join(', ')],
    ['compute core', c.core],
    ['batch coupling', c.batchCoupling],
    ['batch size', c.batchSize],
    ['seed', c.seed],
    ...(c.command ? [['command', c.command] as [string, string]] : []),
  ]);
  const notes = c.notes?.length ? `<div class="warn"><ul>${c.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></div>` : '';

  const totalsRows = r.energy.map((e) => [
    escapeHtml(e.profile),
    escapeHtml(e.technology),
    escapeHtml(e.convention),
    escapeHtml(totalText(totalPj(e), isComplete(e), unit)),
    (isComplete(e)
      ? 'complete'
      : `<div class="warn">${escapeHtml(incompleteNote(e.unpriced.map((u) => u.op)))}: ` +
        `${escapeHtml(e.unpriced.map((u) => `${u.op} ${fmtNum(u.count)} per inference`).join(', '))}; the total is a lower bound</div>`) +
      (e.chip?.mapped
        ? `<div class="note">per-op pricing; the chip model's total (traffic, neuron access every step, static power): ` +
          `${escapeHtml(partText(e.chip.energy.total, fmtPj))}, see Chip model</div>`
        : ''),
  ]);
  const totals = table(
    [
      textCol('profile'),
      textCol('technology'),
      textCol('convention'),
      numCol(`energy per inference (${unit.label})`),
      textCol('completeness'),
    ],
    totalsRows,
  );

  const ops = opTotals(r);
  const opsTable = table(
    [textCol('op kind'), numCol('count per inference')],
    OP_KINDS.filter((k) => ops[k] > 0).map((k) => [escapeHtml(k), escapeHtml(fmtNum(ops[k]))]),
  );

  const hardware = r.energy
    .map((e) => {
      const label = energyLabel(r, e);
      const rows = e.sources.map((s) => [
        escapeHtml(s.op),
        escapeHtml(
          s.energyPj !== null
            ? fmtNum(s.energyPj)
            : s.includedIn
              ? `in ${s.includedIn.join(', ')}`
              : e.memory.length && (s.op === 'memRead' || s.op === 'memWrite')
                ? 'by memory size (see the memory table)'
                : 'not priced',
        ),
        escapeHtml(s.provenance ?? ''),
        escapeHtml(s.source),
      ]);
      for (const u of e.unpriced) {
        rows.push([escapeHtml(u.op), '<b>no price</b>', '', escapeHtml(`${fmtNum(u.count)} ops per inference are left out of the total`)]);
      }
      return `<h3>${escapeHtml(label)}</h3><p class="sub">${escapeHtml(e.technology)}: ${escapeHtml(e.description)}</p>
${table([textCol('op'), numCol('pJ per op'), textCol('provenance'), textCol('source')], rows)}
${e.notes.length ? `<ul class="note">${e.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<h4>Memory pricing</h4>
${memoryTables(r, e, unit)}
<h4>Derived metrics</h4>
${derivedTable(e, label)}`;
    })
    .join('\n');

  const incompleteTag = (e: ProfileEnergy) =>
    isComplete(e) ? '' : ` <span class="inc">(${escapeHtml(incompleteNote(e.unpriced.map((u) => u.op)))})</span>`;
  const blocks = r.energy
    .map(
      (e) => `<h3>${escapeHtml(energyLabel(r, e))}${incompleteTag(e)}</h3>
${blockTables(r, e, unit)}`,
    )
    .join('\n');

  const body = `<h1>spikewatt profile: ${escapeHtml(m.label ?? m.name)}</h1>
<p class="sub">${escapeHtml(r.dataset.name)}, ${escapeHtml(r.accuracy.samples)} samples, T = ${escapeHtml(m.timesteps)}, ${escapeHtml((c.conventions ?? [c.convention]).join(' and '))} counting; every number is per inference, energies in ${escapeHtml(unit.label)}. Made by spikewatt ${escapeHtml(r.spikewattVersion)} from profile.json (schema ${escapeHtml(r.schemaVersion)}).</p>
${notes}
${cardHtml}
<h2>Energy per hardware profile</h2>
${totals}
${paperSection(r)}
${charts.map(chartFigure).join('\n')}
${chipSection(r)}
${chipChartList.map(chartFigure).join('\n')}
<h2>Energy by block</h2>
<p class="note">Patch embedding (SPEDS), attention (with its residual add), MLP (with its residual add) and head, as a share of each profile's total.</p>
${blocks}
<h2>Operations</h2>
${opsTable}
${neurobenchSection(r.neurobench)}${multiLevelSection(r.multiLevel) && `\n${multiLevelSection(r.multiLevel)}`}
<h2>Hardware profiles, memory pricing and sources</h2>
${hardware}
<h2>Layers</h2>
<p class="note">Network order with a subtotal per stage; click a column to sort (subtotals hide while sorted). Counts summed over the time steps; firing rate = spikes / (neurons × time steps); "unpriced" marks a layer whose ops the profile does not price (its energy there is a lower bound). The per-step values are in timesteps.csv and layers.csv.</p>
${layerTable(r, unit)}
<h2>Configuration</h2>
${config}`;
  return renderPage({
    title: `spikewatt profile: ${m.label ?? m.name}`,
    body,
    charts: [...charts, ...chipChartList],
    chartJs,
    extraScript: SORT_SCRIPT,
  });
}

function opTotals(r: ProfileReport): Record<OpKind, number> {
  const out = {} as Record<OpKind, number>;
  for (const k of OP_KINDS) out[k] = 0;
  for (const l of r.layers) for (const s of l.perStep) for (const k of OP_KINDS) out[k] += s.ops[k];
  return out;
}
