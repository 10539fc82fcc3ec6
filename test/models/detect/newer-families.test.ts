import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkpointModel, readCheckpointBytes } from '../../../src/models/formats/checkpoint-file.js';
import { DetectError } from '../../../src/models/detect/detect.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'fixtures', 'official-families');

/** An official state_dict of the fixture (safetensors, no stored config: what a converted .pth holds). */
function official(dir: string) {
  const bytes = new Uint8Array(readFileSync(join(ROOT, dir, 'weights.safetensors')));
  return readCheckpointBytes(bytes, `${dir}/weights.safetensors`);
}

const CASES: [string, string, Record<string, number>, RegExp][] = [
  [
    'sdt-cifar_e32_d1_T2_s16',
    'sdt-cifar10-2-512',
    { embedDims: 32, depths: 1, heads: 2 },
    /Spike-driven Transformer \(SDT v1\) state_dict/,
  ],
  ['spikingformer-cifar10_e32_d1_T2', 'spikingformer-cifar10', { embedDims: 32, depths: 1, heads: 2 }, /Spikingformer state_dict/],
  [
    'spikingformer-imagenet_e64_d1_T2_s64',
    'spikingformer-imagenet-8-384',
    { embedDims: 64, depths: 1, heads: 2, numClasses: 10, imgSize: 64 },
    /Spikingformer state_dict/,
  ],
];

for (const [dir, zoo, sizes, family] of CASES) {
  test(`${dir}: an official ${zoo} state_dict loads by zoo name and is never taken for Spikformer`, () => {
    const f = official(dir);
    const { spec } = checkpointModel(f, zoo, sizes);
    assert.equal(
      spec.config.family,
      zoo.replace(/-(cifar10|imagenet).*$/, (_m, d: string) => (d === 'cifar10' ? '-cifar' : '-imagenet')),
    );
    assert.throws(
      () => checkpointModel(f, undefined, {}),
      (e: unknown) => e instanceof DetectError && family.test(e.message) && /give the architecture: --model/.test(e.message),
    );
  });
}
