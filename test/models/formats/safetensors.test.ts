import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSafetensors, writeSafetensors, SafetensorsError } from '../../../src/models/formats/safetensors.js';
import { checkCheckpoint, randomWeights } from '../../../src/models/weights.js';
import { zooModel } from '../../../src/models/zoo.js';
import type { TensorMap } from '../../../src/models/tensor.js';

function rawFile(header: object, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('round trip of every key of a model, with metadata', () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8 });
  const w = randomWeights(spec, { seed: 3 });
  const buf = writeSafetensors(w, { config: '{"a":1}' });
  const back = readSafetensors(buf);
  assert.equal(back.metadata.config, '{"a":1}');
  assert.equal(back.tensors.size, w.size);
  for (const [k, t] of w) {
    const b = back.tensors.get(k)!;
    assert.deepEqual(b.shape, t.shape);
    assert.deepEqual(Array.from(b.data), Array.from(t.data), k);
  }
  checkCheckpoint(spec, back.tensors);
});

test('reads F16, BF16 and I64', () => {
  const d = new Uint8Array(2 + 2 + 8);
  const dv = new DataView(d.buffer);
  dv.setUint16(0, 0x3c00, true); // F16 1.0
  dv.setUint16(2, 0xc040, true); // BF16 -3.0
  dv.setBigInt64(4, 42n, true);
  const buf = rawFile(
    {
      a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
      c: { dtype: 'I64', shape: [], data_offsets: [4, 12] },
    },
    d,
  );
  const r = readSafetensors(buf).tensors;
  assert.equal(r.get('a')!.data[0], 1);
  assert.equal(r.get('b')!.data[0], -3);
  assert.equal(r.get('c')!.data[0], 42);
});

test('truncated and malformed files give one clear error', () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8 });
  const buf = writeSafetensors(randomWeights(spec, { seed: 1 }));
  assert.throws(
    () => readSafetensors(buf.subarray(0, buf.length - 10), 'w.safetensors'),
    (e: unknown) => e instanceof SafetensorsError && /w\.safetensors: tensor .*truncated/.test(e.message),
  );
  assert.throws(() => readSafetensors(buf.subarray(0, 5)), /too short/);
  assert.throws(() => readSafetensors(new TextEncoder().encode('{"not": "safetensors"}')), /header length|not valid JSON/);
});

test('a checkpoint that does not fit names missing, unexpected and mis-shaped keys in one error', () => {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8 });
  const w: TensorMap = randomWeights(spec, { seed: 1 });
  w.delete('head.bias');
  w.set('stage9.bogus.weight', { shape: [1], data: new Float32Array(1), dtype: 'F32' });
  w.set('stage1.0.tssa.q_conv.weight', { shape: [8, 8], data: new Float32Array(64), dtype: 'F32' });
  assert.throws(
    () => checkCheckpoint(spec, w, 'ckpt'),
    (e: unknown) => {
      const m = (e as Error).message;
      return (
        /missing 1: head\.bias/.test(m) &&
        /unexpected 1: stage9\.bogus\.weight/.test(m) &&
        /mis-shaped 1: stage1\.0\.tssa\.q_conv\.weight \(expected \[8,8,1\], got \[8,8\]\)/.test(m)
      );
    },
  );
});
