import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import {
  mergeParts,
  parseCheckpoint,
  parseShard,
  parseRecord,
  profile,
  profileWithRecord,
  recordJson,
  RunInterrupted,
  shardSlice,
  sumRawCounts,
  type PartFile,
} from '../../src/pipeline/index.js';
import { profileReportJson, type ProfileReport } from '../../src/reports/schema.js';
import { weightsDigest } from '../../src/pipeline/shard.js';
import type { TensorMap } from '../../src/models/tensor.js';
import { createHash } from 'node:crypto';

const SMALL = { imgSize: 16, embedDims: 32, numClasses: 4, depths: 2, timesteps: 2, heads: 2 };
// NOTE: 2 workers, so that a shard's samples are split over threads as well as over parts
const RUN = { model: 'qkformer-cifar10', dataset: 'synthetic', samples: 10, batchSize: 2, workers: 2, overrides: SMALL } as const;
const DEMO = {
  model: 'checkpoints/fmnist-qkformer.safetensors',
  dataset: 'fashion-mnist',
  samples: 11,
  batchSize: 2,
  workers: 1,
} as const;

const json = (r: ProfileReport) => profileReportJson(r);
/** A part as merge reads it: its run record through counts.json's text. */
const part = (file: string, r: { record: Parameters<typeof recordJson>[0] }): PartFile => ({
  file,
  record: parseRecord(recordJson(r.record), file),
});

test('shards: i/n parses, slices are contiguous, cover every sample once and keep batches whole under official coupling', () => {
  assert.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
  for (const bad of ['5/5', '1', '-1/3', 'a/b', '0/0']) assert.throws(() => parseShard(bad), InputError, bad);
  for (const total of [1, 7, 100, 10_001]) {
    for (const n of [1, 2, 3, 7]) {
      if (n > total) continue;
      let at = 0;
      for (let i = 0; i < n; i++) {
        const s = shardSlice({ index: i, count: n }, total, 'independent', 16);
        assert.equal(s.first, at);
        assert.ok(s.end > s.first);
        at = s.end;
      }
      assert.equal(at, total);
    }
  }
  const official = [0, 1, 2].map((i) => shardSlice({ index: i, count: 3 }, 50, 'official', 8));
  assert.ok(
    official.every((s) => s.first % 8 === 0),
    JSON.stringify(official),
  );
  assert.equal(official.at(-1)!.end, 50);
  assert.throws(() => shardSlice({ index: 0, count: 4 }, 3, 'independent', 1), /at most 3 shards/);
});

test('raw counts sum as integers past 2^53', () => {
  const layer = (v: number | string) => ({
    name: 'l',
    ops: [v],
    inputEvents: [v],
    inputUnitSpikes: [0],
    outputSpikes: [0],
    inputElements: 1,
    inputBinary: true,
    inputIsEvents: false,
  });
  const max = Number.MAX_SAFE_INTEGER;
  const s = sumRawCounts([
    { samples: 1, layers: [layer(max)] },
    { samples: 2, layers: [layer(max)] },
    { samples: 1, layers: [layer('5')] },
  ]);
  assert.equal(s.samples, 4);
  assert.equal(s.layers[0]!.ops[0], (2n * BigInt(max) + 5n).toString());
});

test('3 shards merged equal the unsharded run byte for byte (the whole record and the whole profile.json)', async () => {
  // official coupling couples a batch's samples: there the slices are whole batches
  const official = { ...RUN, batchCoupling: 'official', batchSize: 4, samples: 10 } as const;
  for (const run of [RUN, DEMO, official]) {
    const whole = await profileWithRecord(run);
    const parts: PartFile[] = [];
    for (const i of [2, 0, 1]) {
      const p = await profileWithRecord({ ...run, shard: { index: i, count: 3 } });
      const coupling = 'batchCoupling' in run ? run.batchCoupling : 'independent';
      const slice = shardSlice({ index: i, count: 3 }, run.samples, coupling, run.batchSize);
      assert.deepEqual(p.report.shard, { index: i, count: 3, ...slice });
      // through counts.json's text, as merge reads the parts
      parts.push(part(`part-${i}.json`, p));
    }
    const merged = mergeParts(parts);
    assert.equal(recordJson(merged.record), recordJson(whole.record), `${run.model}: record`);
    assert.ok(
      whole.record.counts.layers.some((l) => l.neuronSpikes),
      'per-neuron spikes are in the record',
    );
    assert.equal(json(merged.report), json(whole.report), run.model);
    assert.equal(merged.report.accuracy.correctTop1, whole.report.accuracy.correctTop1);
  }
});

