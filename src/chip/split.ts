import type { Architecture } from '../cost-models/architecture-schema.js';
import { convGroups } from '../models/spec.js';
import { inputAxons } from './capacity.js';
import type { ChipGraph, Connection, Population } from './graph.js';

/**
 * A neuron whose fan-in exceeds a core's input axons (TrueNorth's 256 for a 3x3 conv over 32 channels) is split the
 * way a corelet splits it: g partial-sum neurons per output neuron, each on its own cores and fed by a slice of the
 * input channels (C_in / g channels x k^2 x summands <= the axons), and the output neuron (the layer's LIF) with one
 * weight-1 synapse from each of its g partials. The partials' outputs are not simulated: each partial neuron is
 * taken to send one message every step (an upper bound on that traffic; on a chip without graded spikes a partial
 * sum is itself an approximation). Only conv populations are split; anything else over the axons is refused.
 */
export function splitForAxons(graph: ChipGraph, arch: Architecture): ChipGraph {
  const A = arch.core.maxInputAxons?.value;
  if (A === undefined) return graph;
  const populations: Population[] = [];
  const partials: string[] = [];
  const splitNotes: string[] = [];
  for (const pop of graph.populations) {
    const first = pop.inputs[0]?.connection;
    // a grouped conv is not split (its slices would cut groups); one over the axons is refused by the capacity check
    if (pop.kind !== 'conv' || first?.kind !== 'conv' || convGroups(first.conv) !== 1 || inputAxons(pop, 1) <= A) {
      populations.push(pop);
      continue;
    }
    const conv = first.conv,
      k2 = conv.k * conv.k,
      summands = pop.inputs.length;
    const perPart = Math.floor(A / (k2 * summands));
    if (perPart < 1) {
      populations.push(pop); // refused by the capacity check with its one line
      continue;
    }
    const g = Math.ceil(conv.in.c / perPart);
    const parts: string[] = [];
    for (let j = 0; j < g; j++) {
      const lo = j * perPart,
        hi = Math.min(conv.in.c, lo + perPart);
      const name = `${pop.layer}#part${j}`;
      parts.push(name);
      populations.push({
        ...pop,
        layer: name,
        fanIn: (hi - lo) * k2 * summands,
        sharedRowWeights: (hi - lo) * k2,
        inputs: pop.inputs.map((i) => ({ source: i.source, connection: { kind: 'conv', conv, inChannels: [lo, hi] } as Connection })),
      });
    }
    partials.push(...parts);
    populations.push({
      ...pop,
      fanIn: g,
      sharedRowWeights: g,
      weightRows: 1,
      inputs: parts.map((source) => ({ source, connection: { kind: 'identity' } as Connection })),
    });
    splitNotes.push(
      `${pop.layer}: fan-in ${inputAxons(pop, 1)} over ${A} input axons, split into ${g} partial-sum neurons per neuron ` +
        `(${perPart} input channels each); each partial sends one message per step (an upper bound)`,
    );
  }
  return { ...graph, populations, partials: [...graph.partials, ...partials], splitNotes: [...graph.splitNotes, ...splitNotes] };
}
