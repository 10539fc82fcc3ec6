import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadProfile } from '../../src/cost-models/index.js';
import { inputAxons, MappingRefusal, perCoreLimits, windowPositions } from '../../src/chip/capacity.js';
import type { Population } from '../../src/chip/graph.js';
import type { ConvLayer } from '../../src/models/spec.js';

/** Capacity rules per shipped profile, on populations of the CIFAR10 HST-4-384 model. */
const arch = (name: string) => loadProfile(name, (f) => readFileSync(f, 'utf8')).architecture!;

function convPop(cin: number, cout: number, hw: number, k: number, sources = 1): Population {
  const conv: ConvLayer = {
    kind: 'conv',
    op: k === 1 ? 'conv1d' : 'conv2d',
    name: 'c',
    inputs: ['x'],
    in: { c: cin, h: hw, w: hw },
    out: { c: cout, h: hw, w: hw },
    k,
    stride: 1,
    pad: (k - 1) / 2,
    bias: true,
    bn: 'bn',
  };
  return {
    layer: 'lif',
    kind: 'conv',
    synaptic: ['c'],
    neurons: cout * hw * hw,
    channels: cout,
    fanIn: cin * k * k * sources,
    sharedRowWeights: cin * k * k,
    weightRows: cout,
    inputs: Array.from({ length: sources }, (_, i) => ({ source: `s${i}`, connection: { kind: 'conv' as const, conv } })),
  };
}

test('loihi, stage1 mlp2 (1x1 conv 384 -> 96 at 32 x 32): 1,024 neurons, 341 by synapse memory, 960 by input axons', () => {
  const pop = convPop(384, 96, 32, 1);
  // memory: floor(16384 x 64 / (384 x 8)) = 341; axons: a core of n = 960 neurons holds 10 whole tokens, 384 x 10 = 3,840
  // <= 4,096; 961 (runs start anywhere in a token) spans 11 tokens: 4,224
  assert.deepEqual(perCoreLimits(pop, arch('loihi'), 'none'), { neurons: 1024, synapseMemory: 341, inputAxons: 960 });
  assert.equal(inputAxons(pop, 960), 3840);
  assert.equal(inputAxons(pop, 961), 4224);
  // the monotone bound ceil(n / C) + 1 tokens
  assert.equal(inputAxons(pop, 960, false), 4224);
  // per-core sharing: 96 rows x 384 x 8 bits = 294,912 <= 1,048,576: memory never binds
  assert.equal(perCoreLimits(pop, arch('loihi'), 'per-core').synapseMemory, Infinity);
});

test('loihi: a SEW-residual input doubles fan-in and input axons', () => {
  const one = convPop(96, 96, 32, 1),
    two = convPop(96, 96, 32, 1, 2);
  assert.equal(two.fanIn, 2 * one.fanIn);
  assert.equal(inputAxons(two, 100), 2 * inputAxons(one, 100));
  assert.equal(perCoreLimits(two, arch('loihi'), 'none').synapseMemory, Math.floor(1048576 / (192 * 8)));
});

test('3x3 windows: positions under r consecutive outputs', () => {
  assert.equal(windowPositions(1, 3, 1, 1024), 9);
  // (r - 1) s + k columns x k rows, plus (k - s) k for a wrap: r = 4 -> (3 + 3) x 3 + 2 x 3 = 24
  assert.equal(windowPositions(4, 3, 1, 1024), 24);
  assert.equal(windowPositions(4, 1, 2, 1024), 4);
  assert.equal(windowPositions(1000, 3, 1, 64), 64);
});

test('truenorth: 256 neurons and axons per core; a fan-in over 256 is refused with one line', () => {
  const ok = convPop(64, 64, 8, 1);
  // memory: 65,536 crossbar bits / 64 x 1 bit = 1,024; axons: 4 whole tokens x 64 channels = 256
  assert.deepEqual(perCoreLimits(ok, arch('truenorth'), 'none'), { neurons: 256, synapseMemory: 1024, inputAxons: 256 });
  assert.throws(
    () => perCoreLimits(convPop(32, 64, 16, 3), arch('truenorth'), 'none'),
    (e: unknown) => {
      assert.ok(e instanceof MappingRefusal);
      assert.match(e.message, /^lif: one neuron's fan-in \(288 presynaptic neurons\) exceeds the 256 input axons of a core/);
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
});

test('loihi2: only the neuron limit is public; spinnaker2: only the synapse memory', () => {
  const pop = convPop(384, 96, 32, 1);
  assert.deepEqual(perCoreLimits(pop, arch('loihi2'), 'none'), { neurons: 8192, synapseMemory: null, inputAxons: null });
  assert.deepEqual(perCoreLimits(pop, arch('spinnaker2'), 'none'), { neurons: null, synapseMemory: 341, inputAxons: null });
});

test('loihi-davies2018 has the same capacities as loihi', () => {
  assert.deepEqual(arch('loihi-davies2018').core, arch('loihi').core);
});
