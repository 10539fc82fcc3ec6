import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CHIP_EVENTS } from '../../src/cost-models/architecture-schema.js';
import { loadProfile, parseProfile, ProfileError } from '../../src/cost-models/index.js';

const read = (f: string) => readFileSync(f, 'utf8');
const SHIPPED = ['loihi', 'loihi-davies2018', 'loihi2', 'truenorth', 'spinnaker2'];

test('the shipped chip profiles carry an architecture; every number has a source and a provenance', () => {
  for (const name of SHIPPED) {
    const a = loadProfile(name, read).architecture;
    assert.ok(a, name);
    for (const e of CHIP_EVENTS) {
      const ev = a.events[e];
      if (ev) assert.ok(ev.source.length > 0 && ev.provenance, `${name} ${e}`);
    }
    for (const v of Object.values(a.core)) assert.ok(v !== undefined && v.source.length > 0, name);
  }
  // loihi2: Intel publishes no per-event cost, so none is given (never a zero)
  assert.deepEqual(loadProfile('loihi2', read).architecture!.events, {});
  assert.equal(loadProfile('truenorth', read).architecture!.core.maxInputAxons!.value, 256);
  assert.equal(loadProfile('spinnaker2', read).architecture!.chip.coresPerChip.value, 152);
});

test('a bad architecture is one clear error naming the field', () => {
  const base = JSON.parse(read('examples/my-chip.json'));
  const bad = (mutate: (p: any) => void, expect: RegExp) => {
    const p = structuredClone(base);
    mutate(p);
    assert.throws(
      () => parseProfile(JSON.stringify(p), 'x.json'),
      (e: unknown) => e instanceof ProfileError && expect.test(e.message) && !e.message.includes('\n'),
    );
  };
  bad((p) => delete p.architecture.chip.meshHeightTiles, /^x\.json: \/architecture\/chip: give all of coresPerTile/);
  bad(
    (p) => (p.architecture.chip.coresPerChip.value = 65),
    /\/architecture\/chip\/coresPerChip: must equal coresPerTile x meshWidthTiles x meshHeightTiles/,
  );
  bad(
    (p) => (p.architecture.events.synapse.includedIn = 'messageIn'),
    /\/architecture\/events\/synapse: give energyPj \/ latencyNs, or includedIn, not both/,
  );
  bad((p) => delete p.architecture.events.synapse.source, /\/architecture\/events\/synapse\/source/);
  bad(
    (p) =>
      (p.architecture.sync.byMappedTiles = [
        { tiles: 4, latencyNs: 1 },
        { tiles: 2, latencyNs: 2 },
      ]),
    /tiles must be strictly increasing/,
  );
});

test('with an architecture, an op kind the cores do not price is priced by the processor', async () => {
  const { price } = await import('../../src/cost-models/index.js');
  const { zooModel } = await import('../../src/models/zoo.js');
  const { uniformRateCounts, setOps } = await import('./synthetic-counts.js');
  const spec = zooModel('qkformer-cifar10', { imgSize: 8, embedDims: 32, depths: 3, timesteps: 2 });
  const counts = uniformRateCounts(spec, 2, 0.1);
  setOps(counts, 'patch_embed1.proj_conv', 0, 'mac', 100);
  const p = price(counts, spec, loadProfile('loihi', read), 'exact');
  assert.equal(p.complete, true);
  assert.equal(p.byKind.mac.status, 'priced');
  assert.ok(p.rows.some((r) => r.unitEnergyPj.mac === 4.6));
  // loihi2 prices nothing: listed as unpriced (the chip model says not estimated), no error
  const l2 = price(counts, spec, loadProfile('loihi2', read), 'exact');
  assert.equal(l2.complete, false);
  assert.deepEqual(
    l2.unpriced.map((u) => u.kind),
    ['mac'],
  );
});
