import type { ComputeCore } from '../core.js';
import { ReferenceCore } from './reference.js';
import { GpujsCore } from './gpujs.js';
import { WasmCore, wasmUnavailableReason } from './wasm.js';
import { WebgpuCore } from './webgpu.js';

/** Options a core may read; cores ignore what does not concern them. */
export interface CoreOptions { gpuMode?: string }

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
export function isCoreName(s: string): s is CoreName { return Object.prototype.hasOwnProperty.call(CORES, s); }

/** The default core: the wasm core (bit-identical to the reference, several times faster) where it loads. */
export function defaultCoreName(): CoreName { return wasmUnavailableReason() === null ? 'wasm' : 'reference'; }
