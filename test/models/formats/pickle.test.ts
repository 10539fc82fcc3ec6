import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OpaqueObject, PickleError, PyDict, toPlain, unpickle } from '../../../src/models/formats/pickle.js';

/* pickles.json: one object pickled by Python in protocols 0-5 (make_fixtures.py) and its expected JSON view. */
const P = JSON.parse(readFileSync(new URL('../../fixtures/torch/pickles.json', import.meta.url), 'utf8')) as {
  expected: unknown;
  pickles: Record<string, string>;
};

for (const [proto, b64] of Object.entries(P.pickles)) {
  test(`pickle protocol ${proto}: ints, longs, floats, text, bytes, tuples, sets, memo, OrderedDict, Namespace`, () => {
    const buf = new Uint8Array(Buffer.from(b64, 'base64'));
    const { value, end } = unpickle(buf);
    assert.equal(end, buf.length);
    assert.deepEqual(toPlain(value), P.expected);
    // The memo: both list entries are the same object, as in Python.
    const memo = (value as PyDict).get('memo') as unknown[];
    assert.equal(memo[0], memo[1]);
  });
}

test('hand-written pickles: STACK_GLOBAL of a disallowed name stays opaque, malformed input fails with one line', () => {
  const enc = (s: string) => Array.from(Buffer.from(s, 'latin1'));
  // PROTO 4, SHORT_BINUNICODE 'os', SHORT_BINUNICODE 'system', STACK_GLOBAL, SHORT_BINUNICODE 'rm -rf /', TUPLE1, REDUCE, STOP
  const evil = Uint8Array.from([
    0x80,
    4,
    0x8c,
    2,
    ...enc('os'),
    0x8c,
    6,
    ...enc('system'),
    0x93,
    0x8c,
    8,
    ...enc('rm -rf /'),
    0x85,
    0x52,
    0x2e,
  ]);
  const v = unpickle(evil).value;
  assert.ok(v instanceof OpaqueObject);
  assert.equal(v.global, 'os.system');
  assert.deepEqual(v.args, ['rm -rf /']);
  const bad = (b: number[], re: RegExp) =>
    assert.throws(
      () => unpickle(Uint8Array.from(b)),
      (e: unknown) => e instanceof PickleError && re.test(e.message) && !e.message.includes('\n'),
    );
  bad([0x80, 2, 0x58, 10, 0, 0, 0, 0x61], /truncated/); // BINUNICODE of 10 bytes with 1 left
  bad([0x80, 2, 0x4b], /truncated/);
  bad([0x80, 2, 0xff], /unknown pickle opcode 0xff at byte 2/);
  bad([0x80, 2, 0x68, 3, 0x2e], /memo entry 3 missing/);
  bad([0x80, 2, 0x86, 0x2e], /stack underflow/);
  bad([0x80, 2, 0x4e], /truncated/); // no STOP
});
