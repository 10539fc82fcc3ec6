import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionCost, attentionCostCurves, PAPER_MEMORY_TABLE } from '../../src/reports/attention-cost.js';

const MIB = 1024 * 1024;

test('attention cost at sqrt(N) = 10 and 200, C = 256, h = 1, computed by hand', () => {
  // N = 100: QKTA result = X' (C N) + A_t (h N) = 25600 + 100 elements; SSA N x N result = N^2 + C N.
  const q10 = attentionCost('qkta', 256, 1, 10),
    s10 = attentionCost('ssa-nxn', 256, 1, 10),
    k10 = attentionCost('ssa-kv', 256, 1, 10);
  assert.equal(q10.attentionResultMib, ((25600 + 100) * 4) / MIB);
  assert.equal(s10.attentionResultMib, ((10000 + 25600) * 4) / MIB);
  // all intermediates, QKTA: q conv, q spikes, k conv, k spikes, X', proj conv, proj spikes (7 C N) + head sum, A_t (2 h N)
  assert.equal(q10.allIntermediatesMib, ((7 * 25600 + 2 * 100) * 4) / MIB);
  // SSA N x N: q,k,v conv + spikes (6 C N), product out (C N) + map (N^2), attn_lif (C N), proj conv + spikes (2 C N)
  assert.equal(s10.allIntermediatesMib, ((10 * 25600 + 10000) * 4) / MIB);
  // SSA Q (K^T V): the same with the d x d map (C^2 / h) instead of N^2
  assert.equal(k10.allIntermediatesMib, ((10 * 25600 + 65536) * 4) / MIB);
  assert.equal(q10.mixingOps, 2 * 100 * 256);
  assert.equal(s10.mixingOps, 2 * 100 * 100 * 256);
  assert.equal(k10.mixingOps, 2 * 100 * 256 * 256);
  assert.equal(q10.projectionOps, 3 * 256 * 256 * 100);
  assert.equal(s10.projectionOps, 4 * 256 * 256 * 100);
  const q200 = attentionCost('qkta', 256, 1, 200),
    s200 = attentionCost('ssa-nxn', 256, 1, 200);
  assert.equal(q200.attentionResultMib, 39.215087890625); // (256 * 40000 + 40000) * 4 / 2^20
  assert.equal(s200.attentionResultMib, 6142.578125); // (40000^2 + 256 * 40000) * 4 / 2^20
});

test('SSA / QKTA memory ratio grows with N and the result model lands near the paper table', () => {
  const [qkta, ssa] = attentionCostCurves();
  assert.equal(qkta!.form, 'qkta');
  assert.equal(ssa!.form, 'ssa-nxn');
  assert.deepEqual(
    qkta!.points.map((p) => p.sqrtTokens),
    Array.from({ length: 20 }, (_, i) => 10 * (i + 1)),
  );
  const ratios = qkta!.points.map((p, i) => ssa!.points[i]!.attentionResultMib / p.attentionResultMib);
  for (let i = 1; i < ratios.length; i++) assert.ok(ratios[i]! > ratios[i - 1]!, `ratio at ${10 * (i + 1)}`);
  assert.equal(PAPER_MEMORY_TABLE.length, 10);
  for (const row of PAPER_MEMORY_TABLE) {
    const q = qkta!.points.find((p) => p.sqrtTokens === row.sqrtTokens)!,
      s = ssa!.points.find((p) => p.sqrtTokens === row.sqrtTokens)!;
    assert.ok(Math.abs(q.attentionResultMib / row.qktaMb - 1) < 0.06, `QKTA ${row.sqrtTokens}: ${q.attentionResultMib} vs ${row.qktaMb}`);
    assert.ok(Math.abs(s.attentionResultMib / row.ssaMb - 1) < 0.08, `SSA ${row.sqrtTokens}: ${s.attentionResultMib} vs ${row.ssaMb}`);
    assert.ok(Math.abs(row.ssaMb / row.qktaMb / row.ratio - 1) < 0.05, `paper ratio ${row.sqrtTokens}`);
  }
});

test('SDSA (SDT v1) at sqrt(N) = 10, C = 256, h = 1, computed by hand: linear in N like QKTA', () => {
  const d10 = attentionCost('sdsa', 256, 1, 10),
    d20 = attentionCost('sdsa', 256, 1, 20);
  // N = 100, C N = 25600: K AND V (C N) + token sum (C) + masked Q (C N)
  assert.equal(d10.attentionResultMib, ((2 * 25600 + 256) * 4) / MIB);
  // AND (N C) + token sum adds (N C) + mask of Q (N C)
  assert.equal(d10.mixingOps, 3 * 100 * 256);
  // q, k, v, proj 1x1 convs
  assert.equal(d10.projectionOps, 4 * 256 * 256 * 100);
  // shortcut, q, k, v, talking-heads LIFs: 4 C N + C
  assert.equal(d10.neuronUpdates, 4 * 25600 + 256);
  // all intermediates: shortcut spikes, q/k/v conv + spikes (7 C N), AND (C N), sum (C), talking heads (C), mask (C N), proj (C N)
  assert.equal(d10.allIntermediatesMib, ((10 * 25600 + 2 * 256) * 4) / MIB);
  assert.equal(d20.mixingOps, 4 * d10.mixingOps);
  const curves = attentionCostCurves();
  assert.deepEqual(
    curves.map((c) => c.form),
    ['qkta', 'ssa-nxn', 'ssa-kv', 'sdsa'],
  );
});
