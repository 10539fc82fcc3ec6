import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const TINY = [
  '--model',
  'qkformer-cifar10',
  '--img-size',
  '16',
  '--embed-dims',
  '32',
  '--depths',
  '3',
  '--timesteps',
  '2',
  '--num-classes',
  '4',
  '--dataset',
  'synthetic',
  '--samples',
  '4',
];

test('profile writes every output; report re-renders them from profile.json', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-profile-'));
  try {
    const out = join(tmp, 'out');
    const r = run(['profile', ...TINY, '--hardware', 'cmos45-fp32,odin', '--allow-unpriced', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^cmos45-fp32 +[0-9.e+-]+ /m);
    assert.match(r.stderr, /odin prices no mac/);
    const files = readdirSync(out).sort();
    assert.deepEqual(files, [
      'counts.json',
      'energy-per-layer-cmos45-fp32.png',
      'energy-per-layer-odin.png',
      'energy-per-timestep.png',
      'firing-rate-heatmap.png',
      'layers.csv',
      'neurobench.json',
      'predictions.csv',
      'profile.json',
      'report.html',
      'timesteps.csv',
      'totals-per-profile.png',
    ]);
    const p = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
    assert.equal(p.schemaVersion, 1);
    assert.equal(p.accuracy.samples, 4);
    assert.deepEqual(
      p.energy.map((e: { profile: string }) => e.profile),
      ['cmos45-fp32', 'odin'],
    );
    assert.equal(readdirSync(tmp).length, 1, 'no temporary directory left behind');

    const again = join(tmp, 'again');
    const rep = run(['report', join(out, 'profile.json'), '--out', again]);
    assert.equal(rep.status, 0, rep.stderr);
    assert.deepEqual(readdirSync(again).sort(), files);
    assert.equal(readFileSync(join(again, 'layers.csv'), 'utf8'), readFileSync(join(out, 'layers.csv'), 'utf8'));
    assert.equal(readFileSync(join(again, 'report.html'), 'utf8'), readFileSync(join(out, 'report.html'), 'utf8'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('bad arguments: one line on stderr, exit 2, no output directory', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-profile-'));
  try {
    const out = join(tmp, 'out');
    const pth = run(['profile', '--model', 'x.pth', '--dataset', 'synthetic', '--out', out]);
    assert.equal(pth.status, 2);
    assert.match(pth.stderr, /^spikewatt: x\.pth: cannot read \(ENOENT\)\n$/);
    for (const [args, msg] of [
      [['--hardware', 'nosuchchip'], /^spikewatt: unknown hardware profile 'nosuchchip'/],
      [['--model', 'x.pth'], /^spikewatt: profile takes one --model/],
      [['--hardware', 'odin'], /^spikewatt: profile 'odin' has no price for op kind 'mac'/],
    ] as [string[], RegExp][]) {
      const r = run(['profile', ...TINY, ...args, '--out', out]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, msg);
      assert.equal(existsSync(out), false, `${args.join(' ')} left ${out}`);
    }
    assert.deepEqual(readdirSync(tmp), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
