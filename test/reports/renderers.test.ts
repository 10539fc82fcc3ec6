import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { OP_KINDS, type OpKind } from '../../src/sim/ops.js';
import { profileCharts } from '../../src/reports/charts.js';
import { LAYERS_COLUMNS, layersCsv, TIMESTEPS_COLUMNS, timestepsCsv } from '../../src/reports/csv.js';
import { renderChartPng } from '../../src/reports/png.js';
import { renderProfileHtml } from '../../src/reports/profile-html.js';
import {
  parseProfileReport,
  PROFILE_REPORT_SCHEMA_VERSION,
  profileReportJson,
  profileReportSchema,
  type ProfileReport,
} from '../../src/reports/schema.js';
import { chartJsText, tinyReport } from './tiny-report.js';

const ops = (o: Partial<Record<OpKind, number>>) => Object.fromEntries(OP_KINDS.map((k) => [k, o[k] ?? 0])) as Record<OpKind, number>;

/** One LIF layer of 10 neurons, T = 2, one profile at 2 pJ per neuron update: every number checkable by hand. */
function handReport(): ProfileReport {
  return profileReportSchema.parse({
    schemaVersion: 1,
    kind: 'spikewatt-profile',
    spikewattVersion: 'test',
    config: {
      model: 'm',
      checkpoint: null,
      dataset: 'synthetic',
      samples: 2,
      hardware: ['p'],
      convention: 'exact',
      core: 'reference',
      batchCoupling: 'independent',
      batchSize: 2,
      seed: 0,
    },
    model: {
      name: 'm',
      family: 'qkformer-cifar',
      attention: ['qkta'],
      timesteps: 2,
      inputShape: [1, 1, 10],
      numClasses: 2,
      params: 0,
      denseMacsPerStep: 0,
      attentionFlopsPerStep: 0,
      weights: 'random',
    },
    dataset: { name: 'synthetic', source: 'seed 0', split: 'test', kind: 'static', numClasses: 2, sampleShape: [1, 1, 10] },
    accuracy: { samples: 2, top1: 0.5, top5: null, correctTop1: 1, correctTop5: null },
    timesteps: 2,
    layers: [
      {
        name: 'stage1.0.lif',
        kind: 'lif',
        stage: 'stage1',
        inputElements: 10,
        outputElements: 10,
        inputIsEvents: false,
        perStep: [
          { t: 0, ops: ops({ neuronUpdate: 10, spike: 3 }), inputEvents: 0, inputUnitSpikes: 0, outputSpikes: 3, firingRate: 0.3 },
          { t: 1, ops: ops({ neuronUpdate: 10, spike: 5 }), inputEvents: 0, inputUnitSpikes: 0, outputSpikes: 5, firingRate: 0.5 },
        ],
      },
    ],
    energy: [
      {
        profile: 'p',
        technology: 'tech',
        description: 'd',
        sources: [{ op: 'neuronUpdate', energyPj: 2, includedIn: null, provenance: 'analytical', source: 's' }],
        notes: [],
        memory: [],
        convention: 'exact',
        conventionNotes: [],
        countsPerInference: ops({ neuronUpdate: 20, spike: 8 }),
        totalMj: 40e-9,
        byOpKindPj: ops({ neuronUpdate: 40 }),
        layers: [
          {
            name: 'stage1.0.lif',
            perStep: [
              { t: 0, byOpKindPj: ops({ neuronUpdate: 20 }), totalPj: 20 },
              { t: 1, byOpKindPj: ops({ neuronUpdate: 20 }), totalPj: 20 },
            ],
          },
        ],
        unpriced: [{ op: 'spike', count: 8 }],
        derived: {},
      },
    ],
  });
}

