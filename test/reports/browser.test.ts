import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderProfileHtml } from '../../src/reports/profile-html.js';
import { profileCharts } from '../../src/reports/charts.js';
import { chipCharts } from '../../src/reports/chip-charts.js';
import { chartJsText, tinyReport } from './tiny-report.js';

/**
 * Loads report.html in headless Chromium (Debian package `chromium`): the page marks <body data-ok="N charts">
 * when every chart drew pixels and nothing raised, else data-errors="...". Set SPIKEWATT_SCREENSHOT=path to
 * keep the screenshot (docs/report-screenshot.png is made that way).
 */
const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium); the headless report check is skipped`;

function chromium(args: string[], dataDir: string) {
  return spawnSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      `--user-data-dir=${dataDir}`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

test('report.html renders in headless Chromium without errors, every chart painted', { skip, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-browser-'));
  try {
    const report = tinyReport();
    const page = join(dir, 'report.html');
    writeFileSync(page, renderProfileHtml(report, chartJsText()));
    const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', `file://${page}`], join(dir, 'profile'));
    assert.equal(dom.status, 0, dom.stderr);
    const body = /<body[^>]*>/.exec(dom.stdout)?.[0] ?? '';
    assert.doesNotMatch(body, /data-errors/, body);
    assert.match(body, new RegExp(`data-ok="${profileCharts(report).length + chipCharts(report).length} charts"`), body);

    const shot = process.env.SPIKEWATT_SCREENSHOT ?? join(dir, 'shot.png');
    const s = chromium(['--hide-scrollbars', '--window-size=1100,1500', `--screenshot=${shot}`, `file://${page}`], join(dir, 'profile'));
    assert.equal(s.status, 0, s.stderr);
    const png = readFileSync(shot);
    assert.equal(png.toString('ascii', 1, 4), 'PNG');
    assert.equal(png.readUInt32BE(16), 1100);

    // the check can fail: a page whose chart library throws is marked with its error
    const broken = join(dir, 'broken.html');
    writeFileSync(broken, renderProfileHtml(report, 'var NotChart = 1; throw new Error("library boom");'));
    const bad = chromium(['--virtual-time-budget=3000', '--dump-dom', `file://${broken}`], join(dir, 'profile'));
    assert.match(/<body[^>]*>/.exec(bad.stdout)?.[0] ?? '', /data-errors="[^"]*library boom/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
