import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConvLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import type { ComputeCore } from '../core.js';
import type { EventBuffer } from '../events.js';
import { relayoutConv, scatterInto } from './reference.js';
import { CoreUnavailableError } from './unavailable.js';

/**
 * The wasm core: conv layers as a gather over each output cell's active receptive field, in WebAssembly SIMD
 * (`assembly/kernels.ts`, built by `npm run build:wasm`), float64 with register blocking over 16 output
 * channels. The terms of every current are added in the reference core's order with the same roundings, so
 * currents, spikes and logits are bit-identical to the reference core (the conformance suite checks it).
 *
 * The module's memory holds the weights of every layer (`[c][ky][kx][o]`, float64) and shared scratch:
 * per call the events (address, multiplier) and the accumulators are copied in, the currents copied out.
 */
export const WASM_PATH = fileURLToPath(new URL('../../../build/kernels.wasm', import.meta.url));

interface Exports {
  memory: WebAssembly.Memory;
  buildPositions(addr: number, count: number, inC: number, nIn: number, pos: number): void;
  countCellLists(pos: number, inH: number, inW: number, outH: number, outW: number, k: number, stride: number, pad: number): number;
  buildCellLists(
    addr: number,
    evBase: number,
    mult: number,
    withMult: number,
    pos: number,
    inC: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    k: number,
    stride: number,
    pad: number,
    cellStart: number,
    rows: number,
    rel: number,
    mults: number,
  ): number;
  gatherAccumulate: GatherKernel;
  gatherAccumulateF32: GatherKernel;
  scanEvents(addr: number, mult: number, n: number): number;
  mapBases(mult: number, bases: number, n: number): void;
}

type GatherKernel = (
  cells: number,
  outC: number,
  rowsTotal: number,
  chunkRows: number,
  cellStart: number,
  rows: number,
  rel: number,
  mults: number,
  acc: number,
  withMult: number,
  cursor: number,
) => void;

/**
 * `f64`: bit-identical to the reference core. `f32`: float32 weights and sums (as the official PyTorch code
 * computes), twice the SIMD lanes; a current within float32 rounding of a threshold can flip a spike.
 */
export type WasmPrecision = 'f64' | 'f32';

let moduleCache: WebAssembly.Module | null = null;

/** Why the wasm core cannot run here, or null when it can. */
export function wasmUnavailableReason(): string | null {
  if (!existsSync(WASM_PATH)) return `the wasm kernels are not built (${WASM_PATH} missing): run npm run build:wasm`;
  try {
    loadModule();
  } catch (e) {
    return `the wasm kernels do not load: ${(e as Error).message}`;
  }
  return null;
}

function loadModule(): WebAssembly.Module {
  moduleCache ??= new WebAssembly.Module(readFileSync(WASM_PATH));
  return moduleCache;
}

interface Region {
  ptr: number;
  bytes: number;
}
/**
 * `tables[m]`: the weights premultiplied by the integer multiplicity m (m = 1 is the layer's weights), made on
 * first use. fl(m * w) is the same double the reference computes per event, so a gather over premultiplied rows
 * adds the same terms without a multiply; in float32 the table holds fl32(m fl32(w)), the term of the multiply path.
 */
interface Prepared {
  layer: ConvLayer;
  wT: Float64Array;
  tables: (Region | undefined)[];
}

/** Multiplicities above this take the multiply path (a SEW sum rarely passes the number of residual adds). */
const MAX_TABLE_M = 8;
/** Weight rows per chunk of the gather: 256 rows x 16 doubles = 32 KiB, half an L1 data cache. */
const CHUNK_ROWS = 256;

/** Round up to 16 bytes so every v128 load is aligned. */
const align = (n: number) => Math.ceil(n / 16) * 16; // not bitwise: addresses pass 2^31 on big models
/** A 32-bit WebAssembly memory holds at most 4 GiB. */
const MAX_MEMORY_BYTES = 2 ** 32;
/**
 * Bytes the premultiplied tables (m >= 2) may take per core; past it a layer's multiplicities take the multiply
 * path (same results, a multiply per term). Keeps ImageNet-size models (65 M weights) within memory.
 */
