import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profile } from '../../../src/pipeline/index.js';

const BIN = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
/** A profile.json without the command line that made it. */
function withoutCommand(file: string): unknown {
  const r = JSON.parse(readFileSync(file, 'utf8')) as { config: { command?: unknown } };
  delete r.config.command;
  return r;
}
const DEMO = ['--model', 'checkpoints/fmnist-qkformer.safetensors', '--dataset', 'fashion-mnist', '--workers', '1', '--batch-size', '2'];

test('profile --shard i/n x 3, then merge: the merged report set equals the unsharded one file for file', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-merge-'));
  try {
    const args = [...DEMO, '--samples', '9'];
    assert.equal(run(['profile', ...args, '--out', join(tmp, 'whole')]).status, 0);
    for (const i of [0, 1, 2]) {
      const r = run(['profile', ...args, '--shard', `${i}/3`, '--out', join(tmp, 'parts', String(i))]);
      assert.equal(r.status, 0, r.stderr);
    }
    const partFiles = [0, 1, 2].map((i) => join(tmp, 'parts', String(i), 'profile.json'));
    const m = run(['merge', ...partFiles, '--out', join(tmp, 'merged'), '--json']);
    assert.equal(m.status, 0, m.stderr);
    assert.equal(JSON.parse(m.stdout).parts, 3);
    // the command line that made each report differs; every count, rate, accuracy and energy is the same
    assert.deepEqual(withoutCommand(join(tmp, 'merged', 'profile.json')), withoutCommand(join(tmp, 'whole', 'profile.json')));
    for (const f of ['layers.csv', 'timesteps.csv']) {
      assert.ok(readFileSync(join(tmp, 'merged', f)).equals(readFileSync(join(tmp, 'whole', f))), f);
    }
    const missing = run(['merge', join(tmp, 'parts', '0'), join(tmp, 'parts', '2'), '--out', join(tmp, 'm2')]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, 'spikewatt: shard 1/3 missing\n');
    assert.ok(!existsSync(join(tmp, 'm2')));
    assert.ok(!readdirSync(tmp).some((n) => n.includes('.tmp-')), readdirSync(tmp).join(' '));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('an unusable --out fails with one line and exit 2 before any simulation', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-out-'));
  try {
    const file = join(tmp, 'file');
    writeFileSync(file, 'x');
    writeFileSync(join(tmp, 'notes.txt'), 'mine');
    const cases: [string, RegExp][] = [
      [file, /exists and is not a directory/],
      [join(file, 'out'), /is not a directory/],
      ['/proc/spikewatt-out', /cannot create files in \/proc/],
      [tmp, /holds (file|notes\.txt), which is not a report file/],
    ];
    let fastest = Infinity;
    for (const [out, why] of cases) {
      // a million samples: a run that started simulating would not end within the test's time
      const start = Date.now();
      const r = run(['profile', ...DEMO, '--samples', '1000000', '--out', out]);
      const ms = Date.now() - start;
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, why);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      // bin/spikewatt.js checks --out before it loads the command line
      fastest = Math.min(fastest, ms);
      assert.ok(ms < 5000, `${ms} ms`);
      // in the library, the check is the first thing profile() does: well under a second
      const t0 = performance.now();
      const big = { model: 'checkpoints/fmnist-qkformer.safetensors', dataset: 'fashion-mnist', samples: 1_000_000, out };
      await assert.rejects(profile(big), why);
      assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
    }
    // NOTE: the best of the cases, and only on a machine that is not busier than its CPUs (the whole suite runs
    // two test files at a time): the process start alone can then take longer than the check it makes
    if (loadavg()[0]! < cpus().length) assert.ok(fastest < 1000, `the CLI took ${fastest} ms at best to refuse --out`);
    else t.diagnostic(`load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs: the CLI took ${fastest} ms at best (not checked)`);
    assert.deepEqual(readdirSync(tmp).sort(), ['file', 'notes.txt'], 'no probe or temporary directory left');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

/** Starts profile, waits for its first checkpoint flush, sends `signal`; resolves to its exit code and stderr. */
function interrupt(args: string[], checkpoint: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const before = existsSync(checkpoint) ? readFileSync(checkpoint, 'utf8') : '';
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const poll = setInterval(() => {
      if (existsSync(checkpoint) && readFileSync(checkpoint, 'utf8') !== before) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

test('SIGINT and SIGTERM stop profile at a sample boundary, keep the state, print the resume command; resumed = whole run', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-signal-'));
  try {
    const args = [...DEMO, '--samples', '90', '--checkpoint-every', '6'];
    const whole = run(['profile', ...args, '--out', join(tmp, 'whole')]);
    assert.equal(whole.status, 0, whole.stderr);
    const out = join(tmp, 'out'),
      checkpoint = `${out}.checkpoint.json`;
    const first = await interrupt(['profile', ...args, '--out', out], checkpoint, 'SIGINT');
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /stopped by SIGINT after \d+ of 90 samples .*no report written; state kept in .*out\.checkpoint\.json/);
    const resume = /resume with: (spikewatt profile .* --resume)\n/.exec(first.stderr)?.[1];
    assert.ok(resume, first.stderr);
    assert.ok(!existsSync(out), 'no report files');
    const words = resume.split(' ').slice(1);
    const second = await interrupt(words, checkpoint, 'SIGTERM');
    assert.equal(second.code, 143, second.stderr);
    assert.match(second.stderr, /resumed at sample \d+/);
    const last = run(words);
    assert.equal(last.status, 0, last.stderr);
    assert.ok(!existsSync(checkpoint), 'the checkpoint goes once the reports are written');
    assert.deepEqual(withoutCommand(join(out, 'profile.json')), withoutCommand(join(tmp, 'whole', 'profile.json')));
    for (const f of ['layers.csv', 'timesteps.csv']) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(tmp, 'whole', f))), f);
    assert.ok(!readdirSync(tmp).some((n) => n.includes('.tmp-')), readdirSync(tmp).join(' '));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
