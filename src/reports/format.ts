import { assertNever } from '../errors.js';
import type { ModelConfig } from '../models/spec.js';
import { energyUnit } from './charts.js';
import { fmtNum } from './html-page.js';
import type { ProfileEnergy, ProfileReport } from './schema.js';

/**
 * Number and label formatting shared by every view, so that one view uses one SI unit and one number style,
 * and an incomplete total never reads as a complete one.
 */
export interface EnergyUnit {
  label: string;
  perPj: number;
}

/** The unit of a view: the one that makes its largest value read as 1 .. 1000. */
export function unitFor(valuesPj: readonly number[]): EnergyUnit {
  return energyUnit(Math.max(1, ...valuesPj.filter((x) => Number.isFinite(x))));
}

export function fmtEnergy(pj: number, unit: EnergyUnit): string {
  return `${fmtNum(pj * unit.perPj)} ${unit.label}`;
}

/** Whether a profile's total holds every counted op (older files: no unpriced kinds). */
export function isComplete(e: Pick<ProfileEnergy, 'unpriced'> & { complete?: boolean | undefined }): boolean {
  return e.complete ?? e.unpriced.length === 0;
}

/** "≥ 62.6 µJ" for an incomplete total (a lower bound), "62.6 µJ" for a complete one. */
export function totalText(pj: number, complete: boolean, unit: EnergyUnit): string {
  return `${complete ? '' : '≥ '}${fmtEnergy(pj, unit)}`;
}

/** "incomplete: no price for mac, cmp, add, mask", or '' when complete. */
export function incompleteNote(unpriced: readonly string[]): string {
  return unpriced.length ? `incomplete: no price for ${unpriced.join(', ')}` : '';
}

/** A profile's name, with its convention when the report prices several conventions. */
export function energyLabel(r: Pick<ProfileReport, 'energy'>, e: Pick<ProfileEnergy, 'profile' | 'convention'>): string {
  const conventions = new Set(r.energy.map((x) => x.convention));
  return conventions.size > 1 ? `${e.profile} (${e.convention})` : e.profile;
}

/**
 * 95 % Wilson score interval of a proportion k / n:
 *   (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.96.
 */
export function wilson95(k: number, n: number): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z = 1.959963984540054,
    p = k / n,
    z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function fmtInterval([lo, hi]: readonly [number, number]): string {
  return `95 % CI ${(100 * lo).toFixed(1)}-${(100 * hi).toFixed(1)} %`;
}

function familyWords(family: string): string {
  // MS-QKFormer's family name has a hyphen of its own
  const [arch, stem] = family.startsWith('ms-qkformer-') ? ['ms-qkformer', family.slice(12)] : family.split('-');
  const names: Record<string, string> = {
    maxformer: 'Max-Former',
    'ms-qkformer': 'MS-QKFormer',
    qkformer: 'QKFormer',
    spikformer: 'Spikformer',
    spikingformer: 'Spikingformer',
    sdt: 'Spike-driven Transformer',
    sdt2: 'Meta-SpikeFormer (SDT v2)',
    sdt3: 'E-SpikeFormer (SDT v3)',
    sdt3l: 'E-SpikeFormer large (SDT v3 Model_Large)',
    sdt3lb: 'E-SpikeFormer large, choice base (SDT v3 Model_Large)',
  };
  const name = names[arch ?? ''] ?? arch ?? family;
  const stemName = stem === 'cifar' ? 'CIFAR' : stem === 'imagenet' ? 'ImageNet' : stem === 'dvs' ? 'DVS' : (stem ?? '');
  return stem ? `${name}, ${stemName}-family stem` : name;
}

/** What a model is, in words, from its resolved config; never a zoo name it merely derives from. */
export function modelLabel(c: ModelConfig, inputShape: readonly number[], checkpoint: string | null): string {
  const from = checkpoint ? ` (checkpoint ${checkpoint.replace(/^.*[\\/]/, '').replace(/\.safetensors$/i, '')})` : '';
  // a model file's graph has no size knobs: its file holds the architecture
  if (c.family === 'graph') return `model-file graph, ${inputShape.join('×')}, T=${c.timesteps}, ${c.numClasses} classes${from}`;
  // SDT's attention knob is 'ssa' (its one attention slot); what it builds is SDSA (src/models/sdt.ts)
  // Max-Former mixes tokens with depth-wise convs in stages 1-2 and attends (SSA) in stage 3 only (src/models/maxformer.ts)
  // SDT v2 / v3 (MetaFormer): SepConv token mixers in stages 1-2, a linear SDSA in 3-4 (RepConv in v2, integer spikes in v3);
  // v3's Model_Large: the linear SDSA in stage 3 (its stage 1-2 conv blocks are 3x3 conv units, counted as MLPs)
  const kinds = c.family.startsWith('sdt-')
    ? ['sdsa']
    : c.family === 'maxformer-imagenet'
      ? ['dwc7', 'dwc5', ...c.attention]
      : c.family === 'sdt2-imagenet'
        ? ['sepconv', 'sepconv', 'linear-sdsa-repconv', 'linear-sdsa-repconv']
        : c.family === 'sdt3-imagenet'
          ? ['sepconv', 'sepconv', 'linear-sdsa-int', 'linear-sdsa-int']
          : c.family === 'sdt3l-imagenet' || c.family === 'sdt3lb-imagenet'
            ? ['linear-sdsa-int']
            : c.attention;
  const attention = new Set(kinds).size === 1 ? kinds[0]! : kinds.join('/');
  const parts = [
    familyWords(c.family),
    `embed ${c.embedDims}`,
    `depths ${c.depths}`,
    `heads ${c.heads.join('/')}`,
    `attention ${attention}`,
    ...(c.speds ? [] : ['no SPEDS']),
    inputShape.join('×'),
    `T=${c.timesteps}`,
    `${c.numClasses} classes`,
  ];
  return `${parts.join(', ')}${from}`;
}

/** How to read a ratio: "this SNN costs 2.5× the energy of an ANN of the same shape, run once, on cmos45-fp32". */
export function ratioSentence(ratio: number, profile: string, what: 'ann' | 'annTimesT'): string {
  const less = ratio < 1 ? ` (${fmtNum(1 / ratio, 3)}× less)` : '';
  switch (what) {
    case 'ann':
      return `this SNN costs ${fmtNum(ratio, 3)}× the energy of an ANN of the same shape run once, on ${profile}${less}`;
    case 'annTimesT':
      return `this SNN costs ${fmtNum(ratio, 3)}× the energy of an ANN of the same shape run at every time step, on ${profile}${less}`;
    default:
      return assertNever(what, 'ratio kind');
  }
}
