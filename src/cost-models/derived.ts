import type { OpCounts } from '../sim/counts.js';
import { layerTotal } from '../sim/counts.js';
import { numel, type ModelSpec } from '../models/spec.js';
import { attentionFlops, denseMacs } from '../models/stats.js';
import type { HardwareProfile } from './profile-schema.js';
import type { Pricing } from './price.js';

/** Published break-even points to read the run's activity against (see docs/energy.md). */
export const BREAK_EVEN = {
  davidsonFurberSpikesPerSynapse: {
    value: 1.72,
    source: 'Davidson & Furber, Front. Neurosci. 2021 (weight-fetch basis; secondary report)',
  },
  dampfhofferSpikesPerSynapse: {
    min: 0.15,
    max: 1.38,
    source: 'Dampfhoffer et al., IEEE TETCI 2022 (with memory accesses; secondary report)',
  },
  yanFiringRateThreshold: {
    t5to10: 0.064,
    t5: 0.057,
    source: 'Yan et al., arXiv 2409.08290 v2-v3 (T in [5,10]: 6.4 %) and v4 (T = 5: 5.7 %), vs an equivalent quantised ANN',
  },
} as const;

export interface DerivedMetrics {
  energyPjPerInference: number;
  energyMjPerInference: number;
  /** False when some counted ops were unpriced: every energy figure is then a lower bound. */
  complete: boolean;
  /** ac + mac of the priced table, per inference. */
  synapticOpsPerInference: number;
  energyPjPerSynapticOp: number | null;
  /**
   * Synaptic events of spike-fed synaptic layers per inference (their exact `ac`) divided by their synapses
   * (dense MACs per step: every kernel tap of every output, padding taps included).
   */
  spikesPerSynapsePerInference: number | null;
  /** LIF spikes / (LIF neurons x T x samples). */
  meanFiringRate: number | null;
  /**
   * An ANN of the same shape runs once (no time steps): every conv/linear and the head as dense MACs, the
   * attention products as attentionFlops/2 MACs, priced at the profile's `mac`:
   *   E_ANN = E_MAC * (sum_l denseMacs(l) + sum_l attentionFlops(l)/2)   (the papers' E_ANN = E_MAC * FLOPs).
   * `timesT` repeats everything but the head T times (an ANN evaluated at every step, the SNN's schedule).
   */
  ann: {
    macsPerInference: number;
    energyPjPerInference: number | null;
    energyRatio: number | null;
    macsPerInferenceTimesT: number;
    energyRatioTimesT: number | null;
  };
  breakEven: typeof BREAK_EVEN;
}

/** Metrics derived from one priced run; `counts` are the exact counts of the same simulation. */
export function derivedMetrics(pricing: Pricing, counts: OpCounts, spec: ModelSpec, profile: HardwareProfile): DerivedMetrics {
  const S = counts.samples,
    T = counts.timesteps;
  const synOps = pricing.byKind.ac.countPerInference + pricing.byKind.mac.countPerInference;
  const byName = new Map(counts.layers.map((l) => [l.name, l] as const));
  let events = 0,
    synapses = 0,
    spikes = 0,
    neuronSteps = 0;
  let macs = 0,
    macsT = 0;
  for (const l of spec.layers) {
    const lc = byName.get(l.name);
    if (l.kind === 'conv' && lc?.inputIsEvents) {
      events += layerTotal(lc, 'ac') / S;
      synapses += denseMacs(l);
    }
    if (l.kind === 'lif' && lc) {
      for (let t = 0; t < T; t++) spikes += lc.outputSpikes[t]!;
      neuronSteps += numel(l.out) * T * S;
    }
    const perStep = denseMacs(l) + attentionFlops(l) / 2;
    macs += perStep;
    macsT += l.kind === 'head' ? perStep : perStep * T;
  }
  const eMac = profile.ops.mac?.energyPj;
  const annPj = eMac === undefined ? null : eMac * macs;
  const annPjT = eMac === undefined ? null : eMac * macsT;
  const e = pricing.energyPjPerInference;
  return {
    energyPjPerInference: e,
    energyMjPerInference: pricing.energyMjPerInference,
    complete: pricing.complete,
    synapticOpsPerInference: synOps,
    energyPjPerSynapticOp: synOps > 0 ? e / synOps : null,
    spikesPerSynapsePerInference: synapses > 0 ? events / synapses : null,
    meanFiringRate: neuronSteps > 0 ? spikes / neuronSteps : null,
    ann: {
      macsPerInference: macs,
      energyPjPerInference: annPj,
      energyRatio: annPj ? e / annPj : null,
      macsPerInferenceTimesT: macsT,
      energyRatioTimesT: annPjT ? e / annPjT : null,
    },
    breakEven: BREAK_EVEN,
  };
}
