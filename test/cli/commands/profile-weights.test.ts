import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROOT } from '../../helpers/fixtures.js';

const ROOT = join(FIXTURE_ROOT, '..', '..', '..');
const run = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'spikewatt.js'), ...args], { encoding: 'utf8' });
const PTH = join(ROOT, 'test', 'fixtures', 'torch', 'imagenet-checkpoint-3.pth');
const SIZE = ['--embed-dims', '32', '--depths', '4', '--img-size', '16', '-T', '2', '--heads', '2', '--num-classes', '10'];

test('profile --model <zoo> --weights official.pth profiles the checkpoint without conversion', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'sw-')), 'o');
  const r = run([
    'profile',
    '--model',
    'qkformer-imagenet-10-384',
    ...SIZE,
    '--weights',
    PTH,
    '--dataset',
    'synthetic',
    '--samples',
    '3',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as Record<string, unknown>;
  assert.match(JSON.stringify(p), /imagenet-checkpoint-3\.pth/);
});

test('profile --model file.pth reads the architecture from the weights; a flag or --model that contradicts them names the keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-'));
  const a = run([
    'profile',
    '--model',
    PTH,
    '--heads',
    '2',
    '-T',
    '2',
    '--img-size',
    '16',
    '--dataset',
    'synthetic',
    '--samples',
    '2',
    '--out',
    join(dir, 'a'),
  ]);
  assert.equal(a.status, 0, a.stderr);
  assert.match(
    a.stderr,
    /note: .*imagenet-checkpoint-3\.pth: model qkformer-imagenet-10-384 read from the weights \(qkformer-imagenet, embed dims 32, depths 4/,
  );
  const p = JSON.parse(readFileSync(join(dir, 'a', 'profile.json'), 'utf8')) as {
    model: { config: { embedDims: number; heads: number[] } };
  };
  assert.deepEqual([p.model.config.embedDims, p.model.config.heads], [32, [2, 2, 2]]);
  const heads = run(['profile', '--model', PTH, '--dataset', 'synthetic', '--out', join(dir, 'c')]);
  assert.equal(heads.status, 2);
  assert.match(heads.stderr, /heads 6 \(default for qkformer-imagenet-10-384; pass --heads\) do not divide stage 1's width 8/);
  const b = run(['profile', '--model', 'qkformer-imagenet-10-384', '--weights', PTH, '--dataset', 'synthetic', '--out', join(dir, 'b')]);
  assert.equal(b.status, 2);
  assert.match(
    b.stderr,
    /the command line disagrees with the weights: --model qkformer-imagenet-10-384 gives embed dims 384 but the weights have 32/,
  );
  assert.equal(b.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(join(dir, 'b')) && !existsSync(join(dir, 'c')), 'no output directory on error');
});

test('eval and compare take an official .pth as --model too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-'));
  const size = ['--heads', '2', '-T', '2', '--img-size', '16'];
  const e = run(['eval', '--model', PTH, ...size, '--engine', 'sim', '--dataset', 'synthetic', '--samples', '2', '--json']);
  assert.equal(e.status, 0, e.stderr);
  assert.equal((JSON.parse(e.stdout) as { samples: number }).samples, 2);
  assert.match(e.stderr, /note: .*model qkformer-imagenet-10-384 read from the weights/);
  const c = run([
    'compare',
    '--model',
    `${PTH},qkformer-imagenet-10-384`,
    ...size,
    '--embed-dims',
    '32',
    '--depths',
    '4',
    '--num-classes',
    '10',
    '--dataset',
    'synthetic',
    '--samples',
    '2',
    '--out',
    join(dir, 'c'),
  ]);
  assert.equal(c.status, 0, c.stderr);
  assert.ok(existsSync(join(dir, 'c', 'compare.json')));
});
