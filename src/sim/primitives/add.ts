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
 * The merged output ascends strictly iff both inputs do (each input's order is kept in the output), so the merge
 * checks its own output instead of scanning the inputs first.
 */
const END = 0x7fffffff;
function mergeEvents(ea: EventBuffer, eb: EventBuffer, acc: Int32Array, out: EventBuffer): boolean {
  const na = ea.count,
    nb = eb.count,
    aa = ea.addr,
    ab = eb.addr,
    oa = out.addr,
    om = out.mult,
    ma = ea.mult,
    mb = eb.mult;
  let i = 0,
    j = 0,
    k = 0,
    last = -1,
    sorted = true;
  // one loop to the end of both lists (an exhausted list reads as 2^31 - 1, past every address, an int32 like them):
  // no tail loop that the optimizing compiler would first meet without type feedback (a deoptimization per call)
  while (i < na || j < nb) {
    const x = i < na ? aa[i]! : END,
      y = j < nb ? ab[j]! : END;
    let z: number;
    if (x < y) {
      z = x;
      om[k] = ma[i]!;
      i++;
    } else if (y < x) {
      z = y;
      om[k] = mb[j]!;
      j++;
    } else {
      z = x;
      om[k] = ma[i]! + mb[j]!;
      i++;
      j++;
    }
    if (z <= last) sorted = false;
    oa[k++] = last = z;
  }
  out.count = k;
  out.changed(false);
  if (sorted) return true;
  acc.fill(0);
  for (let e = 0; e < na; e++) acc[aa[e]!]! += ma[e]!;
  for (let e = 0; e < nb; e++) acc[ab[e]!]! += mb[e]!;
  out.fromDense(acc);
  return false;
}

export function runAdd(layer: AddLayer, ctx: StepContext, a: Value, b: Value, acc: Int32Array, out: EventBuffer): void {
  const ua = noteInput(ctx, a);
  const ea = requireEvents(a, layer.name),
    eb = requireEvents(b, layer.name);
  // the second input is also part of what the layer received
  const lc = ctx.counts;
  lc.inputEvents[ctx.t]! += eb.count;
  const ub = eb.unitSpikes();
  if (!eb.allOnes()) lc.inputBinary = false;
  lc.inputUnitSpikes[ctx.t]! += ub;
  // a merge keeps every input entry: all ones iff both inputs are and no address is in both (k = na + nb)
  if (mergeEvents(ea, eb, acc, out)) out.known(ua + ub, out.count === ea.count + eb.count && ea.allOnes() && eb.allOnes());
  ctx.sink.add(lc, ctx.t, 'add', ea.count + eb.count);
  ctx.sink.add(lc, ctx.t, 'memWrite', out.count);
  // a sum keeps the unit spikes of its inputs
  lc.outputSpikes[ctx.t]! += ua + ub;
}
