import type { Convention } from './table.js';
import { indexCounts } from './table.js';

/**
 * `exact`: what the event-driven run did, op for op (see the count tables in src/sim/primitives/*.ts):
 * synaptic layers fed events count one `ac` (and one weight `memRead`) per unit spike per reached output,
 * borders exact; fed dense values one `mac` per in-bounds tap; every LIF one `neuronUpdate` per neuron per
 * step plus its membrane `memRead`/`memWrite`; spikes, comparisons, residual adds and masks as they happen.
 */
export const exactConvention: Convention = {
  name: 'exact',
  summary: 'what the event-driven run did: every op the simulator performed, per layer and time step',
  apply(counts, spec) {
    const byName = indexCounts(counts, spec);
    return {
      convention: 'exact',
      model: counts.model,
      timesteps: counts.timesteps,
      samples: counts.samples,
      notes: [],
      rows: spec.layers.map((l) => {
        const lc = byName.get(l.name)!;
        return { name: l.name, kind: l.kind, layer: l.name, ops: Float64Array.from(lc.ops) };
      }),
    };
  },
};
