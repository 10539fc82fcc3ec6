import type { CommandModule } from 'yargs';
import { shapeNumel } from '../../models/tensor.js';
import type { TensorMap } from '../../models/tensor.js';
import { randomWeights } from '../../models/weights.js';
import { applyOverrides, buildModel } from '../../models/zoo.js';
import { buildCompareReport, compareVariant, type CompareVariant } from '../../reports/compare.js';
import { renderCompareFiles } from '../../reports/compare-files.js';
import { fmtNum, fmtPct } from '../../reports/html-page.js';
import { textTable } from '../../reports/summary.js';
import { UserError } from '../errors.js';
import { parseAttention } from '../options.js';
import {
  chartJsSource, checkArgs, checkOutDir, openModelDataset, parseList, resolveModel, runProfile, spikewattVersion,
  withProfileOptions, writeOutputs, type ProfileArgs, type ResolvedModel,
} from '../run-profile.js';

interface Args extends ProfileArgs { model?: string[] | undefined; out?: string | undefined; json?: boolean | undefined }

/**
 * A variant of `base` with other attention kinds: the base's tensors wherever the variant has the same key
 * with the same shape (patch embeddings, MLPs, head, and attention weights that keep their names), seeded
 * random weights for the rest.
 */
export function attentionVariant(base: ResolvedModel, attention: string, seed: number): { model: ResolvedModel; sharedParams: number; params: number } {
  const kinds = parseAttention(attention.replace(/\//g, ','));
  let spec;
  try {
    spec = buildModel(base.spec.name, applyOverrides(base.spec.config, { attention: kinds }));
  } catch (e) {
    throw new UserError(`--attention ${attention}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const random = randomWeights(spec, { seed });
  const tensors: TensorMap = new Map();
  let shared = 0, params = 0;
  for (const k of spec.stateKeys) {
    const own = base.tensors.get(k.key), fresh = random.get(k.key);
    const same = own !== undefined && own.shape.length === k.shape.length && own.shape.every((d, i) => d === k.shape[i]);
    const n = shapeNumel(k.shape);
    if (k.role === 'param' && k.used) { params += n; if (same) shared += n; }
    if (same) tensors.set(k.key, own);
    else if (fresh) tensors.set(k.key, fresh);
  }
  const all = shared === params;
  const weights = all ? base.weights : `${fmtNum(shared)} of ${fmtNum(params)} params from ${base.weights}, the rest random (seed ${seed})`;
  return { model: { spec, tensors, weights, checkpoint: all ? base.checkpoint : null }, sharedParams: shared, params };
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare',
  describe: 'Profile several models (or one model with several attention kinds) side by side, plus the analytic cost of QKTA vs SSA as tokens grow',
  builder: (y) => withProfileOptions(y)
    .option('model', { type: 'string', array: true, describe: 'zoo names or .safetensors checkpoints (repeat --model, or comma-separate)' })
    .option('out', { type: 'string', describe: 'output directory: compare.json, compare.html, *.png' })
    .option('json', { type: 'boolean', describe: 'print compare.json\'s variants as JSON instead of the table' })
    .option('attention', { type: 'string', describe: 'with one --model: attention variants to compare, comma-separated; one kind for every stage, or per stage joined by / (qkta,ssa,qkta/qkta/ssa)' })
    .example('spikewatt compare --model checkpoints/fmnist-qkta.safetensors --model checkpoints/fmnist-ssa.safetensors --dataset fashion-mnist --out cmp/', 'two trained checkpoints')
    .example('spikewatt compare --model qkformer-cifar10 --img-size 16 --embed-dims 64 --num-classes 4 --attention qkta,ssa --dataset synthetic --samples 8 --out cmp/', 'one model, QKTA vs SSA everywhere, same weights where the shapes allow') as never,
  handler: async (a) => {
    const models = (a.model ?? []).flatMap((m) => parseList(m, 'model'));
    if (!models.length) throw new UserError('give at least one --model');
    if (!a.out) throw new UserError('give --out DIR');
    const dir = checkOutDir(a.out);
    const c = checkArgs(a);
    const variantsArg = a.attention !== undefined ? parseList(a.attention, 'attention') : null;
    if (variantsArg && models.length !== 1) throw new UserError('--attention varies one model: give exactly one --model with it');
    const noAttention: ProfileArgs = { ...a, attention: undefined };
    const runs: { label: string; model: ResolvedModel; arg: string }[] = [];
    if (variantsArg) {
      const base = resolveModel(models[0]!, noAttention, c.seed);
      for (const v of variantsArg) {
        const { model } = attentionVariant(base, v, c.seed);
        runs.push({ label: `${base.spec.name} [${model.spec.config.attention.join(',')}]`, model, arg: models[0]! });
      }
    } else {
      for (const m of models) {
        const model = resolveModel(m, a, c.seed);
        runs.push({ label: model.checkpoint ? m.replace(/^.*\//, '').replace(/\.safetensors$/, '') : `${model.spec.name} [${model.spec.config.attention.join(',')}]`, model, arg: m });
      }
    }
    const data = runs.map((r) => openModelDataset(r.model.spec, a.dataset, c.samples, c.seed));
    const chartJs = chartJsSource();
    const variants: CompareVariant[] = runs.map((r, i) => {
      const { report } = runProfile(r.model, r.arg, a.dataset, c, data[i]!, r.label);
      return compareVariant(r.label, report, r.model.checkpoint !== null);
    });
    const report = buildCompareReport({ spikewattVersion: spikewattVersion(), dataset: a.dataset, samples: variants[0]?.accuracy.samples ?? c.samples, variants });
    const files = renderCompareFiles(report, chartJs);
    writeOutputs(dir, files);
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ out: dir, files: [...files.keys()], variants }, null, 1)}\n`);
      return;
    }
    process.stdout.write(`${compareSummary(variants)}\nwrote ${files.size} files to ${dir} (open ${dir}/compare.html)\n`);
  },
};

export function compareSummary(variants: CompareVariant[]): string {
  const profiles = [...new Set(variants.flatMap((v) => v.energyMj.map((e) => e.profile)))];
  return textTable(['model', 'top-1', 'AC/inference', 'firing rate', ...profiles.map((p) => `${p} mJ`)], variants.map((v) => [
    v.label, v.trained ? fmtPct(v.accuracy.top1) : 'untrained', fmtNum(v.opsPerInference.ac), v.meanFiringRate === null ? 'n/a' : v.meanFiringRate.toFixed(4),
    ...profiles.map((p) => { const e = v.energyMj.find((x) => x.profile === p); return e ? fmtNum(e.totalMj) : ''; }),
  ]));
}
