import { z } from 'zod';
import { shapeNumel, type TensorMap } from '../models/tensor.js';
import { convGroups, type ConvLayer, type HeadLayer, type LayerSpec, type ModelSpec } from '../models/spec.js';
import type { ModuleZeros } from '../record/record.js';
import type { LayerCounts, OpCounts } from '../sim/counts.js';

/**
 * NeuroBench's static and workload metrics (NeuroBench/neurobench 2.3, `metrics/static`, `metrics/workload`) by
 * their definitions, computed from the run record's counts, the spec and, where known, the weights. The names are
 * NeuroBench's keys. spikewatt is a simulation, not the NeuroBench harness on the PyTorch model: every value is
 * marked as spikewatt's estimate, and `notes` says which values are exact and which are estimated and why.
 *
 * - footprint: bytes of every parameter and buffer (float32 4 B; `num_batches_tracked` int64 8 B).
 * - parameter_count: elements of every parameter, biases and unused modules included.
 * - connection_sparsity: zero weights / all weights of the Conv and Linear modules, biases excluded (null for a run
 *   record without the zero counts).
 * - activation_sparsity: 1 - nonzero outputs / all outputs of the neuron (LIF) layers, all steps and samples.
 * - synaptic_operations, per sample, over the Conv and Linear modules: Dense = connected (input, weight) pairs of
 *   all-ones inputs and weights, zero padding excluded; Effective = pairs of a nonzero input and a nonzero weight;
 *   a module's pairs are Effective_ACs when every input it saw was in {0, 1}, else Effective_MACs. Bias never counts.
 */

export const NEUROBENCH_ESTIMATE =
  "spikewatt's estimate: NeuroBench's definitions applied to an event-driven simulation's counts, not measured by the NeuroBench harness";

export const neurobenchSchema = z.strictObject({
  /** Always spikewatt's estimate (NeuroBench asks simulated results to say so). */
  estimate: z.string(),
  /** NeuroBench's version whose definitions these follow. */
  definitions: z.string(),
  static: z.strictObject({
    footprint: z.number().nonnegative(),
    parameter_count: z.number().nonnegative(),
    connection_sparsity: z.number().min(0).max(1).nullable(),
  }),
  workload: z.strictObject({
    classification_accuracy: z.number().min(0).max(1),
    activation_sparsity: z.number().min(0).max(1).nullable(),
    synaptic_operations: z.strictObject({
      Effective_MACs: z.number().nonnegative(),
      Effective_ACs: z.number().nonnegative(),
      Dense: z.number().nonnegative(),
    }),
  }),
  /** Per Conv/Linear module, per sample: the pairs behind synaptic_operations, and whether they are exact. */
  layers: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.enum(['ac', 'mac']),
      effective: z.number().nonnegative(),
      dense: z.number().nonnegative(),
      exact: z.boolean(),
    }),
  ),
  notes: z.array(z.string()),
});
export type NeuroBenchReport = z.infer<typeof neurobenchSchema>;

type Connection = ConvLayer | HeadLayer;
const isConnection = (l: LayerSpec): l is Connection => l.kind === 'conv' || l.kind === 'head';

/** Input channels, kernel size and output channels of a connection module (the head is a 1x1 map over features). */
function geometry(l: Connection): { cin: number; k: number; cout: number } {
  // a grouped conv's input channel reaches the C_out / groups outputs of its group
  return l.kind === 'conv' ? { cin: l.in.c, k: l.k, cout: l.out.c / convGroups(l) } : { cin: l.inFeatures, k: 1, cout: l.numClasses };
}

/** Zero and all weights of every Conv/Linear module (`<module>.weight`; biases excluded), for the run record. */
export function connectionZeros(spec: ModelSpec, tensors: TensorMap): ModuleZeros[] {
  const out: ModuleZeros[] = [];
  for (const l of spec.layers) {
    if (!isConnection(l)) continue;
    const w = tensors.get(`${l.name}.weight`);
    if (!w) continue;
    let zeros = 0;
    for (let j = 0; j < w.data.length; j++) if (w.data[j] === 0) zeros++;
    out.push({ module: l.name, zeros, weights: shapeNumel(w.shape) });
  }
  return out;
}

