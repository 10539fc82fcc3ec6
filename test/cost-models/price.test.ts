import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadProfile, parseProfile, price, UnpricedOpError } from '../../src/cost-models/index.js';
import { zooModel } from '../../src/models/zoo.js';
import { emptyCounts, setOps } from './synthetic-counts.js';

const read = (p: string) => readFileSync(p, 'utf8');
const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

/** A small QKFormer and hand-made counts for 2 samples, T = 2 (numbers below are summed over both samples). */
function handRun() {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8, timesteps: 2 });
  const c = emptyCounts(spec, 2);
  for (const t of [0, 1]) {
    setOps(c, 'patch_embed1.proj_conv', t, 'mac', 1000);
    setOps(c, 'patch_embed1.proj_conv', t, 'memRead', 1100);
    setOps(c, 'patch_embed1.proj_conv', t, 'add', 256);
    setOps(c, 'patch_embed1.proj_lif', t, 'neuronUpdate', 512);
    setOps(c, 'patch_embed1.proj_lif', t, 'memRead', 512);
  }
  setOps(c, 'patch_embed1.proj_lif', 0, 'spike', 30);
  setOps(c, 'patch_embed1.proj_lif', 1, 'spike', 50);
  setOps(c, 'patch_embed1.proj_lif', 0, 'memWrite', 542);
  setOps(c, 'patch_embed1.proj_lif', 1, 'memWrite', 562);
  setOps(c, 'stage1.0.tssa.mask', 0, 'mask', 40);
  setOps(c, 'stage1.0.tssa.mask', 1, 'mask', 60);
  setOps(c, 'head', 0, 'add', 64);
  setOps(c, 'head', 1, 'add', 84);
  setOps(c, 'head', 1, 'mac', 640);
  setOps(c, 'head', 1, 'memRead', 660);
  return { spec, c };
}

test('cmos45-fp32 prices a hand-made run as worked out by hand', () => {
  const { spec, c } = handRun();
  const p = price(c, spec, loadProfile('cmos45-fp32', read), 'exact');
  const row = (n: string) => p.rows.find((r) => r.name === n)!;
  // proj_conv: weights 4*3*3*3 + 4 (folded BN bias) = 112 words = 448 B < 8 KB -> 10 pJ / 64 bit = 5 pJ per word
  assert.equal(row('patch_embed1.proj_conv').memoryBytes.memRead, 448);
  close(row('patch_embed1.proj_conv').unitEnergyPj.memRead!, 5);
  close(row('patch_embed1.proj_conv').totalEnergyPj, 2000 * 4.6 + 2200 * 5 + 512 * 0.9, 'proj_conv'); // 20660.8
  // proj_lif: membrane 256 neurons x 4 B = 1 KB -> 5 pJ/word; update 6.4 pJ; spikes included in memWrite
  assert.equal(row('patch_embed1.proj_lif').memoryBytes.memWrite, 1024);
  close(row('patch_embed1.proj_lif').totalEnergyPj, 1024 * 6.4 + 1024 * 5 + 1104 * 5, 'proj_lif'); // 17193.6
  assert.deepEqual(row('patch_embed1.proj_lif').energyPj.spike, [0, 0]);
  assert.deepEqual(row('patch_embed1.proj_lif').counts.spike, [30, 50]);
  close(row('stage1.0.tssa.mask').totalEnergyPj, 90, 'mask');
  // head: 320 + 10 weight words = 1320 B
  close(row('head').totalEnergyPj, 640 * 4.6 + 148 * 0.9 + 660 * 5, 'head'); // 6377.2
  close(p.energyPjPerInference, 22160.8, 'per inference');
  close(p.energyMjPerInference, 2.21608e-5, 'mJ');
  close(p.energyPjPerTimestep[0]!, 9485.4, 't0');
  close(p.energyPjPerTimestep[1]!, 12675.4, 't1');
  close(row('patch_embed1.proj_conv').energyPj.mac[1]!, 4600);
  assert.equal(p.byKind.spike.status, 'included');
  assert.equal(p.byKind.cmp.status, 'priced');
  close(p.byKind.memRead.countPerInference, (2200 + 1024 + 660) / 2);
  close(p.byKind.mac.energyPjPerInference, (2640 * 4.6) / 2);
  assert.equal(p.complete, true);
  assert.equal(p.samples, 2);
});

