import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import { DatasetError } from '../../src/data/dataset.js';
import { UnpricedOpError } from '../../src/cost-models/index.js';
import { errorReport } from '../../src/cli/main.js';

test('error policy: input errors are one line and exit 2; anything else is a bug, exit 1, with a hint to --debug', () => {
  for (const e of [new InputError('bad --samples'), new DatasetError('no such set'), new UnpricedOpError('mac', 'loihi', 3, ['head'])]) {
    const r = errorReport(e, false);
    assert.equal(r.code, 2, e.name);
    assert.equal(r.text.trim().split('\n').length, 1);
  }
  const bug = errorReport(new TypeError('x is undefined\nsecond line'), false);
  assert.equal(bug.code, 1);
  assert.equal(
    bug.text,
    'spikewatt: internal error: x is undefined\nspikewatt: this is a bug; run again with --debug for the stack trace, and report it\n',
  );
  const debug = errorReport(new TypeError('x is undefined'), true);
  assert.match(debug.text, /^spikewatt: internal error: x is undefined\nTypeError: x is undefined\n\s+at /);
});
