import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';

/** `spikewatt train` then `spikewatt eval` end to end on the synthetic set (seconds). */
const cli = (args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const MODEL = [
  '--model',
  'qkformer-cifar10',
  '--img-size',
  '16',
  '--in-channels',
  '3',
  '--num-classes',
  '4',
  '--embed-dims',
  '16',
  '--depths',
  '3',
  '--heads',
  '2',
  '--timesteps',
  '2',
];

test('train writes a checkpoint with metadata, a CSV log and an optimizer state; resume continues; eval reads it alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-train-'));
  try {
    const out = join(dir, 'm.safetensors');
    cli([
      'train',
      ...MODEL,
      '--dataset',
      'synthetic',
      '--epochs',
      '1',
      '--batch-size',
      '8',
      '--limit',
      '16',
      '--eval-samples',
      '0',
      '--final-eval-samples',
      '8',
      '--out',
      out,
    ]);
    const { meta, tensors } = decodeCheckpoint(readFileSync(out), out);
    assert.ok(meta);
    assert.equal(meta.zoo, 'qkformer-cifar10');
    assert.equal(meta.config.embedDims, 16);
    assert.equal(meta.epochsDone, 1);
    assert.equal(meta.testSamples, 8);
    assert.ok(tensors.has('head.weight'));
    assert.ok(existsSync(`${out}.optim.safetensors`));
    const log = readFileSync(`${out}.csv`, 'utf8').trim().split('\n');
    assert.equal(log[0], 'epoch,step,loss,lr,train_acc,test_acc,seconds');
    assert.equal(log.length, 2);
    cli([
      'train',
      '--model',
      'qkformer-cifar10',
      '--dataset',
      'synthetic',
      '--resume',
      out,
      '--epochs',
      '2',
      '--batch-size',
      '8',
      '--limit',
      '16',
      '--eval-samples',
      '0',
      '--final-eval-samples',
      '8',
      '--out',
      out,
    ]);
    assert.equal(decodeCheckpoint(readFileSync(out), out).meta!.epochsDone, 2);
    assert.equal(readFileSync(`${out}.csv`, 'utf8').trim().split('\n').length, 3);
    const r = JSON.parse(cli(['eval', '--model', out, '--dataset', 'synthetic', '--samples', '6', '--engine', 'both', '--json'])) as {
      dense: { top1: number };
      sim: { top1: number };
      agreement: number;
      samples: number;
    };
    assert.equal(r.samples, 6);
    assert.equal(r.agreement, 1);
    assert.equal(r.dense.top1, r.sim.top1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one line, non-zero exit, no output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-train-'));
  try {
    const out = join(dir, 'bad.safetensors');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'train',
        '--model',
        'qkformer-cifar10',
        '--dataset',
        'synthetic',
        '--epochs',
        '1',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /dataset samples are 3x16x16 but the model takes 3x32x32/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.ok(!existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
