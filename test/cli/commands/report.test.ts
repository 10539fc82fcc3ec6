import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('report: bad input is one line and exit 2; --debug adds the stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-report-'));
  try {
    const file = join(dir, 'profile.json');
    writeFileSync(file, '{"schemaVersion": 1, "kind": "spikewatt-profile"}');
    const bad = run(['report', file]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^spikewatt: .*profile\.json: \/spikewattVersion: /);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const noOut = run(['report', file, '--hardware', 'loihi']);
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /--hardware re-prices into a new directory: give --out DIR/);
    const debug = run(['report', file, '--debug']);
    assert.equal(debug.status, 2);
    assert.match(debug.stderr, /\n\s+at /, 'the stack follows the message');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report counts.json --hardware odin re-prices the run record: totals equal a fresh profile on odin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-report-'));
  try {
    const model = ['--model', 'checkpoints/fmnist-qkformer.safetensors', '--dataset', 'fashion-mnist', '--samples', '6'];
    const first = run(['profile', ...model, '--out', join(dir, 'a')]);
    assert.equal(first.status, 0, first.stderr);
    const predictions = readFileSync(join(dir, 'a', 'predictions.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(predictions[0], 'sample,label,top1,top2,top3,top4,top5,correct_top1');
    assert.equal(predictions.length, 7, 'one row per sample');
    assert.match(predictions[1]!, /^0,\d,\d,\d,\d,\d,\d,[01]$/);
    const rep = run(['report', join(dir, 'a', 'counts.json'), '--hardware', 'odin', '--allow-unpriced', '--out', join(dir, 'b')]);
    assert.equal(rep.status, 0, rep.stderr);
    const fresh = run(['profile', ...model, '--hardware', 'odin', '--allow-unpriced', '--out', join(dir, 'c')]);
    assert.equal(fresh.status, 0, fresh.stderr);
    const energy = (d: string) =>
      (JSON.parse(readFileSync(join(dir, d, 'profile.json'), 'utf8')) as { energy: { profile: string; totalMj: number }[] }).energy;
    assert.deepEqual(energy('b'), energy('c'));
    assert.equal(energy('b')[0]!.profile, 'odin');
    // the re-priced set carries the record, so it can be priced again
    assert.equal(readFileSync(join(dir, 'b', 'counts.json'), 'utf8'), readFileSync(join(dir, 'a', 'counts.json'), 'utf8'));
    // a profile.json is not a run record: re-pricing one reads the counts.json beside it, and says when there is none
    rmSync(join(dir, 'c', 'counts.json'));
    const none = run(['report', join(dir, 'c', 'profile.json'), '--hardware', 'odin', '--out', join(dir, 'd')]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^spikewatt: .*profile\.json: no run record \(counts\.json\) beside it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
