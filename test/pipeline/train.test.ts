import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { train, type TrainProgressEvent } from '../../src/pipeline/index.js';

const SMALL = { imgSize: 16, inChannels: 3, numClasses: 4, embedDims: 16, depths: 3, heads: 2, timesteps: 2 };

test(
  'train as a library: progress as events, exactly the checkpoint, its optimizer state and the log written',
  { timeout: 300_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-train-lib-'));
    try {
      const out = join(tmp, 'm.safetensors');
      const events: TrainProgressEvent[] = [];
      const r = await train({
        model: 'qkformer-cifar10',
        overrides: SMALL,
        dataset: 'synthetic',
        epochs: 1,
        batchSize: 8,
        limit: 16,
        evalSamples: 0,
        finalEvalSamples: 8,
        out,
        onProgress: (e) => events.push(e),
      });
      assert.deepEqual(readdirSync(tmp).sort(), ['m.safetensors', 'm.safetensors.csv', 'm.safetensors.optim.safetensors']);
      assert.equal(r.out, out);
      assert.equal(r.meta.epochsDone, 1);
      assert.equal(r.meta.testSamples, 8);
      assert.deepEqual(
        events.map((e) => e.kind),
        ['start', 'step', 'step', 'epoch'],
      );
      const epoch = events[3]!;
      assert.ok(epoch.kind === 'epoch' && epoch.test !== null && epoch.test.samples === 8 && epoch.test.top1 === r.meta.testTop1);
      assert.equal(readFileSync(`${out}.csv`, 'utf8').trim().split('\n').length, 2, 'header and one epoch');
      await assert.rejects(train({ out, resume: out, epochs: 1 }), /already has 1 epochs/);
      await assert.rejects(
        train({ out: join(tmp, 'x.safetensors') }),
        (e: unknown) => e instanceof InputError && /give a zoo --model/.test(e.message),
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
