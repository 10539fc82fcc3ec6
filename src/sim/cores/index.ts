import type { ComputeCore } from '../core.js';
import { ReferenceCore } from './reference.js';

/** Compute cores by name: one file per core plus one line here. */
export const CORES = {
  reference: () => new ReferenceCore() as ComputeCore,
} satisfies Record<string, () => ComputeCore>;

export type CoreName = keyof typeof CORES;
export const CORE_NAMES = Object.keys(CORES) as CoreName[];
export function isCoreName(s: string): s is CoreName { return Object.prototype.hasOwnProperty.call(CORES, s); }
