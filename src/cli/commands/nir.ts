import type { CommandModule } from 'yargs';
import { nirExport } from '../../pipeline/index.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  action: string;
  out: string;
  model: string;
  weights?: string | undefined;
  partial?: boolean | undefined;
  json?: boolean | undefined;
}

export const nirCommand: CommandModule<object, Args> = {
  command: 'nir <action> <out>',
  describe: 'NIR graphs (neuromorphs/NIR): export a model to a .nir file; any model-taking command reads one with --model graph.nir',
  builder: (y) =>
    withModelOverrides(y)
      .positional('action', { type: 'string', choices: ['export'], demandOption: true, describe: 'export: write the model as a NIR graph' })
      .positional('out', { type: 'string', demandOption: true, describe: 'the .nir file to write (replaced atomically)' })
      .option('model', { type: 'string', demandOption: true, describe: 'zoo name, checkpoint, model file (.json) or NIR file' })
      .option('weights', { type: 'string', describe: 'weights for a zoo name or model file (default: the seeded calibrated init)' })
      .option('partial', {
        type: 'boolean',
        describe: 'leave out what NIR cannot express (max pooling, QKTA, SSA products), listed in one line, instead of refusing',
      })
      .option('json', { type: 'boolean', describe: 'print one JSON object: nodes, edges, what was left out' })
      .example(
        'spikewatt nir export --model checkpoints/fmnist-qkformer.safetensors --partial qkformer.nir',
        'the demo checkpoint, without its attention',
      )
      .example(
        'spikewatt profile --model graph.nir --dataset synthetic-dvs --out out/',
        'a NIR graph from another framework, spike by spike',
      ) as never,
  handler: async (a) => {
    const r = await nirExport({
      model: a.model,
      out: a.out,
      overrides: overridesFrom(a),
      ...(a.weights !== undefined ? { weights: a.weights } : {}),
      ...(a.partial !== undefined ? { partial: a.partial } : {}),
    });
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ out: r.out, nodes: r.nodes, edges: r.edges, leftOut: r.leftOut })}\n`);
      return;
    }
    if (r.leftOut.length) process.stderr.write(`spikewatt nir: left out ${r.leftOutLine}\n`);
    process.stdout.write(`wrote ${r.out}: ${r.nodes} NIR nodes, ${r.edges} edges\n`);
  },
};
