import type { ComputeCore } from '../core.js';
import { ReferenceCore } from './reference.js';
import { GpujsCore } from './gpujs.js';
import { WasmCore, wasmUnavailableReason } from './wasm.js';
import { NativeCore, nativeUnavailableReason, nativeVariantHere } from './native.js';
import { WebgpuCore } from './webgpu.js';

/** Options a core may read; cores ignore what does not concern them. */
export interface CoreOptions {
  gpuMode?: string;
}

/**
 * Compute cores by name: one file per core plus one line here (and one line of capabilities below). The order is the
 * preference of defaultCoreName among the cores whose capabilities fit: native before wasm (about 2.5-3x its gather).
 */
export const CORES = {
  reference: (_opts: CoreOptions = {}) => new ReferenceCore() as ComputeCore,
  native: (_opts: CoreOptions = {}) => new NativeCore() as ComputeCore,
  'native-f32': (_opts: CoreOptions = {}) => new NativeCore({ precision: 'f32' }) as ComputeCore,
  wasm: (_opts: CoreOptions = {}) => new WasmCore() as ComputeCore,
  'wasm-f32': (_opts: CoreOptions = {}) => new WasmCore({ precision: 'f32' }) as ComputeCore,
  gpujs: (opts: CoreOptions = {}) => new GpujsCore(opts.gpuMode ? { mode: opts.gpuMode as never } : {}) as ComputeCore,
  webgpu: (_opts: CoreOptions = {}) => new WebgpuCore() as ComputeCore,
} satisfies Record<string, (opts?: CoreOptions) => ComputeCore>;

export type CoreName = keyof typeof CORES;
export const CORE_NAMES = Object.keys(CORES) as CoreName[];
export function isCoreName(s: string): s is CoreName {
  return Object.prototype.hasOwnProperty.call(CORES, s);
}

/**
 * What a core is, declared next to it: defaults and schedulers query these fields, never a core's name.
 *  - precision: the arithmetic of its membrane currents (`f64` like the reference core, `f32` like PyTorch).
 *  - exactness vs the reference core: `spec` is the reference itself (the living spec), `bit-identical` equals it on
 *    every input, `rounding` differs by float32 rounding (a membrane within rounding of the threshold may flip; the
 *    official fixtures still reproduce exactly, docs/engine.md).
 *  - device: where the kernels run (`gpu` where they prefer an accelerator, whatever fallback the library takes).
 *  - batching: `per-sample` runs one sample at a time (the time-major scheduler); `layer-major` defers a layer's
 *    convs over the samples of a batch, one device dispatch per layer and step (src/sim/schedule/layer-major.ts).
 *  - threads: `many` may run in several worker threads at once; `one` owns one device and runs in the main thread.
 *  - loads: a synchronous check that its code loads here (null: it does, or it is probed when created).
 */
export interface CoreCapabilities {
  precision: 'f64' | 'f32';
  exactness: 'spec' | 'bit-identical' | 'rounding';
  device: 'cpu' | 'gpu';
  batching: 'per-sample' | 'layer-major';
  threads: 'many' | 'one';
  summary: string;
  loads: () => string | null;
  /** Which build of the core runs on this machine and why (cores compiled in several variants). */
  variant?: () => string;
}

const always = (): string | null => null;

