import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import {
  checkOutDir,
  chipCompareSummary,
  compare,
  fmtNum,
  fmtPct,
  INITS,
  parseChoice,
  parseList,
  renderCompare,
  textTable,
  totalText,
  unitFor,
  writeOutputs,
  type CompareVariant,
} from '../../pipeline/index.js';
import { printJson, printText } from '../io.js';
import { overridesFrom, parseAttention, runOptionsFrom, withProfileOptions, type ProfileArgs } from '../options.js';
import { ProgressBar } from '../progress.js';

interface Args extends ProfileArgs {
  model?: string[] | undefined;
  out?: string | undefined;
  json?: boolean | undefined;
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare',
  describe:
    'Profile several models (or one model with several attention kinds) side by side, ' +
    'plus the analytic cost of QKTA vs SSA vs SDSA as tokens grow',
  builder: (y) =>
    withProfileOptions(y)
      .option('model', { type: 'string', array: true, describe: 'zoo names or checkpoints (.safetensors, .pth; repeat or comma-separate)' })
      .option('out', { type: 'string', describe: 'output directory: compare.json, compare.html, *.png' })
      .option('json', { type: 'boolean', describe: "print compare.json's variants as JSON instead of the table" })
      .option('attention', {
        type: 'string',
        describe:
          'with one --model: attention variants to compare, comma-separated; one kind for every stage, ' +
          'or per stage joined by / (qkta,ssa,qkta/qkta/ssa)',
      })
      .example(
        'spikewatt compare --model checkpoints/fmnist-qkta.safetensors --model checkpoints/fmnist-ssa.safetensors ' +
          '--dataset fashion-mnist --out cmp/',
        'two trained checkpoints',
      )
      .example(
        'spikewatt compare --model qkformer-cifar10 --img-size 16 --embed-dims 64 --num-classes 4 --attention qkta,ssa ' +
          '--dataset synthetic --samples 8 --out cmp/',
        'one model, QKTA vs SSA everywhere, same weights where the shapes allow',
      ) as never,
  handler: async (a) => {
    const models = (a.model ?? []).flatMap((m) => parseList(m, 'model'));
    if (!models.length) throw new InputError('give at least one --model');
    if (!a.out) throw new InputError('give --out DIR');
    const dir = checkOutDir(a.out);
    const variants =
      a.attention === undefined ? undefined : parseList(a.attention, 'attention').map((v) => parseAttention(v.replace(/\//g, ',')));
    const bar = new ProgressBar();
    const { report } = await compare({
      ...runOptionsFrom(a, bar.listener),
      models,
      overrides: overridesFrom({ ...a, attention: variants ? undefined : a.attention }),
      ...(a.weights !== undefined ? { weights: a.weights } : {}),
      init: parseChoice(a.init, INITS, 'init'),
      ...(variants ? { attentionVariants: variants } : {}),
    });
    const files = renderCompare(report);
    writeOutputs(dir, files);
    if (a.json) {
      printJson({ out: dir, files: [...files.keys()], variants: report.variants });
      return;
    }
    printText(`${compareSummary(report.variants)}\nwrote ${files.size} files to ${dir} (open ${dir}/compare.html)`);
  },
};

export function compareSummary(variants: CompareVariant[]): string {
  const profiles = [...new Set(variants.flatMap((v) => v.energyMj.map((e) => e.profile)))];
  const unit = unitFor(variants.flatMap((v) => v.energyMj.map((e) => e.totalMj * 1e9)));
  const attention = (v: CompareVariant, p: string) => v.blocks.find((b) => b.profile === p)?.byType.find((t) => t.type === 'attention');
  const columns = ['model', 'top-1', 'AC/inference', 'firing rate', ...profiles.flatMap((p) => [`${p} ${unit.label}`, `${p} attention`])];
  const table = textTable(
    columns,
    variants.map((v) => [
      v.label,
      v.trained ? fmtPct(v.accuracy.top1) : 'untrained',
      fmtNum(v.opsPerInference.ac),
      v.meanFiringRate === null ? 'n/a' : v.meanFiringRate.toFixed(4),
      ...profiles.flatMap((p) => {
        const e = v.energyMj.find((x) => x.profile === p),
          a = attention(v, p);
        return [e ? totalText(e.totalMj * 1e9, e.complete, unit) : '', a ? `${fmtPct(a.share)}${a.unpriced.length ? ' (of ≥)' : ''}` : ''];
      }),
    ]),
  );
  const incomplete = profiles.filter((p) => variants.some((v) => v.energyMj.some((e) => e.profile === p && !e.complete)));
  const chip = chipCompareSummary(variants);
  const text = chip ? `${table}\n${chip}` : table;
  return incomplete.length
    ? `${text}\n≥: ${incomplete.join(', ')} price only some of the counted ops (lower bounds; not comparable bar for bar with complete totals)`
    : text;
}
