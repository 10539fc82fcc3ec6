import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddLayer } from '../../../src/models/spec.js';
import { runAdd } from '../../../src/sim/primitives/add.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, events } from './helpers.js';

const add: AddLayer = { kind: 'add', name: 'sum', inputs: ['a', 'b'], out: { c: 2, h: 1, w: 4 } };
const pairs = (ev: EventBuffer) => Array.from({ length: ev.count }, (_, i) => [ev.addr[i]!, ev.mult[i]!]);

test('SEW add: multiplicities of shared addresses add; one add op per input event; output in address order', () => {
  const ctx = ctxFor([add], 'sum');
  const out = new EventBuffer(8);
  // a: 0, 3, 5 (x2); b: 3, 6, 7
  runAdd(add, ctx, events(8, [0, 1], [3, 1], [5, 2]), events(8, [3, 1], [6, 1], [7, 1]), new Int32Array(8), out);
  assert.deepEqual(pairs(out), [
    [0, 1],
    [3, 2],
    [5, 2],
    [6, 1],
    [7, 1],
  ]);
  assert.equal(layerTotal(ctx.counts, 'add'), 6);
  assert.equal(layerTotal(ctx.counts, 'memWrite'), 5);
  // 1 + 1 + 2 from a, 3 from b: unit spikes kept by the sum
  assert.equal(ctx.counts.outputSpikes[0], 7);
  assert.equal(ctx.counts.inputEvents[0], 6);
  assert.equal(ctx.counts.inputUnitSpikes[0], 7);
  assert.equal(ctx.counts.inputBinary, false);
});

test('SEW add: inputs out of address order give the same sum, in address order', () => {
  const sorted = new EventBuffer(8),
    shuffled = new EventBuffer(8);
  runAdd(add, ctxFor([add], 'sum'), events(8, [1, 1], [4, 1], [6, 1]), events(8, [0, 1], [4, 1], [7, 1]), new Int32Array(8), sorted);
  // a's events descend: a merge of the lists as they stand would not ascend
  runAdd(add, ctxFor([add], 'sum'), events(8, [6, 1], [4, 1], [1, 1]), events(8, [0, 1], [4, 1], [7, 1]), new Int32Array(8), shuffled);
  assert.deepEqual(pairs(shuffled), pairs(sorted));
  assert.deepEqual(pairs(sorted), [
    [0, 1],
    [1, 1],
    [4, 2],
    [6, 1],
    [7, 1],
  ]);
  // b out of order only, a duplicate address within b
  const dup = new EventBuffer(8);
  runAdd(add, ctxFor([add], 'sum'), events(8, [2, 1]), events(8, [5, 1], [2, 1], [5, 1]), new Int32Array(8), dup);
  assert.deepEqual(pairs(dup), [
    [2, 2],
    [5, 2],
  ]);
});

test('SEW add: the sum says its unit spikes and whether each multiplicity is 1 (what its readers would scan for)', () => {
  const cases: [[number, number][], [number, number][], number, boolean][] = [
    // disjoint unit spikes: still all ones
    [
      [
        [0, 1],
        [5, 1],
      ],
      [
        [2, 1],
        [7, 1],
      ],
      4,
      true,
    ],
    // a shared address: multiplicity 2
    [
      [
        [0, 1],
        [5, 1],
      ],
      [[5, 1]],
      3,
      false,
    ],
    // a multiplicity 2 in an input
    [[[0, 2]], [[3, 1]], 3, false],
  ];
  for (const [a, b, units, ones] of cases) {
    const out = new EventBuffer(8);
    runAdd(add, ctxFor([add], 'sum'), events(8, ...a), events(8, ...b), new Int32Array(8), out);
    assert.equal(out.unitSpikes(), units);
    assert.equal(out.allOnes(), ones);
    // what a scan of the written multiplicities gives
    const scanned = Array.from(out.mult.subarray(0, out.count));
    assert.equal(
      units,
      scanned.reduce((s, m) => s + m, 0),
    );
    assert.equal(
      ones,
      scanned.every((m) => m === 1),
    );
  }
});
