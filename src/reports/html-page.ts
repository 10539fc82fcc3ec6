import type { ChartSpec } from './charts.js';

/**
 * The self-contained HTML page shared by report.html and compare.html: inline CSS, chart.js inlined from the
 * text the caller passes in (the CLI reads node_modules/chart.js/dist/chart.umd.js), chart descriptions as
 * inert JSON, no external URL. After drawing, the page checks that every chart canvas has painted pixels and
 * writes `data-ok="N charts"` on <body>, or `data-errors="..."` with every error it caught (window error events,
 * console.error, blank canvases); a headless browser's --dump-dom shows either.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** JSON for a <script type="application/json"> block: `<`, `>`, `&` and U+2028/9 escaped so nothing closes it. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline library text: a `</script` inside it would end the element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
main{max-width:1040px;margin:0 auto;padding:24px 28px 60px;background:#fff;min-height:100vh;box-sizing:border-box}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #dde1e7;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.sub{color:#5a6272;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}.card{border:1px solid #dde1e7;border-radius:8px;padding:10px 14px;min-width:150px}
.card .v{font-size:22px;font-weight:600}.card .k{color:#5a6272;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}th,td{border-bottom:1px solid #e4e7ec;padding:4px 10px 4px 0;text-align:left;vertical-align:top}
th{color:#5a6272;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:520px;overflow:auto;border:1px solid #e4e7ec;border-radius:6px;padding:0 8px}
figure{margin:16px 0 24px}figcaption{color:#5a6272;font-size:13px;margin-top:4px}canvas{max-width:100%;height:auto}
.scale{display:flex;align-items:center;gap:8px;font-size:12px;color:#5a6272}.scale .bar{width:240px;height:12px;border-radius:3px}
.card .s{color:#5a6272;font-size:12px;max-width:260px}.card.incomplete{border-color:#f3c27a;background:#fffaf2}
.inc{color:#9a5b00}.inc small{font-size:11px}tr.sub td{border-top:1px solid #c9ced6;background:#f7f8fa}h4{font-size:14px;margin:14px 0 4px}
details{margin:6px 0 12px}summary{cursor:pointer;color:#33507a}
.warn{background:#fff4e5;border:1px solid #f3c27a;border-radius:6px;padding:6px 10px}.note{color:#5a6272;font-size:13px}
code{background:#f0f2f5;padding:1px 4px;border-radius:3px}`;

/** Runs first, so that errors raised while the library loads are caught too. */
const GUARD_SCRIPT = `
window.spikewattErrors = [];
window.addEventListener('error', function (e) {
  window.spikewattErrors.push('error: ' + (e && e.message ? e.message : String(e)));
  if (window.spikewattFinish) window.spikewattFinish();
});
(function () {
  var orig = console.error;
  console.error = function () { window.spikewattErrors.push('console.error: ' + Array.prototype.slice.call(arguments).join(' ')); orig.apply(console, arguments); };
})();`;

const PAGE_SCRIPT = `
(function () {
  var errors = window.spikewattErrors, drawn = 0;
  window.spikewattFinish = function () {
    var b = document.body;
    if (errors.length) { b.removeAttribute('data-ok'); b.setAttribute('data-errors', errors.join(' | ')); }
    else b.setAttribute('data-ok', drawn + ' charts');
  };
  try {
    var specs = JSON.parse(document.getElementById('spikewatt-charts').textContent);
    if (typeof Chart === 'undefined') throw new Error('chart.js did not load');
    specs.forEach(function (s) {
      var canvas = document.getElementById(s.id);
      var ctx = canvas.getContext('2d');
      new Chart(ctx, s.config);
      var px = ctx.getImageData(0, 0, canvas.width, canvas.height).data, painted = 0;
      for (var i = 3; i < px.length; i += 4) if (px[i] !== 0) { painted++; }
      if (painted === 0) errors.push('blank chart ' + s.id); else drawn++;
    });
  } catch (e) { errors.push('error: ' + (e && e.message ? e.message : String(e))); }
  window.spikewattFinish();
})();`;

export function chartFigure(c: ChartSpec): string {
  const scale = c.colorScale
    ? `<div class="scale"><span>${escapeHtml(c.colorScale.label)} ${escapeHtml(fmtNum(c.colorScale.min))}</span><span class="bar" style="background:linear-gradient(to right,${c.colorScale.stops.map(escapeHtml).join(',')})"></span><span>${escapeHtml(fmtNum(c.colorScale.max))}</span></div>`
    : '';
  return `<figure><canvas id="${escapeHtml(c.id)}" width="${c.widthPx}" height="${c.heightPx}" role="img" aria-label="${escapeHtml(c.title)}"></canvas>${scale}<figcaption>${escapeHtml(c.caption)}</figcaption></figure>`;
}

/** One column of an HTML table: its header and whether its cells are numbers (right-aligned, tabular figures). */
export interface Column {
  label: string;
  numeric?: boolean;
}
/** A text column. */
export const textCol = (label: string): Column => ({ label });
/** A numeric column. */
export const numCol = (label: string): Column => ({ label, numeric: true });

/** A table from its columns and body rows of already-escaped cells (one cell per column). */
export function table(columns: readonly Column[], rows: string[][]): string {
  const cls = (i: number) => (columns[i]?.numeric ? ' class="n"' : '');
  const th = columns.map((c, i) => `<th${cls(i)}>${escapeHtml(c.label)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Key-value table; values are escaped here. */
export function kvTable(rows: [string, string | number][]): string {
  return table(
    [textCol(''), textCol('')],
    rows.map(([k, v]) => [`<b>${escapeHtml(k)}</b>`, escapeHtml(v)]),
  );
}

export function fmtNum(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(digits - 1);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumSignificantDigits: digits });
}

export function fmtPct(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`;
}

export function renderPage(o: { title: string; body: string; charts: ChartSpec[]; chartJs: string; extraScript?: string }): string {
  if (!/Chart/.test(o.chartJs)) throw new Error('the chart.js text passed to the HTML renderer does not look like chart.js');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(o.title)}</title>
<style>${CSS}</style>
</head><body><main>
${o.body}
</main>
<script type="application/json" id="spikewatt-charts">${scriptJson(o.charts.map((c) => ({ id: c.id, config: c.config })))}</script>
<script>${GUARD_SCRIPT}</script>
<script>${inlineScript(o.chartJs)}</script>
<script>${PAGE_SCRIPT}</script>
${o.extraScript ? `<script>${inlineScript(o.extraScript)}</script>\n` : ''}</body></html>
`;
}
