/**
 * DVS event streams and their integration into event-count frames.
 *
 * Integration follows spikingjelly's `integrate_events_by_fixed_frames_number(events, split_by='number',
 * frames_num=T, H, W)`: with N events (in file order) and `di = floor(N / T)`, frame j takes the events with
 * index in `[j*di, (j+1)*di)`, except the last frame which runs to N (it takes the remainder; when N < T every
 * frame but the last is empty). Frame j, channel p, pixel (y, x) counts the events of polarity p at (x, y):
 * channel 0 = polarity 0, channel 1 = polarity 1.
 *
 * Down-sampling by an integer factor f divides coordinates: an event at (x, y) lands in pixel
 * (floor(x/f), floor(y/f)). This equals sum-pooling the full-resolution frames over f x f blocks, so the
 * counts are preserved (the total over a frame is unchanged).
 */
import { DatasetError } from './dataset.js';

/** Events in file order. `t` in microseconds; `p` 0 or 1. */
export interface EventStream {
  t: Float64Array;
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;
  width: number;
  height: number;
}

export function emptyEvents(width: number, height: number, n = 0): EventStream {
  return { t: new Float64Array(n), x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), width, height };
}

/** Events with index in [from, to). Views, not copies. */
export function sliceEvents(e: EventStream, from: number, to: number): EventStream {
  return {
    t: e.t.subarray(from, to),
    x: e.x.subarray(from, to),
    y: e.y.subarray(from, to),
    p: e.p.subarray(from, to),
    width: e.width,
    height: e.height,
  };
}

/** Copies of the events whose timestamp lies in [tStart, tEnd) (the order is kept). */
export function selectTimeWindow(e: EventStream, tStart: number, tEnd: number): EventStream {
  let n = 0;
  for (let i = 0; i < e.t.length; i++) if (e.t[i]! >= tStart && e.t[i]! < tEnd) n++;
  const out = emptyEvents(e.width, e.height, n);
  let k = 0;
  for (let i = 0; i < e.t.length; i++) {
    if (e.t[i]! >= tStart && e.t[i]! < tEnd) {
      out.t[k] = e.t[i]!;
      out.x[k] = e.x[i]!;
      out.y[k] = e.y[i]!;
      out.p[k] = e.p[i]!;
      k++;
    }
  }
  return out;
}

/** spikingjelly's split-by-number segment bounds: frame j covers event indices [jl[j], jr[j]). */
export function splitByNumber(n: number, frames: number): { jl: number[]; jr: number[] } {
  if (!Number.isInteger(frames) || frames < 1) throw new DatasetError(`timesteps must be a positive integer, got ${frames}`);
  const di = Math.floor(n / frames),
    jl: number[] = [],
    jr: number[] = [];
  for (let j = 0; j < frames; j++) {
    jl.push(j * di);
    jr.push(j === frames - 1 ? n : (j + 1) * di);
  }
  return { jl, jr };
}

export function framedSize(e: { width: number; height: number }, downsample: number): { h: number; w: number } {
  if (!Number.isInteger(downsample) || downsample < 1) throw new DatasetError(`downsample must be a positive integer, got ${downsample}`);
  if (e.width % downsample !== 0 || e.height % downsample !== 0) {
    throw new DatasetError(`downsample ${downsample} does not divide the ${e.width}x${e.height} sensor`);
  }
  return { h: e.height / downsample, w: e.width / downsample };
}

/** `[T, 2, H/f, W/f]` event counts (see the file comment). `what` names the source in errors. */
export function integrateByNumber(e: EventStream, frames: number, downsample = 1, what = 'events'): Float32Array {
  const { h, w } = framedSize(e, downsample);
  const n = e.t.length,
    { jl, jr } = splitByNumber(n, frames);
  const out = new Float32Array(frames * 2 * h * w);
  for (let j = 0; j < frames; j++) {
    for (let i = jl[j]!; i < jr[j]!; i++) {
      const x = e.x[i]!,
        y = e.y[i]!,
        p = e.p[i]!;
      if (x >= e.width || y >= e.height || p > 1) {
        throw new DatasetError(`${what}: event ${i} at (x=${x}, y=${y}, p=${p}) is outside the ${e.width}x${e.height} sensor`);
      }
      out[((j * 2 + p) * h + Math.floor(y / downsample)) * w + Math.floor(x / downsample)]! += 1;
    }
  }
  return out;
}
