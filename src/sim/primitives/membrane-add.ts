import type { MembraneAddLayer } from '../../models/spec.js';
import { noteInput, requireDense, type StepContext, type Value } from './context.js';

/**
 * Membrane-shortcut (MS) residual (Spikingformer, SDT v1-v3, MS-QKFormer): out = a + b on real values, the BN
 * outputs of a block added to the residual stream before the next block's LIF. Real-valued, so it travels dense.
 *
 * | op       | count per (sample, t)                                                    |
 * |----------|--------------------------------------------------------------------------|
 * | add      | N (one add of two real values per element)                               |
 * | memRead  | N (the shortcut value, held since the block's entry, read back)          |
 * | memWrite | N (the sum, held as the next block's shortcut)                           |
 */
export function runMembraneAdd(layer: MembraneAddLayer, ctx: StepContext, a: Value, b: Value, out: Float64Array): void {
  noteInput(ctx, a);
  const xa = requireDense(a, layer.name),
    xb = requireDense(b, layer.name);
  for (let i = 0; i < out.length; i++) out[i] = xa[i]! + xb[i]!;
  const n = out.length;
  ctx.sink.add(ctx.counts, ctx.t, 'add', n);
  ctx.sink.add(ctx.counts, ctx.t, 'memRead', n);
  ctx.sink.add(ctx.counts, ctx.t, 'memWrite', n);
}
