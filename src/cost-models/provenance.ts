/**
 * Provenance of a number in a hardware profile (op prices, memory points, architecture capacities and events):
 *  - `measured`: measured on silicon of the named chip;
 *  - `fitted`: fitted to measurements or simulations of the chip (e.g. SANA-FE's per-unit costs);
 *  - `pre-silicon`: simulated (SPICE / SDF) before or without a silicon measurement;
 *  - `analytical`: derived from a table of primitive costs or a datasheet by a stated formula;
 *  - `operating-point-average`: whole-chip power at one operating point divided by an event rate, so it
 *    includes static power and every other activity (e.g. TrueNorth's 26 pJ per synaptic event);
 *  - `published-spec`: a design figure its makers publish (cores per chip, neurons per core, a fixed tick).
 */
export const PROVENANCES = ['measured', 'fitted', 'pre-silicon', 'analytical', 'operating-point-average', 'published-spec'] as const;
export type Provenance = (typeof PROVENANCES)[number];
