import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ConvLayer, MaxPoolLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import type { ComputeCore } from '../core.js';
import type { EventBuffer } from '../events.js';
import { relayoutConv, scatterInto } from './reference.js';
import { CoreUnavailableError } from './unavailable.js';

/**
 * The native core: the wasm core's gather (docs/engine.md) in C through Node-API (`native/*.c`, built by
 * `scripts/build-native.mjs` with the system's compiler on `npm ci`), AVX-512 / AVX2 / SSE2 chosen at run time.
 * `f64` adds the reference core's terms in its order with no fused multiply-add: bit-identical to the reference
 * core. `f32` is the `wasm-f32` core's arithmetic (float32 weights, terms fl32(m fl32(w)), float32 sums in the same order):
 * bit-identical to `wasm-f32`, so it keeps that core's fidelity on every input.
 * The LIF step and the dense max pool run in C too, in the reference's doubles, and SSA's 'q(kv)' product (integers).
 */
export const NATIVE_PATH = fileURLToPath(new URL('../../../build/native.node', import.meta.url));
const WHY_PATH = fileURLToPath(new URL('../../../build/native.why', import.meta.url));

/** An instruction-set variant of the kernels compiled into the addon, best first. */
export interface NativeVariant {
  name: string;
  /** Whether this CPU has what it needs. */
  supported: boolean;
  needs: string;
  vectorBytes: number;
}

type Handle = object;
interface Addon {
  variants(): NativeVariant[];
  createCore(variant: number, f32: number, realMultipliers: number): Handle;
  prepareConv(core: Handle, shape: Int32Array, w: Float64Array, bias: Float64Array): Handle;
  convEvents(core: Handle, layer: Handle, ...args: [...Events, Float64Array, number, number]): number;
  convDense(core: Handle, layer: Handle, x: Float64Array, acc: Float64Array): number;
  lifStep(
    core: Handle,
    v: Float64Array,
    x: Float64Array,
    vThreshold: number,
    addr: Int32Array,
    mult: Int32Array,
    stats: Int32Array,
  ): number;
  maxPool(core: Handle, x: Float64Array, y: Float64Array, shape: Int32Array): void;
  convEventsLif(
    core: Handle,
    layer: Handle,
    ...args: [...Events, number, Float64Array, number, Int32Array, Int32Array, Int32Array]
  ): number;
  ssaQkv(core: Handle, ...args: [...Events, ...Events, ...Events, Int32Array, Float64Array, Float64Array]): number;
}
type Events = [Int32Array, Int32Array, number];

let addonCache: Addon | null = null;
let loadError: string | null = null;

function loadAddon(): Addon {
  if (addonCache) return addonCache;
  if (loadError) throw new Error(loadError);
  try {
    addonCache = createRequire(import.meta.url)(NATIVE_PATH) as Addon;
    return addonCache;
  } catch (e) {
    loadError = (e as Error).message.split('\n')[0]!;
    throw new Error(loadError);
  }
}

/** Why the native cores cannot run here (the build step's reason, or the load error), or null when they can. */
export function nativeUnavailableReason(): string | null {
  if (!existsSync(NATIVE_PATH)) {
    const why = existsSync(WHY_PATH) ? readFileSync(WHY_PATH, 'utf8').trim() : 'npm ci builds it (npm run build:native)';
    return `the native kernels are not built: ${why}`;
  }
  try {
    loadAddon();
  } catch (e) {
    return `the native kernels do not load: ${(e as Error).message}`;
  }
  return null;
}

/** The variants compiled in (empty when the addon does not load). */
export function nativeVariants(): NativeVariant[] {
  return nativeUnavailableReason() === null ? loadAddon().variants() : [];
}

/** Which variant runs here by default and why: the best one this CPU supports. */
export function nativeVariantHere(): string {
  const vs = nativeVariants();
  const best = vs.find((v) => v.supported);
  if (!best) return 'no native variant runs here';
  const skipped = vs.filter((v) => !v.supported).map((v) => `${v.name} needs ${v.needs}`);
  return `${best.name} (${best.vectorBytes * 8}-bit vectors: the CPU has ${best.needs}${skipped.length ? `; ${skipped.join('; ')}, which it lacks` : ''})`;
}

export type NativePrecision = 'f64' | 'f32';

export class NativeCore implements ComputeCore {
  readonly name: string;
  readonly precision: NativePrecision;
  /** The instruction-set variant this core runs. */
  readonly variant: string;
  private readonly x: Addon;
  private readonly core: Handle;
  /** Per conv: the addon's layer, and the folded weights (re-laid out only if events ever come out of order). */
  private readonly prepared = new Map<string, { w: FoldedConv; wT: Float64Array | null; handle: Handle }>();
  /** What the addon's LIF step reports besides the spikes: [nonzero inputs]. */
  private readonly stats = new Int32Array(1);
  /** Per max pool: its shape as the addon reads it. */
  private readonly poolShapes = new Map<string, Int32Array>();

