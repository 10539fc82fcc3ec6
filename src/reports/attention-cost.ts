import { assertNever } from '../errors.js';
import { block, type BlockStyle } from '../models/blocks.js';
import { GraphBuilder } from '../models/graph.js';
import { QKF_CIFAR_STYLE } from '../models/qkformer.js';
import { sdtBlock } from '../models/sdt.js';
import { numel, type AttentionKind, type LayerSpec } from '../models/spec.js';
import { denseMacs } from '../models/stats.js';

/**
 * The cost of one attention block as the number of tokens N grows: activation memory and op counts, computed
 * analytically from the block the model builders emit (src/models/blocks.ts), not measured.
 *
 * The setup follows the QKFormer paper's memory experiment (appendix): one attention module on `(T, B, C, N)`
 * with C = 256, T = B = 1, sqrt(N) = 10 .. 200.
 *
 * Memory models (float32, 4 bytes per element, MiB = 2^20 bytes; the block input is not counted):
 * - `allIntermediatesMib`: every tensor the attention module produces is held at once, as autograd keeps them
 *   for a training step: the q/k(/v)/proj conv outputs (BatchNorm folded), their LIF spike maps, the QKTA
 *   head sum, A_t and the masked X', the SSA product output and its internal map, and attn_lif's spikes.
 *   The SSA product's internal map is the N x N attention matrix per head (h N^2 elements) in the
 *   `(Q K^T) V` form, the d x d matrix K^T V per head (C^2 / h elements) in the `Q (K^T V)` form.
 * - `attentionResultMib`: only the attention-specific result: QKTA holds A_t (h N) and X' = A_t * K (C N);
 *   SSA holds its map (h N^2 or C^2 / h) and its output (C N); SDSA holds K AND V (C N), its token sum (C) and
 *   the masked Q (C N). This is the model the paper's numbers fit
 *   within a few percent (see `PAPER_MEMORY_TABLE`): the paper seems to have measured the increment of
 *   PyTorch's allocator over the attention core, with one N x N map (h = 1).
 *
 * Ops per block per time step, dense (every unit active, firing rate 1; the simulator measures real rates):
 * - `projectionOps`: synaptic accumulates of the q/k(/v)/proj 1x1 convs: (convs) x C^2 N;
 * - `mixingOps`: the token mixing: QKTA N C adds (head sum) + N C masks; SSA `(Q K^T) V` 2 N^2 C
 *   accumulates; SSA `Q (K^T V)` 2 N C^2 / h accumulates; SDSA (SDT v1) N C ANDs (K AND V) + N C adds (token
 *   sum) + N C masks (Q masked by the talking-heads spikes): 3 N C, linear in N like QKTA;
 * - `neuronUpdates`: LIF updates (every element of every LIF output).
 */
export type AttentionForm = 'qkta' | 'ssa-nxn' | 'ssa-kv' | 'sdsa';
export const ATTENTION_FORMS: readonly AttentionForm[] = ['qkta', 'ssa-nxn', 'ssa-kv', 'sdsa'];

export interface AttentionCostPoint {
  sqrtTokens: number;
  tokens: number;
  allIntermediatesMib: number;
  attentionResultMib: number;
  projectionOps: number;
  mixingOps: number;
  neuronUpdates: number;
}

export interface AttentionCostCurve {
  form: AttentionForm;
  label: string;
  points: AttentionCostPoint[];
}

export interface AttentionCostSetup {
  channels: number;
  heads: number;
  sqrtTokens: number[];
}

/** C = 256 as in the paper; one head (the paper's numbers fit a single N x N map); sqrt(N) = 10, 20, ..., 200. */
export const PAPER_SETUP: AttentionCostSetup = {
  channels: 256,
  heads: 1,
  sqrtTokens: Array.from({ length: 20 }, (_, i) => 10 * (i + 1)),
};

/**
 * QKFormer (Zhou et al., NeurIPS 2024, arXiv 2403.16552), appendix memory table: one QKTA vs one SSA forward,
 * C = 256, T = B = 1; memory in MB as printed, and the printed ratio SSA / QKTA.
 * Values as the paper prints them (its complexity and memory comparison).
 */
export const PAPER_MEMORY_TABLE: readonly { sqrtTokens: number; qktaMb: number; ssaMb: number; ratio: number }[] = [
  { sqrtTokens: 10, qktaMb: 0.1, ssaMb: 0.14, ratio: 1.37 },
  { sqrtTokens: 20, qktaMb: 0.4, ssaMb: 1.0, ratio: 2.53 },
  { sqrtTokens: 30, qktaMb: 0.89, ssaMb: 3.97, ratio: 4.46 },
  { sqrtTokens: 40, qktaMb: 1.58, ssaMb: 12.19, ratio: 7.71 },
  { sqrtTokens: 50, qktaMb: 2.47, ssaMb: 26.44, ratio: 10.7 },
  { sqrtTokens: 60, qktaMb: 3.56, ssaMb: 53.52, ratio: 15.04 },
  { sqrtTokens: 80, qktaMb: 6.32, ssaMb: 162.5, ratio: 25.7 },
  { sqrtTokens: 100, qktaMb: 10.35, ssaMb: 391.77, ratio: 37.85 },
  { sqrtTokens: 150, qktaMb: 22.26, ssaMb: 1954.03, ratio: 87.79 },
  { sqrtTokens: 200, qktaMb: 40.46, ssaMb: 6143.06, ratio: 151.84 },
];

