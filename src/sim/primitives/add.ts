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
/**
 * out = a + b. Events in address order (every producer emits them so) merge in one pass over the events; any
 * other order goes through the dense accumulator. Either way the output is in address order.
 */
function mergeEvents(ea: EventBuffer, eb: EventBuffer, acc: Int32Array, out: EventBuffer): void {
  const na = ea.count,
    nb = eb.count,
    aa = ea.addr,
    ab = eb.addr;
  let sorted = true;
  for (let i = 1; i < na && sorted; i++) if (aa[i]! <= aa[i - 1]!) sorted = false;
  for (let i = 1; i < nb && sorted; i++) if (ab[i]! <= ab[i - 1]!) sorted = false;
  if (!sorted) {
    acc.fill(0);
    for (let i = 0; i < na; i++) acc[aa[i]!]! += ea.mult[i]!;
    for (let i = 0; i < nb; i++) acc[ab[i]!]! += eb.mult[i]!;
    out.fromDense(acc);
    return;
  }
  const oa = out.addr,
    om = out.mult,
    ma = ea.mult,
    mb = eb.mult;
  let i = 0,
    j = 0,
    k = 0;
  while (i < na && j < nb) {
    const x = aa[i]!,
      y = ab[j]!;
    if (x < y) {
      oa[k] = x;
      om[k] = ma[i]!;
      i++;
    } else if (y < x) {
      oa[k] = y;
      om[k] = mb[j]!;
      j++;
    } else {
      oa[k] = x;
      om[k] = ma[i]! + mb[j]!;
      i++;
      j++;
    }
    k++;
  }
  for (; i < na; i++, k++) {
    oa[k] = aa[i]!;
    om[k] = ma[i]!;
  }
  for (; j < nb; j++, k++) {
    oa[k] = ab[j]!;
    om[k] = mb[j]!;
  }
  out.count = k;
}

export function runAdd(layer: AddLayer, ctx: StepContext, a: Value, b: Value, acc: Int32Array, out: EventBuffer): void {
  noteInput(ctx, a);
  const ea = requireEvents(a, layer.name),
    eb = requireEvents(b, layer.name);
  // the second input is also part of what the layer received
  const lc = ctx.counts;
  lc.inputEvents[ctx.t]! += eb.count;
  let ub = 0;
  for (let i = 0; i < eb.count; i++) {
    ub += eb.mult[i]!;
    if (eb.mult[i] !== 1) lc.inputBinary = false;
  }
  lc.inputUnitSpikes[ctx.t]! += ub;
  mergeEvents(ea, eb, acc, out);
  ctx.sink.add(lc, ctx.t, 'add', ea.count + eb.count);
  ctx.sink.add(lc, ctx.t, 'memWrite', out.count);
  lc.outputSpikes[ctx.t]! += out.unitSpikes();
}
