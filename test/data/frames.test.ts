import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateByNumber, splitByNumber, type EventStream } from '../../src/data/frames.js';

function stream(ev: [number, number, number][], w = 4, h = 4): EventStream {
  return {
    t: Float64Array.from(ev, (_, i) => i),
    x: Uint16Array.from(ev, (e) => e[0]),
    y: Uint16Array.from(ev, (e) => e[1]),
    p: Uint8Array.from(ev, (e) => e[2]),
    width: w,
    height: h,
  };
}

test('split by number: di = floor(N/T), the last frame takes the remainder (spikingjelly)', () => {
  assert.deepEqual(splitByNumber(7, 3), { jl: [0, 2, 4], jr: [2, 4, 7] });
  assert.deepEqual(splitByNumber(2, 3), { jl: [0, 0, 0], jr: [0, 0, 2] });
  assert.deepEqual(splitByNumber(0, 2), { jl: [0, 0], jr: [0, 0] });
  assert.throws(() => splitByNumber(5, 0), /timesteps must be a positive integer/);
});

test('integration by number on a hand example', () => {
  // 7 events (x, y, p) on a 4x4 sensor, T = 3: frames take events [0,2), [2,4), [4,7).
  const e = stream([
    [0, 0, 1],
    [0, 0, 1],
    [3, 1, 0],
    [1, 2, 1],
    [2, 3, 0],
    [2, 3, 0],
    [1, 0, 1],
  ]);
  const f = integrateByNumber(e, 3);
  assert.equal(f.length, 3 * 2 * 16);
  const at = (t: number, p: number, y: number, x: number) => f[((t * 2 + p) * 4 + y) * 4 + x];
  assert.equal(at(0, 1, 0, 0), 2);
  assert.equal(at(1, 0, 1, 3), 1);
  assert.equal(at(1, 1, 2, 1), 1);
  assert.equal(at(2, 0, 3, 2), 2);
  assert.equal(at(2, 1, 0, 1), 1);
  assert.equal(
    f.reduce((a, b) => a + b, 0),
    7,
  );
  // Frame sums: 2, 2, 3.
  const frameSum = (t: number) => f.subarray(t * 32, (t + 1) * 32).reduce((a, b) => a + b, 0);
  assert.deepEqual([0, 1, 2].map(frameSum), [2, 2, 3]);
});

test('down-sampling by 2 sums 2x2 blocks and keeps the counts', () => {
  const e = stream([
    [0, 0, 1],
    [1, 1, 1],
    [3, 2, 0],
    [2, 3, 0],
  ]);
  const f = integrateByNumber(e, 1, 2);
  assert.deepEqual([...f], [0, 0, 0, 2, /* p=1 */ 2, 0, 0, 0]);
  assert.throws(() => integrateByNumber(e, 1, 3), /downsample 3 does not divide the 4x4 sensor/);
  assert.throws(
    () => integrateByNumber(stream([[4, 0, 0]]), 1, 1, 'f.aedat'),
    /f\.aedat: event 0 at \(x=4, y=0, p=0\) is outside the 4x4 sensor/,
  );
});
