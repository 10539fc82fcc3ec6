import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { encodeCifar10DvsEvent, parseCifar10DvsAedat } from '../../src/data/aedat2.js';
import { parseAedat3, parseGestureLabels } from '../../src/data/aedat3.js';
import { parseCifarBatch } from '../../src/data/cifar.js';
import { maybeGunzip, pairIdx, parseIdx } from '../../src/data/idx.js';
import { bytesFrom, neverThrowsOtherThanInputError } from './harness.js';

/** An IDX ubyte file: 00 00 08 ndims, big-endian sizes, data. */
function idx(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, Buffer.from(data)]);
}
const IMAGES = idx([2, 2, 3], [0, 255, 10, 20, 30, 40, 1, 2, 3, 4, 5, 6]);
const LABELS = idx([2], [7, 3]);

test('fuzz: IDX reader (plain and gzipped), images paired with labels', () => {
  neverThrowsOtherThanInputError(bytesFrom([IMAGES, LABELS, gzipSync(IMAGES), gzipSync(LABELS)]), (b) => {
    const a = parseIdx(maybeGunzip(b, 'fuzz-idx'), 'fuzz-idx');
    if (a.dims.length === 1) pairIdx(parseIdx(IMAGES, 'images'), a, 10, 'images', 'fuzz-idx');
    else pairIdx(a, parseIdx(LABELS, 'labels'), 10, 'fuzz-idx', 'labels');
  });
});

test('fuzz: CIFAR-10 / CIFAR-100 binary batches', () => {
  const rec = (labels: number[]) => Buffer.concat([Buffer.from(labels), Buffer.alloc(3072, 7)]);
  const seeds = [Buffer.concat([rec([3]), rec([9])]), Buffer.concat([rec([4, 42]), rec([19, 99])])];
  neverThrowsOtherThanInputError(fc.tuple(bytesFrom(seeds), fc.boolean()), ([b, ten]) =>
    parseCifarBatch(b, ten ? 'cifar10' : 'cifar100', 'fuzz.bin'),
  );
});

test('fuzz: AEDAT 2.0 (CIFAR10-DVS)', () => {
  const header = Buffer.from('#!AER-DAT2.0\r\n# This is a raw AE data file\r\n', 'latin1');
  const ev = Buffer.alloc(8 * 3);
  [
    [1, 2, 0, 10],
    [127, 0, 1, 11],
    [64, 64, 1, 4_000_000_000],
  ].forEach(([x, y, p, t], i) => {
    ev.writeUInt32BE(encodeCifar10DvsEvent(x!, y!, p!), 8 * i);
    ev.writeUInt32BE(t!, 8 * i + 4);
  });
  neverThrowsOtherThanInputError(bytesFrom([Buffer.concat([header, ev]), header]), (b) => parseCifar10DvsAedat(b, 'fuzz.aedat'));
});

/** An AEDAT 3.1 packet: 28-byte LE header then 8-byte polarity events. */
function packet(type: number, events: { x: number; y: number; p: number; t: number }[], overflow = 0): Buffer {
  const h = Buffer.alloc(28);
  h.writeUInt16LE(type, 0);
  h.writeUInt16LE(1, 2);
  h.writeUInt32LE(8, 4);
  h.writeUInt32LE(4, 8);
  h.writeUInt32LE(overflow, 12);
  for (const at of [16, 20, 24]) h.writeUInt32LE(events.length, at);
  const d = Buffer.alloc(8 * events.length);
  events.forEach((e, i) => {
    d.writeUInt32LE(((e.x << 17) | (e.y << 2) | (e.p << 1) | 1) >>> 0, 8 * i);
    d.writeInt32LE(e.t, 8 * i + 4);
  });
  return Buffer.concat([h, d]);
}

test('fuzz: AEDAT 3.1 (DVS128 Gesture) and its label CSV', () => {
  const header = Buffer.from('#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n', 'latin1');
  const seeds = [
    Buffer.concat([
      header,
      packet(1, [
        { x: 1, y: 2, p: 1, t: 3 },
        { x: 127, y: 127, p: 0, t: 9 },
      ]),
      packet(2, [{ x: 0, y: 0, p: 0, t: 1 }], 1),
    ]),
    header,
  ];
  neverThrowsOtherThanInputError(bytesFrom(seeds), (b) => parseAedat3(b, 'fuzz.aedat'));
  const csv = Buffer.from('class,startTime_usec,endTime_usec\n1,80048239,85092709\n11,85092710,91000000\n');
  neverThrowsOtherThanInputError(bytesFrom([csv]), (b) => parseGestureLabels(Buffer.from(b).toString('latin1'), 'fuzz_labels.csv'));
});
