import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'bin', 'spikewatt.js');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const PROFILES = fileURLToPath(new URL('../../../hardware-profiles/', import.meta.url));

test('hardware lists the built-in profiles; --json gives the validated profiles', () => {
  const human = run(['hardware']);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /^cmos45-fp32 /m);
  assert.match(human.stdout, /cmos45-paper .*\n.*ac 0\.9 pJ, mac 4\.6 pJ; not priced: neuronUpdate/);
  const json = run(['hardware', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { name: string; file: string; ops: Record<string, { energyPj?: number }> }[];
  assert.deepEqual(
    list.map((p) => p.name),
    ['cmos45-fp32', 'cmos45-int8', 'cmos45-paper', 'cmos7', 'loihi', 'loihi-davies2018', 'loihi2', 'odin', 'spinnaker2', 'truenorth'],
  );
  assert.equal(list.find((p) => p.name === 'truenorth')!.ops.ac!.energyPj, 26);
});

test('hardware show prints one profile with its sources, from a name or a path; bad input is one line, exit 2', () => {
  const show = run(['hardware', 'show', 'loihi']);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /neuronUpdate +72\.8 +fitted +SANA-FE/);
  assert.match(show.stdout, /NoC hop east\/west: 3 pJ per hop/);
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-hw-'));
  const file = join(dir, 'chip.json');
  writeFileSync(
    file,
    JSON.stringify({
      schemaVersion: 1,
      name: 'chip',
      technology: 't',
      description: 'd',
      ops: { ac: { energyPj: 2, provenance: 'measured', source: 'my bench' } },
    }),
  );
  const fromPath = run(['hardware', 'show', file, '--json']);
  assert.equal(fromPath.status, 0, fromPath.stderr);
  assert.equal((JSON.parse(fromPath.stdout) as { ops: { ac: { source: string } } }).ops.ac.source, 'my bench');
  writeFileSync(
    file,
    JSON.stringify({
      schemaVersion: 1,
      name: 'chip',
      technology: 't',
      description: 'd',
      ops: { ac: { energyPj: '2', provenance: 'measured', source: 's' } },
    }),
  );
  const bad = run(['hardware', 'show', file]);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^spikewatt: .*chip\.json: \/ops\/ac\/energyPj: /);
  const unknown = run(['hardware', 'show', 'loihi3']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown hardware profile 'loihi3'/);
});

test('a valid JSON file dropped in the profile directory is a built-in profile, with no code change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-profiles-'));
  try {
    cpSync(PROFILES, dir, { recursive: true });
    const ops = { ac: { energyPj: 0.1, provenance: 'measured', source: 'my bench' } };
    const chip = { schemaVersion: 1, name: 'my-chip', technology: '7 nm test', description: 'd', ops };
    writeFileSync(join(dir, 'my-chip.json'), JSON.stringify(chip));
    const env = { ...process.env, SPIKEWATT_PROFILE_DIR: dir };
    const list = spawnSync(process.execPath, [BIN, 'hardware', '--json'], { encoding: 'utf8', env });
    assert.equal(list.status, 0, list.stderr);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((p) => p.name);
    assert.ok(names.includes('my-chip') && names.includes('cmos45-fp32'), names.join(','));
    const show = spawnSync(process.execPath, [BIN, 'hardware', 'show', 'my-chip'], { encoding: 'utf8', env });
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^my-chip: 7 nm test/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
