import type { AddLayer } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';
import { noteInput, requireEvents, type StepContext, type Value } from './context.js';

/**
 * SEW residual (activation before addition): out = a + b on non-negative integers; the multiplicity of an
 * output address is the sum of its inputs' multiplicities.
 *
 * | op       | count per (sample, t)                                  |
 * |----------|--------------------------------------------------------|
 * | add      | events of a + events of b (each merged once)           |
 * | memWrite | output events                                          |
 */
export function runAdd(layer: AddLayer, ctx: StepContext, a: Value, b: Value, acc: Int32Array, out: EventBuffer): void {
  noteInput(ctx, a);
  const ea = requireEvents(a, layer.name), eb = requireEvents(b, layer.name);
  // the second input is also part of what the layer received
  const lc = ctx.counts;
  lc.inputEvents[ctx.t]! += eb.count;
  let ub = 0;
  for (let i = 0; i < eb.count; i++) { ub += eb.mult[i]!; if (eb.mult[i] !== 1) lc.inputBinary = false; }
  lc.inputUnitSpikes[ctx.t]! += ub;
  acc.fill(0);
  for (let i = 0; i < ea.count; i++) acc[ea.addr[i]!]! += ea.mult[i]!;
  for (let i = 0; i < eb.count; i++) acc[eb.addr[i]!]! += eb.mult[i]!;
  out.fromDense(acc);
  ctx.sink.add(lc, ctx.t, 'add', ea.count + eb.count);
  ctx.sink.add(lc, ctx.t, 'memWrite', out.count);
  lc.outputSpikes[ctx.t]! += out.unitSpikes();
}
