import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'spikewatt.js');
const EXAMPLE = join(ROOT, 'examples', 'models', 'tiny-sdsa.json');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('a hand-written model file (SDSA block, membrane shortcut, soft-reset head LIF) profiles end to end', () => {
  const out = mkdtempSync(join(tmpdir(), 'spikewatt-mf-cli-'));
  try {
    const r = run([
      'profile',
      '--model',
      EXAMPLE,
      '--dataset',
      'fashion-mnist',
      '--samples',
      '4',
      '--hardware',
      'cmos45-fp32',
      '--out',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const p = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as { layers: { name: string }[] };
    assert.ok(p.layers.some((l) => l.name === 'block.kv'));
    assert.ok(existsSync(join(out, 'report.html')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('models --save-spec writes a zoo entry that models reads back with the same numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-mf-cli-'));
  try {
    const file = join(dir, 'sdt.json');
    const w = run(['models', '--model', 'sdt-cifar10-2-512', '--save-spec', file]);
    assert.equal(w.status, 0, w.stderr);
    const a = JSON.parse(run(['models', '--model', 'sdt-cifar10-2-512', '--json']).stdout) as Record<string, unknown>[];
    const b = JSON.parse(run(['models', '--model', file, '--json']).stdout) as Record<string, unknown>[];
    assert.deepEqual({ ...b[0], name: 'x' }, { ...a[0], name: 'x' });
    assert.equal(a[0]!.params, 10_233_546);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad model file is one line on stderr naming the node and the field, exit 2, no stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-mf-cli-'));
  try {
    const f = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { nodes: Record<string, unknown>[] };
    f.nodes[11]!.vThreshold = 'half';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(f));
    const r = run(['models', '--model', file]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.json: node 'block\.kv_lif' \(nodes\[11\]\) field vThreshold: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
