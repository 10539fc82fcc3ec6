import type { MemoryModel } from './profile-schema.js';
import { InputError } from '../errors.js';

/**
 * What a memory larger than the largest on-chip point costs:
 *  - 'banked' (default): the largest point's energy per access, i.e. a large memory built from banks of that
 *    size, one bank touched per access (wire energy between banks is not modelled);
 *  - 'offChip': the profile's off-chip (DRAM) energy; an error when the profile has none.
 */
export type LargeMemory = 'banked' | 'offChip';

export class MemoryModelError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryModelError';
  }
}

/**
 * Energy in pJ of one access to a memory of `capacityBytes`, for an access of the points' width:
 * linear in log2(capacity) between the two enclosing on-chip points,
 *   E(c) = E_i + (E_{i+1} - E_i) * (log2 c - log2 c_i) / (log2 c_{i+1} - log2 c_i),
 * the smallest point's energy below the smallest capacity, and `largeMemory` above the largest.
 * Returns energy per counted word: E(c) * wordBits / accessBits.
 */
export function memoryWordEnergyPj(m: MemoryModel, capacityBytes: number, largeMemory: LargeMemory = 'banked'): number {
  const pts = m.onChip;
  const first = pts[0]!,
    last = pts[pts.length - 1]!;
  const perWord = (energyPjPerAccess: number, accessBits: number) => (energyPjPerAccess * m.wordBits) / accessBits;
  if (!(capacityBytes > first.capacityBytes)) return perWord(first.energyPjPerAccess, first.accessBits);
  if (capacityBytes > last.capacityBytes) {
    switch (largeMemory) {
      case 'banked':
        return perWord(last.energyPjPerAccess, last.accessBits);
      case 'offChip': {
        if (!m.offChip)
          throw new MemoryModelError(
            `a memory of ${capacityBytes} bytes exceeds the largest on-chip point (${last.capacityBytes} bytes) and the profile has no off-chip energy`,
          );
        return perWord(m.offChip.energyPjPerAccess, m.offChip.accessBits);
      }
    }
  }
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!,
      b = pts[i]!;
    if (capacityBytes > b.capacityBytes) continue;
    const f = (Math.log2(capacityBytes) - Math.log2(a.capacityBytes)) / (Math.log2(b.capacityBytes) - Math.log2(a.capacityBytes));
    const ea = perWord(a.energyPjPerAccess, a.accessBits),
      eb = perWord(b.energyPjPerAccess, b.accessBits);
    return ea + (eb - ea) * f;
  }
  return perWord(last.energyPjPerAccess, last.accessBits);
}
