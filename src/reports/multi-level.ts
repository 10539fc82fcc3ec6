import { z } from 'zod';
import type { ModelSpec } from '../models/spec.js';
import type { OpCounts } from '../sim/counts.js';
import { binaryExpansion } from '../sim/primitives/multi-spike.js';
import { NUM_OP_KINDS, opIndex, type OpKind } from '../sim/ops.js';
import type { ProfileEnergy } from './schema.js';

/**
 * Multi-level integer spikes (SDT v3's MultiSpike) in two exact views, per inference (summed over t, / samples):
 * the integer-event view the counts carry (one event of value m per nonzero element: neuronUpdate N, spike sum m,
 * memWrite one word per event) and the binary expansion over D virtual steps (each event as m unit spikes in m of D
 * virtual steps: neuronUpdate D N, spike sum m, memWrite sum m). src/sim/primitives/multi-spike.ts has the rules.
 * Priced per profile (exact convention) from the profile's own energy of the three kinds in these layers, memory model
 * included: one op of a kind in a layer costs the same in both views, so the binary view scales each kind's energy by
 * its count ratio (null where a kind is unpriced). The layers fed count the same ACs in both views.
 */
const count = z.number().finite().nonnegative();
const viewSchema = z.strictObject({ neuronUpdate: count, spike: count, memWrite: count });

export const multiLevelSchema = z.strictObject({
  note: z.string(),
  layers: z.array(
    z.strictObject({ name: z.string(), levels: z.number().int().positive(), integerEvents: viewSchema, binaryExpansion: viewSchema }),
  ),
  byProfile: z.array(z.strictObject({ profile: z.string(), integerEventsPj: count.nullable(), binaryExpansionPj: count.nullable() })),
});
export type MultiLevelReport = z.infer<typeof multiLevelSchema>;

const KINDS = ['neuronUpdate', 'spike', 'memWrite'] as const satisfies readonly OpKind[];

/** The two views of every multi-spike layer of the run, priced on each profile; undefined when the model has none. */
export function multiLevelSpikes(
  spec: ModelSpec,
  counts: OpCounts,
  energies: readonly Pick<ProfileEnergy, 'profile' | 'convention' | 'layers'>[],
): MultiLevelReport | undefined {
  const S = counts.samples;
  const byName = new Map(counts.layers.map((l) => [l.name, l]));
  const layers: MultiLevelReport['layers'] = [];
  for (const l of spec.layers) {
    const lc = byName.get(l.name);
    if (l.kind !== 'multiSpike' || !lc) continue;
    const sumOver = (kind: OpKind) => {
      let s = 0;
      for (let t = 0; t < counts.timesteps; t++) s += lc.ops[t * NUM_OP_KINDS + opIndex(kind)]!;
      return s / S;
    };
    const b = binaryExpansion(l, lc);
    const total = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / S;
    layers.push({
      name: l.name,
      levels: l.levels,
      integerEvents: { neuronUpdate: sumOver('neuronUpdate'), spike: sumOver('spike'), memWrite: sumOver('memWrite') },
      binaryExpansion: { neuronUpdate: total(b.neuronUpdate), spike: total(b.spike), memWrite: total(b.memWrite) },
    });
  }
  if (!layers.length) return undefined;
  const byProfile = energies
    .filter((e) => e.convention === 'exact')
    .map((e) => {
      // the profile's own energy of these kinds in these layers (its memory model included); the binary expansion
      // scales each kind by its count ratio: one op of a kind in a layer costs the same in both views
      let integerPj = 0,
        binaryPj = 0;
      for (const l of layers) {
        const le = e.layers.find((x) => x.name === l.name);
        if (!le || (le.unpriced ?? []).some((u) => (KINDS as readonly string[]).includes(u.op)))
          return { profile: e.profile, integerEventsPj: null, binaryExpansionPj: null };
        for (const k of KINDS) {
          const pj = le.perStep.reduce((a, s) => a + s.byOpKindPj[k], 0);
          integerPj += pj;
          binaryPj += l.integerEvents[k] > 0 ? (pj * l.binaryExpansion[k]) / l.integerEvents[k] : 0;
        }
      }
      return { profile: e.profile, integerEventsPj: integerPj, binaryExpansionPj: binaryPj };
    });
  return {
    note:
      'Integer events: one event of value m per nonzero element (what the counts above carry). Binary expansion: the same ' +
      'values as m unit spikes over D virtual steps, every neuron visited in each. The layers they feed count the same ' +
      'accumulates in both views.',
    layers,
    byProfile,
  };
}
