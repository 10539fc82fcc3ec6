import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { listModels, saveSpec, ZOO_NAMES } from '../../pipeline/index.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  model?: string | undefined;
  json?: boolean | undefined;
  saveSpec?: string | undefined;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export const modelsCommand: CommandModule<object, Args> = {
  command: 'models',
  describe: 'List the model zoo: parameters, dense MACs and attention FLOPs per time step (static, no data)',
  builder: (y) =>
    withModelOverrides(y)
      .option('model', { type: 'string', describe: `one zoo entry or a model file (default: all): ${ZOO_NAMES.join(', ')}` })
      .option('json', { type: 'boolean', describe: 'print a JSON array instead of a table' })
      .option('save-spec', {
        type: 'string',
        describe: 'write --model (with its overrides) as a model file FILE.json (docs/model-files.md)',
      })
      .example('spikewatt models --model spikformer-cifar10 --save-spec spikformer.json', 'a zoo entry as an editable model file')
      .example('spikewatt models --model my-net.json', "a model file's parameters and dense MACs")
      .example('spikewatt models', 'every official variant')
      .example('spikewatt models --model qkformer-cifar10 --attention ssa --json', 'the SSA-only ablation') as never,
  handler: (a) => {
    if (a.saveSpec !== undefined) {
      if (!a.model) throw new InputError('--save-spec needs --model (the zoo entry or model file to write)');
      const r = saveSpec({ model: a.model, overrides: overridesFrom(a), output: a.saveSpec });
      process.stdout.write(`wrote ${r.output}: ${r.nodes} nodes, ${fmt(r.params)} parameters\n`);
      return;
    }
    const rows = listModels(a.model ? [a.model] : ZOO_NAMES, overridesFrom(a));
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify(
          rows.map(({ attention, ...r }) => ({ ...r, tokenMixing: attention })),
          null,
          1,
        )}\n`,
      );
      return;
    }
    const header = ['model', 'params', 'params used', 'dense MACs/step', 'attn FLOPs/step', 'T', 'input', 'attention / token mixing'];
    const table = rows.map((r) => [
      r.name,
      fmt(r.params),
      fmt(r.paramsUsed),
      fmt(r.denseMacsPerStep),
      fmt(r.attentionFlopsPerStep),
      String(r.timesteps),
      r.inputShape.join('x'),
      r.attention.join(','),
    ]);
    const w = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 || i === 7 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
    process.stdout.write(`${line(header)}\n${table.map(line).join('\n')}\n`);
  },
};
