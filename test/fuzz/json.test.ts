import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseProfile } from '../../src/cost-models/profile-schema.js';
import { profileDir } from '../../src/cost-models/profiles.js';
import {
  mergeParts,
  parseCheckpoint,
  parseRecord,
  profile,
  profileWithRecord,
  recordJson,
  RunInterrupted,
  type Checkpoint,
  type PartFile,
} from '../../src/pipeline/index.js';
import { parseProfileReport, profileReportJson, type ProfileReport } from '../../src/reports/schema.js';
import { bytesFrom, jsonFrom, neverThrowsOtherThanInputError } from './harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
/** Text mutated byte-wise, or a document mutated value-wise: both seeded from valid files. */
const documents = (seeds: readonly string[]) =>
  fc.oneof(
    bytesFrom(seeds.map((s) => Buffer.from(s))).map(text),
    jsonFrom(seeds.map((s) => JSON.parse(s) as never)).map((d) => JSON.stringify(d)),
  );

test('fuzz: hardware profile JSON', () => {
  const dir = profileDir();
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  neverThrowsOtherThanInputError(documents(seeds), (t) => parseProfile(t, 'fuzz.json'));
});

// the smallest model the zoo builds: the documents stay small, so thousands of cases fit in seconds
const SMALL = { imgSize: 16, embedDims: 16, numClasses: 4, depths: 2, timesteps: 1, heads: 1 };
const RUN = { model: 'qkformer-cifar10', dataset: 'synthetic', samples: 6, batchSize: 2, workers: 1, overrides: SMALL } as const;

test('fuzz: profile.json and the run records merge reads', async () => {
  const whole = profileReportJson(await profile({ ...RUN, hardware: ['cmos45-fp32', 'loihi'], allowUnpriced: true, samples: 2 }));
  // and the same report cut to two layers: the schema holds, and a smaller document makes more cases per second
  const cut = JSON.parse(whole) as ProfileReport;
  cut.layers = cut.layers.slice(0, 2);
  for (const e of cut.energy) e.layers = e.layers.slice(0, 2);
  neverThrowsOtherThanInputError(documents([whole, JSON.stringify(cut)]), (t) => parseProfileReport(t, 'fuzz/profile.json'));
  const parts: string[] = [];
  for (const index of [0, 1, 2]) parts.push(recordJson((await profileWithRecord({ ...RUN, shard: { index, count: 3 } })).record));
  const edited = fc.tuple(fc.nat(2), documents([parts[0]!, parts[1]!, parts[2]!]), fc.nat(3));
  const parsed = parts.map((p, i) => parseRecord(p, `part-${i}`));
  neverThrowsOtherThanInputError(
    edited,
    ([at, doc, drop]) => {
      const files: PartFile[] = parsed.map((r, i) => ({ file: `part-${i}`, record: i === at ? parseRecord(doc, `part-${i}`) : r }));
      // sometimes a part is missing or given twice
      if (drop === 1) files.splice(at, 1);
      if (drop === 2) files.push(files[0]!);
      mergeParts(files);
    },
    { runs: 1000 },
  );
});

test('fuzz: resume checkpoint file', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-fuzz-'));
  try {
    const checkpoint = join(tmp, 'run.checkpoint.json');
    let batches = 0;
    await profile({ ...RUN, checkpoint, checkpointEvery: 2, shouldStop: () => batches++ >= 2 }).catch((e: unknown) => {
      if (!(e instanceof RunInterrupted)) throw e;
    });
    const seed = readFileSync(checkpoint, 'utf8');
    const ck: Checkpoint = parseCheckpoint(seed, checkpoint);
    const fresh = JSON.stringify({ ...ck, next: ck.run.first, counts: null, correctTop1: 0, correctTop5: 0 });
    neverThrowsOtherThanInputError(documents([seed, fresh]), (t) => parseCheckpoint(t, 'fuzz.checkpoint.json'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
