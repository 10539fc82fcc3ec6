import { InputError } from '../errors.js';
import { CONVENTION_NAMES, type ConventionName } from '../cost-models/index.js';
import { CORE_NAMES, type CoreName } from '../sim/cores/index.js';
import type { BatchCoupling } from '../sim/schedule/time-major.js';
import { WEIGHT_SHARINGS, type WeightSharing } from '../chip/index.js';

/** The batch-coupling modes of the simulator (src/sim/schedule/time-major.ts). */
export const BATCH_COUPLINGS = ['independent', 'official'] as const satisfies readonly BatchCoupling[];

/**
 * The one parser of a value out of a closed set (`--core`, `--convention`, `--batch-coupling`, ...).
 * `what` names the option in the message: "unknown core 'x' (use reference, gpujs)".
 */
export function parseChoice<T extends string>(value: string, choices: readonly T[], what: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`unknown ${what} '${value}' (use ${choices.join(', ')})`);
}

export const parseCore = (s: string): CoreName => parseChoice(s, CORE_NAMES, 'core');
export const parseConvention = (s: string): ConventionName => parseChoice(s, CONVENTION_NAMES, 'convention');
export const parseBatchCoupling = (s: string): BatchCoupling => parseChoice(s, BATCH_COUPLINGS, 'batch coupling');
export const parseWeightSharing = (s: string): WeightSharing => parseChoice(s, WEIGHT_SHARINGS, 'weight sharing');

/** Comma-separated list, blanks dropped; empty is an error naming the option. */
export function parseList(s: string, what: string): string[] {
  const xs = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!xs.length) throw new InputError(`--${what} is empty`);
  return xs;
}
