import { denseMacs } from '../../models/stats.js';
import { numel, type LayerSpec } from '../../models/spec.js';
import { assertNever } from '../../sim/ops.js';
import type { Convention, ConventionRow } from './table.js';
import { addOps, indexCounts, newRow, rateOrOne } from './table.js';

/**
 * `syops`: the rules of syops-counter (iCGY96/syops-counter, a ptflops fork), reproduced per module:
 *  - conv / linear / head: dense ops as ptflops counts them (out elements x C_in x k^2, incl. padding taps;
 *    a conv bias adds one op per output element, a Linear bias only `out_features` per forward call).
 *    If the module's input is exactly 0/1 (syops' spike test) they cost `rate x dense ops` ACs, with
 *    rate = unit spikes / input elements; otherwise dense ops as MACs. SEW residual sums (0, 1, 2, ...) are
 *    not 0/1, so the layers they feed count as MACs.
 *  - BatchNorm (folded into the conv here, reported as its own row under its official name): 2 ops per
 *    output element; its input is the conv output, real-valued, so MACs.
 *  - LIF: one AC per input element (= per neuron per step), spiking or not.
 *  - max pool: its input element count, as AC x rate on 0/1 input, else MAC.
 *  - attention products (QKTA sum and mask, SSA matmuls), residual adds and token means are functional
 *    ops in the official code and not counted.
 * syops runs the T steps as one multi-step call per batch; only the Linear bias depends on the call count,
 * taken as ceil(samples / syopsBatchSize) (default: all samples in one call).
 */
export const syopsConvention: Convention = {
  name: 'syops',
  summary: 'syops-counter rules: 0/1-input layers as rate x dense ACs, else dense MACs; BN and LIF counted; attention products not',
  apply(counts, spec, opts) {
    const byName = indexCounts(counts, spec);
    const T = counts.timesteps,
      S = counts.samples;
    const batch = opts.syopsBatchSize ?? S;
    if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`syopsBatchSize must be a positive integer, got ${batch}`);
    const calls = Math.ceil(S / batch);
    const notes = [`Linear biases counted once per forward call: ${calls} call(s) of up to ${batch} samples`];
    const rows: ConventionRow[] = [];
    const rateOr1 = (l: LayerSpec, t: number) => rateOrOne(l, 0, t, byName, S, notes, '0/1 input without a spike count');
    for (const l of spec.layers) {
      const lc = byName.get(l.name)!;
      const row = newRow(l.name, l.kind, l.name, T);
      rows.push(row);
      const binary = lc.inputBinary && lc.inputElements > 0;
      switch (l.kind) {
        case 'conv': {
          const perStep = denseMacs(l) + (l.bias && l.op !== 'linear' ? numel(l.out) : 0);
          const callBias = l.bias && l.op === 'linear' ? l.out.c * calls : 0;
          let rateSum = 0;
          for (let t = 0; t < T; t++) {
            if (binary) {
              const r = rateOr1(l, t);
              rateSum += r;
              addOps(row, t, 'ac', perStep * r * S);
            } else addOps(row, t, 'mac', perStep * S);
          }
          if (callBias) addOps(row, 0, binary ? 'ac' : 'mac', callBias * (binary ? rateSum / T : 1));
          if (l.bn) {
            const bn = newRow(l.bn, 'batchNorm', l.name, T);
            for (let t = 0; t < T; t++) addOps(bn, t, 'mac', 2 * numel(l.out) * S);
            rows.push(bn);
          }
          break;
        }
        case 'head': {
          // runs once per sample on the time-mean; bias: out_features per call (ptflops' Linear rule)
          let rate = 1;
          if (binary) {
            rate = 0;
            for (let t = 0; t < T; t++) rate += rateOr1(l, t) / T;
          }
          const kind = binary ? 'ac' : 'mac';
          addOps(row, T - 1, kind, denseMacs(l) * rate * S + l.numClasses * calls * rate);
          break;
        }
        // syops-counter counts a pooling layer as its input elements (AvgPool2d as MaxPool2d)
        case 'maxpool':
        case 'avgpool': {
          const n = numel(l.in);
          for (let t = 0; t < T; t++) {
            if (binary) addOps(row, t, 'ac', n * rateOr1(l, t) * S);
            else addOps(row, t, 'mac', n * S);
          }
          break;
        }
        case 'lif':
          for (let t = 0; t < T; t++) addOps(row, t, 'ac', numel(l.out) * S);
          break;
        case 'add':
        case 'membraneAdd':
        case 'spikeAnd':
        // syops-counter has no rule for a custom module such as SDT v3's MultiSpike: it counts nothing for it
        case 'multiSpike':
        // the BN of a BN-and-pad is folded into its conv and counted there
        case 'bnPad':
        case 'headSum':
        case 'tokenSum':
        case 'mask':
        case 'ssaProduct':
        case 'tokenMean':
          break;
        default:
          assertNever(l);
      }
    }
    return { convention: 'syops', model: counts.model, timesteps: T, samples: S, rows, notes };
  },
};
