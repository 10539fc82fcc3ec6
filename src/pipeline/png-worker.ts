import { parentPort } from 'node:worker_threads';
import type { ChartSpec } from '../reports/charts.js';
import { renderChartPng } from '../reports/png.js';

/**
 * A chart-rendering thread (png-workers.ts): chart.js and the canvas load here while the simulation runs, and the
 * PNGs of a report render here while the main thread writes its other files. The same renderer as in-thread.
 */
const port = parentPort!;
port.on('message', (m: { specs: ChartSpec[] }) => {
  try {
    const pngs = m.specs.map((s) => new Uint8Array(renderChartPng(s)));
    port.postMessage(
      { pngs },
      pngs.map((p) => p.buffer as ArrayBuffer),
    );
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
  }
});
