import { attentionFlops, denseMacs } from '../../models/stats.js';
import { numel, type LayerSpec } from '../../models/spec.js';
import { assertNever } from '../../sim/ops.js';
import type { Convention, ConventionRow } from './table.js';
import { addOps, indexCounts, inputSpikeRate, isEncodingLayer, newRow, rateOrOne } from './table.js';

/**
 * `spikformer`: the Spikformer / QKFormer paper formula (QKFormer appendix "Energy Consumption Calculation"),
 *   E = E_AC * sum SOP + E_MAC * FLOPs(first conv),   SOP^l = fr^l * T * FLOPs^l,
 * where FLOPs are dense multiply-accumulates per step and fr^l the firing rate of layer l's input.
 *  - Encoding conv(s) (convs reading the model input): dense MACs, `firstLayerTimesteps` times:
 *    'once' (the printed formula; a static image is the same at every step, so its conv output can be
 *    computed once and reused) or 'perStep' (T times, as the official code actually runs it, and as DVS
 *    input needs, since each step brings a new frame). Default: 'once' for static input, 'perStep' for DVS.
 *  - Every other conv / linear: SOP = (unit spikes / input elements) * FLOPs per step, per step, as ACs.
 *    Multi-level SEW sums count their multiplicity (Spikingformer's "calculation 1)").
 *  - Attention products: attentionFlops/2 MAC-equivalent ops per step (stats.ts), split in two equal
 *    stages, each weighted by the rate of its spike operand (Spikingformer's SSA formula
 *    T * H * N * d^2 * (min(fr_K, fr_V) + fr_Q) for Q(K^T V)):
 *      SSA Q(K^T V): (F/4) * (min(fr_K, fr_V) + fr_Q);   SSA (Q K^T) V: (F/4) * (min(fr_Q, fr_K) + fr_V);
 *      QKTA / QKCA: (F/4) * fr_Q on the Q sum row + (F/4) * fr_K on the mask row (F = the mask's 2 N C).
 *  - Head: dense MACs once per inference (its input is a real-valued mean, fr = 100% as in Spikingformer).
 *  - BatchNorm (assumed fused), LIF updates, max pooling, residual adds: not counted.
 */
export const spikformerConvention: Convention = {
  name: 'spikformer',
  summary: 'the Spikformer/QKFormer paper formula: first conv as MACs, every other layer and attention as firing rate x FLOPs ACs',
  apply(counts, spec, opts) {
    const byName = indexCounts(counts, spec);
    const T = counts.timesteps,
      S = counts.samples;
    const first = opts.firstLayerTimesteps ?? (spec.config.input === 'dvs' ? 'perStep' : 'once');
    const notes = [
      `encoding layer MACs counted ${first === 'once' ? 'once per inference' : `at each of the ${T} steps`} (firstLayerTimesteps: ${first})`,
    ];
    const specByName = new Map(spec.layers.map((l) => [l.name, l] as const));
    const rate = (l: LayerSpec, i: number, t: number) =>
      rateOrOne(l, i, t, byName, S, notes, `input ${l.inputs[i]} is not spiking activity`);
    const rows: ConventionRow[] = [];
    for (const l of spec.layers) {
      const row = newRow(l.name, l.kind, l.name, T);
      rows.push(row);
      switch (l.kind) {
        case 'conv': {
          const f = denseMacs(l);
          if (isEncodingLayer(l)) {
            if (first === 'once') addOps(row, 0, 'mac', f * S);
            else for (let t = 0; t < T; t++) addOps(row, t, 'mac', f * S);
            break;
          }
          for (let t = 0; t < T; t++) {
            const r = inputSpikeRate(l, 0, t, byName, S);
            if (r === null) {
              addOps(row, t, 'mac', f * S);
              const msg = `${l.name}: real-valued input, counted as dense MACs`;
              if (!notes.includes(msg)) notes.push(msg);
            } else addOps(row, t, 'ac', f * r * S);
          }
          break;
        }
        case 'head':
          addOps(row, T - 1, 'mac', denseMacs(l) * S);
          break;
        case 'ssaProduct': {
          const quarter = attentionFlops(l) / 4;
          for (let t = 0; t < T; t++) {
            const [rq, rk, rv] = [rate(l, 0, t), rate(l, 1, t), rate(l, 2, t)];
            const r = l.order === 'q(kv)' ? Math.min(rk, rv) + rq : Math.min(rq, rk) + rv;
            addOps(row, t, 'ac', quarter * r * S);
          }
          break;
        }
        case 'headSum':
        case 'tokenSum': {
          // the Q-sum stage of QKTA/QKCA: a quarter of the mask's 2 N C FLOPs, i.e. N C / 2
          const q = specByName.get(l.inputs[0] ?? '');
          const quarter = (q ? numel(q.out) : 0) / 2;
          for (let t = 0; t < T; t++) addOps(row, t, 'ac', quarter * rate(l, 0, t) * S);
          break;
        }
        case 'mask':
        case 'spikeAnd': {
          // the mask: a quarter of its 2 N C FLOPs at K's rate; SDSA's K AND V: half its N C FLOPs at K's rate
          const [share, k] = l.kind === 'mask' ? [attentionFlops(l) / 4, 1] : [attentionFlops(l) / 2, 0];
          for (let t = 0; t < T; t++) addOps(row, t, 'ac', share * rate(l, k, t) * S);
          break;
        }
        case 'lif':
        case 'multiSpike':
        case 'bnPad':
        case 'maxpool':
        case 'avgpool':
        case 'add':
        case 'membraneAdd':
        case 'tokenMean':
          break;
        default:
          assertNever(l);
      }
    }
    return { convention: 'spikformer', model: counts.model, timesteps: T, samples: S, rows, notes };
  },
};