test('merge refuses parts that do not fit together: missing, duplicated, of another run', async () => {
  const parts: PartFile[] = [];
  for (const i of [0, 1, 2]) parts.push(part(`p${i}`, await profileWithRecord({ ...RUN, samples: 6, shard: { index: i, count: 3 } })));
  assert.throws(() => mergeParts(parts.slice(0, 2)), /shard 2\/3 missing/);
  assert.throws(() => mergeParts([parts[0]!, parts[1]!, parts[1]!]), /shard 1\/3 is given twice \(p1, p1\)/);
  const other = part('q2', await profileWithRecord({ ...RUN, samples: 6, seed: 1, shard: { index: 2, count: 3 } }));
  assert.throws(() => mergeParts([parts[0]!, parts[1]!, other]), /q2 is not a part of the run of p0: they differ in/);
  const whole = part('w', await profileWithRecord({ ...RUN, samples: 6 }));
  assert.throws(() => mergeParts([whole]), /w: not a shard part/);
  const lying = structuredClone(parts[1]!);
  lying.record.run.end += 1;
  assert.throws(() => mergeParts([parts[0]!, lying, parts[2]!]), /shard 1\/3 should hold samples 2\.\.3 of 6/);
});

test('a run stopped at a batch boundary and resumed from its checkpoint equals the uninterrupted run', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-resume-'));
  try {
    for (const workers of [1, 2]) {
      const run = { ...RUN, samples: 13, workers, checkpointEvery: 4 };
      const whole = await profile(run);
      const checkpoint = join(tmp, `run-${workers}.checkpoint.json`);
      let batches = 0;
      const stopAt = (k: number) => () => batches++ >= k;
      // stopped mid-chunk (after 3 batches of 2: 6 samples over the 4-sample chunks), then again, then to the end
      await assert.rejects(profile({ ...run, checkpoint, shouldStop: stopAt(3) }), (e: unknown) => e instanceof RunInterrupted);
      const ck = parseCheckpoint(readFileSync(checkpoint, 'utf8'), checkpoint);
      assert.ok(ck.next > 0 && ck.next < 13, `next ${ck.next}`);
      batches = 0;
      await assert.rejects(profile({ ...run, checkpoint, resume: true, shouldStop: stopAt(2) }), RunInterrupted);
      const later = parseCheckpoint(readFileSync(checkpoint, 'utf8'), checkpoint).next;
      assert.ok(later > ck.next, `${later} > ${ck.next}`);
      const resumed = await profile({ ...run, checkpoint, resume: true });
      assert.equal(json(resumed), json(whole), `workers ${workers}`);
      // a checkpoint of another run is refused, naming what differs
      await assert.rejects(
        profile({ ...run, samples: 12, checkpoint, resume: true, shouldStop: () => true }),
        /its samples is 13, this run's 12/,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('profile --out: the report set replaces the directory whole; the checkpoint goes once the set is written', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-out-'));
  try {
    const out = join(tmp, 'a', 'b', 'out');
    await profile({ ...RUN, samples: 2, out, hardware: ['cmos45-fp32', 'loihi'], allowUnpriced: true });
    assert.ok(readdirSync(out).includes('energy-per-layer-loihi.png'));
    await profile({ ...RUN, samples: 2, out });
    assert.ok(!readdirSync(out).includes('energy-per-layer-loihi.png'), 'no stale file of the earlier set');
    assert.deepEqual(readdirSync(join(tmp, 'a', 'b')), ['out'], 'no temporary directory, no checkpoint left');
    await assert.rejects(profile({ ...RUN, samples: 2, out, shouldStop: () => true }), RunInterrupted);
    assert.ok(existsSync(`${out}.checkpoint.json`), 'an interrupted run keeps its state');
    assert.ok(readdirSync(out).includes('profile.json'), 'and leaves the earlier report set as it was');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the weights digest is the sha256 of key, shape and float64 bytes of every tensor in key order (chunked or not)', () => {
  const tensors: TensorMap = new Map([
    ['b', { shape: [3], data: Float32Array.of(1, 2.5, -3), dtype: 'F32' }],
    // longer than the digest's conversion buffer, not a multiple of it
    ['a', { shape: [2, 100_001], data: new Float64Array(200_002).map((_, i) => Math.cos(i)), dtype: 'F64' }],
  ]);
  const h = createHash('sha256');
  for (const k of ['a', 'b']) {
    const t = tensors.get(k)!;
    h.update(`${k}\0${t.shape.join('x')}\0`);
    h.update(new Uint8Array(new Float64Array(t.data).buffer));
  }
  assert.equal(weightsDigest(tensors), h.digest('hex'));
});