const TABLE_BUDGET_BYTES = 512 * 2 ** 20;
/** Register block: 16 float64 or 32 float32 channels (128 bytes, 8 v128 registers). */
const BLOCK = { f64: 16, f32: 32 } as const;
const BYTES = { f64: 8, f32: 4 } as const;

export class WasmCore implements ComputeCore {
  readonly name: string;
  readonly precision: WasmPrecision;
  private readonly x: Exports;
  private top = 0;
  private readonly prepared = new Map<string, Prepared>();
  /** Scratch, grown on demand (never shrinks): event addresses, multipliers, positions, cell lists, accumulators. */
  private scratch: {
    addr: Region;
    evBase: Region;
    bases: Region;
    mult: Region;
    pos: Region;
    cellStart: Region;
    cursor: Region;
    rows: Region;
    rel: Region;
    mults: Region;
    acc: Region;
  } | null = null;
  private scratchCap = { events: 0, positions: 0, cells: 0, list: 0, acc: 0 };

  private readonly tableBudget: number;

  constructor(opts: { precision?: WasmPrecision; tableBudgetBytes?: number } = {}) {
    this.precision = opts.precision ?? 'f64';
    this.tableBudget = opts.tableBudgetBytes ?? TABLE_BUDGET_BYTES;
    this.name = this.precision === 'f64' ? 'wasm' : 'wasm-f32';
    const why = wasmUnavailableReason();
    if (why) throw new CoreUnavailableError(why);
    this.x = new WebAssembly.Instance(loadModule(), {}).exports as unknown as Exports;
    this.top = this.x.memory.buffer.byteLength;
  }

  private alloc(bytes: number): Region {
    const ptr = this.top;
    if (align(ptr + bytes) > MAX_MEMORY_BYTES) {
      throw new Error(`the ${this.name} core needs more than 4 GiB of WebAssembly memory for this model; use --core reference`);
    }
    this.top = align(ptr + bytes);
    const have = this.x.memory.buffer.byteLength;
    if (this.top > have) this.x.memory.grow(Math.ceil((this.top - have) / 65536));
    return { ptr, bytes };
  }

  private f64(r: Region, n = r.bytes / 8): Float64Array {
    return new Float64Array(this.x.memory.buffer, r.ptr, n);
  }
  private i32(r: Region, n = r.bytes / 4): Int32Array {
    return new Int32Array(this.x.memory.buffer, r.ptr, n);
  }
  /** A view of the weight tables and accumulators in this core's precision. */
  private real(r: Region, n = r.bytes / BYTES[this.precision]): Float64Array | Float32Array {
    return this.precision === 'f64' ? new Float64Array(this.x.memory.buffer, r.ptr, n) : new Float32Array(this.x.memory.buffer, r.ptr, n);
  }
  private padded(outC: number): number {
    const b = BLOCK[this.precision];
    return Math.ceil(outC / b) * b;
  }

  prepareConv(layer: ConvLayer, w: FoldedConv): void {
    const wT = relayoutConv(layer, w);
    // the JS copy serves the premultiplied tables and the fallback for events out of address order
    const p: Prepared = { layer, wT, tables: [] };
    this.prepared.set(layer.name, p);
    this.table(p, 1);
  }

  private tableBytes = 0;

  /** Whether the missing tables for multiplicities 2..maxM fit in the budget. */
  private tablesFit(p: Prepared, maxM: number): boolean {
    let need = 0;
    const size = this.padded(p.layer.out.c) * p.layer.k * p.layer.k * p.layer.in.c * BYTES[this.precision];
    for (let m = 2; m <= maxM; m++) if (!p.tables[m]) need += size;
    return this.tableBytes + need <= this.tableBudget;
  }

