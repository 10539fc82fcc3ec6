import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo, DEMO_MODELS, type DemoProgressEvent } from '../../src/pipeline/index.js';

test(
  'demo as a library: the three models compared, files only into out; missing checkpoints run random and are named',
  { timeout: 300_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-demo-lib-'));
    try {
      const events: DemoProgressEvent[] = [];
      const r = await demo({ samples: 2, workers: 1, checkpoints: join(tmp, 'none'), onProgress: (e) => events.push(e) });
      assert.deepEqual(readdirSync(tmp), [], 'nothing written without out');
      assert.equal(r.out, null);
      assert.deepEqual(
        r.missing,
        DEMO_MODELS.map((m) => join(tmp, 'none', m.file)),
      );
      assert.deepEqual(
        r.compare.variants.map((v) => v.label),
        DEMO_MODELS.map((m) => `${m.label}, random weights`),
      );
      assert.equal(r.main.accuracy.samples, 2);
      const infos = events.flatMap((e) => (e.kind === 'info' ? [e.message] : []));
      assert.match(infos[0]!, /not found; those models run with RANDOM weights/);
      assert.equal(infos.length, 4, 'the missing checkpoints, then one line per model');

      const out = join(tmp, 'out');
      const written = await demo({ samples: 2, workers: 1, checkpoints: join(tmp, 'none'), out });
      assert.equal(written.out, out);
      assert.deepEqual(readdirSync(out).sort(), [...written.files].sort());
      assert.ok(written.files.includes('report.html') && written.files.includes('compare.html'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
