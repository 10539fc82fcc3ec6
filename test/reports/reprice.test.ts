import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecord, priceRecord, profile, profileWithRecord, recordJson } from '../../src/pipeline/index.js';

/** Count once, price many: a saved run record re-priced on another profile and convention equals a fresh run's numbers. */
test('re-pricing a saved counts.json on cmos7 under spikformer equals a fresh profile run', { timeout: 120_000 }, async () => {
  const base = {
    model: 'qkformer-cifar10',
    overrides: { imgSize: 16, embedDims: 32, depths: 3, timesteps: 2, numClasses: 4 },
    init: 'seeded' as const,
    dataset: 'synthetic',
    samples: 3,
    workers: 1,
    core: 'reference' as const,
    allowUnpriced: true,
  };
  const saved = await profileWithRecord({ ...base, hardware: ['cmos45-fp32'], convention: 'exact' });
  const reread = parseRecord(recordJson(saved.record), 'counts.json');
  const again = priceRecord(reread, { hardware: ['cmos7', 'odin', 'loihi'], conventions: ['spikformer', 'exact'], allowUnpriced: true });
  const fresh = await profile({ ...base, hardware: ['cmos7', 'odin', 'loihi'], conventions: ['spikformer', 'exact'] });
  assert.deepEqual(
    again.energy.map((e) => [e.profile, e.convention]),
    fresh.energy.map((e) => [e.profile, e.convention]),
  );
  for (const [i, e] of again.energy.entries()) {
    const f = fresh.energy[i]!;
    assert.ok(
      Math.abs(e.totalMj - f.totalMj) <= 1e-12 * Math.max(1, f.totalMj),
      `${e.profile} ${e.convention}: ${e.totalMj} vs ${f.totalMj}`,
    );
    assert.deepEqual(e.unpriced, f.unpriced);
    assert.equal(e.complete, f.complete);
    // the chip model comes with the re-pricing too (loihi has an architecture), equal to the fresh run's
    assert.deepEqual(e.chip, f.chip, `${e.profile} chip`);
    assert.deepEqual(
      e.blocks?.map((b) => b.instance),
      f.blocks?.map((b) => b.instance),
    );
  }
  // odin prices no mac: its totals say so
  const odin = again.energy.find((e) => e.profile === 'odin' && e.convention === 'exact')!;
  assert.equal(odin.complete, false);
  assert.ok(odin.unpriced.some((u) => u.op === 'mac'));
  assert.ok(
    odin.layers[0]!.unpriced!.some((u) => u.op === 'mac'),
    'the encoding conv is marked unpriced on odin',
  );
  assert.ok(again.energy.find((e) => e.profile === 'loihi')!.chip?.mapped);
  // blocks cover the whole total
  for (const e of again.energy) {
    const sum = (e.blocks ?? []).reduce((s, b) => s + b.energyPj, 0);
    assert.ok(Math.abs(sum - e.totalMj * 1e9) <= 1e-6 * e.totalMj * 1e9 + 1e-9, `${e.profile}: blocks ${sum} vs total ${e.totalMj * 1e9}`);
  }
  assert.deepEqual(again.config.conventions, ['spikformer', 'exact']);
  assert.ok(again.model.config && again.model.config.embedDims === 32);
});
