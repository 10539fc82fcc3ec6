import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompareReport } from '../reports/compare.js';
import type { ProfileReport } from '../reports/schema.js';
import type { CoreName } from '../sim/cores/index.js';
import { compareReports, type CompareRun } from './compare.js';
import { openModelDataset } from './dataset.js';
import { resolveModel, type ResolvedModel } from './model.js';
import { checkOutDir, renderCompare, renderProfile, writeOutputs } from './outputs.js';
import { checkRun, profileModel, type ProgressEvent, type RunOptions } from './profile.js';

/** The demo's three models: the mixed QKFormer first (its report is report.html), then the two ablations. */
export const DEMO_MODELS = [
  { label: 'QKFormer (QKTA, QKTA, SSA)', file: 'fmnist-qkformer.safetensors', attention: ['qkta', 'qkta', 'ssa'] },
  { label: 'QKTA only', file: 'fmnist-qkta.safetensors', attention: ['qkta'] },
  { label: 'SSA only', file: 'fmnist-ssa.safetensors', attention: ['ssa'] },
] as const;

const DEMO_RUN = {
  dataset: 'fashion-mnist',
  batchCoupling: 'independent',
  batchSize: 16,
  seed: 0,
  hardware: ['cmos45-fp32', 'loihi'],
  convention: 'exact',
  allowUnpriced: true,
} as const satisfies RunOptions;

/**
 * Architecture used when the trained checkpoints are absent (random weights, clearly labelled): the zoo's
 * CIFAR QKFormer shrunk to Fashion-MNIST 1x28x28, T = 4.
 */
const FALLBACK_SIZES = { imgSize: 28, inChannels: 1, numClasses: 10, embedDims: 64, depths: 3, timesteps: 4 } as const;

export interface DemoOptions {
  /** Directory holding the fmnist-*.safetensors checkpoints; default `checkpoints` here if it exists, else the package's own. */
  checkpoints?: string;
  /** Test samples per model; default 200. */
  samples?: number;
  core?: CoreName;
  /** Worker threads over samples; results do not depend on it. */
  workers?: number;
  /** Write report.html (the QKFormer's), compare.html, the CSVs and charts here (atomically). Default: write nothing. */
  out?: string;
  onProgress?: (e: DemoProgressEvent) => void;
}

/** The run's progress, plus one `info` line per thing the demo does that a user should know (a model done, a checkpoint missing). */
export type DemoProgressEvent = ProgressEvent | { kind: 'info'; message: string };

export interface DemoResult {
  /** The mixed QKFormer's report (report.html). */
  main: ProfileReport;
  /** The three models side by side (compare.html). */
  compare: CompareReport;
  /** Checkpoints not found: those models ran with random weights. */
  missing: string[];
  /** The directory written (`out` resolved), or null. */
  out: string | null;
  /** The files written into it (empty without `out`). */
  files: string[];
}

/**
 * `checkpoints/` of the working directory (a checkout, or a user's own trained set), else the one the package ships
 * (src/pipeline and dist/pipeline both sit two levels below the package root).
 */
function defaultCheckpoints(): string {
  if (existsSync('checkpoints')) return 'checkpoints';
  return fileURLToPath(new URL('../../checkpoints/', import.meta.url));
}

/**
 * The embedded default: profiles the three Fashion-MNIST checkpoints (QKFormer, QKTA only, SSA only) on the
 * committed test set on cmos45-fp32 and loihi, and compares them. A checkpoint that is missing runs as a small
 * QKFormer with random weights, labelled so. Writes only into `out`, when given.
 */
export async function demo(o: DemoOptions = {}): Promise<DemoResult> {
  const dir = o.out !== undefined ? checkOutDir(o.out) : null;
  const emit = o.onProgress ?? (() => {});
  const checkpoints = o.checkpoints ?? defaultCheckpoints();
  const run = checkRun({
    ...DEMO_RUN,
    samples: o.samples ?? 200,
    ...(o.core !== undefined ? { core: o.core } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    onProgress: emit,
  });
  const missing = DEMO_MODELS.map((m) => join(checkpoints, m.file)).filter((p) => !existsSync(p));
  if (missing.length) {
    emit({
      kind: 'info',
      message:
        `checkpoint(s) ${missing.join(', ')} not found; ` +
        'those models run with RANDOM weights of a small QKFormer (their accuracy means nothing). ' +
        'Train them with spikewatt train (see README).',
    });
  }
  const models: { label: string; arg: string; model: ResolvedModel }[] = DEMO_MODELS.map((m) => {
    const path = join(checkpoints, m.file);
    if (existsSync(path)) return { label: m.label, arg: path, model: resolveModel(path) };
    const overrides = { ...FALLBACK_SIZES, attention: [...m.attention] };
    const model = resolveModel('qkformer-cifar10', { overrides, seed: run.seed });
    return { label: `${m.label}, random weights`, arg: 'qkformer-cifar10', model };
  });
  const runs: CompareRun[] = [];
  for (const m of models) {
    const note = (message: string) => run.onProgress({ kind: 'note', message });
    const data = openModelDataset(m.model.spec, run.dataset, run.samples, run.seed, note);
    const { report, simulation } = await profileModel(m.model, m.arg, data, run, m.label);
    emit({ kind: 'info', message: `${m.label}: ${report.accuracy.samples} samples in ${simulation.seconds.toFixed(1)} s` });
    runs.push({ label: m.label, model: m.model, report });
  }
  const main = runs[0]!.report;
  const compare = compareReports(runs, run.dataset, run.samples);
  if (dir === null) return { main, compare, missing, out: null, files: [] };
  const files = new Map([...(await renderProfile(main)), ...renderCompare(compare)]);
  writeOutputs(dir, files);
  return { main, compare, missing, out: dir, files: [...files.keys()] };
}
