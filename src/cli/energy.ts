import type { Argv } from 'yargs';
import type { ModelSpec } from '../models/spec.js';
import type { OpCounts } from '../sim/counts.js';

/** `--convention`, `--hardware`, `--allow-unpriced` for commands that price their counts. */
export interface EnergyArgs { convention?: string | undefined; hardware?: string | undefined; allowUnpriced?: boolean | undefined }

export function withEnergyOptions<T>(y: Argv<T>) {
  return y
    .option('convention', { type: 'string', describe: 'counting convention: exact | syops | spikformer' })
    .option('hardware', { type: 'string', describe: 'hardware profiles, comma-separated names or paths to JSON profiles' })
    .option('allow-unpriced', { type: 'boolean', describe: 'report ops a profile does not price as unpriced instead of failing' });
}

export interface EnergySection {
  totals?: Record<string, number>;
  energy?: Record<string, { totalMj: number; perOpKindPj: Record<string, number> }>;
}

/** Filled in once the cost models are wired. */
export function energySection(a: EnergyArgs, _counts: OpCounts, _spec: ModelSpec): EnergySection {
  if (a.hardware || a.convention) return {};
  return {};
}
