/**
 * Event buffer: the active addresses of one spiking tensor (one layer, one sample, one time step), each with
 * its multiplicity (1 for LIF outputs; 0, 1, 2, ... for SEW residual sums, where zeros are not stored).
 * Addresses index the token-major layout `[n][c]`. Buffers are allocated once per layer and reused.
 */
export class EventBuffer {
  count = 0;
  /**
   * Every multiplicity is 1: set by a producer that emits unit spikes only (the LIF), so that consumers skip reading
   * the multiplicities; cleared by clear() and fromDense() and by any producer that writes `count` itself.
   */
  unit = false;
  readonly addr: Int32Array;
  readonly mult: Int32Array;
  constructor(readonly size: number) {
    this.addr = new Int32Array(size);
    this.mult = new Int32Array(size);
  }
  clear(): void {
    this.count = 0;
    this.unit = false;
  }
  push(address: number, multiplicity: number): void {
    this.addr[this.count] = address;
    this.mult[this.count] = multiplicity;
    this.count++;
  }
  /** Total unit spikes: sum of multiplicities. */
  unitSpikes(): number {
    if (this.unit) return this.count;
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.mult[i]!;
    return s;
  }
  /** Dense copy into `out` (zeroed first). */
  toDense(out: Float64Array): Float64Array {
    out.fill(0);
    for (let i = 0; i < this.count; i++) out[this.addr[i]!] = this.mult[i]!;
    return out;
  }
  /** Events of a dense non-negative integer tensor, in address order. */
  fromDense(x: ArrayLike<number>): this {
    this.count = 0;
    this.unit = false;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v !== 0) this.push(i, v);
    }
    return this;
  }
}
