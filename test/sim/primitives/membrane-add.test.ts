import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MembraneAddLayer } from '../../../src/models/spec.js';
import { runMembraneAdd } from '../../../src/sim/primitives/membrane-add.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, dense, events } from './helpers.js';

const layer: MembraneAddLayer = { kind: 'membraneAdd', name: 'res', inputs: ['a', 'b'], out: { c: 2, h: 1, w: 2 } };

test('membrane shortcut: real values add elementwise; N adds, N shortcut reads, N writes whatever the values', () => {
  const ctx = ctxFor([layer], 'res');
  const out = new Float64Array(4);
  runMembraneAdd(layer, ctx, dense(0.5, -1.25, 0, 2), dense(1, 1, -0.75, 0), out);
  assert.deepEqual(Array.from(out), [1.5, -0.25, -0.75, 2]);
  assert.equal(layerTotal(ctx.counts, 'add'), 4);
  assert.equal(layerTotal(ctx.counts, 'memRead'), 4);
  assert.equal(layerTotal(ctx.counts, 'memWrite'), 4);
  assert.equal(layerTotal(ctx.counts, 'ac'), 0);
  assert.equal(ctx.counts.inputBinary, false);
});

test('membrane shortcut: spikes are not membrane values (a SEW add takes them)', () => {
  const ctx = ctxFor([layer], 'res');
  assert.throws(() => runMembraneAdd(layer, ctx, events(4, [0, 1]), dense(0, 0, 0, 0), new Float64Array(4)), /res: expected dense input/);
});
