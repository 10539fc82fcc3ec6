import type { CommandModule } from 'yargs';
import { listModels, ZOO_NAMES } from '../../pipeline/index.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  model?: string | undefined;
  json?: boolean | undefined;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export const modelsCommand: CommandModule<object, Args> = {
  command: 'models',
  describe: 'List the model zoo: parameters, dense MACs and attention FLOPs per time step (static, no data)',
  builder: (y) =>
    withModelOverrides(y)
      .option('model', { type: 'string', describe: `one zoo entry (default: all): ${ZOO_NAMES.join(', ')}` })
      .option('json', { type: 'boolean', describe: 'print a JSON array instead of a table' })
      .example('spikewatt models', 'every official variant')
      .example('spikewatt models --model qkformer-cifar10 --attention ssa --json', 'the SSA-only ablation') as never,
  handler: (a) => {
    const rows = listModels(a.model ? [a.model] : ZOO_NAMES, overridesFrom(a));
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify(
          rows.map(({ attention: _a, ...r }) => r),
          null,
          1,
        )}\n`,
      );
      return;
    }
    const header = ['model', 'params', 'params used', 'dense MACs/step', 'attn FLOPs/step', 'T', 'input', 'attention'];
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
