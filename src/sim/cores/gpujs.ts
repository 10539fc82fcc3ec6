import type { ConvLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import type { ComputeCore } from '../core.js';
import type { EventBuffer } from '../events.js';
import { CONV_DENSE_KERNEL, CONV_EVENTS_KERNEL, LIF_KERNEL } from './gpujs/kernels.js';
import { loadGpuJs, resolveMode, type GpuInstance, type GpuKernel, type GpuMode, type GpuModeRequest } from './gpujs/modes.js';
import { splitInto } from './gpujs/split.js';
import { lifStepF64, relayoutWeights } from './reference.js';

export interface GpujsCoreOptions {
  /** gpu.js mode; `auto` (default) picks headlessgl, then webasm, then cpu. */
  mode?: GpuModeRequest;
  /**
   * Where the LIF step runs. `host` (default): float64 on the host, exactly the reference's arithmetic; the
   * step is 3 flops per neuron, so moving v and x to a device and back costs more than it saves.
   * `device`: the LIF kernel (compensated float32; membranes come back rounded to float32).
   */
  lif?: 'host' | 'device';
}

/** Compile time (first call of each kernel, which builds it) kept apart from steady-state run time. */
export interface GpujsStats {
  mode: GpuMode;
  kernelsCompiled: number;
  compileMs: number;
  runMs: number;
  /** Host-side work around the kernels: CSR event packing, hi/lo splitting, adding results into acc. */
  hostMs: number;
  kernelCalls: number;
}

interface Compiled {
  kernel: GpuKernel;
  built: boolean;
}

interface PreparedConv {
  layer: ConvLayer;
  /** Weights re-laid out `[o][ky][kx][c]` (one output's taps contiguous) and split into float32 hi/lo. */
  wHi: Float32Array;
  wLo: Float32Array;
  events: Compiled | null;
  dense: Compiled | null;
  /** Upload buffers, allocated once: CSR row starts `[nIn + 1]`, event channels and multiplicities `[nIn * inC]`. */
  rowStart: Float32Array;
  evC: Float32Array;
  evM: Float32Array;
  fill: Int32Array;
  xHi: Float32Array | null;
  xLo: Float32Array | null;
}

/**
 * The gpu.js core: conv layers as gather kernels over output cells (event-driven over a CSR event list, or dense
 * over real inputs), compiled once per layer on first use and reused for every time step and sample, in the
 * gpu.js mode chosen at construction. Sums are compensated float32 (see gpujs/kernels.ts); results are added
 * into the float64 accumulators on the host.
 */
export class GpujsCore implements ComputeCore {
  readonly name = 'gpujs';
  readonly mode: GpuMode;
  private readonly gpu: GpuInstance;
  private readonly lifWhere: 'host' | 'device';
  private readonly convs = new Map<string, PreparedConv>();
  /** LIF kernels and their upload buffers, one per tensor size. */
  private readonly lifs = new Map<number, { c: Compiled; vHi: Float32Array; vLo: Float32Array; xHi: Float32Array; xLo: Float32Array }>();
  private readonly st = { compileMs: 0, runMs: 0, hostMs: 0, kernelCalls: 0, kernelsCompiled: 0 };

  constructor(opts: GpujsCoreOptions = {}) {
    this.mode = resolveMode(opts.mode ?? 'auto');
    this.lifWhere = opts.lif ?? 'host';
    const { GPU } = loadGpuJs();
    this.gpu = new GPU({ mode: this.mode });
  }

  stats(): GpujsStats {
    return { mode: this.mode, ...this.st };
  }

  prepareConv(layer: ConvLayer, w: FoldedConv): void {
    const { k } = layer,
      inC = layer.in.c,
      nIn = layer.in.h * layer.in.w;
    // [outC][inC][ky][kx] -> [o][ky][kx][c]: one thread (one output) reads its weights contiguously
    const relaid = relayoutWeights(layer, w, (o, c, ky, kx) => ((o * k + ky) * k + kx) * inC + c);
    const wHi = new Float32Array(relaid.length),
      wLo = new Float32Array(relaid.length);
    splitInto(relaid, wHi, wLo);
    this.convs.set(layer.name, {
      layer,
      wHi,
      wLo,
      events: null,
      dense: null,
      rowStart: new Float32Array(nIn + 1),
      evC: new Float32Array(nIn * inC),
      evM: new Float32Array(nIn * inC),
      fill: new Int32Array(nIn),
      xHi: null,
      xLo: null,
    });
  }

  private get(layer: ConvLayer): PreparedConv {
    const p = this.convs.get(layer.name);
    if (!p) throw new Error(`conv ${layer.name} was not prepared`);
    return p;
  }

  private compile(source: string, p: PreparedConv): Compiled {
    const l = p.layer;
    const kernel = this.gpu.createKernel(source, {
      output: [l.out.h * l.out.w * l.out.c],
      constants: {
        outC: l.out.c,
        inC: l.in.c,
        k: l.k,
        stride: l.stride,
        pad: l.pad,
        inH: l.in.h,
        inW: l.in.w,
        outW: l.out.w,
        wHi: p.wHi,
        wLo: p.wLo,
      },
      // GLSL loops need a static bound: a token holds at most inC events.
      loopMaxIterations: Math.max(l.in.c, l.k, 1),
      tactic: 'precision',
    });
    return { kernel, built: false };
  }

  /** Runs a kernel; its first call builds it and is booked as compile time. */
  private run(c: Compiled, args: unknown[]): Float32Array {
    const t0 = performance.now();
    const r = c.kernel(...args);
    const dt = performance.now() - t0;
    if (c.built) this.st.runMs += dt;
    else {
      this.st.compileMs += dt;
      this.st.kernelsCompiled++;
      c.built = true;
    }
    this.st.kernelCalls++;
    return r;
  }

  private addInto(acc: Float64Array, r: Float32Array): void {
    for (let i = 0; i < acc.length; i++) acc[i]! += r[i]!;
  }

  convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    const p = this.get(layer);
    const t0 = performance.now();
    const inC = layer.in.c,
      nIn = p.fill.length;
    // CSR by counting sort on the input token; within a token, events keep their order (address order).
    const { rowStart, evC, evM, fill } = p;
    fill.fill(0);
    for (let i = 0; i < ev.count; i++) fill[Math.floor(ev.addr[i]! / inC)]!++;
    rowStart[0] = 0;
    for (let n = 0; n < nIn; n++) {
      rowStart[n + 1] = rowStart[n]! + fill[n]!;
      fill[n] = rowStart[n]!;
    }
    for (let i = 0; i < ev.count; i++) {
      const a = ev.addr[i]!,
        n = Math.floor(a / inC),
        j = fill[n]!++;
      evC[j] = a - n * inC;
      evM[j] = ev.mult[i]!;
    }
    this.st.hostMs += performance.now() - t0;
    p.events ??= this.compile(CONV_EVENTS_KERNEL, p);
    const r = this.run(p.events, [rowStart, evC, evM]);
    const t1 = performance.now();
    this.addInto(acc, r);
    this.st.hostMs += performance.now() - t1;
  }

  convDense(layer: ConvLayer, x: Float64Array, acc: Float64Array): void {
    const p = this.get(layer);
    const t0 = performance.now();
    p.xHi ??= new Float32Array(x.length);
    p.xLo ??= new Float32Array(x.length);
    splitInto(x, p.xHi, p.xLo);
    this.st.hostMs += performance.now() - t0;
    p.dense ??= this.compile(CONV_DENSE_KERNEL, p);
    const r = this.run(p.dense, [p.xHi, p.xLo]);
    const t1 = performance.now();
    this.addInto(acc, r);
    this.st.hostMs += performance.now() - t1;
  }

  lifStep(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void {
    if (this.lifWhere === 'host') {
      const t0 = performance.now();
      lifStepF64(v, x, vThreshold, out);
      this.st.hostMs += performance.now() - t0;
      return;
    }
    out.clear();
    const n = v.length;
    let b = this.lifs.get(n);
    if (!b) {
      b = {
        c: { kernel: this.gpu.createKernel(LIF_KERNEL, { output: [n], tactic: 'precision' }), built: false },
        vHi: new Float32Array(n),
        vLo: new Float32Array(n),
        xHi: new Float32Array(n),
        xLo: new Float32Array(n),
      };
      this.lifs.set(n, b);
    }
    const t0 = performance.now();
    splitInto(v, b.vHi, b.vLo);
    splitInto(x, b.xHi, b.xLo);
    this.st.hostMs += performance.now() - t0;
    const r = this.run(b.c, [b.vHi, b.vLo, b.xHi, b.xLo, vThreshold]);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) {
      const h = r[i]!;
      if (h >= vThreshold) {
        out.push(i, 1);
        v[i] = 0;
      } else v[i] = h;
    }
    this.st.hostMs += performance.now() - t1;
  }

  dispose(): void {
    this.gpu.destroy();
    this.convs.clear();
    this.lifs.clear();
  }
}
