/**
 * The cost-model API: hardware profiles, counting conventions, pricing and derived metrics.
 *
 *   const profile = loadProfile('cmos45-fp32', (p) => readFileSync(p, 'utf8'));
 *   const pricing = price(sink.counts, spec, profile, 'exact', { allowUnpriced: false });
 *   const metrics = derivedMetrics(pricing, sink.counts, spec, profile);
 */
import type { OpCounts } from '../sim/counts.js';
import type { ModelSpec } from '../models/spec.js';
import { CONVENTIONS } from './conventions/index.js';
import type { ConventionName, ConventionOptions, ConventionTable } from './conventions/table.js';

export {
  listProfiles,
  loadProfile,
  isBuiltinProfile,
  builtinProfilePath,
  profileDir,
  PROFILE_DIR,
  UnknownProfileError,
} from './profiles.js';
export type { ReadText } from './profiles.js';
export { parseProfile, profileSchema, ProfileError, PROVENANCES, PROFILE_SCHEMA_VERSION } from './profile-schema.js';
export type { HardwareProfile, OpPrice, MemoryModel, Provenance } from './profile-schema.js';
export { architectureSchema, CHIP_EVENTS } from './architecture-schema.js';
export type { Architecture, ChipEvent, EventCost, ProcessorOp } from './architecture-schema.js';
export { memoryWordEnergyPj, MemoryModelError } from './memory.js';
export type { LargeMemory } from './memory.js';
export { CONVENTIONS, isConventionName } from './conventions/index.js';
export { CONVENTION_NAMES, tablePerInference, rowTotal } from './conventions/table.js';
export type { ConventionName, ConventionOptions, ConventionTable, ConventionRow, RowKind } from './conventions/table.js';
export { price, priceTable, priceStatus, processorPrice, UnpricedOpError, PRICING_SCHEMA_VERSION } from './price.js';
export type { Pricing, PricedRow, PriceOptions, PriceStatus, KindSummary } from './price.js';
export { derivedMetrics, BREAK_EVEN } from './derived.js';
export type { DerivedMetrics } from './derived.js';

/** Turns one simulation's exact counts into the counts a convention reports (layer x t x kind). Pure. */
export function applyConvention(name: ConventionName, counts: OpCounts, spec: ModelSpec, opts: ConventionOptions = {}): ConventionTable {
  return CONVENTIONS[name].apply(counts, spec, opts);
}