/** One line per core: its declared capabilities. */
export const CORE_CAPABILITIES = {
  reference: {
    precision: 'f64',
    exactness: 'spec',
    device: 'cpu',
    batching: 'per-sample',
    threads: 'many',
    summary: 'plain TypeScript scatter, float64 (the living spec)',
    loads: always,
  },
  wasm: {
    precision: 'f64',
    exactness: 'bit-identical',
    device: 'cpu',
    batching: 'per-sample',
    threads: 'many',
    summary: "WebAssembly SIMD gather, float64, bit-identical to reference (infer's default where native does not build)",
    loads: wasmUnavailableReason,
  },
  'wasm-f32': {
    precision: 'f32',
    exactness: 'rounding',
    device: 'cpu',
    batching: 'per-sample',
    threads: 'many',
    summary: 'WebAssembly SIMD gather, float32 like PyTorch (the default where native-f32 does not build)',
    loads: wasmUnavailableReason,
  },
  native: {
    precision: 'f64',
    exactness: 'bit-identical',
    device: 'cpu',
    batching: 'per-sample',
    threads: 'many',
    summary: "C gather through Node-API (AVX-512 / AVX2 / SSE2), float64, bit-identical to reference (infer's default)",
    loads: nativeUnavailableReason,
    variant: nativeVariantHere,
  },
  'native-f32': {
    precision: 'f32',
    exactness: 'rounding',
    device: 'cpu',
    batching: 'per-sample',
    threads: 'many',
    summary: 'C gather through Node-API (AVX-512 / AVX2 / SSE2), float32, bit-identical to wasm-f32 (the default)',
    loads: nativeUnavailableReason,
    variant: nativeVariantHere,
  },
  gpujs: {
    precision: 'f32',
    exactness: 'rounding',
    device: 'gpu',
    batching: 'per-sample',
    threads: 'many',
    summary: 'gpu.js kernels, compensated float32',
    loads: always,
  },
  webgpu: {
    precision: 'f32',
    exactness: 'rounding',
    device: 'gpu',
    batching: 'layer-major',
    threads: 'one',
    summary: 'WGSL kernels on a WebGPU adapter',
    loads: always,
  },
} as const satisfies Record<CoreName, CoreCapabilities>;

/** The cores whose capabilities include `want`, in registry order, that load here. */
export function coresWith(want: Partial<Omit<CoreCapabilities, 'summary' | 'loads' | 'variant'>>): CoreName[] {
  const keys = Object.keys(want) as (keyof typeof want)[];
  return CORE_NAMES.filter((n) => keys.every((k) => CORE_CAPABILITIES[n][k] === want[k]) && CORE_CAPABILITIES[n].loads() === null);
}

/**
 * The default core: the first CPU core in registry order that loads here, else the reference core.
 * `throughput` (profile, compare, eval, demo): float32 like the official PyTorch code (`native-f32` where the native
 * cores build, else `wasm-f32`; the two give the same floats); it reproduces every official fixture's spikes exactly,
 * and on the full-size fixture every module's spike total within 0.01 % (docs/engine.md).
 * `exact` (infer, the calibrated init): bit-identical to the reference core on every input (`native`, else `wasm`).
 */
export function defaultCoreName(use: 'throughput' | 'exact' = 'throughput'): CoreName {
  const want = use === 'exact' ? ({ device: 'cpu', exactness: 'bit-identical' } as const) : ({ device: 'cpu', precision: 'f32' } as const);
  return coresWith(want)[0] ?? coresWith({ exactness: 'spec' })[0] ?? 'reference';
}

/**
 * What `spikewatt cores` and `--help` say of each core (gpujs and webgpu add their probes); a core built in variants
 * adds the one that runs here and why (asked when read: it loads the core's code).
 */
export const CORE_SUMMARY = Object.fromEntries(
  CORE_NAMES.map((n) => {
    const c: CoreCapabilities = CORE_CAPABILITIES[n];
    return [
      n,
      {
        arithmetic: c.precision === 'f64' ? 'float64' : 'float32',
        get summary() {
          return c.variant ? `${c.summary}; here: ${c.variant()}` : c.summary;
        },
      },
    ];
  }),
) as Record<CoreName, { arithmetic: string; summary: string }>;

/** Why a CPU core cannot run here, or null (GPU cores are probed when created). */
export function cpuCoreUnavailable(name: CoreName): string | null {
  return CORE_CAPABILITIES[name].device === 'cpu' ? CORE_CAPABILITIES[name].loads() : null;
}
