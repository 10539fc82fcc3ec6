import { InputError } from '../errors.js';
import type { AttentionKind } from '../models/spec.js';
import { buildCompareReport, compareVariant, type CompareReport } from '../reports/compare.js';
import { attentionLabel } from '../reports/blocks.js';
import type { ProfileReport } from '../reports/schema.js';
import { openModelDataset } from './dataset.js';
import { attentionVariant, resolveModel, type ModelOptions, type ResolvedModel } from './model.js';
import { checkOutDir, renderCompare, spikewattVersion, writeOutputs } from './outputs.js';
import { checkRun, modelOptions, profileModel, runForModel, type CheckedRun, type RunOptions } from './profile.js';

/** The options of `compare`: several models, or one model with several attention variants. */
export interface CompareOptions extends RunOptions, Omit<ModelOptions, 'seed'> {
  /** Zoo names or `.safetensors` checkpoints. */
  models: readonly string[];
  /**
   * With exactly one model: the attention variants to compare, each one kind for every stage (`['ssa']`) or one
   * per stage (`['qkta', 'qkta', 'ssa']`). The variants share the model's weights wherever the shapes allow.
   */
  attentionVariants?: readonly AttentionKind[][];
  /** Labels of the variants, in order (default: the checkpoint's file name, or `name [attention]`). */
  labels?: readonly string[];
  /** Write compare.json, compare.html and the PNGs here (atomically). Default: write nothing. */
  out?: string;
}

/** One compared run: its label, the model, and the profile report it produced. */
export interface CompareRun {
  label: string;
  model: ResolvedModel;
  report: ProfileReport;
}

/**
 * A short label that names the model by what it is: the checkpoint's file stem, the zoo name when no size was
 * overridden, else the family and sizes; then the attention per stage. The full description is `model.label`.
 */
function shortLabel(m: ResolvedModel, source: { checkpoint: string | null; overridden: boolean }): string {
  const c = m.spec.config;
  const what =
    source.checkpoint !== null
      ? source.checkpoint.replace(/^.*[\\/]/, '').replace(/\.safetensors$/i, '')
      : !source.overridden
        ? m.spec.name
        : `${c.family} embed ${c.embedDims} depths ${c.depths} ${c.inChannels}x${c.imgSize}x${c.imgSize} T=${c.timesteps}`;
  return `${what} [${attentionLabel(m.spec).join(',')}]`;
}

/**
 * The compare job: profiles every model (or every attention variant of one model) on the same data and
 * hardware, and builds the compare report (accuracy, ops, energy, firing rates per stage, and the analytic
 * cost of QKTA vs SSA vs SDSA as tokens grow). All models and data sets are checked before the first simulation.
 */
export async function compare(o: CompareOptions): Promise<{ report: CompareReport; runs: CompareRun[] }> {
  const dir = o.out !== undefined ? checkOutDir(o.out) : null;
  if (!o.models.length) throw new InputError('give at least one --model');
  const run = checkRun(o);
  const variants = o.attentionVariants;
  if (variants && o.models.length !== 1) throw new InputError('--attention varies one model: give exactly one --model with it');
  const planned: { label: string; model: ResolvedModel; arg: string; run: CheckedRun; notes: string[] }[] = [];
  if (variants) {
    const { overrides = {}, ...rest } = modelOptions(o);
    const { attention: _ignored, ...sizes } = overrides;
    const base = resolveModel(o.models[0]!, { ...rest, overrides: sizes, seed: run.seed });
    const own = runForModel(run, base, { ...rest, overrides: sizes });
    for (const v of variants) {
      const { model } = attentionVariant(base, v, run.seed);
      const label = shortLabel(model, { checkpoint: base.checkpoint, overridden: Object.keys(sizes).length > 0 });
      planned.push({ label, model, arg: o.models[0]!, ...own });
    }
  } else {
    for (const m of o.models) {
      const model = resolveModel(m, { ...modelOptions(o), seed: run.seed });
      const label = model.checkpoint
        ? m.replace(/^.*\//, '').replace(/\.safetensors$/, '')
        : shortLabel(model, { checkpoint: null, overridden: Object.keys(o.overrides ?? {}).length > 0 });
      planned.push({ label, model, arg: m, ...runForModel(run, model, modelOptions(o)) });
    }
  }
  if (o.labels) {
    if (o.labels.length !== planned.length) throw new InputError(`${o.labels.length} labels for ${planned.length} variants`);
    o.labels.forEach((l, i) => {
      planned[i]!.label = l;
    });
  }
  const note = (message: string) => run.onProgress({ kind: 'note', message });
  const data = planned.map((p) => openModelDataset(p.model.spec, p.run.dataset, run.samples, run.seed, note));
  const runs: CompareRun[] = [];
  for (const [i, p] of planned.entries()) {
    const { report } = await profileModel(p.model, p.arg, data[i]!, p.run, p.label, {}, p.notes);
    runs.push({ label: p.label, model: p.model, report });
  }
  const report = compareReports(runs, planned[0]?.run.dataset ?? run.dataset, run.samples);
  if (dir !== null) writeOutputs(dir, renderCompare(report));
  return { report, runs };
}

/** The compare report of runs already profiled (the demo's three models, or `compare`'s). */
export function compareReports(runs: readonly CompareRun[], dataset: string, samples: number): CompareReport {
  const variants = runs.map((r) => compareVariant(r.label, r.report, r.model.checkpoint !== null));
  return buildCompareReport({ spikewattVersion: spikewattVersion(), dataset, samples: variants[0]?.accuracy.samples ?? samples, variants });
}
