import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCifar10DvsEvent, parseCifar10DvsAedat } from '../../src/data/aedat2.js';
import { CIFAR10_CLASSES } from '../../src/data/cifar.js';
import { loadCifar10Dvs } from '../../src/data/cifar10dvs.js';

const HEADER = Buffer.from('#!AER-DAT2.0\r\n# This is a raw AE data file\r\n# created 2016\r\n', 'latin1');

/** AEDAT 2.0: big-endian u32 address then u32 timestamp per event. */
function aedat2(events: { addr: number; t: number }[]): Buffer {
  const d = Buffer.alloc(8 * events.length);
  events.forEach((e, i) => {
    d.writeUInt32BE(e.addr, 8 * i);
    d.writeUInt32BE(e.t, 8 * i + 4);
  });
  return Buffer.concat([HEADER, d]);
}

test('AEDAT 2.0 address layout: sensor x bits 1..7, y bits 8..14, polarity bit 0, then transposed and flipped', () => {
  // Raw address: sensor x = 5, sensor y = 100, bit0 = 1  ->  x = 127 - 100 = 27, y = 127 - 5 = 122, p = 0.
  const addr = (100 << 8) | (5 << 1) | 1;
  const e = parseCifar10DvsAedat(
    aedat2([
      { addr, t: 42 },
      { addr: 0, t: 43 },
    ]),
    'a.aedat',
  );
  assert.deepEqual([...e.x], [27, 127]);
  assert.deepEqual([...e.y], [122, 127]);
  assert.deepEqual([...e.p], [0, 1]);
  assert.deepEqual([...e.t], [42, 43]);
  assert.equal(encodeCifar10DvsEvent(27, 122, 0), addr);
});

test('AEDAT 2.0 errors: bad magic, AEDAT 3 file, truncated event', () => {
  const ok = aedat2([{ addr: 1, t: 1 }]);
  assert.throws(() => parseCifar10DvsAedat(Buffer.from('hello\n'), 'x.aedat'), /x\.aedat: bad magic "hello"/);
  assert.throws(() => parseCifar10DvsAedat(Buffer.from('#!AER-DAT3.1\r\n'), 'y.aedat'), /y\.aedat: AER-DAT3\.1 file, expected AEDAT 2\.0/);
  assert.throws(() => parseCifar10DvsAedat(ok.subarray(0, ok.length - 2), 'z.aedat'), /z\.aedat: truncated: 6 event bytes/);
});

test('CIFAR10-DVS directory: class folders, 90/10 split per class in sorted order, classes interleaved', () => {
  const root = mkdtempSync(join(tmpdir(), 'sw-c10dvs-'));
  CIFAR10_CLASSES.forEach((c, label) => {
    mkdirSync(join(root, c));
    // 10 files per class: sorted names 0, 1, 10?.. use two digits so the sort is numeric.
    for (let i = 0; i < 10; i++) {
      const ev = Array.from({ length: 4 }, (_, k) => ({ addr: encodeCifar10DvsEvent(label, i, k % 2), t: k }));
      writeFileSync(join(root, c, `cifar10_${c}_${String(i).padStart(2, '0')}.aedat`), aedat2(ev));
    }
  });
  const train = loadCifar10Dvs(root, { split: 'train', timesteps: 2 });
  const test = loadCifar10Dvs(root, { split: 'test', timesteps: 2, downsample: 2 });
  assert.equal(train.length, 90);
  assert.equal(test.length, 10);
  assert.deepEqual(
    [...Array(10).keys()].map((i) => test.get(i).label),
    [...Array(10).keys()],
  );
  assert.deepEqual(
    [...Array(12).keys()].map((i) => train.get(i).label),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1],
  );
  // Test sample of class 3 is its file 09: events at (x=3, y=9), polarities 0,1,0,1 -> frames [0,2) and [2,4).
  const s = test.get(3);
  assert.deepEqual(test.sampleShape, [2, 2, 64, 64]);
  const at = (t: number, p: number) => s.x[((t * 2 + p) * 64 + 4) * 64 + 1];
  assert.deepEqual([at(0, 0), at(0, 1), at(1, 0), at(1, 1)], [1, 1, 1, 1]);
  assert.equal(
    s.x.reduce((a, b) => a + b, 0),
    4,
  );
  assert.throws(() => loadCifar10Dvs(join(root, 'airplane'), { split: 'train', timesteps: 2 }), /missing class directory airplane\//);
  const one = loadCifar10Dvs(join(root, 'frog', 'cifar10_frog_03.aedat'), { split: 'test', timesteps: 1 });
  assert.equal(one.get(0).label, 6);
});