/**
 * Connected pairs per input address of one module (token-major `[n][c]`, n = y * w + x): for each input element,
 * the (output, weight) pairs it reaches, zero padding never reached. `perTap(ci, tap)` gives the weights counted
 * at one input channel and kernel tap (all output channels for Dense, the nonzero ones for Effective).
 */
export function pairsPerAddress(l: Connection, perTap: (ci: number, tap: number) => number): Float64Array {
  if (l.kind === 'head') return Float64Array.from({ length: l.inFeatures }, (_, ci) => perTap(ci, 0));
  const { in: s, out: o, k, stride, pad } = l;
  const fan = new Float64Array(s.c * s.h * s.w);
  for (let y = 0; y < s.h; y++) {
    for (let x = 0; x < s.w; x++) {
      for (let ky = 0; ky < k; ky++) {
        // output row oy reads input row oy * stride - pad + ky
        const ny = y + pad - ky;
        if (ny < 0 || ny % stride !== 0 || ny / stride >= o.h) continue;
        for (let kx = 0; kx < k; kx++) {
          const nx = x + pad - kx;
          if (nx < 0 || nx % stride !== 0 || nx / stride >= o.w) continue;
          const base = (y * s.w + x) * s.c;
          for (let ci = 0; ci < s.c; ci++) fan[base + ci]! += perTap(ci, ky * k + kx);
        }
      }
    }
  }
  return fan;
}

const sum = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
};

interface ModuleOps {
  effective: number;
  dense: number;
  exact: boolean;
}

/**
 * Effective and dense pairs of one module over the whole run. Exact when the producer's per-neuron spikes are in the
 * record and the inputs were all 0/1 (a LIF layer's spikes): nonzero inputs per address and step are those spikes. A
 * SEW sum's per-neuron counts are multiplicities: its nonzero inputs per address are scaled by events / unit spikes of
 * the step. A dense input (the image, a real-valued map, the head's T-mean) has only its count of nonzeros per step in
 * the record: those are spread over the addresses with the mean reach. Zero weights (rare outside pruned networks)
 * scale the reach by the module's nonzero share, which is exact only when the module has none.
 */
function moduleOps(
  l: Connection,
  lc: LayerCounts,
  producer: LayerCounts | undefined,
  w: ModuleZeros | undefined,
  samples: number,
  T: number,
): ModuleOps {
  const fan = pairsPerAddress(l, () => geometry(l).cout);
  const nonzeroShare = w && w.weights > 0 ? 1 - w.zeros / w.weights : 1;
  const weightsExact = nonzeroShare === 1;
  // the head runs once per sample (on the T-mean); every other module once per step
  const calls = l.kind === 'head' ? 1 : T;
  const dense = sum(fan) * calls * samples;
  const ns = producer?.neuronSpikes;
  if (l.kind !== 'head' && ns !== undefined && ns.length === T * fan.length) {
    // inputs all 0/1: the per-neuron spike counts are the counts of nonzero inputs
    const binary = lc.inputBinary;
    let effective = 0;
    for (let t = 0; t < T; t++) {
      const scale = binary || lc.inputUnitSpikes[t] === 0 ? 1 : lc.inputEvents[t]! / lc.inputUnitSpikes[t]!;
      let s = 0;
      for (let a = 0; a < fan.length; a++) s += ns[t * fan.length + a]! * fan[a]!;
      effective += s * scale;
    }
    return { effective: effective * nonzeroShare, dense, exact: binary && weightsExact };
  }
  const meanFan = sum(fan) / fan.length;
  const nonzero = l.kind === 'head' ? Math.min(Math.max(...lc.inputEvents), samples * fan.length) : sum(lc.inputEvents);
  const exact = weightsExact && nonzero === samples * fan.length * calls;
  return { effective: nonzero * meanFan * nonzeroShare, dense, exact };
}

