import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports } from '../../src/pipeline/compare.js';
import { renderCompareHtml } from '../../src/reports/compare-html.js';
import { renderProfileHtml } from '../../src/reports/profile-html.js';
import type { ProfileReport } from '../../src/reports/schema.js';
import { chartJsText, tinyReport } from './tiny-report.js';

/**
 * Every user-controlled string (model, profile, dataset names, sources, file names, labels, the command) reaches
 * the HTML escaped: a report whose strings carry markup renders that markup as text, and no injected script runs.
 * The payloads set an attribute on <body> if they run; headless Chromium's DOM dump shows whether one did.
 */
const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing (apt-get install -y chromium); the headless HTML safety check is skipped`;

const IMG = '<img src=x onerror=alert(1)>';
const RUN_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">";
const RUN_SCRIPT = '<script>document.body.setAttribute("data-pwned","script")</script>';
const CLOSE = '</script><script>document.body.setAttribute("data-pwned","close")</script>';
const EVIL = `${IMG} ${RUN_IMG} ${RUN_SCRIPT} ${CLOSE} "' &`;

function hostile(): ProfileReport {
  const r = tinyReport();
  r.model.name = `model ${EVIL}`;
  r.model.label = `label ${EVIL}`;
  r.model.weights = `weights ${EVIL}`;
  r.model.weightsFile = `/tmp/${EVIL}.safetensors`;
  r.model.init = `init ${EVIL}`;
  r.config.command = `spikewatt profile --model '${EVIL}'`;
  r.config.notes = [`note ${EVIL}`];
  r.dataset.name = `data ${EVIL}`;
  r.dataset.source = `/data/${EVIL}`;
  r.energy.forEach((e, i) => {
    e.profile = `${i ? '<script>' : IMG} ${RUN_IMG} ${i}`;
    e.technology = `tech ${EVIL}`;
    e.description = `desc ${EVIL}`;
    e.notes = [`profile note ${EVIL}`];
    for (const s of e.sources) s.source = `source ${EVIL}`;
    for (const m of e.memory) m.source = `memory source ${EVIL}`;
  });
  return r;
}

function chromiumDom(page: string, dir: string): string {
  const res = spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      `file://${page}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

test('report.html and compare.html escape every user-controlled string; nothing injected runs', { skip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-xss-'));
  try {
    const r = hostile();
    const cmp = compareReports(
      [
        {
          label: `variant ${EVIL}`,
          model: { spec: null as never, tensors: new Map(), weights: '', checkpoint: null, fileSha256: null, metadata: {} },
          report: r,
        },
        {
          label: `other ${EVIL}`,
          model: { spec: null as never, tensors: new Map(), weights: '', checkpoint: '/x.safetensors', fileSha256: null, metadata: {} },
          report: r,
        },
      ],
      `dataset ${EVIL}`,
      4,
    );
    const pages: [string, string][] = [
      ['report.html', renderProfileHtml(r, chartJsText())],
      ['compare.html', renderCompareHtml(cmp, chartJsText())],
    ];
    for (const [name, html] of pages) {
      // static check: no payload tag survives unescaped outside the page's own scripts
      assert.doesNotMatch(html, /<img src=x/, `${name} holds a raw <img>`);
      assert.doesNotMatch(html, /<script>document\.body/, `${name} holds a raw injected <script>`);
      const page = join(dir, name);
      writeFileSync(page, html);
      const dom = chromiumDom(page, dir);
      const body = /<body[^>]*>/.exec(dom)?.[0] ?? '';
      assert.doesNotMatch(body, /data-pwned/, `${name}: an injected script ran: ${body}`);
      assert.doesNotMatch(body, /data-errors/, `${name}: ${body}`);
      assert.match(body, /data-ok="\d+ charts"/, `${name}: the page's own scripts did not finish: ${body}`);
      // the payloads show as text
      assert.match(dom, /&lt;img src=x onerror=alert\(1\)&gt;/, `${name}: the payload is not shown as text`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
