import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAedat3, parseGestureLabels } from '../../src/data/aedat3.js';
import { loadDvs128Gesture, spikingjellyGestureLabel } from '../../src/data/dvs128.js';

interface Ev {
  x: number;
  y: number;
  p: number;
  t: number;
}

/** A packet: 28-byte LE header then 8-byte events (data u32: x<<17 | y<<2 | p<<1 | valid; ts i32). */
function packet(type: number, events: Ev[], overflow = 0): Buffer {
  const h = Buffer.alloc(28);
  h.writeUInt16LE(type, 0);
  h.writeUInt16LE(1, 2);
  h.writeUInt32LE(8, 4);
  h.writeUInt32LE(4, 8);
  h.writeUInt32LE(overflow, 12);
  h.writeUInt32LE(events.length, 16);
  h.writeUInt32LE(events.length, 20);
  h.writeUInt32LE(events.length, 24);
  const d = Buffer.alloc(8 * events.length);
  events.forEach((e, i) => {
    d.writeUInt32LE(((e.x << 17) | (e.y << 2) | (e.p << 1) | 1) >>> 0, 8 * i);
    d.writeInt32LE(e.t, 8 * i + 4);
  });
  return Buffer.concat([h, d]);
}

const HEADER = Buffer.from('#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n', 'latin1');

function aedat(packets: Buffer[]): Buffer {
  return Buffer.concat([HEADER, ...packets]);
}

test('AEDAT 3.1: polarity packets decoded, other packets skipped, timestamp overflow applied', () => {
  const buf = aedat([
    packet(1, [
      { x: 127, y: 0, p: 1, t: 100 },
      { x: 5, y: 64, p: 0, t: 150 },
    ]),
    packet(2, [{ x: 1, y: 1, p: 1, t: 160 }]), // a special-event packet: skipped
    packet(1, [{ x: 3, y: 127, p: 1, t: 7 }], 1),
  ]);
  const e = parseAedat3(buf, 'a.aedat');
  assert.deepEqual([...e.x], [127, 5, 3]);
  assert.deepEqual([...e.y], [0, 64, 127]);
  assert.deepEqual([...e.p], [1, 0, 1]);
  assert.deepEqual([...e.t], [100, 150, 2 ** 31 + 7]);
});

test('AEDAT 3.1 errors: bad magic, truncated packet, truncated header', () => {
  const good = aedat([
    packet(1, [
      { x: 1, y: 2, p: 1, t: 3 },
      { x: 1, y: 2, p: 1, t: 4 },
    ]),
  ]);
  assert.throws(() => parseAedat3(Buffer.from('#!AER-DAT2.0\r\n'), 'old.aedat'), /old\.aedat: bad magic "#!AER-DAT2\.0"/);
  assert.throws(
    () => parseAedat3(good.subarray(0, good.length - 3), 'cut.aedat'),
    /cut\.aedat: truncated packet at byte \d+: 2 events of 8 bytes need 16 bytes, 13 left/,
  );
  assert.throws(() => parseAedat3(Buffer.concat([good, Buffer.alloc(10)]), 'tail.aedat'), /tail\.aedat: truncated packet header/);
});

test('labels CSV: classes 1..11 become 0..10; bad rows are named', () => {
  const w = parseGestureLabels('class,startTime_usec,endTime_usec\r\n1,10,20\r\n11,20,30\r\n', 'l.csv');
  assert.deepEqual(w, [
    { label: 0, startUs: 10, endUs: 20 },
    { label: 10, startUs: 20, endUs: 30 },
  ]);
  assert.throws(() => parseGestureLabels('a,b,c\n1,2,3\n', 'l.csv'), /l\.csv: bad header/);
  assert.throws(() => parseGestureLabels('class,startTime_usec,endTime_usec\n12,2,3\n', 'l.csv'), /line 2: class 12 is outside 1\.\.11/);
  assert.throws(() => parseGestureLabels('class,startTime_usec,endTime_usec\n1,2\n', 'l.csv'), /line 2 has 2 columns/);
  assert.throws(() => parseGestureLabels('class,startTime_usec,endTime_usec\n1,5,5\n', 'l.csv'), /end 5 is not after start 5/);
});

