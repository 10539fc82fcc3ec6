import { CountingSink, type LayerCounts, type OpCounts } from '../../src/sim/counts.js';
import { NUM_OP_KINDS, opIndex, type OpKind } from '../../src/sim/ops.js';
import { numel, type ModelSpec } from '../../src/models/spec.js';

/** Empty counts for a spec: every layer present, input sizes filled in from the spec, nothing counted. */
export function emptyCounts(spec: ModelSpec, samples: number): OpCounts {
  const T = spec.config.timesteps;
  const c = new CountingSink(spec, T).counts;
  c.samples = samples;
  const shapes = new Map(spec.layers.map((l) => [l.name, l.out] as const));
  for (const l of spec.layers) {
    const lc = layer(c, l.name);
    const first = l.inputs[0]!;
    lc.inputElements = numel(first === 'input' ? spec.inputShape : shapes.get(first)!);
  }
  return c;
}

export function layer(c: OpCounts, name: string): LayerCounts {
  const lc = c.layers.find((l) => l.name === name);
  if (!lc) throw new Error(`no layer ${name}`);
  return lc;
}

export function setOps(c: OpCounts, name: string, t: number, kind: OpKind, n: number): void {
  layer(c, name).ops[t * NUM_OP_KINDS + opIndex(kind)] = n;
}

/**
 * Counts of a run in which every spike tensor fires at `rate` unit spikes per element per step: the model input
 * is dense real values, every other layer input travels as events with that rate.
 */
export function uniformRateCounts(spec: ModelSpec, samples: number, rate: number): OpCounts {
  const c = emptyCounts(spec, samples);
  const T = spec.config.timesteps;
  for (const l of spec.layers) {
    const lc = layer(c, l.name);
    const fromInput = l.inputs[0] === 'input';
    lc.inputIsEvents = !fromInput;
    lc.inputBinary = !fromInput;
    for (let t = 0; t < T; t++) {
      if (!fromInput) {
        lc.inputUnitSpikes[t] = rate * lc.inputElements * samples;
        lc.inputEvents[t] = lc.inputUnitSpikes[t]!;
      }
      if (l.kind === 'lif' || l.kind === 'add' || l.kind === 'mask') lc.outputSpikes[t] = rate * lc.outputElements * samples;
    }
  }
  return c;
}
