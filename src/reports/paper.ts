import type { ModelConfig } from '../models/spec.js';
import { modelStats } from '../models/stats.js';
import { buildModel } from '../models/zoo.js';
import type { ProfileReport } from './schema.js';

/**
 * Published energies to check a run against: QKFormer (Zhou et al., NeurIPS 2024, arXiv 2403.16552), Table 1,
 * ImageNet-1K, "Power" = the paper formula's theoretical energy per image (E_AC 0.9 pJ, E_MAC 4.6 pJ), the
 * trained models' firing rates, as the paper prints them (cross-checked against the
 * Max-Former and TDFormer tables). spikewatt reproduces the formula with `--convention spikformer` on cmos45-paper;
 * the firing rates are this run's, so an untrained (seeded or calibrated) model gives another number by design.
 */
export interface PaperRow {
  model: string;
  family: string;
  embedDims: number;
  depths: number;
  imgSize: number;
  timesteps: number;
  paramsM: number;
  energyMj: number;
  top1: number;
}

export const PAPER_SOURCE = 'QKFormer (Zhou et al., NeurIPS 2024, arXiv 2403.16552), Table 1, ImageNet-1K';

export const PAPER_ROWS: readonly PaperRow[] = [
  {
    model: 'QKFormer HST-10-384',
    family: 'qkformer-imagenet',
    embedDims: 384,
    depths: 10,
    imgSize: 224,
    timesteps: 4,
    paramsM: 16.47,
    energyMj: 15.13,
    top1: 78.8,
  },
  {
    model: 'QKFormer HST-10-512',
    family: 'qkformer-imagenet',
    embedDims: 512,
    depths: 10,
    imgSize: 224,
    timesteps: 4,
    paramsM: 29.08,
    energyMj: 21.99,
    top1: 82.04,
  },
  {
    model: 'QKFormer HST-10-768',
    family: 'qkformer-imagenet',
    embedDims: 768,
    depths: 10,
    imgSize: 224,
    timesteps: 1,
    paramsM: 64.96,
    energyMj: 8.52,
    top1: 81.69,
  },
  {
    model: 'QKFormer HST-10-768',
    family: 'qkformer-imagenet',
    embedDims: 768,
    depths: 10,
    imgSize: 224,
    timesteps: 4,
    paramsM: 64.96,
    energyMj: 38.91,
    top1: 84.22,
  },
  {
    model: 'QKFormer HST-10-768',
    family: 'qkformer-imagenet',
    embedDims: 768,
    depths: 10,
    imgSize: 288,
    timesteps: 4,
    paramsM: 64.96,
    energyMj: 64.27,
    top1: 85.25,
  },
  {
    model: 'QKFormer HST-10-768',
    family: 'qkformer-imagenet',
    embedDims: 768,
    depths: 10,
    imgSize: 384,
    timesteps: 4,
    paramsM: 64.96,
    energyMj: 113.64,
    top1: 85.65,
  },
  {
    model: 'Spikformer-8-384',
    family: 'spikformer-imagenet',
    embedDims: 384,
    depths: 8,
    imgSize: 224,
    timesteps: 4,
    paramsM: 16.81,
    energyMj: 7.73,
    top1: 70.24,
  },
  {
    model: 'Spikformer-8-512',
    family: 'spikformer-imagenet',
    embedDims: 512,
    depths: 8,
    imgSize: 224,
    timesteps: 4,
    paramsM: 29.68,
    energyMj: 11.58,
    top1: 73.38,
  },
  {
    model: 'Spikformer-8-768',
    family: 'spikformer-imagenet',
    embedDims: 768,
    depths: 8,
    imgSize: 224,
    timesteps: 4,
    paramsM: 66.34,
    energyMj: 21.48,
    top1: 74.81,
  },
];

export interface PaperCheck {
  source: string;
  /** The published rows of this architecture (every size and T); `matches` marks the one this run is. */
  rows: (PaperRow & {
    matches: boolean;
    /**
     * Rows at another image size, same T: this run's spikformer totals scaled by the dense FLOPs ratio (the formula
     * is rate x FLOPs per layer, so at the same firing rates it scales with FLOPs); null for the run's own row.
     */
    scaledMj: { profile: string; energyMj: number }[] | null;
  })[];
  /** This run's totals under the spikformer convention, per profile (empty when it was not priced). */
  spikewatt: { profile: string; energyMj: number; complete: boolean; ratioToPaper: number | null }[];
  notes: string[];
}

/** The paper rows of the report's architecture next to its spikformer-convention totals; null for other models. */
export function paperCheck(r: ProfileReport): PaperCheck | null {
  const c = r.model.config;
  if (!c) return null;
  const rows = PAPER_ROWS.filter((p) => p.family === c.family && p.embedDims === c.embedDims && p.depths === c.depths);
  if (!rows.length) return null;
  const match = rows.find((p) => p.imgSize === c.imgSize && p.timesteps === c.timesteps) ?? null;
  const spikformer = r.energy.filter((e) => e.convention === 'spikformer');
  const spikewatt = spikformer.map((e) => ({
    profile: e.profile,
    energyMj: e.totalMj,
    complete: e.unpriced.length === 0,
    ratioToPaper: match ? e.totalMj / match.energyMj : null,
  }));
  const notes = [
    'The paper formula: first conv as MAC, every other layer as firing rate x T x FLOPs ACs, 0.9 / 4.6 pJ ' +
      '(cmos45-paper with --convention spikformer).',
    `The published figures use the trained model's firing rates; this run's weights: ${r.model.weights}. ` +
      'Differences follow from the firing rates.',
  ];
  if (!spikewatt.length) {
    notes.push('This run priced no spikformer convention: run with --convention spikformer (e.g. --hardware cmos45-paper) to compare.');
  }
  if (!match) notes.push(`The paper has no row at ${c.imgSize} px, T = ${c.timesteps}.`);
  const flopsAt = (imgSize: number): number | null => {
    try {
      const st = modelStats(buildModel(r.model.name, { ...(c as ModelConfig), imgSize }));
      return st.denseMacsPerStep + st.attentionFlopsPerStep / 2;
    } catch {
      return null;
    }
  };
  const own = flopsAt(c.imgSize);
  const scaled = (p: PaperRow) => {
    if (p === match || p.timesteps !== c.timesteps || own === null || !spikformer.length) return null;
    const f = flopsAt(p.imgSize);
    return f === null ? null : spikformer.map((e) => ({ profile: e.profile, energyMj: (e.totalMj * f) / own }));
  };
  if (rows.some((p) => scaled(p) !== null)) {
    notes.push("Rows at another image size: this run's total scaled by the ratio of dense FLOPs (same firing rates), an estimate.");
  }
  return { source: PAPER_SOURCE, rows: rows.map((p) => ({ ...p, matches: p === match, scaledMj: scaled(p) })), spikewatt, notes };
}
