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
  const r = run(['profile', '--model', 'qkformer-imagenet-10-384', ...SIZE, '--weights', PTH, '--dataset', 'synthetic', '--samples', '3', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as Record<string, unknown>;
  assert.match(JSON.stringify(p), /imagenet-checkpoint-3\.pth/);
});

test('profile --model file.pth explains that the architecture is needed; a mismatched --weights names the keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-'));
  const a = run(['profile', '--model', PTH, '--dataset', 'synthetic', '--out', join(dir, 'a')]);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /holds no model config; give the architecture and the file: --model <zoo name>/);
  const b = run(['profile', '--model', 'qkformer-imagenet-10-384', '--weights', PTH, '--dataset', 'synthetic', '--out', join(dir, 'b')]);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /does not fit model qkformer-imagenet-10-384: .*mis-shaped/);
  assert.equal(b.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(join(dir, 'a')) && !existsSync(join(dir, 'b')), 'no output directory on error');
});
