import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureNames, loadFixture, samplesOf } from '../helpers/fixtures.js';
import { foldWeights } from '../../src/models/fold.js';
import { checkCheckpoint } from '../../src/models/weights.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { CORES, CORE_NAMES } from '../../src/sim/cores/index.js';
import { coreOrSkip } from '../helpers/cores.js';
import { layerTotal } from '../../src/sim/counts.js';

/**
 * Ground truth from the official PyTorch code (test/fixtures/official): identical spikes per LIF module, sample
 * and time step, and logits within 1e-4 relative, in both batch-coupling modes.
 */
for (const name of fixtureNames()) {
  for (const [coreName, coupling] of CORE_NAMES.flatMap((c) => (['official', 'independent'] as const).map((k) => [c, k] as const))) {
    test(`${name} (${coupling} coupling, ${coreName} core) reproduces the official spikes and logits`, (t) => {
      const core = coreOrSkip(t, coreName);
      if (!core) return;
      const f = loadFixture(name);
      checkCheckpoint(f.spec, f.weights);
      const r = simulate(f.spec, foldWeights(f.spec, f.weights), samplesOf(f.input), { core, batchCoupling: coupling });
      core.dispose();
      const expLogits = coupling === 'official' ? f.logits.logits : f.logits.logits_batch1;
      r.logits.forEach((row, b) =>
        row.forEach((v, k) => {
          const e = expLogits[b]![k]!;
          assert.ok(Math.abs(v - e) <= 1e-4 * Math.max(Math.abs(e), 1e-2), `logit [${b}][${k}] ${v} vs ${e}`);
        }),
      );
      const modules = Object.keys(f.spikes);
      assert.deepEqual([...r.sink.spikesPerSample.keys()].sort(), modules.sort(), 'the same LIF modules');
      for (const m of modules) {
        const exp = coupling === 'official' ? f.spikes[m]!.spikes_per_sample_per_t : f.spikes[m]!.spikes_per_sample_per_t_batch1_runs;
        assert.deepEqual(r.sink.spikesPerSample.get(m), exp, m);
      }
    });
  }
  test(`${name}: synaptic counts equal the official input statistics`, () => {
    const f = loadFixture(name);
    const r = simulate(f.spec, foldWeights(f.spec, f.weights), samplesOf(f.input), { core: CORES.reference(), batchCoupling: 'official' });
    for (const [layer, o] of Object.entries(f.ops.own.layers)) {
      if (layer === 'head') continue; // the official head runs once on the time mean; ours accumulates per step
      const lc = r.sink.layer(layer);
      const events = Array.from(lc.inputEvents).reduce((a, b) => a + b, 0);
      assert.equal(events, o.input_nnz, `${layer} input events`);
      assert.equal(lc.inputBinary, o.input_is_binary, `${layer} binary input`);
      const syn = layerTotal(lc, lc.inputIsEvents ? 'ac' : 'mac');
      if (o.input_is_binary || !lc.inputIsEvents) assert.equal(syn, o.exact_synops, `${layer} synaptic ops`);
      else assert.ok(syn > (o.exact_synops as number), `${layer}: SEW multiplicities add unit spikes`);
    }
  });
}
