import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { derivedMetrics, loadProfile, price } from '../../src/cost-models/index.js';
import { zooModel } from '../../src/models/zoo.js';
import { modelStats } from '../../src/models/stats.js';
import { numel } from '../../src/models/spec.js';
import { emptyCounts, layer, setOps } from './synthetic-counts.js';

const read = (p: string) => readFileSync(p, 'utf8');
const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

function run() {
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8, timesteps: 2 });
  const c = emptyCounts(spec, 2);
  // event-fed synaptic layers: proj1_conv (18432 synapses) did 36864 ACs over 2 samples; q_conv (4096) none
  layer(c, 'patch_embed1.proj1_conv').inputIsEvents = true;
  layer(c, 'stage1.0.tssa.q_conv').inputIsEvents = true;
  setOps(c, 'patch_embed1.proj1_conv', 0, 'ac', 12288);
  setOps(c, 'patch_embed1.proj1_conv', 1, 'ac', 24576);
  setOps(c, 'patch_embed1.proj_conv', 0, 'mac', 13824);
  setOps(c, 'patch_embed1.proj_conv', 1, 'mac', 13824);
  layer(c, 'patch_embed1.proj_lif').outputSpikes.set([100, 156]);
  return { spec, c };
}

test('derived metrics: energy per synaptic op, spikes per synapse, firing rate, ANN ratio', () => {
  const { spec, c } = run();
  const fp32 = loadProfile('cmos45-fp32', read);
  const p = price(c, spec, fp32, 'exact');
  const d = derivedMetrics(p, c, spec, fp32);
  const energy = (36864 * 0.9 + 27648 * 4.6) / 2;
  close(d.energyPjPerInference, energy, 'energy');
  close(d.synapticOpsPerInference, (36864 + 27648) / 2, 'synaptic ops');
  close(d.energyPjPerSynapticOp!, energy / 32256, 'per synaptic op');
  close(d.spikesPerSynapsePerInference!, 18432 / (18432 + 4096), 'spikes per synapse');
  const lifNeurons = spec.layers.filter((l) => l.kind === 'lif').reduce((s, l) => s + numel(l.out), 0);
  close(d.meanFiringRate!, 256 / (lifNeurons * 2 * 2), 'firing rate');
  const st = modelStats(spec);
  const annMacs = st.denseMacsPerStep + st.attentionFlopsPerStep / 2;
  close(d.ann.macsPerInference, annMacs, 'ANN MACs');
  close(d.ann.energyPjPerInference!, 4.6 * annMacs, 'ANN energy');
  close(d.ann.energyRatio!, energy / (4.6 * annMacs), 'ratio');
  const head = 32 * 10;
  close(d.ann.macsPerInferenceTimesT, (annMacs - head) * 2 + head, 'ANN x T');
  assert.equal(d.breakEven.davidsonFurberSpikesPerSynapse.value, 1.72);
  assert.equal(d.complete, true);
});

test('derived metrics: no ANN energy when the profile has no MAC price', () => {
  const { spec, c } = run();
  const odin = loadProfile('odin', read);
  const p = price(c, spec, odin, 'exact', { allowUnpriced: true });
  const d = derivedMetrics(p, c, spec, odin);
  assert.equal(d.ann.energyPjPerInference, null);
  assert.equal(d.ann.energyRatio, null);
  assert.equal(d.complete, false);
  close(d.energyPjPerInference, (36864 * 12.7) / 2);
});
