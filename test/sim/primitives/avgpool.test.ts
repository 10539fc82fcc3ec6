import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AvgPoolLayer, MaxPoolLayer } from '../../../src/models/spec.js';
import { runAvgPool } from '../../../src/sim/primitives/avgpool.js';
import { runMaxPool } from '../../../src/sim/primitives/maxpool.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { readModelFile, modelFileOf, ModelFileError } from '../../../src/models/model-file.js';
import { ctxFor, dense } from './helpers.js';

/** One channel, a 3x3 map holding 1..9 (row-major), pooled 3x3 with stride 1 and padding 1. */
const map = { c: 1, h: 3, w: 3 };
const x = dense(1, 2, 3, 4, 5, 6, 7, 8, 9);
const avg = (countIncludePad: boolean): AvgPoolLayer => ({
  kind: 'avgpool',
  name: 'mixer',
  inputs: ['x'],
  in: map,
  out: map,
  k: 3,
  stride: 1,
  pad: 1,
  countIncludePad,
});

test('Avg_Mixer (count_include_pad False): a corner averages its 4 in-bounds inputs, an edge 6, the centre 9', () => {
  const l = avg(false);
  const ctx = ctxFor([l], 'mixer');
  const out = new Float64Array(9);
  runAvgPool(l, ctx, x, out);
  // corner (0,0): (1+2+4+5)/4; edge (0,1): (1+2+3+4+5+6)/6; centre: 45/9; corner (2,2): (5+6+8+9)/4
  assert.equal(out[0], 3);
  assert.equal(out[1], 3.5);
  assert.equal(out[4], 5);
  assert.equal(out[8], 7);
  // adds: 4 corners x 3 + 4 edges x 5 + centre 8 = 40; one multiply by 1/d per output
  assert.equal(layerTotal(ctx.counts, 'add'), 40);
  assert.equal(layerTotal(ctx.counts, 'mac'), 9);
});

test('AvgPool2d with count_include_pad True divides by the padded window: a corner by 9', () => {
  const out = new Float64Array(9);
  runAvgPool(avg(true), ctxFor([avg(true)], 'mixer'), x, out);
  assert.equal(out[0], 12 / 9);
  assert.equal(out[1], 21 / 9);
  assert.equal(out[4], 5);
});

test('Max_Mixer is the max pool at kernel 3, stride 1, padding 1: a corner takes the max of 4, comparisons 40', () => {
  const l: MaxPoolLayer = { kind: 'maxpool', name: 'mixer', inputs: ['x'], in: map, out: map, k: 3, stride: 1, pad: 1 };
  const ctx = ctxFor([l], 'mixer');
  const buf = { dense: new Float64Array(9), events: new EventBuffer(9), hit: new Uint8Array(9) };
  assert.equal(runMaxPool(l, ctx, x, buf), 'dense');
  assert.deepEqual(Array.from(buf.dense), [5, 6, 6, 8, 9, 9, 8, 9, 9]);
  assert.equal(layerTotal(ctx.counts, 'cmp'), 40);
});

test('model file: an avgpool node reads back (defaults: Avg_Mixer) and refuses spikes as input, naming the node', () => {
  const file = (inputOfPool: string) =>
    JSON.stringify({
      format: 'spikewatt-model',
      version: 1,
      name: 'mix',
      timesteps: 1,
      input: { kind: 'static', channels: 2, height: 4, width: 4 },
      nodes: [
        { name: 'c', kind: 'conv', inputs: ['input'], outChannels: 2, bn: 'c_bn' },
        { name: 'c_lif', kind: 'lif', inputs: ['c'] },
        { name: 'pool', kind: 'avgpool', inputs: [inputOfPool] },
        { name: 'pool_lif', kind: 'lif', inputs: ['pool'] },
        { name: 'mean', kind: 'tokenMean', inputs: ['pool_lif'] },
        { name: 'head', kind: 'head', inputs: ['mean'], numClasses: 2 },
      ],
    });
  const spec = readModelFile(file('c'), 'mix.json');
  const pool = spec.layers.find((l) => l.name === 'pool')!;
  assert.deepEqual(pool.kind === 'avgpool' && [pool.k, pool.stride, pool.pad, pool.countIncludePad, pool.out], [
    3,
    1,
    1,
    false,
    { c: 2, h: 4, w: 4 },
  ]);
  assert.deepEqual(readModelFile(JSON.stringify(modelFileOf(spec)), 'back.json').layers, spec.layers);
  assert.throws(
    () => readModelFile(file('c_lif'), 'bad.json'),
    (e: unknown) =>
      e instanceof ModelFileError && /node 'pool' \(nodes\[2\]\) field inputs.0: a avgpool node takes real values/.test(e.message),
  );
});