export interface NeuroBenchInput {
  spec: ModelSpec;
  counts: OpCounts;
  /** Top-1 accuracy over the samples simulated. */
  top1: number;
  /** Zero and all weights per Conv/Linear module (the run record's `weights.connections`), or null when unknown. */
  weights: readonly ModuleZeros[] | null;
}

/** NeuroBench's metrics of one run (per sample where NeuroBench averages over samples). */
export function neurobenchMetrics(i: NeuroBenchInput): NeuroBenchReport {
  const { spec, counts } = i;
  const byName = new Map(counts.layers.map((lc) => [lc.name, lc]));
  const samples = Math.max(counts.samples, 1);
  let footprint = 0,
    parameterCount = 0;
  for (const key of spec.stateKeys) {
    const n = shapeNumel(key.shape);
    footprint += n * (key.key.endsWith('num_batches_tracked') ? 8 : 4);
    if (key.role === 'param') parameterCount += n;
  }
  let zeros = 0,
    weights = 0;
  for (const w of i.weights ?? []) {
    zeros += w.zeros;
    weights += w.weights;
  }
  let spikes = 0,
    outputs = 0;
  for (const lc of counts.layers) {
    if (lc.kind !== 'lif') continue;
    spikes += sum(lc.outputSpikes);
    outputs += lc.outputElements * counts.timesteps * counts.samples;
  }
  const zerosOf = new Map((i.weights ?? []).map((w) => [w.module, w]));
  const layers: NeuroBenchReport['layers'] = [];
  const ops = { Effective_MACs: 0, Effective_ACs: 0, Dense: 0 };
  for (const l of spec.layers) {
    const lc = byName.get(l.name);
    if (!isConnection(l) || !lc) continue;
    const m = moduleOps(l, lc, byName.get(l.inputs[0] ?? ''), zerosOf.get(l.name), counts.samples, counts.timesteps);
    const kind = lc.inputBinary ? 'ac' : 'mac';
    layers.push({ name: l.name, kind, effective: m.effective / samples, dense: m.dense / samples, exact: m.exact });
    ops[kind === 'ac' ? 'Effective_ACs' : 'Effective_MACs'] += m.effective / samples;
    ops.Dense += m.dense / samples;
  }
  return {
    estimate: NEUROBENCH_ESTIMATE,
    definitions: 'NeuroBench 2.3 (neurobench/metrics/static, neurobench/metrics/workload)',
    static: {
      footprint,
      parameter_count: parameterCount,
      connection_sparsity: i.weights !== null && weights > 0 ? zeros / weights : null,
    },
    workload: {
      classification_accuracy: i.top1,
      activation_sparsity: outputs > 0 ? 1 - spikes / outputs : null,
      synaptic_operations: ops,
    },
    layers,
    notes: notesOf(i, layers),
  };
}

function notesOf(i: NeuroBenchInput, layers: NeuroBenchReport['layers']): string[] {
  const notes = [
    'neuron layers are the LIF layers; Conv/Linear modules are the conv, conv1d, linear layers and the head; attention products, pooling and BatchNorm count nothing (as in NeuroBench)',
    'a module is AC when every input it saw in the run was 0 or 1 (NeuroBench decides per call); SEW sums of spikes (values above 1) make it MAC',
  ];
  if (i.weights === null)
    notes.push('the run record holds no zero-weight counts: connection_sparsity is null and every weight counts as nonzero');
  const estimated = layers.filter((l) => !l.exact).map((l) => l.name);
  if (estimated.length) {
    notes.push(`effective pairs estimated (nonzero inputs per address or zero weights per tap not in the record): ${estimated.join(', ')}`);
  }
  return notes;
}

/** `neurobench.json`: the metrics alone, NeuroBench's keys, two-space indented, one trailing newline. */
export function neurobenchJson(nb: NeuroBenchReport): string {
  return `${JSON.stringify(nb, null, 2)}\n`;
}
