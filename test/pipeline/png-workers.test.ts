import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderInThread, startPngWorker } from '../../src/pipeline/png-workers.js';
import { profileReportCharts } from '../../src/reports/profile-files.js';
import { tinyReport } from '../reports/tiny-report.js';

test('the chart thread renders the PNGs of a report byte for byte as this thread does, and again after a render', async () => {
  const charts = profileReportCharts(tinyReport());
  assert.ok(charts.length >= 3);
  const want = await renderInThread(charts);
  const pool = startPngWorker();
  try {
    for (let round = 0; round < 2; round++) {
      const got = await pool.render(charts);
      assert.equal(got.length, want.length);
      got.forEach((png, i) => assert.ok(png.equals(want[i]!), `${charts[i]!.id}, round ${round}`));
    }
  } finally {
    await pool.close();
  }
});

test('a chart thread that has stopped: the PNGs render in this thread instead', async () => {
  const charts = profileReportCharts(tinyReport()).slice(0, 1);
  const pool = startPngWorker();
  await pool.close();
  const got = await pool.render(charts);
  assert.ok(got[0]!.equals((await renderInThread(charts))[0]!));
});
