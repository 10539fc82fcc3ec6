import { createRequire } from 'node:module';

/**
 * gpu.js execution modes spikewatt uses, best first:
 * - `headlessgl`: GLSL kernels on a real GL context through the optional `gl` add-on (needs an X display or a
 *   virtual one, e.g. `xvfb-run`; on Xvfb the renderer is Mesa llvmpipe, i.e. still the CPU).
 * - `webasm`: gpu.js 2.24's WebAssembly backend: kernels compiled to wasm (f32, SIMD where available), in-process.
 * - `cpu`: gpu.js compiles kernels to plain JS functions (float64 arithmetic, float32 outputs).
 * NOTE: gpu.js's `webgpu` mode is not one of them: its kernels are asynchronous only (readback needs mapAsync) and
 * ComputeCore is synchronous. The GPU path through WebGPU is the `webgpu` core (../webgpu.ts), WGSL on Dawn.
 */
export const GPU_MODES = ['headlessgl', 'webasm', 'cpu'] as const;
export type GpuMode = (typeof GPU_MODES)[number];
export type GpuModeRequest = GpuMode | 'auto';
export const GPU_MODE_REQUESTS: readonly GpuModeRequest[] = ['auto', ...GPU_MODES];

/** Thrown when a requested mode cannot run here; the message is one line. */
export class GpuModeUnavailableError extends Error {}

/** The subset of gpu.js's static API spikewatt touches (gpu.js ships CommonJS). */
export interface GpuJsModule {
  GPU: {
    new (settings: { mode: string }): GpuInstance;
    readonly isHeadlessGLSupported: boolean;
    readonly isWebAssemblySupported: boolean;
  };
}
export interface GpuInstance {
  createKernel(fn: string, settings: Record<string, unknown>): GpuKernel;
  destroy(): void;
  readonly mode: string;
}
export interface GpuKernel {
  (...args: unknown[]): Float32Array;
  destroy?(): void;
}

/** gpu.js is an optional peer dependency (an installed package leaves it out): what to install when it is missing. */
export const GPUJS_MISSING = 'the gpujs core needs the optional package gpu.js, not installed: npm install gpu.js@2.24.1';

let cached: GpuJsModule | null = null;
export function loadGpuJs(): GpuJsModule {
  if (!cached) {
    try {
      cached = createRequire(import.meta.url)('gpu.js') as GpuJsModule;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'MODULE_NOT_FOUND') throw new GpuModeUnavailableError(GPUJS_MISSING);
      throw e;
    }
  }
  return cached;
}

/** Whether the `gl` add-on loads at all (built and installed), independent of a display. */
export function glAddonInstalled(): boolean {
  try {
    createRequire(import.meta.url)('gl');
    return true;
  } catch {
    return false;
  }
}

export interface ModeAvailability {
  mode: GpuMode;
  available: boolean;
  why: string;
}

/** Probes every mode once (headless GL opens a 2x2 test context). */
export function probeModes(): ModeAvailability[] {
  let GPU: GpuJsModule['GPU'];
  try {
    GPU = loadGpuJs().GPU;
  } catch (e) {
    if (!(e instanceof GpuModeUnavailableError)) throw e;
    return GPU_MODES.map((mode) => ({ mode, available: false, why: GPUJS_MISSING }));
  }
  return GPU_MODES.map((mode): ModeAvailability => {
    switch (mode) {
      case 'headlessgl': {
        if (!glAddonInstalled()) return { mode, available: false, why: 'the optional `gl` add-on is not installed (see docs/gpu.md)' };
        const ok = GPU.isHeadlessGLSupported;
        return {
          mode,
          available: ok,
          why: ok
            ? 'GL context through the `gl` add-on'
            : '`gl` is installed but no GL context could be created (no X display? run under xvfb-run)',
        };
      }
      case 'webasm': {
        const ok = GPU.isWebAssemblySupported;
        return { mode, available: ok, why: ok ? 'gpu.js WebAssembly backend (float32)' : 'WebAssembly is not available in this runtime' };
      }
      case 'cpu':
        return { mode, available: true, why: 'gpu.js kernels compiled to JavaScript' };
      default: {
        const never: never = mode;
        throw new Error(`unhandled mode ${String(never)}`);
      }
    }
  });
}

/** `auto` picks the best available mode; an explicit mode that is unavailable throws a one-line error. */
export function resolveMode(request: GpuModeRequest, probe: ModeAvailability[] = probeModes()): GpuMode {
  if (request === 'auto') {
    const best = probe.find((m) => m.available);
    if (!best) throw new GpuModeUnavailableError('no gpu.js mode is available');
    return best.mode;
  }
  const m = probe.find((p) => p.mode === request);
  if (!m) throw new GpuModeUnavailableError(`unknown gpu mode '${String(request)}' (use ${GPU_MODE_REQUESTS.join(', ')})`);
  if (!m.available) throw new GpuModeUnavailableError(`gpu mode '${request}' is not available here: ${m.why}`);
  return m.mode;
}

export function isGpuModeRequest(s: string): s is GpuModeRequest {
  return (GPU_MODE_REQUESTS as readonly string[]).includes(s);
}
