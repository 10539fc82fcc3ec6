import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR_NORMALIZATION, loadCifar, parseCifarBatch } from '../../src/data/cifar.js';

/** One record: label byte(s) then 3072 pixels; pixel k of channel c is (label + c + k) mod 256. */
function record(labels: number[]): Buffer {
  const px = Buffer.alloc(3072);
  for (let c = 0; c < 3; c++) for (let k = 0; k < 1024; k++) px[c * 1024 + k] = (labels.at(-1)! + c + k) % 256;
  return Buffer.concat([Buffer.from(labels), px]);
}

test('CIFAR-10 batches in a directory: train = data_batch_1..5, test = test_batch, normalised per channel', () => {
  const root = mkdtempSync(join(tmpdir(), 'sw-cifar-'));
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir);
  for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), Buffer.concat([record([b]), record([9])]));
  writeFileSync(join(dir, 'test_batch.bin'), record([4]));
  const train = loadCifar(root, 'cifar10', 'train');
  assert.equal(train.length, 10);
  assert.deepEqual(
    [...Array(10).keys()].map((i) => train.get(i).label),
    [1, 9, 2, 9, 3, 9, 4, 9, 5, 9],
  );
  const test = loadCifar(dir, 'cifar10', 'test');
  assert.equal(test.length, 1);
  const s = test.get(0);
  assert.equal(s.label, 4);
  assert.equal(s.x.length, 3 * 32 * 32);
  assert.deepEqual(test.sampleShape, [3, 32, 32]);
  // channel 1, pixel 5: raw (4 + 1 + 5) = 10
  const n = CIFAR_NORMALIZATION.kind === 'meanStd' ? CIFAR_NORMALIZATION : assert.fail();
  assert.ok(Math.abs(s.x[1024 + 5]! - (10 / 255 - n.mean[1]!) / n.std[1]!) < 1e-5);
  assert.equal(test.classNames?.[4], 'deer');
});

test('CIFAR-100 uses the fine label (second byte); a single file path works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-cifar100-'));
  const f = join(dir, 'test.bin');
  writeFileSync(f, Buffer.concat([record([3, 87]), record([19, 0])]));
  const d = loadCifar(f, 'cifar100', 'test');
  assert.equal(d.numClasses, 100);
  assert.deepEqual([d.get(0).label, d.get(1).label], [87, 0]);
  assert.equal(d.classNames?.[87], 'television');
});

test('bad CIFAR files: truncated, wrong variant, label out of range, missing batches', () => {
  const two = Buffer.concat([record([1]), record([2])]);
  assert.throws(
    () => parseCifarBatch(two.subarray(0, 5000), 'cifar10', 'b.bin'),
    /b\.bin: truncated or not a cifar10 binary batch: 5000 bytes is not a multiple of the 3073-byte record/,
  );
  assert.throws(
    () => parseCifarBatch(Buffer.concat([record([1, 2]), record([1, 2])]), 'cifar10', 'c.bin'),
    /c\.bin: .*it looks like a cifar100 file/,
  );
  assert.throws(() => parseCifarBatch(record([12]), 'cifar10', 'd.bin'), /d\.bin: label 12 of record 0 is not below 10/);
  assert.throws(() => parseCifarBatch(record([25, 3]), 'cifar100', 'e.bin'), /coarse label 25/);
  assert.throws(() => parseCifarBatch(Buffer.alloc(0), 'cifar10', 'f.bin'), /f\.bin: empty file/);
  const dir = mkdtempSync(join(tmpdir(), 'sw-cifar-miss-'));
  writeFileSync(join(dir, 'data_batch_1.bin'), record([0]));
  assert.throws(
    () => loadCifar(dir, 'cifar10', 'train'),
    /missing data_batch_2\.bin, data_batch_3\.bin, data_batch_4\.bin, data_batch_5\.bin/,
  );
  assert.throws(() => loadCifar(join(dir, 'nope'), 'cifar10', 'train'), /nope: no such file or directory/);
});
