import { OP_KINDS, type OpKind } from '../sim/ops.js';
import {
  attentionCostCurves,
  PAPER_MEMORY_TABLE,
  PAPER_SETUP,
  type AttentionCostCurve,
  type AttentionCostSetup,
} from './attention-cost.js';
import { blocksOf, sumBlocks } from './blocks.js';
import { isComplete } from './format.js';
import { compareChips, type CompareChip } from './chip-compare.js';
import { meanFiringRate, type BlockEnergy, type BlockType, type ProfileReport } from './schema.js';

/**
 * `compare.json`: several profile runs side by side (ops, energy per profile, firing rates per stage,
 * accuracy) and the analytic cost of QKTA vs SSA as the token count grows, next to the paper's table.
 */
export const COMPARE_REPORT_SCHEMA_VERSION = 1;

export interface CompareVariant {
  label: string;
  model: string;
  attention: string[];
  weights: string;
  accuracy: ProfileReport['accuracy'];
  /** True when the weights are trained (a checkpoint): accuracy means something. */
  trained: boolean;
  params: number;
  opsPerInference: Record<OpKind, number>;
  energyMj: { profile: string; convention: string; totalMj: number; unpriced: string[]; complete: boolean }[];
  /** Per profile: energy by block type and per block instance (measured rates), shares of that profile's total. */
  blocks: {
    profile: string;
    convention: string;
    complete: boolean;
    byType: { type: BlockType; energyPj: number; share: number; unpriced: string[] }[];
    instances: BlockEnergy[];
  }[];
  /** The model's resolved config in words (CompareReport labels stay the user's). */
  modelLabel: string;
  channels: number;
  heads: number;
  timesteps: number;
  /** Mean firing rate of the LIF layers inside attention blocks of each kind (qkta: `.tssa.`, ssa: `.ssa.`, qkca: `.qkca.`). */
  attentionRates: { kind: string; rate: number | null }[];
  /** Pico-joules per op of the kinds the tokens-grow curves price, per profile (null: not priced). */
  prices: { profile: string; acPj: number | null; maskPj: number | null; addPj: number | null; neuronUpdatePj: number | null }[];
  /** Mean firing rate of the LIF layers of each stage (first component of the layer name), in model order. */
  firingRateByStage: { stage: string; rate: number | null }[];
  meanFiringRate: number | null;
  /** The chip model per profile with an architecture (what SSA's offload to the processor costs shows here). */
  chip?: CompareChip[];
}

export interface CompareReport {
  schemaVersion: typeof COMPARE_REPORT_SCHEMA_VERSION;
  kind: 'spikewatt-compare';
  spikewattVersion: string;
  dataset: string;
  samples: number;
  variants: CompareVariant[];
  attentionCost: {
    setup: AttentionCostSetup;
    memoryModel: string[];
    curves: AttentionCostCurve[];
    paper: { source: string; table: typeof PAPER_MEMORY_TABLE };
    differences: string[];
    /** The curves priced in pJ on the compared profiles, at the compared model's C, heads and T and its measured rates. */
    priced: PricedAttentionCurves | null;
  };
}

export interface PricedAttentionCurves {
  setup: AttentionCostSetup & { timesteps: number };
  notes: string[];
  curves: { profile: string; form: string; label: string; rate: number; rateMeasured: boolean; complete: boolean; energyPj: number[] }[];
}

/**
 * Energy of one attention block per inference as tokens grow, from the analytic op counts:
 *   E(N) = T x (rate x (projection ACs + mixing ACs) x E_ac + rate x QKTA masks x E_mask + neuron updates x E_nu),
 * with `rate` the measured mean firing rate of that attention kind's LIF layers in the compared runs (1, dense, when
 * no run has that kind). Memory traffic is not in the curve (it depends on a placement the curve does not model).
 */
