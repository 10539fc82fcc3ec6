import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelSpec, MultiSpikeLayer } from '../../src/models/spec.js';
import type { OpCounts } from '../../src/sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex, type OpKind } from '../../src/sim/ops.js';
import { multiLevelSchema, multiLevelSpikes } from '../../src/reports/multi-level.js';
import { multiLevelSection } from '../../src/reports/multi-level-html.js';

const layer: MultiSpikeLayer = { kind: 'multiSpike', name: 'q_spike', inputs: ['q_conv'], out: { c: 3, h: 1, w: 2 }, levels: 4, norm: 4 };
const spec = { layers: [layer] } as unknown as ModelSpec;

/** Two samples, T = 2, summed over the samples: 12 updates per step, 4 then 10 unit spikes in 2 then 4 integer events. */
function counts(): OpCounts {
  const ops = new Float64Array(2 * NUM_OP_KINDS);
  const set = (t: number, k: OpKind, v: number) => (ops[t * NUM_OP_KINDS + opIndex(k)] = v);
  [12, 12].forEach((v, t) => set(t, 'neuronUpdate', v));
  [4, 10].forEach((v, t) => set(t, 'spike', v));
  [2, 4].forEach((v, t) => set(t, 'memWrite', v));
  return {
    model: 'm',
    timesteps: 2,
    samples: 2,
    layers: [
      {
        name: 'q_spike',
        kind: 'multiSpike',
        ops,
        inputEvents: new Float64Array(2),
        inputUnitSpikes: new Float64Array(2),
        outputSpikes: Float64Array.from([4, 10]),
        inputElements: 6,
        outputElements: 6,
        inputBinary: false,
        inputIsEvents: false,
      },
    ],
  };
}

/** A profile's exact-convention energy of the layer: per step byOpKindPj, as profile.json holds it. */
function energy(profile: string, pj: Partial<Record<OpKind, [number, number]>>, unpriced: OpKind[] = [], convention = 'exact') {
  const byOpKindPj = (t: number) => Object.fromEntries(OP_KINDS.map((k) => [k, pj[k]?.[t] ?? 0])) as Record<OpKind, number>;
  return {
    profile,
    convention,
    layers: [
      {
        name: 'q_spike',
        perStep: [0, 1].map((t) => ({ t, byOpKindPj: byOpKindPj(t), totalPj: 0 })),
        unpriced: unpriced.map((op) => ({ op, count: 1 })),
        memory: [],
      },
    ],
  };
}

test('multi-level spikes: integer events and the binary expansion over D = 4 per inference, priced by hand', () => {
  // per inference: 12 updates at 2 pJ, 7 unit spikes at 1 pJ, 3 event words at 0.5 pJ (the profile's memory price)
  const priced = { neuronUpdate: [12, 12], spike: [2, 5], memWrite: [0.5, 1] } as Partial<Record<OpKind, [number, number]>>;
  const ml = multiLevelSpikes(spec, counts(), [
    energy('a', priced),
    energy('c', priced, ['memWrite']),
    energy('a-syops', priced, [], 'syops'),
  ])!;
  multiLevelSchema.parse(ml);
  // per inference: integer view N = 24 / 2 updates, 14 / 2 unit spikes, 6 / 2 event words;
  // binary expansion: D N = 48 updates, the same 7 unit spikes, one word per unit spike (7)
  assert.deepEqual(ml.layers, [
    {
      name: 'q_spike',
      levels: 4,
      integerEvents: { neuronUpdate: 12, spike: 7, memWrite: 3 },
      binaryExpansion: { neuronUpdate: 48, spike: 7, memWrite: 7 },
    },
  ]);
  assert.deepEqual(ml.byProfile, [
    // 24 + 7 + 1.5 = 32.5; binary: 24 x 4 + 7 + 1.5 x 7 / 3 = 106.5
    { profile: 'a', integerEventsPj: 32.5, binaryExpansionPj: 106.5 },
    // memWrite unpriced: not priced, never zero (and only the exact convention is priced)
    { profile: 'c', integerEventsPj: null, binaryExpansionPj: null },
  ]);
  const html = multiLevelSection(ml);
  assert.match(html, /q_spike/);
  assert.match(html, /not priced/);
});

test('multi-level spikes: no section for a model without multi-spike layers', () => {
  const c = counts();
  c.layers[0]!.kind = 'lif';
  assert.equal(multiLevelSpikes({ layers: [{ ...layer, kind: 'lif' }] } as unknown as ModelSpec, c, []), undefined);
  assert.equal(multiLevelSection(undefined), '');
});
