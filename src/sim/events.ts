/**
 * Event buffer: the active addresses of one spiking tensor (one layer, one sample, one time step), each with
 * its multiplicity (1 for LIF outputs; 0, 1, 2, ... for SEW residual sums, where zeros are not stored).
 * Addresses index the token-major layout `[n][c]`. Buffers are allocated once per layer and reused.
 */
export class EventBuffer {
  count = 0;
  /**
   * Every multiplicity is 1: said by a producer that emits unit spikes only (the LIF), so that consumers skip reading
   * the multiplicities. A producer that writes `count` itself calls changed(); clear(), push() and fromDense() do.
   */
  unit = false;
  /** The sum of multiplicities and whether each is 1, scanned once per content (-1: not yet). */
  private units = -1;
  private ones = false;
  readonly addr: Int32Array;
  readonly mult: Int32Array;
  constructor(readonly size: number) {
    this.addr = new Int32Array(size);
    this.mult = new Int32Array(size);
  }
  clear(): void {
    this.count = 0;
    this.changed(false);
  }
  /** A producer that knows them: the sum of the multiplicities just written and whether each is 1. */
  known(units: number, ones: boolean): void {
    this.units = units;
    this.ones = ones;
  }
  /** The contents were rewritten in place; `unit`: every multiplicity is 1. */
  changed(unit: boolean): void {
    this.unit = unit;
    this.units = -1;
  }
  push(address: number, multiplicity: number): void {
    this.addr[this.count] = address;
    this.mult[this.count] = multiplicity;
    this.count++;
    this.units = -1;
  }
  /** Total unit spikes: sum of multiplicities (a residual stream read by several layers is summed once). */
  unitSpikes(): number {
    if (this.unit) return this.count;
    if (this.units < 0) this.scan();
    return this.units;
  }
  /** Whether every multiplicity is 1. */
  allOnes(): boolean {
    if (this.unit) return true;
    if (this.units < 0) this.scan();
    return this.ones;
  }
  private scan(): void {
    let s = 0,
      ones = true;
    for (let i = 0; i < this.count; i++) {
      const m = this.mult[i]!;
      s += m;
      if (m !== 1) ones = false;
    }
    this.units = s;
    this.ones = ones;
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
    this.changed(false);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v !== 0) this.push(i, v);
    }
    return this;
  }
}