export function pricedAttentionCurves(variants: readonly CompareVariant[]): PricedAttentionCurves | null {
  const first = variants[0];
  if (!first || first.channels <= 0 || !first.prices.length) return null;
  const channels = first.channels,
    heads = first.heads,
    timesteps = first.timesteps;
  const setup = { channels, heads, timesteps, sqrtTokens: PAPER_SETUP.sqrtTokens };
  const rateOf = (kind: 'qkta' | 'ssa' | 'sdsa') => {
    const rs = variants.map((v) => v.attentionRates.find((a) => a.kind === kind)?.rate).filter((x): x is number => typeof x === 'number');
    return rs.length ? { rate: rs.reduce((a, b) => a + b, 0) / rs.length, measured: true } : { rate: 1, measured: false };
  };
  const curves: PricedAttentionCurves['curves'] = [];
  for (const p of first.prices) {
    for (const c of attentionCostCurves({ channels, heads, sqrtTokens: setup.sqrtTokens })) {
      const r = rateOf(c.form === 'qkta' || c.form === 'sdsa' ? c.form : 'ssa');
      // QKTA masks K (C per token); SDSA ANDs K with V and masks Q (2 C per token, both priced as masks)
      const masksPerToken = c.form === 'qkta' ? channels : c.form === 'sdsa' ? 2 * channels : 0;
      const complete = p.acPj !== null && p.neuronUpdatePj !== null && (masksPerToken === 0 || p.maskPj !== null);
      curves.push({
        profile: p.profile,
        form: c.form,
        label: c.label,
        rate: r.rate,
        rateMeasured: r.measured,
        complete,
        energyPj: c.points.map((pt) => {
          const masks = masksPerToken * pt.tokens,
            acs = pt.projectionOps + pt.mixingOps - masks;
          return timesteps * (r.rate * acs * (p.acPj ?? 0) + r.rate * masks * (p.maskPj ?? 0) + pt.neuronUpdates * (p.neuronUpdatePj ?? 0));
        }),
      });
    }
  }
  return {
    setup,
    curves,
    notes: [
      `One attention block at C = ${channels}, ${heads} head(s), T = ${timesteps} (the compared model's last stage), sqrt(N) = 10 .. 200.`,
      'E(N) = T x (rate x (projection + token-mixing accumulates) x E_ac + rate x QKTA masks x E_mask + LIF updates x E_neuronUpdate).',
      'rate: the measured mean firing rate of the LIF layers of that attention kind in the compared runs (1 when none ran it); ' +
        'memory traffic is left out.',
    ],
  };
}

export const MEMORY_MODEL_NOTES: readonly string[] = [
  "One attention module on (T, B, C, N) with C = 256, T = B = 1, as the QKFormer paper's memory experiment; float32 (4 bytes per element), MiB = 2^20 bytes; the block input is not counted.",
  "all intermediates: every tensor the module produces is held at once (as autograd keeps them for training): q/k(/v)/proj conv outputs with BatchNorm folded, their spike maps, QKTA head sum, A_t and X' = A_t * K, the SSA product output and its internal map (N x N per head for (Q K^T) V; d x d per head for Q (K^T V)), attn_lif spikes.",
  "attention result: only what attention adds: QKTA A_t (h N) and X' (C N); SSA its map (h N^2 or C^2 / h) and its output (C N); SDSA (SDT v1) K AND V (C N), its token sum (C) and the masked Q (C N).",
  'ops are dense (firing rate 1): projections C^2 N per 1x1 conv; token mixing QKTA N C adds + N C masks, SSA (Q K^T) V 2 N^2 C, SSA Q (K^T V) 2 N C^2 / h accumulates, SDSA N C ANDs + N C adds + N C masks.',
];

export const PAPER_DIFFERENCES: readonly string[] = [
  "The paper's MB match spikewatt's \"attention result\" model with one head to within 3 % at every size but two (SSA at sqrt(N) = 40: 7 %, QKTA at sqrt(N) = 100: 5 %): its SSA is the N x N form with a single N x N map, and its MB appear to be MiB (2^20 bytes). The paper likely measured the growth of PyTorch's allocated memory across the attention core.",
  "The remaining differences are likely the allocator's: PyTorch's CUDA caching allocator rounds block sizes up and reuses freed blocks, so measured MB are not an exact sum of tensor sizes.",
  'Holding every intermediate (training) costs about 7x more for QKTA (7 C x N tensors instead of one), so the ratio SSA / QKTA is much smaller under that model (about 24 at sqrt(N) = 200 instead of 152).',
  "QKFormer's own code computes SSA as Q (K^T V) (a d x d map per head), which grows linearly in N like QKTA: the quadratic curve is the N x N form the paper compares against, not the SSA blocks of the released models.",
  'With h heads the N x N form holds h maps; the official QKFormer DVS models use 16 heads at C = 256, which would multiply the N^2 term by 16.',
];