test("memory energy interpolates in log2(capacity) at each layer's memory size", () => {
  const { spec, c } = handRun();
  const profile = parseProfile(
    JSON.stringify({
      schemaVersion: 1,
      name: 'toy-memory',
      technology: 'test',
      description: 'interpolation test',
      ops: {
        ac: { energyPj: 1, provenance: 'analytical', source: 'test' },
        mac: { energyPj: 2, provenance: 'analytical', source: 'test' },
        add: { energyPj: 0, provenance: 'analytical', source: 'test' },
        mask: { energyPj: 0, provenance: 'analytical', source: 'test' },
        neuronUpdate: { energyPj: 3, provenance: 'analytical', source: 'test' },
        spike: { includedIn: ['memWrite'], source: 'test' },
      },
      memory: {
        wordBits: 32,
        interpolation: 'log2-linear',
        onChip: [
          { capacityBytes: 256, energyPjPerAccess: 8, accessBits: 64, provenance: 'analytical', source: 'test' },
          { capacityBytes: 4096, energyPjPerAccess: 16, accessBits: 64, provenance: 'analytical', source: 'test' },
        ],
      },
    }),
    'toy.json',
  );
  const p = price(c, spec, profile, 'exact');
  const row = (n: string) => p.rows.find((r) => r.name === n)!;
  // per word: 4 pJ at 256 B, 8 pJ at 4 KB; 448 B -> 4 + 4 * log2(448/256) / 4
  close(row('patch_embed1.proj_conv').unitEnergyPj.memRead!, 4 + Math.log2(1.75));
  close(row('patch_embed1.proj_lif').unitEnergyPj.memRead!, 6); // 1024 B: halfway in log2
  close(row('head').unitEnergyPj.memRead!, 4 + Math.log2(1320 / 256));
});

test('an op kind the profile does not price is an error naming kind and profile', () => {
  const { spec, c } = handRun();
  const paper = loadProfile('cmos45-paper', read);
  assert.throws(
    () => price(c, spec, paper, 'exact'),
    (e: unknown) => {
      assert.ok(e instanceof UnpricedOpError);
      assert.equal(e.kind, 'neuronUpdate');
      assert.match(e.message, /profile 'cmos45-paper' has no price for op kind 'neuronUpdate'/);
      assert.match(e.message, /512 ops per inference/);
      return true;
    },
  );
  assert.throws(() => price(c, spec, loadProfile('odin', read), 'exact'), /profile 'odin' has no price for op kind 'mac'/);
  // a profile with an architecture prices what its cores lack on its processor, and lists the rest as unpriced
  assert.equal(price(c, spec, loadProfile('loihi', read), 'exact').complete, true);
  assert.equal(price(c, spec, loadProfile('loihi2', read), 'exact').complete, false);
});

test('allowUnpriced reports unpriced counts, never as zero energy', () => {
  const { spec, c } = handRun();
  const p = price(c, spec, loadProfile('cmos45-paper', read), 'exact', { allowUnpriced: true });
  close(p.energyPjPerInference, (2640 * 4.6) / 2);
  assert.equal(p.complete, false);
  const unpriced = Object.fromEntries(p.unpriced.map((u) => [u.kind, u.countPerInference]));
  assert.deepEqual(unpriced, { neuronUpdate: 512, spike: 40, add: 330, mask: 50, memRead: 1942, memWrite: 552 });
  assert.equal(p.byKind.neuronUpdate.status, 'unpriced');
  assert.equal(p.byKind.cmp.status, 'absent');
  const lif = p.rows.find((r) => r.name === 'patch_embed1.proj_lif')!;
  assert.equal(lif.unpricedCounts.neuronUpdate, 1024);
  assert.equal(lif.unitEnergyPj.neuronUpdate, undefined, 'no price is shown for an unpriced kind');
});

test('included kinds cost nothing extra and say where they are included', () => {
  const { spec, c } = handRun();
  const p = price(c, spec, loadProfile('loihi', read), 'exact');
  assert.equal(p.byKind.memRead.status, 'included');
  assert.deepEqual(p.byKind.memRead.includedIn, ['ac', 'neuronUpdate']);
  assert.equal(p.byKind.memRead.energyPjPerInference, 0);
  // neuron updates and spikes on the cores; MACs (4.6 pJ), adds and masks (0.9 pJ) on loihi's host processor
  close(p.energyPjPerInference, (1024 * 72.8 + 80 * 180.3 + 2640 * 4.6 + 660 * 0.9 + 100 * 0.9) / 2);
  assert.equal(p.complete, true);
});

test('price is pure: the counts are not modified and the result is JSON data', () => {
  const { spec, c } = handRun();
  const before = JSON.stringify(c.layers.map((l) => Array.from(l.ops)));
  const p = price(c, spec, loadProfile('cmos45-fp32', read), 'syops');
  assert.equal(JSON.stringify(c.layers.map((l) => Array.from(l.ops))), before);
  const again = JSON.parse(JSON.stringify(p)) as typeof p;
  assert.equal(again.energyPjPerInference, p.energyPjPerInference);
  assert.equal(again.rows.length, p.rows.length);
});
