import type { SpikeAndLayer } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';
import { noteInput, requireEvents, type StepContext, type Value } from './context.js';

/**
 * Spike AND (SDSA's K ⊙ V, SDT v1): out[n][c] = a[n][c] * b[n][c], the Hadamard product of two spike tensors
 * (an AND on binary spikes; the product of multiplicities on integer ones, as `k.mul(v)` computes). Spike-driven:
 * each event of `a` looks up `b` at its address. SDSA is this, then a sum over tokens per channel (tokenSum), a
 * LIF (v_th 0.5) and a channel mask of Q.
 *
 * | op       | count per (sample, t)                                     |
 * |----------|-----------------------------------------------------------|
 * | mask     | events of a (each ANDed with b at its address)            |
 */
export function runSpikeAnd(layer: SpikeAndLayer, ctx: StepContext, a: Value, b: Value, mb: Int32Array, out: EventBuffer): void {
  noteInput(ctx, a);
  const ea = requireEvents(a, layer.name),
    eb = requireEvents(b, layer.name);
  mb.fill(0);
  for (let i = 0; i < eb.count; i++) mb[eb.addr[i]!] = eb.mult[i]!;
  out.clear();
  for (let i = 0; i < ea.count; i++) {
    const addr = ea.addr[i]!,
      m = mb[addr]!;
    if (m !== 0) out.push(addr, ea.mult[i]! * m);
  }
  ctx.sink.add(ctx.counts, ctx.t, 'mask', ea.count);
  ctx.counts.outputSpikes[ctx.t]! += out.unitSpikes();
}
