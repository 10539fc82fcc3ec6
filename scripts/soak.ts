/**
 * `npm run soak`: profiles 1,000 samples of the committed Fashion-MNIST test set on the demo checkpoint, in
 * checkpointed chunks (a new worker pool per chunk, as a long run has), while sampling this process's resident
 * memory. Passes when memory does not grow after warm-up: the peak of the second half of the run stays within
 * SOAK_TOLERANCE_MB (default 24) of the peak of the warm-up (the first quarter's end to the half).
 *   npm run soak [-- --samples 1000 --workers 2 --checkpoint-every 100]
 * Prints a table of samples done vs RSS and one JSON line with the numbers (docs/scale-out.md quotes them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { profile } from '../src/pipeline/index.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '2' },
    'checkpoint-every': { type: 'string', default: '100' },
  },
});
const samples = Number(values.samples),
  workers = Number(values.workers),
  every = Number(values['checkpoint-every']);
const tolerance = Number(process.env.SOAK_TOLERANCE_MB ?? 24);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = () => process.memoryUsage().rss / 2 ** 20;
const points: { done: number; rssMb: number; seconds: number }[] = [];
const start = Date.now();
let last = -1;
const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-soak-'));
try {
  await profile({
    model: 'checkpoints/fmnist-qkformer.safetensors',
    dataset: 'fashion-mnist',
    samples,
    workers,
    batchSize: 10,
    checkpoint: join(tmp, 'soak.checkpoint.json'),
    checkpointEvery: every,
    onProgress: (e) => {
      if (e.kind !== 'simulate' || e.done === last) return;
      last = e.done;
      // garbage collected first, so that the samples compare live memory, not when the collector last ran
      gc?.();
      points.push({ done: e.done, rssMb: mb(), seconds: (Date.now() - start) / 1000 });
    },
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const peak = (from: number, to: number) =>
  Math.max(...points.filter((p) => p.done > from * samples && p.done <= to * samples).map((p) => p.rssMb));
const warm = peak(0.25, 0.5),
  late = peak(0.5, 1),
  first = points[0]!.rssMb;
for (const p of points.filter((_, i) => i % Math.max(1, Math.floor(points.length / 20)) === 0 || i === points.length - 1)) {
  console.log(`${String(p.done).padStart(6)} samples  ${p.rssMb.toFixed(1).padStart(7)} MB  ${p.seconds.toFixed(1).padStart(6)} s`);
}
const seconds = (Date.now() - start) / 1000;
const result = {
  samples,
  workers,
  checkpointEvery: every,
  seconds,
  samplesPerSecond: samples / seconds,
  gc: gc !== undefined,
  rssFirstMb: first,
  rssPeakWarmupMb: warm,
  rssPeakSecondHalfMb: late,
  growthMb: late - warm,
  toleranceMb: tolerance,
};
console.log(JSON.stringify(result));
if (late - warm > tolerance) {
  console.error(`soak: resident memory grew ${(late - warm).toFixed(1)} MB after warm-up (tolerance ${tolerance} MB)`);
  process.exitCode = 1;
} else {
  console.error(`soak: no growth after warm-up: peak ${warm.toFixed(1)} MB (25-50 %), ${late.toFixed(1)} MB (50-100 %)`);
}
