import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { readTorchCheckpoint, TorchCheckpointError } from '../../../src/models/formats/torch-checkpoint.js';
import { openZip } from '../../../src/models/formats/zip.js';
import type { Tensor } from '../../../src/models/tensor.js';
import { checkCheckpoint } from '../../../src/models/weights.js';
import { zooModel, type ZooName } from '../../../src/models/zoo.js';

/*
 * Fixtures: test/fixtures/torch/make_fixtures.py writes torch.save-format files with Python's pickle and
 * zipfile (torch is not installed here) and expected.json: per tensor the shape and the sha256 of its logical
 * values in C order. They are generated files, not real torch output.
 */
const DIR = new URL('../../fixtures/torch/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));
interface Expect {
  shape: number[];
  dtype: string;
  sha256: string;
  first: number[];
}
interface FixtureExpect {
  model?: { zoo: ZooName; overrides: Record<string, number> };
  meta: {
    epoch: number | null;
    stateDictKey: string | null;
    strippedPrefix: string | null;
    archiveName: string | null;
    arch?: string;
    args?: Record<string, unknown>;
  };
  tensors: Record<string, Expect>;
}
const EXPECTED = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Record<string, FixtureExpect> & { marker: string };

function sha(t: Tensor): string {
  // The expectation hashes float64 for int64/float64 tensors and float32 otherwise, little-endian.
  const wide = t.dtype === 'I64' || t.dtype === 'F64';
  const arr = wide ? Float64Array.from(t.data) : Float32Array.from(t.data);
  return createHash('sha256').update(new Uint8Array(arr.buffer)).digest('hex');
}

function assertTensors(name: string, got: Map<string, Tensor>, want: Record<string, Expect>) {
  assert.deepEqual([...got.keys()].sort(), Object.keys(want).sort(), `${name}: keys`);
  for (const [k, e] of Object.entries(want)) {
    const t = got.get(k)!;
    assert.deepEqual(t.shape, e.shape, `${name} ${k}: shape`);
    assert.equal(
      t.data.length,
      e.shape.reduce((a, b) => a * b, 1),
      `${name} ${k}: numel`,
    );
    assert.deepEqual(Array.from(t.data.subarray(0, e.first.length)), e.first, `${name} ${k}: first values`);
    assert.equal(sha(t), e.sha256, `${name} ${k}: values (sha256)`);
  }
}

for (const name of ['imagenet-checkpoint-3.pth', 'cifar-model_best.pth.tar', 'legacy.pth', 'deflated.pth', 'evil-args.pth']) {
  test(`${name}: every tensor round-trips exactly, metadata found`, () => {
    const want = EXPECTED[name]!;
    const { tensors, meta } = readTorchCheckpoint(fixture(name), { what: name });
    assertTensors(name, tensors, want.tensors);
    assert.equal(meta.epoch, want.meta.epoch);
    assert.equal(meta.stateDictKey, want.meta.stateDictKey);
    assert.equal(meta.strippedPrefix, want.meta.strippedPrefix);
    assert.equal(meta.archiveName, want.meta.archiveName);
    assert.equal(meta.format, name === 'legacy.pth' ? 'legacy' : 'zip');
    if (want.meta.arch !== undefined) assert.equal(meta.arch, want.meta.arch);
    for (const [k, v] of Object.entries(want.meta.args ?? {})) assert.deepEqual(meta.args?.[k], v, `args.${k}`);
    if (want.model) checkCheckpoint(zooModel(want.model.zoo, want.model.overrides), tensors, name);
  });
}

test('imagenet layout: views (transposed, channels_last, stride 0, shared storage with offsets), F16 / BF16, optimizer untouched', () => {
  const { tensors, meta } = readTorchCheckpoint(fixture('imagenet-checkpoint-3.pth'));
  assert.deepEqual(meta.dtypes, { F32: 165, I64: 31, F16: 3, BF16: 1 });
  assert.deepEqual(meta.topLevelKeys, ['model', 'optimizer', 'epoch', 'scaler', 'args']);
  assert.equal(meta.args?.model, 'QKFormer_10_384');
  assert.equal(tensors.get('stage2.0.mlp.fc1_conv.weight')!.dtype, 'F16');
  assert.equal(tensors.get('patch_embed1.proj_bn.num_batches_tracked')!.dtype, 'I64');
  assert.deepEqual(tensors.get('patch_embed1.proj_bn.num_batches_tracked')!.shape, []);
  assert.ok(
    Array.from(tensors.get('patch_embed1.proj1_bn.running_var')!.data).every((v) => v === 1.25),
    'stride-0 view repeats its one element',
  );
  // The optimizer holds a ShortStorage tensor, which is not readable: it must not matter outside the state_dict.
});

test('a truncated file, a zip without data.pkl, a missing storage record, an unknown storage type, not a checkpoint', () => {
  const full = fixture('imagenet-checkpoint-3.pth');
  const err = (buf: Uint8Array, re: RegExp, opts = {}) =>
    assert.throws(
      () => readTorchCheckpoint(buf, { what: 'f.pth', ...opts }),
      (e: unknown) => {
        assert.ok(e instanceof TorchCheckpointError, String(e));
        assert.match(e.message, re);
        assert.ok(!e.message.includes('\n'), 'one line');
        return true;
      },
    );
  err(full.subarray(0, Math.floor(full.length / 2)), /^f\.pth: .*truncated/);
  err(full.subarray(0, full.length - 30), /truncated/);
  err(fixture('no-data-pkl.zip'), /without a data\.pkl/);
  err(new TextEncoder().encode('hello, not a checkpoint'), /neither a zip archive nor a pickle/);
  const legacy = fixture('legacy.pth');
  err(legacy.subarray(0, legacy.length - 7), /truncated/);
  err(legacy.subarray(0, 40), /truncated/);
  // Rename storage record 7 in both its local and central headers: the tensor that uses it names the record.
  err(replaceBytes(full, 'archive/data/7FB', 'archive/data/xFB'), /tensor .*: missing storage record archive\/data\/7$/);
  // data.pkl is stored, so its GLOBAL can be edited in place: an unknown storage class in the state_dict.
  err(replaceBytes(full, 'torch\nFloatStorage\n', 'torch\nFloatStorag3\n'), /uses FloatStorag3, which spikewatt does not read/);
  err(full, /no top-level key 'nope' \(keys: model, optimizer, epoch, scaler, args\)/, { stateDictKey: 'nope' });
  err(full, /state_dict entry 'state' is a dict of 2, not a tensor/, { stateDictKey: 'optimizer' });
});

test('a disallowed global (os.system) never runs: an error inside the state_dict, a placeholder elsewhere', () => {
  const marker = EXPECTED.marker;
  assert.throws(
    () => readTorchCheckpoint(fixture('evil-state-dict.pth'), { what: 'evil.pth' }),
    /evil\.pth: state_dict entry 'bn\.running_var' is (posix|os)\.system\(\.\.\.\) \(a global outside the allow-list, not run\), not a tensor$/,
  );
  const { meta } = readTorchCheckpoint(fixture('evil-args.pth'));
  assert.match(String(meta.args?.hook), /^<(posix|os)\.system>$/);
  assert.equal(meta.args?.lr, 0.1);
  assert.equal(existsSync(marker), false, `${marker} exists: something ran the pickled command`);
});

test('zip reader: deflate entries and the 64-byte data alignment torch writes', () => {
  const zip = openZip(fixture('imagenet-checkpoint-3.pth'));
  const buf = fixture('imagenet-checkpoint-3.pth');
  for (const [name, e] of zip.entries) {
    if (!name.startsWith('archive/data/')) continue;
    const dv = new DataView(buf.buffer, buf.byteOffset);
    const start = e.localHeaderOffset + 30 + dv.getUint16(e.localHeaderOffset + 26, true) + dv.getUint16(e.localHeaderOffset + 28, true);
    assert.equal(start % 64, 0, `${name} data starts at ${start}`);
  }
  const deflated = openZip(fixture('deflated.pth'));
  const pkl = deflated.entries.get('archive/data.pkl')!;
  assert.equal(pkl.method, 8);
  assert.equal(deflated.read('archive/data.pkl').length, pkl.size);
  assert.ok(deflateRawSync(Buffer.from('x')).length > 0);
});

function replaceBytes(buf: Uint8Array, from: string, to: string): Uint8Array {
  assert.equal(from.length, to.length);
  const out = Uint8Array.from(buf);
  const f = Buffer.from(from, 'latin1'),
    t = Buffer.from(to, 'latin1');
  let hits = 0;
  for (let i = Buffer.from(out.buffer).indexOf(f); i >= 0; i = Buffer.from(out.buffer).indexOf(f, i + 1)) {
    out.set(t, i);
    hits++;
  }
  assert.ok(hits > 0, `${JSON.stringify(from)} not found`);
  return out;
}
