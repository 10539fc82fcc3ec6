import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { layersCsv, timestepsCsv } from '../../src/reports/csv.js';
import { renderProfileHtml } from '../../src/reports/profile-html.js';
import { tinyReport } from './tiny-report.js';

const GOLDEN = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
/** A stand-in for chart.js's text, so the golden page stays small; the renderer only checks it names Chart. */
const CHART_STUB = '/* Chart (stub) */';

/**
 * The CSV tables and the HTML page of the tiny report equal the committed golden files byte for byte. After an
 * intended change to a renderer, regenerate them:
 *   SPIKEWATT_UPDATE_GOLDEN=1 node --import tsx --test test/reports/golden.test.ts
 */
test('golden files: layers.csv, timesteps.csv and report.html of the tiny report', async () => {
  const r = tinyReport();
  const files: [string, string][] = [
    ['tiny-layers.csv', await layersCsv(r)],
    ['tiny-timesteps.csv', await timestepsCsv(r)],
    ['tiny-report.html', renderProfileHtml(r, CHART_STUB)],
  ];
  for (const [name, text] of files) {
    if (process.env.SPIKEWATT_UPDATE_GOLDEN) writeFileSync(GOLDEN + name, text);
    assert.equal(text, readFileSync(GOLDEN + name, 'utf8'), `${name} differs from test/fixtures/golden/${name}`);
  }
});
