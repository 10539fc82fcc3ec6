import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError } from '../../src/data/dataset.js';
import { pairIdx, parseIdx } from '../../src/data/idx.js';
import { loadMnist, MNIST_NORMALIZATION, resolveIdxPair } from '../../src/data/mnist.js';

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

test('parses raw and gzipped IDX to the same array', () => {
  const raw = parseIdx(IMAGES, 'raw');
  const gz = parseIdx(gzipSync(IMAGES), 'gz');
  assert.deepEqual(raw.dims, [2, 2, 3]);
  assert.deepEqual([...raw.data], [0, 255, 10, 20, 30, 40, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(gz.dims, raw.dims);
  assert.deepEqual([...gz.data], [...raw.data]);
});

test('bad magic, truncation, trailing bytes and corrupt gzip are one-line errors naming the file', () => {
  const bad = Buffer.from(IMAGES);
  bad[0] = 0x12;
  assert.throws(
    () => parseIdx(bad, 'imgs.idx'),
    (e: Error) => e instanceof DatasetError && /^imgs\.idx: bad IDX magic 12 00 08 03/.test(e.message),
  );
  assert.throws(
    () => parseIdx(IMAGES.subarray(0, IMAGES.length - 1), 'imgs.idx'),
    /imgs\.idx: truncated: dimensions \[2,2,3\] need 12 data bytes, file has 11/,
  );
  assert.throws(() => parseIdx(IMAGES.subarray(0, 9), 'imgs.idx'), /truncated IDX header/);
  assert.throws(() => parseIdx(Buffer.concat([IMAGES, Buffer.from([1])]), 'imgs.idx'), /1 unexpected bytes/);
  const floats = Buffer.from(IMAGES);
  floats[2] = 0x0d;
  assert.throws(() => parseIdx(floats, 'f.idx'), /unsupported IDX element type 0xd \(float\)/);
  const gz = gzipSync(IMAGES);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'x.gz'), /x\.gz: corrupt or truncated gzip data/);
  for (const f of [() => parseIdx(bad, 'a'), () => parseIdx(gz.subarray(0, 10), 'b')]) {
    assert.throws(f, (e: Error) => !e.message.includes('\n'));
  }
});

test('pairing checks label count, dimensions and label range', () => {
  const im = parseIdx(IMAGES, 'i'),
    lb = parseIdx(LABELS, 'l');
  const p = pairIdx(im, lb, 10, 'i', 'l');
  assert.equal(p.count, 2);
  assert.equal(p.height, 2);
  assert.equal(p.width, 3);
  assert.throws(() => pairIdx(im, parseIdx(idx([3], [1, 2, 3]), 'l3'), 10, 'i', 'l3'), /l3: wrong label count 3 for 2 images in i/);
  assert.throws(() => pairIdx(im, lb, 5, 'i', 'l'), /l: label 7 of sample 0 is not below 5/);
  assert.throws(() => pairIdx(lb, lb, 10, 'l', 'l'), /expected a 3-dimensional IDX image file/);
});

test('an MNIST directory (gz images, raw labels) loads normalised [1,H,W] samples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-idx-'));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(IMAGES));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), LABELS);
  const d = loadMnist(dir, 'test');
  assert.equal(d.length, 2);
  assert.deepEqual(d.sampleShape, [1, 2, 3]);
  assert.equal(d.kind, 'static');
  assert.deepEqual(d.normalization, MNIST_NORMALIZATION);
  const s = d.get(0);
  assert.equal(s.label, 7);
  assert.ok(Math.abs(s.x[1]! - (1 - 0.1307) / 0.3081) < 1e-5);
  assert.ok(Math.abs(s.x[0]! - (0 - 0.1307) / 0.3081) < 1e-5);
  assert.equal(d.get(1).label, 3);
  assert.throws(() => d.get(2), RangeError);
  assert.throws(() => loadMnist(dir, 'train'), /no train-images-idx3-ubyte\(\.gz\) for the train split/);
  assert.deepEqual(resolveIdxPair(join(dir, 't10k-images-idx3-ubyte.gz'), 'train'), {
    images: join(dir, 't10k-images-idx3-ubyte.gz'),
    labels: join(dir, 't10k-labels-idx1-ubyte'),
  });
});
