import type { CommandModule } from 'yargs';
import { modelStats } from '../../models/stats.js';
import { ZOO_NAMES } from '../../models/zoo.js';
import { withModelOverrides, zooSpec, type OverrideArgs } from '../options.js';

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
    const names = a.model ? [a.model] : ZOO_NAMES;
    const rows = names.map((n) => {
      const spec = zooSpec(n, a);
      const s = modelStats(spec);
      return {
        name: n,
        params: s.params,
        paramsUsed: s.paramsUsed,
        denseMacsPerStep: s.denseMacsPerStep,
        attentionFlopsPerStep: s.attentionFlopsPerStep,
        timesteps: spec.config.timesteps,
        inputShape:
          spec.config.input === 'dvs'
            ? [spec.config.timesteps, spec.inputShape.c, spec.inputShape.h, spec.inputShape.w]
            : [spec.inputShape.c, spec.inputShape.h, spec.inputShape.w],
        attention: spec.config.attention,
      };
    });
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
