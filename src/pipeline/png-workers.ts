import { Worker } from 'node:worker_threads';
import type { ChartSpec } from '../reports/charts.js';
import { renderChartPng } from '../reports/png.js';

/** Renders chart descriptions to PNGs (in order). */
export type PngRenderer = (specs: ChartSpec[]) => Promise<Buffer[]>;

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './png-worker-from-source.mjs' : './png-worker.js', import.meta.url);

/** In this thread (a one-off render, or where the rendering thread cannot start). */
export const renderInThread: PngRenderer = (specs) => Promise.resolve(specs.map(renderChartPng));

/**
 * A chart-rendering thread, started now so that its modules load while the caller works: `render` hands it one
 * report's charts; a thread that fails renders them here instead (the same PNGs). `close` ends it; an idle thread never
 * holds the process open.
 */
export function startPngWorker(): { render: PngRenderer; close: () => Promise<void> } {
  let worker: Worker | null = null;
  try {
    worker = new Worker(WORKER_URL);
    worker.unref();
    // a failure before the first render surfaces there (and falls back); a stopped thread takes no more work
    worker.on('error', () => {});
    worker.on('exit', () => (worker = null));
  } catch {
    worker = null;
  }
  const render: PngRenderer = (specs) => {
    const w = worker;
    if (!w) return renderInThread(specs);
    return new Promise<Buffer[]>((resolve, reject) => {
      const off = () => {
        w.off('message', done);
        w.off('error', failed);
        w.off('exit', failed);
      };
      const done = (m: { pngs?: Uint8Array[]; error?: string }) => {
        off();
        if (m.pngs) resolve(m.pngs.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
        else reject(new Error(m.error ?? 'the chart thread answered nothing'));
      };
      const failed = () => {
        off();
        reject(new Error('the chart thread stopped'));
      };
      w.on('message', done);
      w.on('error', failed);
      w.on('exit', failed);
      w.ref();
      w.postMessage({ specs });
    })
      .catch(() => renderInThread(specs))
      .finally(() => w.unref());
  };
  const close = async () => {
    const w = worker;
    worker = null;
    await w?.terminate();
  };
  return { render, close };
}
