import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LifLayer, LifParams } from '../../../src/models/spec.js';
import { runLif } from '../../../src/sim/primitives/lif.js';
import { lifInitialMembrane } from '../../../src/sim/primitives/lif-general.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { ctxFor, dense } from './helpers.js';

/** Runs one neuron over the inputs; returns the spikes and the membrane after each step. */
function trace(neuron: LifParams | undefined, vThreshold: number, xs: number[]) {
  const layer: LifLayer = {
    kind: 'lif',
    name: 'l',
    inputs: ['x'],
    out: { c: 1, h: 1, w: 1 },
    vThreshold,
    officialTimeAxis: 'time',
    ...(neuron ? { neuron } : {}),
  };
  const v = new Float64Array(1).fill(lifInitialMembrane(neuron));
  const out = new EventBuffer(1);
  const ctx = ctxFor([layer], 'l', 0, xs.length);
  const spikes: number[] = [],
    vs: number[] = [];
  xs.forEach((x, t) => {
    runLif(layer, { ...ctx, t }, dense(x), v, out);
    spikes.push(out.count);
    vs.push(v[0]!);
  });
  return { spikes, vs, ctx };
}

test('general LIF, tau 4 with decay_input, hard reset to 0: h = v + (x - v)/4', () => {
  // 0 + (2 - 0)/4 = 0.5; 0.5 + (2 - 0.5)/4 = 0.875; 0.875 + (2 - 0.875)/4 = 1.15625 -> spike, v = 0; 0 + 0.5
  const { spikes, vs, ctx } = trace({ tau: 4, decayInput: true, vReset: 0 }, 1, [2, 2, 2, 2]);
  assert.deepEqual(spikes, [0, 0, 1, 0]);
  assert.deepEqual(vs, [0.5, 0.875, 0, 0.5]);
  // counted like the default LIF: 4 updates, 1 spike, a membrane read and write per update plus the spike event
  assert.equal(layerTotal(ctx.counts, 'neuronUpdate'), 4);
  assert.equal(layerTotal(ctx.counts, 'spike'), 1);
  assert.equal(layerTotal(ctx.counts, 'memRead'), 4);
  assert.equal(layerTotal(ctx.counts, 'memWrite'), 5);
});

test('general LIF without decay_input: h = v - v/tau + x (the input is not divided)', () => {
  // tau 2: 0.6; 0.6 - 0.3 + 0.6 = 0.9; 0.9 - 0.45 + 0.6 = 1.05 -> spike, v = 0
  const { spikes, vs } = trace({ tau: 2, decayInput: false, vReset: 0 }, 1, [0.6, 0.6, 0.6]);
  assert.deepEqual(spikes, [0, 0, 1]);
  assert.ok(Math.abs(vs[0]! - 0.6) < 1e-15 && Math.abs(vs[1]! - 0.9) < 1e-15);
  assert.equal(vs[2], 0);
});

test('general LIF, soft reset (v_reset None): v = h - v_th keeps the overshoot', () => {
  // tau 2, decay_input: h = 0 + 3/2 = 1.5 -> spike, v = 0.5; h = 0.5 + (3 - 0.5)/2 = 1.75 -> spike, v = 0.75
  const { spikes, vs } = trace({ tau: 2, decayInput: true, vReset: null }, 1, [3, 3]);
  assert.deepEqual(spikes, [1, 1]);
  assert.deepEqual(vs, [0.5, 0.75]);
});

test('general LIF, hard reset to a nonzero v_reset: the membrane starts and resets there, and leaks towards it', () => {
  // v0 = -0.5; h = -0.5 + (1 - (-0.5 + 0.5))/2 = 0 ; h = 0 + (2 - 0.5)/2 = 0.75 ; then 0.75 + (2 - 1.25)/2 = 1.125 -> spike, v = -0.5
  const { spikes, vs } = trace({ tau: 2, decayInput: true, vReset: -0.5 }, 1, [1, 2, 2]);
  assert.equal(lifInitialMembrane({ tau: 2, decayInput: true, vReset: -0.5 }), -0.5);
  assert.deepEqual(spikes, [0, 0, 1]);
  assert.deepEqual(vs, [0, 0.75, -0.5]);
});

test('the defaults written out equal the core LIF exactly (tau 2, decay_input, hard reset to 0), ties fire', () => {
  const xs = [1.5, 0.8, 1.2, 2.0, 1, 0.25];
  const a = trace(undefined, 0.5, xs),
    b = trace({ tau: 2, decayInput: true, vReset: 0 }, 0.5, xs);
  assert.deepEqual(b.spikes, a.spikes);
  assert.deepEqual(b.vs, a.vs);
  // h = 0 + 1/2 = 0.5 == v_th: fires
  assert.deepEqual(trace({ tau: 2, decayInput: true, vReset: 0 }, 0.5, [1]).spikes, [1]);
});
