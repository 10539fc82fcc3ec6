import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, datasetInfo } from '../../src/data/dataset.js';
import { DATASET_NAMES, DATASETS, openDataset, parseDatasetSpec } from '../../src/data/registry.js';

test('spec parser: names, optional and required paths, colons inside paths', () => {
  assert.deepEqual(parseDatasetSpec('fashion-mnist'), { name: 'fashion-mnist' });
  assert.deepEqual(parseDatasetSpec('Fashion-MNIST:/data/fm'), { name: 'fashion-mnist', path: '/data/fm' });
  assert.deepEqual(parseDatasetSpec('cifar10:/a:b/c'), { name: 'cifar10', path: '/a:b/c' });
  assert.deepEqual(parseDatasetSpec('synthetic'), { name: 'synthetic' });
  assert.deepEqual(parseDatasetSpec('dvs128:~/g'), { name: 'dvs128', path: join(homedir(), 'g') });
  assert.throws(
    () => parseDatasetSpec('imagenet21k:/x'),
    (e: Error) => e instanceof DatasetError && /unknown dataset 'imagenet21k' \(known: fashion-mnist, /.test(e.message),
  );
  assert.throws(() => parseDatasetSpec('cifar10'), /dataset cifar10 needs a path: cifar10:PATH/);
  assert.throws(() => parseDatasetSpec('dvs128'), /needs a path/);
  assert.throws(() => parseDatasetSpec('synthetic:/x'), /takes no path/);
  assert.throws(() => parseDatasetSpec('cifar100:'), /empty path/);
});

test('every registry entry names its kind and example, and the list covers the issue spec', () => {
  for (const n of ['fashion-mnist', 'fashion-mnist-dvs', 'cifar10', 'cifar100', 'dvs128', 'cifar10dvs', 'synthetic']) {
    assert.ok((DATASET_NAMES as string[]).includes(n), n);
  }
  for (const n of DATASET_NAMES) {
    assert.ok(DATASETS[n].describe.length > 10 && DATASETS[n].example.startsWith(n), n);
  }
  assert.equal(DATASETS.dvs128.kind, 'dvs');
  assert.equal(DATASETS.cifar10.kind, 'static');
});

test('synthetic sets: seeded, shaped, limit applies, info is serialisable', () => {
  const a = openDataset('synthetic', { split: 'train', seed: 3, limit: 5 });
  const b = openDataset('synthetic', { split: 'train', seed: 3 });
  assert.equal(a.length, 5);
  assert.deepEqual([...a.get(4).x], [...b.get(4).x]);
  assert.throws(() => a.get(5), RangeError);
  assert.notDeepEqual([...b.get(0).x], [...openDataset('synthetic', { split: 'test', seed: 3 }).get(0).x]);
  const labels = new Set([...Array(b.length).keys()].map((i) => b.get(i).label));
  assert.equal(labels.size, 4);
  const d = openDataset('synthetic-dvs', { split: 'test', timesteps: 3 });
  assert.deepEqual(d.sampleShape, [3, 2, 16, 16]);
  assert.ok(d.get(0).x.reduce((s, v) => s + v, 0) >= 6);
  const info = datasetInfo(a);
  assert.deepEqual(JSON.parse(JSON.stringify(info)), info);
  assert.equal(info.length, 5);
});

test('fashion-mnist-dvs without a path uses the committed test set', () => {
  const d = openDataset('fashion-mnist-dvs', { split: 'test', timesteps: 4, limit: 3 });
  assert.equal(d.length, 3);
  assert.deepEqual(d.sampleShape, [4, 2, 32, 32]);
  assert.equal(d.get(0).label, 9);
  assert.ok(d.get(0).x.reduce((s, v) => s + v, 0) > 100);
  assert.equal(datasetInfo(d).framing?.timesteps, 4);
});

test('missing paths are one-line errors naming the path', () => {
  assert.throws(() => openDataset('cifar10:/nonexistent/cifar', { split: 'test' }), /\/nonexistent\/cifar: no such file or directory/);
  assert.throws(() => openDataset('dvs128:/nonexistent/g', { split: 'test' }), /\/nonexistent\/g: no such file or directory/);
  assert.throws(() => openDataset('fashion-mnist:/nonexistent/fm', { split: 'train' }), /\/nonexistent\/fm: no such file or directory/);
});