test('timesteps.csv and layers.csv: header with units and a row computed by hand', async () => {
  const r = handReport();
  const ts = (await timestepsCsv(r)).trimEnd().split('\n');
  assert.equal(ts[0], TIMESTEPS_COLUMNS.join(','));
  assert.equal(
    ts[0],
    'layer,layer_kind,stage,t,input_events,input_unit_spikes,output_spikes,output_elements,firing_rate,ac_ops,mac_ops,neuron_update_ops,spike_ops,cmp_ops,add_ops,mask_ops,mem_read_words,mem_write_words',
  );
  assert.equal(ts.length, 3);
  assert.equal(ts[2], 'stage1.0.lif,lif,stage1,1,0,0,5,10,0.5,0,0,10,5,0,0,0,0,0');
  const ls = (await layersCsv(r)).trimEnd().split('\n');
  assert.equal(ls[0], LAYERS_COLUMNS.join(','));
  assert.ok(ls[0]!.endsWith(',mem_read_energy_pj,mem_write_energy_pj,energy_pj'));
  assert.equal(ls[1], 'p,exact,stage1.0.lif,lif,stage1,0,0,0,20,0,0,0,0,0,0,20');
});

test('profile.json carries the schema version and round-trips through the parser; a wrong version is one clear line', () => {
  const r = tinyReport();
  const text = profileReportJson(r);
  assert.equal(JSON.parse(text).schemaVersion, PROFILE_REPORT_SCHEMA_VERSION);
  assert.deepEqual(parseProfileReport(text, 'p.json'), r);
  assert.throws(
    () => parseProfileReport(text.replace('"schemaVersion": 1', '"schemaVersion": 99'), 'p.json'),
    /^ReportFileError: p\.json: schemaVersion 99 is not 1/,
  );
  assert.throws(() => parseProfileReport('{', 'p.json'), /p\.json: invalid JSON/);
  // firing rates of LIF layers are spikes / neurons per inference
  const lif = r.layers.find((l) => l.kind === 'lif')!;
  assert.equal(lif.perStep[0]!.firingRate, lif.perStep[0]!.outputSpikes / lif.outputElements);
  // energy per layer sums to the total
  for (const e of r.energy) {
    const sum = e.layers.reduce((s, l) => s + l.perStep.reduce((a, x) => a + x.totalPj, 0), 0);
    assert.ok(Math.abs(sum * 1e-9 - e.totalMj) <= 1e-12 * Math.max(1, e.totalMj * 1e9), `${e.profile}: ${sum} pJ vs ${e.totalMj} mJ`);
  }
});

test('report.html is self-contained: chart.js inlined, no external URL in src/href, all text escaped', () => {
  const chartJs = chartJsText();
  const html = renderProfileHtml(tinyReport(), chartJs);
  assert.ok(html.includes(chartJs.slice(0, 2000)), 'chart.js inlined');
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(html.includes('hand-made &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('random (seed 1) &lt;b&gt;&amp;&lt;/b&gt;'));
  assert.match(html, /Content-Security-Policy/);
  for (const c of profileCharts(tinyReport())) assert.ok(html.includes(`<canvas id="${c.id}"`), c.id);
  assert.throws(() => renderProfileHtml(tinyReport(), 'not a library'), /does not look like chart\.js/);
});

test('chart PNGs are valid PNGs of the requested size and not blank', async () => {
  const charts = profileCharts(tinyReport());
  assert.deepEqual(
    charts.map((c) => c.id),
    [
      'totals-per-profile',
      'energy-per-layer-cmos45-fp32',
      'energy-per-layer-loihi',
      'energy-per-layer-odin',
      'firing-rate-heatmap',
      'energy-per-timestep',
    ],
  );
  for (const c of charts) {
    const png = renderChartPng(c);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${c.id} signature`);
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    assert.equal(png.readUInt32BE(16), c.widthPx);
    assert.equal(png.readUInt32BE(20), c.heightPx);
    const img = await loadImage(png);
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, img.width, img.height).data;
    let sum = 0,
      sum2 = 0,
      n = 0;
    for (let i = 0; i < px.length; i += 4) {
      const v = px[i]! + px[i + 1]! + px[i + 2]!;
      sum += v;
      sum2 += v * v;
      n++;
    }
    const variance = sum2 / n - (sum / n) ** 2;
    assert.ok(variance > 100, `${c.id}: pixel variance ${variance}`);
  }
});