  /** `variant`: an instruction set the CPU supports (default: the best one). */
  /** `realMultipliers`: every multiplicity through the gather's real-multiplier path (the same numbers; for tests). */
  constructor(opts: { precision?: NativePrecision; variant?: string; realMultipliers?: boolean } = {}) {
    this.precision = opts.precision ?? 'f64';
    this.name = this.precision === 'f64' ? 'native' : 'native-f32';
    const why = nativeUnavailableReason();
    if (why) throw new CoreUnavailableError(why);
    this.x = loadAddon();
    const vs = this.x.variants();
    const i = opts.variant === undefined ? vs.findIndex((v) => v.supported) : vs.findIndex((v) => v.name === opts.variant);
    if (i < 0 || !vs[i]!.supported) {
      throw new CoreUnavailableError(`native variant '${opts.variant ?? '?'}' does not run here (${nativeVariantHere()})`);
    }
    this.variant = vs[i]!.name;
    this.core = this.x.createCore(i, this.precision === 'f32' ? 1 : 0, opts.realMultipliers ? 1 : 0);
  }

  prepareConv(layer: ConvLayer, w: FoldedConv): void {
    // the addon re-lays the weights out itself (0.02 s for the full-size CIFAR10 model against 0.13-0.24 s here)
    const shape = Int32Array.of(
      layer.in.c,
      layer.in.h,
      layer.in.w,
      layer.out.c,
      layer.out.h,
      layer.out.w,
      layer.k,
      layer.stride,
      layer.pad,
    );
    this.prepared.set(layer.name, { w, wT: null, handle: this.x.prepareConv(this.core, shape, w.weight, w.bias) });
  }

  private get(layer: ConvLayer): { w: FoldedConv; wT: Float64Array | null; handle: Handle } {
    const p = this.prepared.get(layer.name);
    if (!p) throw new Error(`conv ${layer.name} was not prepared`);
    return p;
  }

  convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    this.events(layer, ev, acc, false);
  }

  convEventsFromBias(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    this.events(layer, ev, acc, true);
  }

  private events(layer: ConvLayer, ev: EventBuffer, acc: Float64Array, fromBias: boolean): void {
    const p = this.get(layer);
    if (this.x.convEvents(this.core, p.handle, ev.addr, ev.mult, ev.count, acc, fromBias ? 1 : 0, ev.unit ? 1 : 0) < 0) {
      // NOTE: the gather's order equals the reference's only for events in address order; every primitive emits
      // them so, but keep the result exact for any producer.
      p.wT ??= relayoutConv(layer, p.w);
      if (fromBias) for (let n = 0; n < layer.out.h * layer.out.w; n++) acc.set(p.w.bias, n * layer.out.c);
      for (let i = 0; i < ev.count; i++) scatterInto(layer, p.wT, ev.addr[i]!, ev.mult[i]!, acc);
    }
  }

  convEventsLif(layer: ConvLayer, ev: EventBuffer, v: Float64Array, vThreshold: number, out: EventBuffer, stats: Int32Array): boolean {
    const s = this.x.convEventsLif(
      this.core,
      this.get(layer).handle,
      ev.addr,
      ev.mult,
      ev.count,
      ev.unit ? 1 : 0,
      v,
      vThreshold,
      out.addr,
      out.mult,
      stats,
    );
    if (s < 0) return false;
    out.count = s;
    out.changed(true);
    return true;
  }

  convDense(layer: ConvLayer, xs: Float64Array, acc: Float64Array): void {
    this.x.convDense(this.core, this.get(layer).handle, xs, acc);
  }

  lifStep(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void {
    this.lifStepNonzero(v, x, vThreshold, out);
  }

  lifStepNonzero(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): number {
    out.count = this.x.lifStep(this.core, v, x, vThreshold, out.addr, out.mult, this.stats);
    out.changed(true);
    return this.stats[0]!;
  }

  maxPoolDense(layer: MaxPoolLayer, x: Float64Array, y: Float64Array): void {
    const shape = (this.poolShapes.get(layer.name) ??
      this.poolShapes
        .set(layer.name, Int32Array.of(layer.in.c, layer.in.h, layer.in.w, layer.out.h, layer.out.w, layer.k, layer.stride, layer.pad))
        .get(layer.name))!;
    this.x.maxPool(this.core, x, y, shape);
  }

  ssaQkv(q: EventBuffer, k: EventBuffer, v: EventBuffer, shape: Int32Array, m: Float64Array, y: Float64Array): boolean {
    const ev = (e: EventBuffer): Events => [e.addr, e.mult, e.count];
    return this.x.ssaQkv(this.core, ...ev(q), ...ev(k), ...ev(v), shape, m, y) === 0;
  }

  dispose(): void {
    this.prepared.clear();
  }
}
