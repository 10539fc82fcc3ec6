import { convGroups, type LayerSpec } from '../../models/spec.js';
import { convLifPair, runnerFor, type LayerEnv, type LayerRunner } from '../primitives/registry.js';

/**
 * The runners of a model's layers; with `fuse`, a conv read by one LIF alone (default neuron) runs with it where the
 * core has convEventsLif. Not for observers: a fused conv's own output is never materialised.
 */
export function runnersFor(layers: readonly LayerSpec[], env: LayerEnv, fuse: boolean): LayerRunner[] {
  const readers = new Map<string, LayerSpec[]>();
  for (const l of layers) for (const i of l.inputs) readers.set(i, [...(readers.get(i) ?? []), l]);
  const fused = new Map<string, LayerRunner>();
  return layers.map((l) => {
    const ready = fused.get(l.name);
    if (ready) return ready;
    const only = readers.get(l.name)?.length === 1 ? readers.get(l.name)![0]! : null;
    if (fuse && env.core.convEventsLif && l.kind === 'conv' && convGroups(l) === 1 && only?.kind === 'lif' && !only.neuron) {
      const [c, f] = convLifPair(l, only, env);
      fused.set(only.name, f);
      return c;
    }
    return runnerFor(l, env);
  });
}
