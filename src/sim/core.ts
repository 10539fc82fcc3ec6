import type { ConvLayer, MaxPoolLayer } from '../models/spec.js';
import type { FoldedConv } from '../models/fold.js';
import type { EventBuffer } from './events.js';

/**
 * A compute core implements the heavy kernels. Counting never happens here: the primitives count from
 * the events and shapes, so every core yields identical counts. Activations are token-major `[n][c]`.
 *
 * Folded conv weights arrive in the official layout `[outC][inC][k][k]` (float64, BatchNorm folded in);
 * a core may re-lay them out once in `prepareConv`.
 */
export interface ComputeCore {
  readonly name: string;
  /** Called once per conv layer before the first step (compile kernels, re-layout weights). */
  prepareConv(layer: ConvLayer, w: FoldedConv): void;
  /**
   * Event-driven synaptic accumulation: for each event (input address a = n_in * inC + c, multiplicity m),
   * acc[n_out * outC + o] += m * W[o][c][ky][kx] for every output n_out the input reaches.
   * `acc` arrives holding the bias (or zero) and is added to.
   */
  convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void;
  /**
   * Optional: convEvents into an `acc` the core starts from the layer's folded bias itself (its contents are not
   * read): the same numbers, without the caller writing the bias into every cell first.
   */
  convEventsFromBias?(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void;
  /** Dense real-valued input x `[n_in][c]`: acc[n_out][o] += sum over in-bounds taps of x * W. */
  convDense(layer: ConvLayer, x: Float64Array, acc: Float64Array): void;
  /**
   * LIF step over a whole tensor (tau = 2, decay_input, v_reset = 0):
   *   h = v + (x - v) / 2;  s = h >= vThreshold;  v = s ? 0 : h
   * Writes the addresses of spikes (multiplicity 1) into `out`, in address order.
   */
  lifStep(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void;
  /**
   * Optional: lifStep that also returns how many inputs x are nonzero (x !== 0), read in the same pass; the LIF's
   * input statistics then skip their own scan (the same integer).
   */
  lifStepNonzero?(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): number;
  /**
   * Optional: the dense max pool of maxpool.ts in the same doubles (y[o][c] = -inf, then y = v > y ? v : y over the
   * in-bounds window, rows then columns ascending). Absent: maxpool.ts computes it.
   */
  maxPoolDense?(layer: MaxPoolLayer, x: Float64Array, y: Float64Array): void;
  /**
   * Optional: SSA's 'q(kv)' product (ssa.ts) on events in address order, H heads of C / H channels, N tokens:
   * y[n][h d + j] = sum_i Q[n][h d + i] sum_n' K[n'][h d + i] V[n'][h d + j] (unscaled), `m` its H d d scratch. Integer
   * terms: every core gives the same doubles. Returns false where it declines (events out of order): ssa.ts computes it.
   */
  ssaQkv?(q: EventBuffer, k: EventBuffer, v: EventBuffer, shape: Int32Array, m: Float64Array, y: Float64Array): boolean;
  /**
   * Optional: convEventsFromBias, then lifStepNonzero on those currents with `v`, without writing the currents out
   * (a conv whose only reader is a LIF). Spikes go into `out`; stats = [nonzero currents, 1 when every current is 0
   * or 1 (checked only when stats[1] is 1 on entry)]. Returns false where it declines (events out of order).
   */
  convEventsLif?(layer: ConvLayer, ev: EventBuffer, v: Float64Array, vThreshold: number, out: EventBuffer, stats: Int32Array): boolean;
  /** Release resources (GPU contexts). */
  dispose(): void;
}

export interface CoreInfo {
  name: string;
  mode: string;
  detail: string;
}
