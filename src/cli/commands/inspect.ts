import type { CommandModule } from 'yargs';
import { inspect, STATE_DICT_KEYS, type InspectResult } from '../../pipeline/index.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  file: string;
  model?: string | undefined;
  key?: string | undefined;
  json?: boolean | undefined;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function layoutText(r: InspectResult): string {
  switch (r.layout) {
    case 'zip':
      return `PyTorch zip (torch >= 1.6)${r.torch?.archiveName ? `, archive '${r.torch.archiveName}'` : ''}`;
    case 'legacy':
      return 'PyTorch legacy (torch < 1.6)';
    case 'safetensors':
      return 'safetensors';
  }
}

/** args values that set the architecture or the run, shown first; the rest is in --json. */
const SHOWN_ARGS = [
  'model',
  'arch',
  'num_heads',
  'T',
  'time_steps',
  'time_step',
  'img_size',
  'input_size',
  'num_classes',
  'nb_classes',
  'dataset',
  'epochs',
  'batch_size',
  'lr',
  'blr',
];

export function renderInspect(r: InspectResult): string {
  const out: string[] = [];
  out.push(`${r.file}: ${layoutText(r)}, ${fmt(r.bytes)} bytes`);
  const where =
    r.torch === null ? '' : r.torch.stateDictKey === null ? ', a bare state_dict' : `, state_dict in checkpoint['${r.torch.stateDictKey}']`;
  const prefix = r.torch?.strippedPrefix ? `, '${r.torch.strippedPrefix}' prefix removed` : '';
  out.push(`  tensors     ${r.tensors}, ${fmt(r.parameters)} parameters${where}${prefix}`);
  out.push(
    `  dtypes      ${Object.entries(r.dtypes)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ')}`,
  );
  if (r.torch) out.push(`  top level   ${r.torch.topLevelKeys.join(', ')}`);
  if (r.storedConfig !== null) {
    out.push(`  stored      the file states its config (it fills what the weights do not fix): ${JSON.stringify(r.storedConfig)}`);
  }
  if (r.detected) {
    const m = r.model;
    const what = m ? `${m.name}: ${fmt(m.params)} parameters, ${fmt(m.denseMacsPerStep)} dense MACs per step` : r.detected.zoo;
    out.push(`  detected    ${what}`);
    for (const l of r.detected.lines) out.push(`    ${l}`);
  }
  if (r.problem) out.push(`  problem     ${r.problem}`);
  const t = r.training;
  const info: string[] = [];
  if (t.epoch !== null) info.push(`epoch ${t.epoch}`);
  if (t.arch !== null) info.push(`arch ${t.arch}`);
  for (const [k, v] of Object.entries(t.accuracy)) info.push(`${k} ${String(v)}`);
  if (info.length) out.push(`  training    ${info.join(', ')}`);
  if (t.args) {
    const shown = SHOWN_ARGS.filter((k) => t.args![k] !== undefined).map((k) => `${k}=${JSON.stringify(t.args![k])}`);
    const rest = Object.keys(t.args).length - shown.length;
    out.push(`  args        ${shown.join(' ')}${rest > 0 ? `${shown.length ? ' ' : ''}(+${rest} more in --json)` : ''}`);
  }
  if (r.model && r.storedConfig === null) {
    out.push('  next        give the file as --model to profile, compare or eval, as --weights to infer, or convert it once');
  }
  return `${out.join('\n')}\n`;
}

export const inspectCommand: CommandModule<object, Args> = {
  command: 'inspect <file>',
  describe:
    'What a checkpoint holds (layout, dtypes, parameters, the architecture its keys and shapes imply, training metadata), ' +
    'without simulating',
  builder: (y) =>
    withModelOverrides(y)
      .positional('file', { type: 'string', demandOption: true, describe: 'official .pth / .pth.tar (zip or legacy), or .safetensors' })
      .option('model', { type: 'string', describe: 'zoo name to check the weights against (default: detected); size flags as elsewhere' })
      .option('key', { type: 'string', describe: `top-level key of the state_dict (default: the first of ${STATE_DICT_KEYS.join(', ')})` })
      .option('json', { type: 'boolean', describe: 'print one JSON object' })
      .example('spikewatt inspect output_dir_qkformer_78.85/checkpoint-199.pth', 'an official ImageNet checkpoint')
      .example('spikewatt inspect model_best.pth.tar --heads 8 -T 4 --json', 'with the values the weights cannot tell') as never,
  handler: (a) => {
    const r = inspect({
      file: a.file,
      ...(a.key !== undefined ? { key: a.key } : {}),
      ...(a.model !== undefined ? { model: a.model } : {}),
      overrides: overridesFrom(a),
    });
    process.stdout.write(a.json ? `${JSON.stringify(r, null, 1)}\n` : renderInspect(r));
  },
};
