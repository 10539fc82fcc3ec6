import { gaussian, mulberry32, randomWeights } from '../models/weights.js';
import { numel, type ModelSpec } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import { calibrateInit } from './calibrate.js';
import { CORES, defaultCoreName } from '../sim/cores/index.js';

/**
 * How a zoo model without a checkpoint gets its weights. `calibrated` (default): seeded weights whose BatchNorm
 * statistics are calibrated so BN-driven LIF layers fire in a band like trained networks (src/pipeline/calibrate.ts);
 * `seeded`: the plain seeded init, whose deep stages are near-silent.
 */
export const INITS = ['calibrated', 'seeded'] as const;
export type InitKind = (typeof INITS)[number];
export const DEFAULT_BAND: readonly [number, number] = [0.1, 0.25];

/** Seeded calibration inputs of the model's own shape: N(0,1) pixels, or DVS frames with 5 % of cells holding 1-2 events. */
function calibrationInputs(spec: ModelSpec, seed: number): Float32Array[] {
  const r = mulberry32(seed ^ 0x5eed),
    g = gaussian(r);
  const dvs = spec.config.input === 'dvs';
  const n = (dvs ? spec.config.timesteps : 1) * numel(spec.inputShape);
  return [new Float32Array(n).map(() => (dvs ? (r() < 0.05 ? 1 + Math.floor(r() * 2) : 0) : g()))];
}

export interface InitResult {
  tensors: TensorMap;
  description: string;
}

export function zooInit(spec: ModelSpec, seed: number, init: InitKind): InitResult {
  const seeded = randomWeights(spec, { seed });
  switch (init) {
    case 'seeded':
      return { tensors: seeded, description: `seeded init (seed ${seed}, not calibrated)` };
    case 'calibrated': {
      // the exact core: the same calibrated weights on every machine (the reference core gives the same doubles)
      const core = defaultCoreName('exact');
      const cal = calibrateInit(spec, seeded, calibrationInputs(spec, seed), { makeCore: () => CORES[core](), seed, band: DEFAULT_BAND });
      const rates = Object.values(cal.rates);
      const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
      const lo = Math.min(...rates),
        hi = Math.max(...rates),
        mean = rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
      // NOTE: a model without BN-driven LIF layers (SDT v3's multi-level neurons) has no rate to target
      if (!rates.length)
        return { tensors: cal.tensors, description: `calibrated seeded init (seed ${seed}; no BN-driven LIF layer to target)` };
      return {
        tensors: cal.tensors,
        description:
          `calibrated seeded init (seed ${seed}; BatchNorm statistics set so BN-driven LIF layers target ` +
          `${pct(DEFAULT_BAND[0])}-${pct(DEFAULT_BAND[1])}; on the calibration input they fire ${pct(lo)}-${pct(hi)}, mean ${pct(mean)})`,
      };
    }
    default: {
      const never: never = init;
      throw new Error(`unknown init ${String(never)}`);
    }
  }
}
