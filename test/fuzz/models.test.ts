import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { readCheckpointSpec } from '../../src/models/detect/checkpoint-config.js';
import { unpickle } from '../../src/models/formats/pickle.js';
import { readSafetensors, writeSafetensors } from '../../src/models/formats/safetensors.js';
import type { TensorMap } from '../../src/models/tensor.js';
import { readTorchCheckpoint } from '../../src/models/formats/torch-checkpoint.js';
import { openZip } from '../../src/models/formats/zip.js';
import { stateDict, torchSave } from '../helpers/torch-save.js';
import { bytesFrom, jsonFrom, neverThrowsOtherThanInputError } from './harness.js';

const file = (p: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(p, import.meta.url))));
const TORCH = ['deflated.pth', 'legacy.pth', 'evil-args.pth', 'evil-state-dict.pth', 'no-data-pkl.zip'].map((n) =>
  file(`../fixtures/torch/${n}`),
);
const DEMO = readSafetensors(file('../../checkpoints/fmnist-qkformer.safetensors'), 'demo');

const tensors: TensorMap = new Map([
  ['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]), dtype: 'F32' }],
  ['b.bias', { shape: [2], data: Float32Array.from([0.5, -1]), dtype: 'F32' }],
  ['c.num_batches_tracked', { shape: [], data: Float32Array.from([3]), dtype: 'I64' }],
]);
const SAFETENSORS = [writeSafetensors(tensors, DEMO.metadata), writeSafetensors(tensors)];
const SAVED = torchSave(stateDict(tensors));

test('fuzz: safetensors reader', () => {
  neverThrowsOtherThanInputError(bytesFrom(SAFETENSORS), (b) => readSafetensors(b, 'fuzz.safetensors'));
});

test('fuzz: zip reader (torch.save archives), every entry read', () => {
  neverThrowsOtherThanInputError(bytesFrom([SAVED, ...TORCH.filter((b) => b[0] === 0x50)]), (b) => {
    const z = openZip(b, 'fuzz.zip');
    for (const name of z.entries.keys()) z.read(name);
  });
});

test('fuzz: pickle reader (data.pkl of torch.save, legacy pickles)', () => {
  const pickles = [SAVED, ...TORCH.filter((b) => b[0] === 0x50)].flatMap((b) => {
    const z = openZip(b, 'seed');
    return [...z.entries.keys()].filter((n) => n.endsWith('.pkl')).map((n) => z.read(n));
  });
  neverThrowsOtherThanInputError(bytesFrom(pickles), (b) => unpickle(b));
});

test('fuzz: .pth checkpoint reader (zip and legacy formats, state_dict extraction)', () => {
  neverThrowsOtherThanInputError(bytesFrom([SAVED, ...TORCH]), (b) => readTorchCheckpoint(b, { what: 'fuzz.pth' }), { runs: 1500 });
});

test('fuzz: checkpoint metadata (the model config a .safetensors carries)', () => {
  const seeds = Object.values(DEMO.metadata).flatMap((v) => {
    try {
      return [JSON.parse(v) as never];
    } catch {
      return [];
    }
  });
  const key = Object.keys(DEMO.metadata).find((k) => {
    try {
      JSON.parse(DEMO.metadata[k]!);
      return true;
    } catch {
      return false;
    }
  })!;
  const meta = fc.oneof(
    { weight: 9, arbitrary: jsonFrom(seeds).map((doc) => ({ ...DEMO.metadata, [key]: JSON.stringify(doc) })) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(key, 'format', 'x'), fc.string({ maxLength: 40 })) },
  );
  neverThrowsOtherThanInputError(meta, (m) => readCheckpointSpec(m, 'fuzz.safetensors'));
});