export function stagesInOrder(r: ProfileReport): string[] {
  const seen: string[] = [];
  for (const l of r.layers) if (l.kind === 'lif' && !seen.includes(l.stage)) seen.push(l.stage);
  return seen;
}

export function compareVariant(label: string, r: ProfileReport, trained: boolean): CompareVariant {
  const ops = {} as Record<OpKind, number>;
  for (const k of OP_KINDS) ops[k] = 0;
  for (const l of r.layers) for (const s of l.perStep) for (const k of OP_KINDS) ops[k] += s.ops[k];
  return {
    label,
    model: r.model.name,
    attention: [...r.model.attention],
    weights: r.model.weights,
    accuracy: { ...r.accuracy },
    trained,
    params: r.model.params,
    opsPerInference: ops,
    energyMj: r.energy.map((e) => ({
      profile: e.profile,
      convention: e.convention,
      totalMj: e.totalMj,
      unpriced: e.unpriced.map((u) => u.op),
      complete: isComplete(e),
    })),
    blocks: r.energy.map((e) => {
      const instances = blocksOf(r, e);
      return {
        profile: e.profile,
        convention: e.convention,
        complete: isComplete(e),
        byType: sumBlocks(instances, 'type').map((b) => ({
          type: b.type,
          energyPj: b.energyPj,
          share: b.share,
          unpriced: [...b.unpriced],
        })),
        instances,
      };
    }),
    modelLabel: r.model.label ?? r.model.name,
    channels: r.model.config?.embedDims ?? 0,
    heads: r.model.config?.heads[r.model.config.heads.length - 1] ?? 1,
    timesteps: r.timesteps,
    attentionRates: [
      ...['qkta', 'ssa', 'qkca'].map((kind) => {
        const part = kind === 'qkta' ? '.tssa.' : `.${kind}.`;
        return { kind, rate: meanFiringRate(r.layers, (l) => l.name.includes(part)) };
      }),
      // SDT v1's attention modules are `block.N.attn.`, as Spikformer's: SDSA is told by its spike AND
      {
        kind: 'sdsa',
        rate: r.layers.some((l) => l.kind === 'spikeAnd') ? meanFiringRate(r.layers, (l) => l.name.includes('.attn.')) : null,
      },
    ],
    prices: r.energy.map((e) => {
      const pj = (op: string) => e.sources.find((x) => x.op === op)?.energyPj ?? null;
      return { profile: e.profile, acPj: pj('ac'), maskPj: pj('mask'), addPj: pj('add'), neuronUpdatePj: pj('neuronUpdate') };
    }),
    firingRateByStage: stagesInOrder(r).map((stage) => ({ stage, rate: meanFiringRate(r.layers, (l) => l.stage === stage) })),
    meanFiringRate: meanFiringRate(r.layers),
    ...(compareChips(r).length ? { chip: compareChips(r) } : {}),
  };
}

export function buildCompareReport(o: {
  spikewattVersion: string;
  dataset: string;
  samples: number;
  variants: CompareVariant[];
  setup?: AttentionCostSetup;
}): CompareReport {
  const setup = o.setup ?? PAPER_SETUP;
  return {
    schemaVersion: COMPARE_REPORT_SCHEMA_VERSION,
    kind: 'spikewatt-compare',
    spikewattVersion: o.spikewattVersion,
    dataset: o.dataset,
    samples: o.samples,
    variants: o.variants,
    attentionCost: {
      setup,
      memoryModel: [...MEMORY_MODEL_NOTES],
      curves: attentionCostCurves(setup),
      paper: {
        source: 'QKFormer (Zhou et al., NeurIPS 2024, arXiv 2403.16552), appendix memory table, C = 256, T = B = 1',
        table: PAPER_MEMORY_TABLE,
      },
      differences: [...PAPER_DIFFERENCES],
      priced: pricedAttentionCurves(o.variants),
    },
  };
}

/** The serialised form, one trailing newline. */
export function compareReportJson(r: CompareReport): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}
