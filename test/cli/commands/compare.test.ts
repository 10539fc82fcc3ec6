import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/spikewatt.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('compare --attention qkta,ssa: two variants sharing the non-attention weights, the attention-cost curves, all files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-compare-'));
  try {
    const out = join(tmp, 'cmp');
    const r = run([
      'compare',
      '--model',
      'qkformer-cifar10',
      '--img-size',
      '16',
      '--embed-dims',
      '32',
      '--depths',
      '3',
      '--timesteps',
      '2',
      '--num-classes',
      '4',
      '--dataset',
      'synthetic',
      '--samples',
      '3',
      '--attention',
      'qkta,ssa',
      '--out',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'attention-energy.png',
      'attention-memory.png',
      'attention-ops.png',
      'compare-energy.png',
      'compare-firing-rates.png',
      'compare.html',
      'compare.json',
    ]);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    assert.equal(c.schemaVersion, 1);
    assert.deepEqual(
      c.variants.map((v: { attention: string[] }) => v.attention.join(',')),
      ['qkta,qkta,qkta', 'ssa,ssa,ssa'],
    );
    assert.match(c.variants[1].weights, /^[0-9,]+ of [0-9,]+ params from calibrated seeded init \(seed 0; .*\), the rest random/);
    assert.equal(c.attentionCost.curves.length, 4);
    assert.equal(c.attentionCost.paper.table.length, 10);
    const bad = run([
      'compare',
      '--model',
      'qkformer-cifar10',
      '--model',
      'spikformer-cifar10',
      '--attention',
      'ssa',
      '--out',
      join(tmp, 'x'),
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^spikewatt: --attention varies one model/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('compare across families: QKFormer beside SDT v1, labels name the real token mixing, the SDSA curve priced at its measured rate', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-compare-'));
  try {
    const out = join(tmp, 'cmp');
    const size = ['--img-size', '16', '--embed-dims', '32', '--depths', '3', '--timesteps', '2', '--num-classes', '4'];
    const r = run([
      'compare',
      '--model',
      'qkformer-cifar10,sdt-cifar10-2-512',
      ...size,
      '--dataset',
      'synthetic',
      '--samples',
      '2',
      '--hardware',
      'cmos45-fp32',
      '--out',
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    const labels = c.variants.map((v: { label: string }) => v.label);
    assert.match(labels[0], /\[qkta,qkta,ssa\]$/);
    assert.match(labels[1], /\[SDSA\]$/);
    const sdsa = c.attentionCost.priced.curves.find((x: { form: string }) => x.form === 'sdsa');
    assert.equal(sdsa.rateMeasured, true);
    assert.ok(sdsa.rate > 0 && sdsa.rate < 1, `SDSA rate ${sdsa.rate}`);
    assert.equal(sdsa.complete, true);
    // linear in N: the energy at sqrt(N) = 200 over that at 100 is the token ratio (4) up to the constant LIF term
    const e = sdsa.energyPj as number[];
    assert.ok(Math.abs(e[19]! / e[9]! - 4) < 0.01, `SDSA energy ratio ${e[19]! / e[9]!}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
