import { chipResults } from './chip-charts.js';
import { fmtNs, fmtPj, partText } from './chip-html.js';
import { escapeHtml, fmtNum, numCol, table, textCol } from './html-page.js';
import type { ProfileReport } from './schema.js';
import { textTable } from './summary.js';

/** One variant's chip model on one profile, as `compare` shows it (per inference; null: not estimated). */
export interface CompareChip {
  profile: string;
  weightSharing: string;
  cores: number;
  chips: number;
  stepNs: number | null;
  imageNs: number | null;
  imagesPerSecond: number | null;
  /** Layers run by the processor, and messages to and from it per inference. */
  processorLayers: number;
  processorMessages: number;
  energyPj: { processor: number | null; static: number | null; active: number | null; total: number | null };
  complete: boolean;
}

export function compareChips(r: ProfileReport): CompareChip[] {
  return chipResults(r).map((c) => ({
    profile: c.profile,
    weightSharing: c.weightSharing,
    cores: c.cores,
    chips: c.chips,
    stepNs: c.latency.stepNs.value,
    imageNs: c.latency.imageNs.value,
    imagesPerSecond: c.latency.imagesPerSecond.value,
    processorLayers: c.processor.layers.length,
    processorMessages: c.processor.messagesIn + c.processor.messagesOut,
    energyPj: {
      processor: c.energy.processor.value,
      static: c.energy.static.value,
      active: c.energy.active.value,
      total: c.energy.total.value,
    },
    complete: c.energy.complete,
  }));
}

const NE = 'not estimated';
const opt = (x: number | null, f: (v: number) => string) => (x === null ? NE : f(x));
const ROW_HEADER = [
  'cores',
  'chips',
  'step latency',
  'image latency',
  'images/s',
  'processor layers',
  'processor messages',
  'processor energy',
  'static energy',
  'total energy',
];
function row(c: CompareChip): string[] {
  return [
    fmtNum(c.cores),
    String(c.chips),
    opt(c.stepNs, fmtNs),
    opt(c.imageNs, fmtNs),
    opt(c.imagesPerSecond, fmtNum),
    String(c.processorLayers),
    fmtNum(c.processorMessages),
    opt(c.energyPj.processor, fmtPj),
    opt(c.energyPj.static, fmtPj),
    partText({ value: c.energyPj.total, missing: [] }, fmtPj),
  ];
}

type Variant = { label: string; chip?: CompareChip[] };

/** Terminal table of the compared variants on each chip profile (empty without one). */
export function chipCompareSummary(variants: readonly Variant[]): string {
  const profiles = [...new Set(variants.flatMap((v) => (v.chip ?? []).map((c) => c.profile)))];
  return profiles
    .map((p) => {
      const rows = variants.flatMap((v) => (v.chip ?? []).filter((c) => c.profile === p).map((c) => [v.label, ...row(c)]));
      return `chip ${p}:\n${textTable(['model', ...ROW_HEADER], rows)}`;
    })
    .join('\n');
}

/** The compare page's chip section: per chip profile, the variants side by side. */
export function chipCompareSection(variants: readonly Variant[]): string {
  const profiles = [...new Set(variants.flatMap((v) => (v.chip ?? []).map((c) => c.profile)))];
  if (!profiles.length) return '';
  const blocks = profiles.map((p) => {
    const rows = variants.flatMap((v) => (v.chip ?? []).filter((c) => c.profile === p).map((c) => [v.label, ...row(c)].map(escapeHtml)));
    return `<h3>${escapeHtml(p)}</h3>\n${table([textCol('model'), ...ROW_HEADER.map(numCol)], rows)}`;
  });
  return `<h2>On the chip</h2>
<p class="note">The chip model of each variant (docs/chip.md): what a static-synapse core cannot run (SSA's products, the encoding layer, the head) goes to the processor with its messages; its cost shows in the processor energy and the latency. "not estimated" marks numbers the profile does not give.</p>
${blocks.join('\n')}`;
}
