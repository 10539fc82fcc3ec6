import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  builtinProfilePath,
  listProfiles,
  loadProfile,
  parseProfile,
  ProfileError,
  UnknownProfileError,
  priceStatus,
} from '../../src/cost-models/index.js';
import { OP_KINDS } from '../../src/sim/ops.js';

const read = (p: string) => readFileSync(p, 'utf8');

const valid = () => ({
  schemaVersion: 1,
  name: 'toy',
  technology: '1 nm',
  description: 'a toy',
  ops: { ac: { energyPj: 1, provenance: 'analytical', source: 'made up for a test' } },
});

function errorOf(obj: unknown, file = 'toy.json'): ProfileError {
  try {
    parseProfile(typeof obj === 'string' ? obj : JSON.stringify(obj), file);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `expected a ProfileError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e;
  }
  assert.fail('parsed an invalid profile');
}

test('a valid profile parses', () => {
  const p = parseProfile(JSON.stringify(valid()), 'toy.json');
  assert.equal(p.ops.ac?.energyPj, 1);
});

test('schema errors name the file, the JSON pointer and the reason', () => {
  const wrongType = valid() as Record<string, unknown>;
  (wrongType.ops as Record<string, Record<string, unknown>>).ac!.energyPj = 'cheap';
  let e = errorOf(wrongType, 'profiles/bad.json');
  assert.equal(e.file, 'profiles/bad.json');
  assert.equal(e.pointer, '/ops/ac/energyPj');
  assert.match(e.reason, /number/);
  assert.match(e.message, /^profiles\/bad\.json: \/ops\/ac\/energyPj: /);

  const typo = valid() as Record<string, unknown>;
  (typo.ops as Record<string, unknown>).acc = { energyPj: 1, provenance: 'measured', source: 'x' };
  e = errorOf(typo);
  assert.equal(e.pointer, '/ops/acc');
  assert.match(e.reason, /unknown key 'acc'/);

  const noProvenance = valid();
  delete (noProvenance.ops.ac as Partial<typeof noProvenance.ops.ac>).provenance;
  e = errorOf(noProvenance);
  assert.equal(e.pointer, '/ops/ac/provenance');

  e = errorOf({ ...valid(), ops: { ac: { energyPj: 1, provenance: 'guessed', source: 'x' } } });
  assert.equal(e.pointer, '/ops/ac/provenance');

  e = errorOf({ ...valid(), ops: { ac: { energyPj: 1, provenance: 'measured', source: '' } } });
  assert.equal(e.pointer, '/ops/ac/source');

  e = errorOf({ ...valid(), ops: { ac: { energyPj: -1, provenance: 'measured', source: 'x' } } });
  assert.equal(e.pointer, '/ops/ac/energyPj');

  const { technology: _t, ...noTechnology } = valid();
  e = errorOf(noTechnology);
  assert.equal(e.pointer, '/technology');
  assert.equal(e.reason, 'missing (expected string)');

  e = errorOf({ ...valid(), schemaVersion: 2 });
  assert.equal(e.pointer, '/schemaVersion');

  e = errorOf({ ...valid(), ops: { ac: { energyPj: 1, includedIn: ['mac'], provenance: 'measured', source: 'x' } } });
  assert.equal(e.pointer, '/ops/ac');
  assert.match(e.reason, /exactly one of energyPj or includedIn/);

  e = errorOf({ ...valid(), ops: { ...valid().ops, spike: { includedIn: ['neuronUpdate'], source: 'x' } } });
  assert.equal(e.pointer, '/ops/spike/includedIn/0');
  assert.match(e.reason, /'neuronUpdate' must itself carry a price/);

  const mem = {
    wordBits: 32,
    interpolation: 'log2-linear',
    onChip: [
      { capacityBytes: 4096, energyPjPerAccess: 2, accessBits: 64, provenance: 'analytical', source: 'x' },
      { capacityBytes: 1024, energyPjPerAccess: 1, accessBits: 64, provenance: 'analytical', source: 'x' },
    ],
  };
  e = errorOf({ ...valid(), memory: mem });
  assert.equal(e.pointer, '/memory/onChip/1/capacityBytes');

  e = errorOf('{ "schemaVersion": 1, ', 'broken.json');
  assert.equal(e.pointer, '/');
  assert.match(e.message, /^broken\.json: \/: invalid JSON/);
});

test('JSON pointers escape ~ and /', () => {
  const e = errorOf({ ...valid(), 'a/b~c': 1 });
  assert.equal(e.pointer, '/a~1b~0c');
});

test('every built-in profile loads, is named as registered, and every coefficient carries a source', () => {
  assert.deepEqual(listProfiles().sort(), [
    'cmos45-fp32',
    'cmos45-int8',
    'cmos45-paper',
    'cmos7',
    'loihi',
    'loihi-davies2018',
    'loihi2',
    'odin',
    'spinnaker2',
    'truenorth',
  ]);
  for (const name of listProfiles()) {
    const p = loadProfile(name, read);
    assert.equal(p.name, name);
    assert.ok(builtinProfilePath(name).endsWith(`hardware-profiles/${name}.json`));
    for (const k of OP_KINDS) {
      const e = p.ops[k];
      if (e) assert.ok(e.source.length > 10, `${name}.${k} has a source`);
    }
    for (const pt of p.memory?.onChip ?? []) assert.ok(pt.source.length > 10);
  }
});

test('the built-in profiles carry the published numbers', () => {
  const fp32 = loadProfile('cmos45-fp32', read);
  assert.equal(fp32.ops.ac?.energyPj, 0.9);
  assert.equal(fp32.ops.mac?.energyPj, 4.6);
  assert.deepEqual(
    fp32.memory?.onChip.map((p) => [p.capacityBytes, p.energyPjPerAccess, p.accessBits]),
    [
      [8192, 10, 64],
      [32768, 20, 64],
      [1048576, 100, 64],
    ],
  );
  const int8 = loadProfile('cmos45-int8', read);
  assert.equal(int8.ops.ac?.energyPj, 0.03);
  assert.equal(int8.ops.mac?.energyPj, 0.23);
  const paper = loadProfile('cmos45-paper', read);
  assert.deepEqual(
    OP_KINDS.filter((k) => priceStatus(paper, k) !== 'unpriced'),
    ['ac', 'mac'],
  );
  const tn = loadProfile('truenorth', read);
  assert.equal(tn.ops.ac?.energyPj, 26);
  assert.equal(tn.ops.ac?.provenance, 'operating-point-average');
  const odin = loadProfile('odin', read);
  assert.equal(odin.ops.ac?.energyPj, 12.7);
  assert.equal(odin.ops.ac?.provenance, 'measured');
  const loihi = loadProfile('loihi', read);
  assert.equal(loihi.ops.ac?.energyPj, 35.5);
  assert.equal(loihi.ops.neuronUpdate?.energyPj, 72.8);
  assert.equal(loihi.ops.spike?.energyPj, 180.3);
  assert.equal(loihi.ops.mac, undefined, 'Loihi has no real-valued MAC price');
});

test('loadProfile: unknown names and unreadable paths are one-line errors', () => {
  assert.throws(() => loadProfile('loihi3', read), UnknownProfileError);
  assert.throws(
    () => loadProfile('/nonexistent/x.json', read),
    (e: unknown) => e instanceof ProfileError && /^\/nonexistent\/x\.json: \/: cannot read the file/.test(e.message),
  );
  const p = loadProfile('mine/toy.json', () => JSON.stringify(valid()));
  assert.equal(p.name, 'toy');
});
