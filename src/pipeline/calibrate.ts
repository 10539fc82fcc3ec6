import type { ModelSpec, ConvLayer, LayerSpec } from '../models/spec.js';
import { numel } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import { BN_EPS, foldWeights } from '../models/fold.js';
import { mulberry32 } from '../models/weights.js';
import type { ComputeCore } from '../sim/core.js';
import { Simulator, type SampleInput } from '../sim/schedule/time-major.js';

/**
 * Calibrated seeded init: BatchNorm statistics chosen so that every BN-driven LIF layer fires at a target rate
 * inside a band (default 10–25 %, like trained spiking transformers), instead of the near-silent stages of a
 * plain seeded init. Deterministic: the targets come from a seeded generator, the statistics from simulating
 * the given calibration inputs.
 *
 * Each iteration simulates the calibration inputs and, per conv with BN:
 *   1. measures its folded output y per channel (mean, variance over samples, steps and positions) and maps them
 *      back to the raw conv output: mean_raw = (mean_y - c) / a, var_raw = var_y / a^2 (a, c the current fold);
 *      running_mean, running_var := mean_raw, var_raw, so the BN output is N(beta, gamma^2) per channel;
 *   2. moves beta so that the LIF it drives (directly or after a max pool) fires at its target r*. Modelling the
 *      pre-activation as N(beta, gamma^2) with an effective threshold theta, r = 1 - Phi((theta - beta) / gamma):
 *      theta = beta + gamma z(r) from the measured rate, then beta := theta - gamma z(r*), z = Phi^-1(1 - .).
 * NOTE: all layers move at once, so deep layers (whose inputs are moving SEW sums) land above their targets;
 * on qkformer-cifar10 6 iterations give 10–43 % per layer, 22 % on average (the trained-like regime).
 * Layers depend on the ones before them, so a few iterations settle the whole network.
 */
export interface CalibrationOptions {
  /** Target firing-rate band [low, high], fractions; default [0.10, 0.25]. */
  band?: readonly [number, number];
  seed?: number;
  /** Default 6. */
  iterations?: number;
  makeCore: () => ComputeCore;
}

export interface CalibrationResult {
  tensors: TensorMap;
  band: [number, number];
  iterations: number;
  /** Measured firing rate of every BN-driven LIF after the last update (one more simulation). */
  rates: Record<string, number>;
  targets: Record<string, number>;
}

interface Target {
  conv: ConvLayer;
  lif: string;
  lifSize: number;
  rate: number;
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5,
    r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** The LIF layer a conv drives: the next layer if it is a LIF, or the LIF after a max pool. */
function drivenLif(spec: ModelSpec, conv: string): LayerSpec | null {
  const users = (name: string) => spec.layers.filter((l) => l.inputs.includes(name));
  for (const u of users(conv)) {
    if (u.kind === 'lif') return u;
    if (u.kind === 'maxpool') for (const v of users(u.name)) if (v.kind === 'lif') return v;
  }
  return null;
}

function tensor(t: TensorMap, key: string): Float32Array | Float64Array {
  const v = t.get(key);
  if (!v) throw new Error(`calibration: missing tensor ${key}`);
  return v.data;
}

export function calibrateInit(
  spec: ModelSpec,
  seeded: TensorMap,
  inputs: readonly SampleInput[],
  o: CalibrationOptions,
): CalibrationResult {
  const band: [number, number] = [o.band?.[0] ?? 0.1, o.band?.[1] ?? 0.25];
  if (!(band[0] > 0 && band[0] <= band[1] && band[1] < 1))
    throw new Error(`calibration band must satisfy 0 < low <= high < 1, got ${band.join('..')}`);
  if (inputs.length === 0) throw new Error('calibration needs at least one input');
  const iterations = o.iterations ?? 6;
  const rand = mulberry32(o.seed ?? 1);
  // a copy: the seeded tensors stay as they were
  const t: TensorMap = new Map([...seeded].map(([k, v]) => [k, { ...v, data: Float64Array.from(v.data) }]));
  const targets: Target[] = [];
  for (const l of spec.layers) {
    if (l.kind !== 'conv' || !l.bn) continue;
    const lif = drivenLif(spec, l.name);
    if (lif) targets.push({ conv: l, lif: lif.name, lifSize: numel(lif.out), rate: band[0] + (band[1] - band[0]) * rand() });
  }
  const T = spec.config.timesteps;
  const measure = () => {
    const sums = new Map<string, { s: Float64Array; s2: Float64Array; n: number }>();
    const spikes = new Map<string, number>();
    for (const g of targets) sums.set(g.conv.name, { s: new Float64Array(g.conv.out.c), s2: new Float64Array(g.conv.out.c), n: 0 });
    for (const g of targets) spikes.set(g.lif, 0);
    const core = o.makeCore();
    try {
      const sim = new Simulator(spec, foldWeights(spec, t), {
        core,
        batchCoupling: 'independent',
        observe: (name, _t, out) => {
          const acc = sums.get(name);
          if (acc && out.dense) {
            const y = out.dense,
              C = acc.s.length;
            for (let i = 0; i < y.length; i++) {
              const c = i % C,
                v = y[i]!;
              acc.s[c]! += v;
              acc.s2[c]! += v * v;
            }
            acc.n += y.length / C;
          }
          if (spikes.has(name) && out.events) spikes.set(name, spikes.get(name)! + out.events.count);
        },
      });
      for (const x of inputs) sim.runBatch([x]);
    } finally {
      core.dispose();
    }
    const rates = new Map<string, number>();
    for (const g of targets) rates.set(g.lif, spikes.get(g.lif)! / (inputs.length * T * g.lifSize));
    return { sums, rates };
  };
  for (let it = 0; it < iterations; it++) {
    const { sums, rates } = measure();
    for (const g of targets) {
      const bn = g.conv.bn!;
      const gamma = tensor(t, `${bn}.weight`),
        beta = tensor(t, `${bn}.bias`);
      const mean = tensor(t, `${bn}.running_mean`),
        vr = tensor(t, `${bn}.running_var`);
      const st = sums.get(g.conv.name)!;
      const r = Math.min(0.995, Math.max(0.005, rates.get(g.lif)!));
      const zNow = normalQuantile(1 - r),
        zWant = normalQuantile(1 - g.rate);
      for (let c = 0; c < gamma.length; c++) {
        const a = gamma[c]! / Math.sqrt(vr[c]! + BN_EPS),
          cst = beta[c]! - a * mean[c]!;
        const my = st.s[c]! / st.n,
          vy = Math.max(0, st.s2[c]! / st.n - my * my);
        const rawMean = (my - cst) / a,
          rawVar = vy / (a * a);
        mean[c] = rawMean;
        vr[c] = Math.max(rawVar, 1e-6);
        const theta = beta[c]! + gamma[c]! * zNow;
        beta[c] = theta - gamma[c]! * zWant;
      }
    }
  }
  const final = measure().rates;
  const rates: Record<string, number> = {},
    tg: Record<string, number> = {};
  for (const g of targets) {
    rates[g.lif] = final.get(g.lif)!;
    tg[g.lif] = g.rate;
  }
  // back to float32, as a checkpoint would hold them
  for (const [k, v] of t) t.set(k, { ...v, data: Float32Array.from(v.data) });
  return { tensors: t, band, iterations, rates, targets: tg };
}
