import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
