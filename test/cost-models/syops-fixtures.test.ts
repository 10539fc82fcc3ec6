import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureNames, loadFixture, samplesOf } from '../helpers/fixtures.js';
import { foldWeights } from '../../src/models/fold.js';
import { simulate } from '../../src/sim/schedule/time-major.js';
import { ReferenceCore } from '../../src/sim/cores/reference.js';
import { applyConvention, rowTotal } from '../../src/cost-models/index.js';

/**
 * Ground truth: syops-counter run on the official PyTorch models (test/fixtures/official/<name>/ops.json,
 * `syops`), batch of 2, T folded into one multi-step call. Our syops convention applied to the simulator's
 * counts of the same input (official batch coupling, as the batched official run) must give the same ACs and
 * MACs per image, module by module.
 */
const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

for (const name of fixtureNames()) {
  test(`${name}: syops convention equals syops-counter per module and in total`, () => {
    const f = loadFixture(name);
    const r = simulate(f.spec, foldWeights(f.spec, f.weights), samplesOf(f.input), {
      core: new ReferenceCore(),
      batchCoupling: 'official',
    });
    const tab = applyConvention('syops', r.sink.counts, f.spec);
    let acs = 0,
      macs = 0;
    const ours = new Set<string>();
    for (const row of tab.rows) {
      const ac = rowTotal(row, 'ac') / tab.samples,
        mac = rowTotal(row, 'mac') / tab.samples;
      acs += ac;
      macs += mac;
      if (ac === 0 && mac === 0) continue;
      ours.add(row.name);
      const s = f.ops.syops.layers[row.name];
      assert.ok(s, `${row.name} is a syops module`);
      assert.ok(same(ac, s.ACs_per_image!), `${row.name} ACs ${ac} vs ${s.ACs_per_image}`);
      assert.ok(same(mac, s.MACs_per_image!), `${row.name} MACs ${mac} vs ${s.MACs_per_image}`);
    }
    for (const [m, s] of Object.entries(f.ops.syops.layers)) {
      if (s.ACs_per_image || s.MACs_per_image) assert.ok(ours.has(m), `syops counted ${m}, we did not`);
    }
    assert.ok(same(acs, f.ops.syops.total_ACs_per_image), `total ACs ${acs} vs ${f.ops.syops.total_ACs_per_image}`);
    assert.ok(same(macs, f.ops.syops.total_MACs_per_image), `total MACs ${macs} vs ${f.ops.syops.total_MACs_per_image}`);
  });
}
