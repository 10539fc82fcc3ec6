import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chipModel } from '../../src/chip/index.js';
import { loadProfile } from '../../src/cost-models/index.js';
import { zooModel } from '../../src/models/zoo.js';
import type { OpCounts } from '../../src/sim/counts.js';
import { NUM_OP_KINDS } from '../../src/sim/ops.js';

/** Seeded random-ish activity (LCG): each neuron of a LIF or mask layer fires with probability `rate` per step. */
function randomCounts(spec: ReturnType<typeof zooModel>, T: number, rate: number, seed: number): OpCounts {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return {
    model: spec.name,
    timesteps: T,
    samples: 1,
    layers: spec.layers.map((l) => {
      const N = l.out.c * l.out.h * l.out.w;
      const spiking = l.kind === 'lif' || l.kind === 'mask';
      const ns = spiking ? new Uint32Array(T * N) : undefined;
      const out = new Float64Array(T);
      if (ns)
        for (let i = 0; i < ns.length; i++)
          if (rnd() < rate) {
            ns[i] = 1;
            out[Math.floor(i / N)]! += 1;
          }
      return {
        name: l.name,
        kind: l.kind,
        ops: new Float64Array(T * NUM_OP_KINDS),
        inputEvents: new Float64Array(T),
        inputUnitSpikes: new Float64Array(T),
        outputSpikes: out,
        inputElements: 0,
        outputElements: N,
        inputBinary: true,
        inputIsEvents: true,
        ...(ns ? { neuronSpikes: ns } : {}),
      };
    }),
  };
}

test('the full-size qkformer-cifar10 (HST-4-384) maps and runs on loihi, with core counts under each limit', () => {
  const spec = zooModel('qkformer-cifar10');
  const loihi = loadProfile('loihi', (f) => readFileSync(f, 'utf8'));
  const counts = randomCounts(spec, 4, 0.1, 1);
  const r = chipModel(spec, counts, loihi);
  assert.ok(r && r.mapped, r && !r.mapped ? r.reason : 'no result');
  // every layer has a core count under each limit, and its cores are at least the largest of them
  for (const l of r.layers) {
    for (const k of ['neurons', 'synapseMemory', 'inputAxons', 'outputAxons'] as const)
      assert.ok(l.coresByLimit[k]! >= 1, `${l.layer} ${k}`);
    assert.ok(l.cores >= Math.max(...Object.values(l.coresByLimit).map((x) => x!)), l.layer);
    assert.ok(l.neuronsPerCore <= 1024);
  }
  // the research's worked example: stage1 mlp2 (384 -> 96, 1,024 positions) is bound by synapse memory at 341 per core
  const mlp2 = r.layers.find((l) => l.layer === 'stage1.0.mlp.mlp2_lif')!;
  assert.equal(mlp2.binding, 'synapseMemory');
  assert.equal(mlp2.neuronsPerCore, 341);
  assert.equal(mlp2.coresByLimit.synapseMemory, Math.ceil(98304 / 341));
  // the neuron bound alone is the sum of ceil(N / 1,024); chips hold 128 cores
  const neuronBound = r.layers.reduce((s, l) => s + l.coresByLimit.neurons!, 0);
  assert.ok(r.cores > neuronBound, `${r.cores} cores vs ${neuronBound} under the neuron limit alone`);
  assert.equal(r.chips, Math.ceil(r.cores / 128));
  // QKTA's token sums and masks map; SSA's products (stage 3) run on the processor
  assert.ok(r.layers.some((l) => l.kind === 'headSum') && r.layers.some((l) => l.kind === 'mask'));
  assert.ok(r.processor.layers.some((l) => l.kind === 'ssaProduct'));
  assert.ok(r.totals.messages > 0 && r.totals.chipCrossings! > 0);
  assert.ok(r.latency.stepNs.value! > 0);
  // chip-to-chip link energy of Loihi 1 is not published: the network part is not estimated, never zero
  assert.equal(r.energy.network.value, null);
  assert.ok(r.energy.network.missing.includes('chipCrossing energy'));
  // weight sharing per core needs fewer cores
  const shared = chipModel(spec, counts, loihi, { weightSharing: 'per-core' });
  assert.ok(shared?.mapped && shared.cores < r.cores, 'per-core sharing');
});