const BYTES_PER_ELEMENT = 4;
const MIB = 1024 * 1024;

/** QKFormer CIFAR's block, with the SSA product in the form compared; one module alone, so no batch coupling. */
function style(form: AttentionForm): BlockStyle {
  return { ...QKF_CIFAR_STYLE, ssaOrder: form === 'ssa-nxn' ? 'qk(v)' : 'q(kv)', ssaProjCoupled: false };
}

function kindOf(form: Exclude<AttentionForm, 'sdsa'>): AttentionKind {
  switch (form) {
    case 'qkta':
      return 'qkta';
    case 'ssa-nxn':
    case 'ssa-kv':
      return 'ssa';
  }
}

const FORM_LABELS: Record<AttentionForm, string> = {
  qkta: 'QKTA',
  'ssa-nxn': 'SSA (Q K^T) V, N x N map',
  'ssa-kv': 'SSA Q (K^T V), as QKFormer code',
  sdsa: 'SDSA (K AND V, token sum, mask of Q), as SDT v1',
};

export function formLabel(form: AttentionForm): string {
  return FORM_LABELS[form];
}

/** The layers of one attention module (MLP and residuals excluded), as the model builders emit them. */
export function attentionLayers(form: AttentionForm, channels: number, heads: number, sqrtTokens: number): LayerSpec[] {
  const g = new GraphBuilder({ c: channels, h: sqrtTokens, w: sqrtTokens });
  if (form === 'sdsa') {
    // SDT v1's block (membrane shortcuts: its attention starts with shortcut_lif and ends at proj_conv-BN)
    sdtBlock(g, 'block', 'input', { dim: channels, heads, mlpRatio: 1 });
    return g.layers.filter((l) => l.name.startsWith('block.attn.'));
  }
  const st = style(form);
  block(g, 'block', 'input', { dim: channels, heads, mlpRatio: 1 }, kindOf(form), st);
  const prefix = `block.${st.attnAttr[kindOf(form)]}.`;
  return g.layers.filter((l) => l.name.startsWith(prefix));
}

/** Elements of the product's internal map: h N^2 for (Q K^T) V, h d^2 = C^2 / h for Q (K^T V). */
function productMapElements(l: LayerSpec): number {
  if (l.kind !== 'ssaProduct') return 0;
  const n = l.out.h * l.out.w,
    c = l.out.c;
  return l.order === 'qk(v)' ? l.heads * n * n : (c * c) / l.heads;
}

export function attentionCost(form: AttentionForm, channels: number, heads: number, sqrtTokens: number): AttentionCostPoint {
  const layers = attentionLayers(form, channels, heads, sqrtTokens);
  const tokens = sqrtTokens * sqrtTokens;
  let all = 0,
    result = 0,
    projectionOps = 0,
    mixingOps = 0,
    neuronUpdates = 0;
  for (const l of layers) {
    const out = numel(l.out);
    all += out + productMapElements(l);
    switch (l.kind) {
      case 'conv':
        projectionOps += denseMacs(l);
        break;
      case 'lif':
        neuronUpdates += out;
        if (l.name.endsWith('.attn_lif') && form === 'qkta') result += out;
        break;
      case 'multiSpike':
        neuronUpdates += out;
        break;
      case 'headSum':
        mixingOps += tokens * channels;
        break;
      case 'mask':
      case 'spikeAnd':
        mixingOps += out;
        result += out;
        break;
      case 'tokenSum':
        mixingOps += tokens * channels;
        result += out;
        break;
      case 'ssaProduct':
        mixingOps += l.order === 'qk(v)' ? 2 * tokens * tokens * channels : (2 * tokens * channels * channels) / l.heads;
        result += out + productMapElements(l);
        break;
      // NOTE: an attention module holds none of these; they cost nothing here by construction, not by default.
      case 'maxpool':
      case 'avgpool':
      case 'add':
      case 'membraneAdd':
      case 'bnPad':
      case 'tokenMean':
      case 'head':
        break;
      default:
        assertNever(l, 'layer kind');
    }
  }
  return {
    sqrtTokens,
    tokens,
    allIntermediatesMib: (all * BYTES_PER_ELEMENT) / MIB,
    attentionResultMib: (result * BYTES_PER_ELEMENT) / MIB,
    projectionOps,
    mixingOps,
    neuronUpdates,
  };
}

export function attentionCostCurves(setup: AttentionCostSetup = PAPER_SETUP): AttentionCostCurve[] {
  return ATTENTION_FORMS.map((form) => ({
    form,
    label: formLabel(form),
    points: setup.sqrtTokens.map((s) => attentionCost(form, setup.channels, setup.heads, s)),
  }));
}
