import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { ModelSpec } from '../models/spec.js';
import type { OpCounts } from '../sim/counts.js';
import { OP_KINDS } from '../sim/ops.js';
import {
  applyConvention, isConventionName, loadProfile, price, tablePerInference, CONVENTION_NAMES,
  type ConventionName, type HardwareProfile, type Pricing,
} from '../cost-models/index.js';
import { UserError } from './errors.js';

/** `--convention`, `--hardware`, `--allow-unpriced` for commands that price their counts. */
export interface EnergyArgs { convention?: string | undefined; hardware?: string | undefined; allowUnpriced?: boolean | undefined }

export function withEnergyOptions<T>(y: Argv<T>) {
  return y
    .option('convention', { type: 'string', describe: 'counting convention: exact (what the event-driven run did) | syops | spikformer (the paper formula)' })
    .option('hardware', { type: 'string', describe: 'hardware profiles, comma-separated built-in names (`spikewatt hardware`) or paths to JSON profiles' })
    .option('allow-unpriced', { type: 'boolean', describe: 'report ops a profile does not price as unpriced counts instead of failing' });
}

export function parseConvention(s: string | undefined): ConventionName {
  const c = s ?? 'exact';
  if (!isConventionName(c)) throw new UserError(`unknown convention '${c}' (use ${CONVENTION_NAMES.join(', ')})`);
  return c;
}

/** Loads each listed profile (names or paths); errors become one-line user errors. */
export function loadProfiles(list: string): HardwareProfile[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new UserError('--hardware is empty');
  return names.map((n) => {
    try { return loadProfile(n, (p) => readFileSync(p, 'utf8')); } catch (e) { throw new UserError((e as Error).message); }
  });
}

export function priceAll(counts: OpCounts, spec: ModelSpec, profiles: HardwareProfile[], convention: ConventionName, allowUnpriced: boolean): Pricing[] {
  return profiles.map((p) => {
    try { return price(counts, spec, p, convention, { allowUnpriced }); } catch (e) { throw new UserError((e as Error).message); }
  });
}

export interface EnergySection {
  convention?: ConventionName;
  totals?: Record<string, number>;
  energy?: Record<string, { totalMj: number; perOpKindPj: Record<string, number>; unpriced: Record<string, number> }>;
}

/** The `totals` (ops per image under the convention) and `energy` (per profile) parts of `infer --json`. */
export function energySection(a: EnergyArgs, counts: OpCounts, spec: ModelSpec): EnergySection {
  if (!a.hardware && !a.convention) return {};
  const convention = parseConvention(a.convention);
  const table = applyConvention(convention, counts, spec);
  const totals = Object.fromEntries(OP_KINDS.map((k) => [k, tablePerInference(table, k)]).filter(([, v]) => v !== 0));
  const out: EnergySection = { convention, totals };
  if (a.hardware) {
    out.energy = {};
    for (const p of priceAll(counts, spec, loadProfiles(a.hardware), convention, a.allowUnpriced ?? false)) {
      out.energy[p.profile.name] = {
        totalMj: p.energyMjPerInference,
        perOpKindPj: Object.fromEntries(OP_KINDS.filter((k) => p.byKind[k].status === 'priced' && p.byKind[k].countPerInference > 0).map((k) => [k, p.byKind[k].energyPjPerInference])),
        unpriced: Object.fromEntries(p.unpriced.map((u) => [u.kind, u.countPerInference])),
      };
    }
  }
  return out;
}