test('DVS128 Gesture directory: windows [start, end) become samples, split by the trials lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-gesture-'));
  // user01 (train): 6 events; gesture 1 takes t in [10, 20) = 3 events, gesture 3 takes [20, 40) = 2 events.
  const ev: Ev[] = [
    { x: 0, y: 0, p: 1, t: 5 },
    { x: 1, y: 0, p: 1, t: 10 },
    { x: 2, y: 0, p: 0, t: 12 },
    { x: 126, y: 127, p: 1, t: 19 },
    { x: 4, y: 4, p: 0, t: 20 },
    { x: 4, y: 4, p: 0, t: 39 },
    { x: 9, y: 9, p: 1, t: 40 },
  ];
  writeFileSync(join(dir, 'user01_lab.aedat'), aedat([packet(1, ev.slice(0, 4)), packet(1, ev.slice(4))]));
  writeFileSync(join(dir, 'user01_lab_labels.csv'), 'class,startTime_usec,endTime_usec\n1,10,20\n3,20,40\n');
  writeFileSync(join(dir, 'user24_lab.aedat'), aedat([packet(1, [{ x: 1, y: 1, p: 1, t: 1 }])]));
  writeFileSync(join(dir, 'user24_lab_labels.csv'), 'class,startTime_usec,endTime_usec\n11,0,10\n');
  writeFileSync(join(dir, 'trials_to_train.txt'), 'user01_lab.aedat\n');
  writeFileSync(join(dir, 'trials_to_test.txt'), 'user24_lab.aedat\n');

  const train = loadDvs128Gesture(dir, { split: 'train', timesteps: 2 });
  assert.equal(train.length, 2);
  assert.deepEqual(train.sampleShape, [2, 2, 128, 128]);
  assert.deepEqual(train.framing, { timesteps: 2, splitBy: 'number', sensorHeight: 128, sensorWidth: 128, downsample: 1 });
  const s0 = train.get(0);
  assert.equal(s0.label, 0);
  const at = (x: Float32Array, t: number, p: number, y: number, xx: number, W = 128) => x[((t * 2 + p) * W + y) * W + xx];
  // 3 events, T = 2: frame 0 = event 0 (x=1, p=1), frame 1 = events 1..2.
  assert.equal(at(s0.x, 0, 1, 0, 1), 1);
  assert.equal(at(s0.x, 1, 0, 0, 2), 1);
  assert.equal(at(s0.x, 1, 1, 127, 126), 1);
  assert.equal(
    s0.x.reduce((a, b) => a + b, 0),
    3,
  );
  const s1 = train.get(1);
  assert.equal(s1.label, 2);
  assert.equal(at(s1.x, 0, 0, 4, 4), 1);
  assert.equal(at(s1.x, 1, 0, 4, 4), 1);

  const test = loadDvs128Gesture(dir, { split: 'test', timesteps: 1, downsample: 4 });
  assert.equal(test.length, 1);
  assert.deepEqual(test.sampleShape, [1, 2, 32, 32]);
  assert.equal(test.get(0).label, 10);
  assert.equal(at(test.get(0).x, 0, 1, 0, 0, 32), 1);

  const sj = loadDvs128Gesture(dir, { split: 'test', timesteps: 1, labelOrder: 'spikingjelly' });
  assert.equal(sj.get(0).label, 2); // folder '10' sorts third: '0', '1', '10', ...
  assert.equal(sj.classNames?.[2], 'other gestures');
});

test('spikingjelly label order is the string sort of the class folders', () => {
  assert.deepEqual([...Array(11).keys()].map(spikingjellyGestureLabel), [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 2]);
});
