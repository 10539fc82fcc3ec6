import { readFileSync } from 'node:fs';
import type { ModelSpec } from '../models/spec.js';
import type { OpCounts } from '../sim/counts.js';
import { OP_KINDS } from '../sim/ops.js';
import { applyConvention, loadProfile, price, tablePerInference, type ConventionName } from '../cost-models/index.js';
import { parseConvention, parseList } from '../pipeline/index.js';
import type { EnergyArgs } from './options.js';

/** `infer --json`'s energy part: the convention's totals and, with --hardware, energy per profile. */
export interface EnergySection {
  convention?: ConventionName;
  totals?: Record<string, number>;
  energy?: Record<string, { totalMj: number; perOpKindPj: Record<string, number>; unpriced: Record<string, number> }>;
}

/** The `totals` (ops per image under the convention) and `energy` (per profile) parts of `infer --json`. */
export function energySection(a: EnergyArgs, counts: OpCounts, spec: ModelSpec): EnergySection {
  if (!a.hardware && !a.convention) return {};
  const convention = parseConvention(a.convention ?? 'exact');
  const table = applyConvention(convention, counts, spec);
  const totals = Object.fromEntries(OP_KINDS.map((k) => [k, tablePerInference(table, k)]).filter(([, v]) => v !== 0));
  const out: EnergySection = { convention, totals };
  if (a.hardware) {
    out.energy = {};
    const profiles = parseList(a.hardware, 'hardware').map((n) => loadProfile(n, (f) => readFileSync(f, 'utf8')));
    for (const p of profiles.map((pr) => price(counts, spec, pr, convention, { allowUnpriced: a.allowUnpriced ?? false }))) {
      out.energy[p.profile.name] = {
        totalMj: p.energyMjPerInference,
        perOpKindPj: Object.fromEntries(
          OP_KINDS.filter((k) => p.byKind[k].status === 'priced' && p.byKind[k].countPerInference > 0).map((k) => [
            k,
            p.byKind[k].energyPjPerInference,
          ]),
        ),
        unpriced: Object.fromEntries(p.unpriced.map((u) => [u.kind, u.countPerInference])),
      };
    }
  }
  return out;
}
