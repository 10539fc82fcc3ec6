import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '../../src/cost-models/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('examples/profile-blocks.ts profiles a checkpoint through the library and prints energy per block', () => {
  const args = ['--import', 'tsx', 'examples/profile-blocks.ts', 'checkpoints/fmnist-ssa.safetensors', '2', 'cmos45-fp32,loihi'];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^cmos45-fp32 \(exact\): [\d.]+ uJ per inference$/m);
  // loihi prices what its cores cannot run (the MACs of the stem and head) on its processor: a complete total
  assert.match(r.stdout, /^loihi \(exact\): [\d.]+ uJ per inference$/m);
  assert.match(r.stdout, /^ {2}stage1\.0 +[\d.]+ uJ +[\d.]+%$/m);
});

test('examples/profile-report-reprice.sh: profile, re-render, re-price on four profiles including examples/my-chip.json', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'spikewatt-examples-')), 'out');
  try {
    const r = spawnSync('bash', ['examples/profile-report-reprice.sh', out, '2'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(out, 'rendered', 'report.html')));
    const run = JSON.parse(readFileSync(join(out, 'run', 'profile.json'), 'utf8'));
    const repriced = JSON.parse(readFileSync(join(out, 'repriced', 'profile.json'), 'utf8'));
    assert.deepEqual(repriced.config.hardware, ['cmos45-fp32', 'loihi', 'truenorth', 'my-chip']);
    assert.deepEqual(repriced.energy[0], run.energy[0], 'the same counts give the same cmos45-fp32 energy');
    assert.deepEqual(repriced.layers, run.layers);
  } finally {
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
});

test('examples/my-chip.json is a valid profile that prices every op kind', () => {
  const p = loadProfile(join(ROOT, 'examples', 'my-chip.json'), (f) => readFileSync(f, 'utf8'));
  assert.equal(p.name, 'my-chip');
});
