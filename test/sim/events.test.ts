import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBuffer } from '../../src/sim/events.js';

test('event buffer: unit spikes and all-ones follow every change of contents (cached between changes)', () => {
  const ev = new EventBuffer(8);
  ev.push(1, 2);
  ev.push(4, 1);
  assert.equal(ev.unitSpikes(), 3);
  assert.equal(ev.allOnes(), false);
  // a push after a read: the sums follow
  ev.push(6, 3);
  assert.equal(ev.unitSpikes(), 6);
  ev.clear();
  ev.push(0, 1);
  ev.push(3, 1);
  assert.equal(ev.unitSpikes(), 2);
  assert.equal(ev.allOnes(), true);
  // a producer that rewrites in place says so: here multiplicities it does not vouch for
  ev.mult[0] = 5;
  ev.changed(false);
  assert.equal(ev.unitSpikes(), 6);
  assert.equal(ev.allOnes(), false);
  // a LIF-like producer vouches for unit spikes: the multiplicities are not read
  ev.count = 1;
  ev.mult[0] = 1;
  ev.changed(true);
  assert.equal(ev.unitSpikes(), 1);
  assert.equal(ev.allOnes(), true);
  ev.fromDense([0, 2, 0, 1]);
  assert.equal(ev.unitSpikes(), 3);
  assert.equal(ev.allOnes(), false);
});