  /** Byte address of the weights premultiplied by m. */
  private table(p: Prepared, m: number): number {
    let r = p.tables[m];
    if (!r) {
      const B = BLOCK[this.precision];
      r = this.alloc(this.padded(p.layer.out.c) * p.layer.k * p.layer.k * p.layer.in.c * BYTES[this.precision]);
      // [c][ky][kx][o] -> block-major [o / B][row = (ky * k + kx) * inC + c][B], times m, zero-padded channels
      const dst = this.real(r),
        src = p.wT,
        { k } = p.layer,
        inC = p.layer.in.c,
        outC = p.layer.out.c;
      const rows = k * k * inC;
      // float32 terms are fl32(m fl32(w)), what the multiply path forms from the float32 weights (the native core too)
      const w = this.precision === 'f32' ? Math.fround : (x: number) => x;
      for (let c = 0; c < inC; c++)
        for (let tap = 0; tap < k * k; tap++) {
          const from = (c * k * k + tap) * outC,
            row = tap * inC + c;
          for (let o = 0; o < outC; o++) dst[(Math.floor(o / B) * rows + row) * B + (o % B)] = m * w(src[from + o]!);
        }
      p.tables[m] = r;
      if (m >= 2) this.tableBytes += r.bytes;
    }
    return r.ptr;
  }

  private get(layer: ConvLayer): Prepared {
    const p = this.prepared.get(layer.name);
    if (!p) throw new Error(`conv ${layer.name} was not prepared`);
    return p;
  }

  /**
   * Scratch big enough for this call. Growing reallocates at the top of memory (the old scratch is abandoned:
   * it only grows a few times, to the largest layer's needs).
   */
  private ensure(events: number, positions: number, cells: number, acc: number): NonNullable<WasmCore['scratch']> {
    const c = this.scratchCap;
    if (!this.scratch || events > c.events || positions > c.positions || cells > c.cells || acc > c.acc) {
      c.events = Math.max(c.events, events);
      c.positions = Math.max(c.positions, positions);
      c.cells = Math.max(c.cells, cells);
      c.acc = Math.max(c.acc, acc);
      c.list = Math.max(c.list, 1);
      this.scratch = {
        addr: this.alloc(c.events * 4),
        evBase: this.alloc(c.events * 4),
        bases: this.alloc((MAX_TABLE_M + 1) * 4),
        mult: this.alloc(c.events * 8),
        pos: this.alloc((c.positions + 1) * 4),
        cellStart: this.alloc((c.cells + 1) * 4),
        cursor: this.alloc((c.cells + 1) * 4),
        rows: this.alloc(c.list * 4),
        rel: this.alloc(c.list * 4),
        mults: this.alloc(c.list * 8),
        acc: this.alloc(c.acc * 8),
      };
    }
    return this.scratch;
  }

  private ensureList(len: number): NonNullable<WasmCore['scratch']> {
    const s = this.scratch!;
    if (len > this.scratchCap.list) {
      this.scratchCap.list = Math.max(len, Math.ceil(this.scratchCap.list * 1.5));
      s.rows = this.alloc(this.scratchCap.list * 4);
      s.rel = this.alloc(this.scratchCap.list * 4);
      s.mults = this.alloc(this.scratchCap.list * 8);
    }
    return s;
  }

  /** Gather over `count` sorted events already copied into scratch. */
  private gather(p: Prepared, count: number, withMult: boolean, acc: Float64Array): void {
    const { layer } = p,
      x = this.x;
    const inC = layer.in.c,
      inH = layer.in.h,
      inW = layer.in.w,
      outC = layer.out.c,
      outH = layer.out.h,
      outW = layer.out.w;
    const cells = outH * outW;
    let s = this.scratch!;
    x.buildPositions(s.addr.ptr, count, inC, inH * inW, s.pos.ptr);
    const len = x.countCellLists(s.pos.ptr, inH, inW, outH, outW, layer.k, layer.stride, layer.pad);
    s = this.ensureList(len);
    x.buildCellLists(
      s.addr.ptr,
      s.evBase.ptr,
      s.mult.ptr,
      withMult ? 1 : 0,
      s.pos.ptr,
      inC,
      inH,
      inW,
      outH,
      outW,
      layer.k,
      layer.stride,
      layer.pad,
      s.cellStart.ptr,
      s.rows.ptr,
      s.rel.ptr,
      s.mults.ptr,
    );
    const outP = this.padded(outC),
      pacc = this.real(s.acc, cells * outP);
    if (outP === outC) pacc.set(acc);
    else for (let cell = 0; cell < cells; cell++) pacc.set(acc.subarray(cell * outC, (cell + 1) * outC), cell * outP);
    const rowsTotal = layer.k * layer.k * inC;
    const kernel = this.precision === 'f64' ? x.gatherAccumulate : x.gatherAccumulateF32;
    kernel(
      cells,
      outP,
      rowsTotal,
      CHUNK_ROWS,
      s.cellStart.ptr,
      s.rows.ptr,
      s.rel.ptr,
      s.mults.ptr,
      s.acc.ptr,
      withMult ? 1 : 0,
      s.cursor.ptr,
    );
    const res = this.real(s.acc, cells * outP);
    if (outP === outC) acc.set(res);
    else for (let cell = 0; cell < cells; cell++) acc.set(res.subarray(cell * outP, cell * outP + outC), cell * outC);
  }

  convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    const p = this.get(layer);
    const n = ev.count;
    let s = this.ensure(n, layer.in.h * layer.in.w, layer.out.h * layer.out.w, layer.out.h * layer.out.w * this.padded(layer.out.c));
    // multiplicities go into evBase, which mapBases then turns into table addresses in place
    this.i32(s.addr, n).set(ev.addr.subarray(0, n));
    this.i32(s.evBase, n).set(ev.mult.subarray(0, n));
    const maxM = this.x.scanEvents(s.addr.ptr, s.evBase.ptr, n);
    if (maxM < 0) {
      // NOTE: the gather's order equals the reference's only for events in address order; every primitive emits
      // them so, but keep the result exact for any producer.
      for (let i = 0; i < n; i++) scatterInto(layer, p.wT, ev.addr[i]!, ev.mult[i]!, acc);
      return;
    }
    const withMult = maxM > MAX_TABLE_M || !this.tablesFit(p, maxM);
    // tables first (allocating may grow memory, which detaches views but keeps the data)
    const bases = new Int32Array(withMult ? 2 : maxM + 1);
    for (let m = 1; m < bases.length; m++) bases[m] = this.table(p, m);
    s = this.scratch!;
    if (withMult) {
      const mult = this.f64(s.mult, n);
      for (let i = 0; i < n; i++) mult[i] = ev.mult[i]!;
      this.i32(s.evBase, n).fill(bases[1]!);
    } else {
      this.i32(s.bases, bases.length).set(bases);
      this.x.mapBases(s.evBase.ptr, s.bases.ptr, n);
    }
    this.gather(p, n, withMult, acc);
  }

  convDense(layer: ConvLayer, xs: Float64Array, acc: Float64Array): void {
    const p = this.get(layer);
    let n = 0;
    for (let a = 0; a < xs.length; a++) if (xs[a] !== 0) n++;
    const base = this.table(p, 1);
    const s = this.ensure(n, layer.in.h * layer.in.w, layer.out.h * layer.out.w, layer.out.h * layer.out.w * this.padded(layer.out.c));
    const addr = this.i32(s.addr, n),
      mult = this.f64(s.mult, n);
    let j = 0;
    for (let a = 0; a < xs.length; a++) {
      const v = xs[a]!;
      if (v !== 0) {
        addr[j] = a;
        mult[j] = v;
        j++;
      }
    }
    this.i32(s.evBase, n).fill(base);
    this.gather(p, n, true, acc);
  }

  /** The reference's LIF arithmetic (same doubles), written as one tight loop over the typed arrays. */
  lifStep(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void {
    const n = v.length,
      addr = out.addr,
      mult = out.mult;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const vi = v[i]!;
      const h = vi + (x[i]! - vi) / 2;
      if (h >= vThreshold) {
        addr[s] = i;
        mult[s] = 1;
        s++;
        v[i] = 0;
      } else v[i] = h;
    }
    out.count = s;
    out.changed(true);
  }

  dispose(): void {
    this.prepared.clear();
  }
}
