import type { ComputeCore } from '../core.js';
import { ReferenceCore } from './reference.js';
import { GpujsCore } from './gpujs.js';
import { WasmCore, wasmUnavailableReason } from './wasm.js';
import { WebgpuCore } from './webgpu.js';

/** Options a core may read; cores ignore what does not concern them. */
export interface CoreOptions {
  gpuMode?: string;
}

/** Compute cores by name: one file per core plus one line here. */
export const CORES = {
  reference: (_opts: CoreOptions = {}) => new ReferenceCore() as ComputeCore,
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
 * The default core where the wasm kernels load, else the reference core.
 * `throughput` (profile, compare, eval, demo): `wasm-f32`, float32 like the official PyTorch code and about 1.5x
 * `wasm`; it reproduces every official fixture's spikes exactly, and on the full-size fixture every module's
 * spike total within 0.01 % (docs/engine.md).
 * `exact` (infer, the calibrated init): `wasm`, bit-identical to the reference core on every input.
 */
export function defaultCoreName(use: 'throughput' | 'exact' = 'throughput'): CoreName {
  if (wasmUnavailableReason() !== null) return 'reference';
  return use === 'exact' ? 'wasm' : 'wasm-f32';
}

/** What `spikewatt cores` and `--help` say of each core (gpujs and webgpu add their probes). */
export const CORE_SUMMARY = {
  reference: { arithmetic: 'float64', summary: 'plain TypeScript scatter, float64 (the living spec)' },
  wasm: { arithmetic: 'float64', summary: "WebAssembly SIMD gather, float64, bit-identical to reference (infer's default)" },
  'wasm-f32': { arithmetic: 'float32', summary: 'WebAssembly SIMD gather, float32 like PyTorch (about 1.5x wasm; the default)' },
  gpujs: { arithmetic: 'float32', summary: 'gpu.js kernels, compensated float32' },
  webgpu: { arithmetic: 'float32', summary: 'WGSL kernels on a WebGPU adapter' },
} satisfies Record<CoreName, { arithmetic: string; summary: string }>;

/** Why a CPU core cannot run here, or null. */
export function cpuCoreUnavailable(name: CoreName): string | null {
  return name === 'wasm' || name === 'wasm-f32' ? wasmUnavailableReason() : null;
}
