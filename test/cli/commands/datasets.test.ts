import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('datasets --json lists every kind; datasets SPEC describes one; bad specs are one line, exit 2', () => {
  const list = run(['datasets', '--json']);
  assert.equal(list.status, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { name: string; kind: string }[];
  assert.ok(rows.some((r) => r.name === 'cifar10dvs' && r.kind === 'dvs'));
  const one = run(['datasets', 'synthetic-dvs', '-T', '3', '--limit', '5', '--json']);
  assert.equal(one.status, 0, one.stderr);
  const r = JSON.parse(one.stdout) as { info: { sampleShape: number[]; length: number }; scanned: number; labelCounts: number[] };
  assert.deepEqual(r.info.sampleShape, [3, 2, 16, 16]);
  assert.equal(r.info.length, 5);
  assert.equal(
    r.labelCounts.reduce((a, b) => a + b, 0),
    5,
  );
  const bad = run(['datasets', 'cifar10:/nonexistent/c']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'spikewatt: /nonexistent/c: no such file or directory\n');
  const unknown = run(['datasets', 'imagenet21k']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^spikewatt: unknown dataset 'imagenet21k'/);
});
