import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import type { ChartSpec } from './charts.js';

Chart.register(...registerables);

/** Paints the canvas white under the chart (PNG has no page behind it). */
const whiteBackground: Plugin = {
  id: 'spikewatt-white-background',
  beforeDraw: (chart) => {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/**
 * Draws one chart description with chart.js on a node canvas (@napi-rs/canvas, skia) and returns the PNG.
 * chart.js picks its DOM-less platform because there is no `window`; animation is off, so one draw suffices.
 */
export function renderChartPng(spec: ChartSpec): Buffer {
  const canvas = createCanvas(spec.widthPx, spec.heightPx);
  const config = structuredClone(spec.config) as unknown as ChartConfiguration;
  config.plugins = [whiteBackground];
  // chart.js accepts any 2D context with the CanvasRenderingContext2D surface; skia's is one.
  const chart = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, config);
  try {
    chart.draw();
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
