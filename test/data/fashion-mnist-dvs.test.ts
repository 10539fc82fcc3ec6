import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/models/weights.js';
import { DEFAULT_SACCADE, saccadeDataset, saccadeEvents } from '../../src/data/fashion-mnist-dvs.js';
import type { IdxImages } from '../../src/data/idx.js';

/** Two 28x28 images: a bright square (label 3) and a blank one (label 5). */
function images(): IdxImages {
  const pixels = new Uint8Array(2 * 784);
  for (let y = 8; y < 20; y++) for (let x = 8; x < 20; x++) pixels[y * 28 + x] = 200;
  return { count: 2, height: 28, width: 28, pixels, labels: Uint8Array.from([3, 5]) };
}

const sum = (x: Float32Array) => x.reduce((a, b) => a + b, 0);

test('fashion-mnist-dvs is deterministic per seed and index, and seeds differ', () => {
  const a = saccadeDataset(images(), 'mem', { split: 'test', timesteps: 4, seed: 7 });
  const b = saccadeDataset(images(), 'mem', { split: 'test', timesteps: 4, seed: 7 });
  const c = saccadeDataset(images(), 'mem', { split: 'test', timesteps: 4, seed: 8 });
  assert.deepEqual(a.sampleShape, [4, 2, 32, 32]);
  assert.equal(a.kind, 'dvs');
  const a1 = a.get(1);
  a.get(0); // read order must not matter
  assert.deepEqual([...a.get(0).x], [...b.get(0).x]);
  assert.deepEqual([...a1.x], [...b.get(1).x]);
  assert.notDeepEqual([...a.get(0).x], [...c.get(0).x]);
  assert.equal(a.get(0).label, 3);
});

test('an edge moving along the saccades gives ON and OFF events in every frame; a blank image only noise', () => {
  const d = saccadeDataset(images(), 'mem', { split: 'test', timesteps: 4, seed: 1 });
  const x = d.get(0).x,
    hw = 32 * 32;
  for (let t = 0; t < 4; t++) {
    assert.ok(sum(x.subarray(t * 2 * hw, (t * 2 + 1) * hw)) > 0, `OFF events in frame ${t}`);
    assert.ok(sum(x.subarray((t * 2 + 1) * hw, (t * 2 + 2) * hw)) > 0, `ON events in frame ${t}`);
  }
  const total = sum(x);
  assert.ok(total > 100, `only ${total} events`);
  const blank = sum(d.get(1).x);
  assert.ok(blank < total / 10, `blank image gave ${blank} events`);
  // Events sit on the square's edges (rows/cols 8..19 shifted by the 2-pixel border and the motion).
  const ev = saccadeEvents(images().pixels, 0, { ...DEFAULT_SACCADE, noiseRate: 0 }, mulberry32(3));
  assert.ok(ev.t.length > 0);
  for (let i = 0; i < ev.t.length; i++) {
    assert.ok(ev.x[i]! >= 8 && ev.x[i]! <= 24 && ev.y[i]! >= 8 && ev.y[i]! <= 24, `event at (${ev.x[i]}, ${ev.y[i]})`);
    if (i > 0) assert.ok(ev.t[i]! >= ev.t[i - 1]!, 'events sorted by time');
  }
});

test('down-sampling keeps the event count', () => {
  const full = saccadeDataset(images(), 'mem', { split: 'test', timesteps: 2, seed: 2 });
  const half = saccadeDataset(images(), 'mem', { split: 'test', timesteps: 2, seed: 2, downsample: 2 });
  assert.deepEqual(half.sampleShape, [2, 2, 16, 16]);
  assert.equal(sum(half.get(0).x), sum(full.get(0).x));
});
