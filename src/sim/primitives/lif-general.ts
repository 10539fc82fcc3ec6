import type { LifParams } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';

/**
 * spikingjelly LIFNode with any of its parameters (MultiStepLIFNode, `neuronal_charge` / `neuronal_reset`):
 *   decay_input:      h[t] = v[t-1] + (x[t] - (v[t-1] - v_reset)) / tau
 *   not decay_input:  h[t] = v[t-1] - (v[t-1] - v_reset) / tau + x[t]
 *   (v_reset null, soft reset: the same with v_reset = 0)
 *   s[t] = (h[t] >= v_th);   hard reset: v[t] = s ? v_reset : h;   soft reset: v[t] = h - s * v_th
 * Membranes start at v_reset (hard) or 0 (soft). detach_reset changes only gradients.
 * NOTE: it runs here, not in a core: the cores' lifStep is the tau-2 hard-reset neuron of every zoo model so far; a
 * neuron with other parameters is the same few float64 operations on every core, so spikes stay identical.
 * Counted like the default LIF (lif.ts): one neuron update, one membrane read and write per neuron per step.
 */
export function lifStepGeneral(v: Float64Array, x: Float64Array, vThreshold: number, p: LifParams, out: EventBuffer): void {
  out.clear();
  const vr = p.vReset ?? 0,
    tau = p.tau;
  for (let i = 0; i < v.length; i++) {
    const vi = v[i]!;
    const h = p.decayInput ? vi + (x[i]! - (vi - vr)) / tau : vi - (vi - vr) / tau + x[i]!;
    if (h >= vThreshold) {
      out.push(i, 1);
      v[i] = p.vReset === null ? h - vThreshold : p.vReset;
    } else v[i] = h;
  }
}

/** A membrane's value before the first step: v_reset for a hard reset, 0 for a soft one. */
export function lifInitialMembrane(p: LifParams | undefined): number {
  return p?.vReset ?? 0;
}
