import type { CommandModule } from 'yargs';
import { convert, STATE_DICT_KEYS, type ConvertSource } from '../../pipeline/index.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  model?: string | undefined;
  input: string;
  output: string;
  key?: string | undefined;
  json?: boolean | undefined;
}

export const convertCommand: CommandModule<object, Args> = {
  command: 'convert <input> <output>',
  describe: 'Convert an official PyTorch checkpoint (.pth / .pth.tar, torch.save) into a .safetensors file stating its model config',
  builder: (y) =>
    withModelOverrides(y)
      .positional('input', {
        type: 'string',
        demandOption: true,
        describe: 'torch.save checkpoint (zip, torch >= 1.6, or legacy) or a safetensors file without spikewatt metadata',
      })
      .positional('output', { type: 'string', demandOption: true, describe: '.safetensors file to write (replaced atomically)' })
      .option('model', {
        type: 'string',
        describe:
          'zoo name the checkpoint was trained as (see `spikewatt models`), with size overrides as in `models`; default: read from the keys and shapes',
      })
      .option('key', {
        type: 'string',
        describe: `top-level key holding the state_dict (default: the first of ${STATE_DICT_KEYS.join(', ')}, or the file itself when it is a dict of tensors)`,
      })
      .option('json', { type: 'boolean', describe: 'print one JSON object: what was found and written' })
      .example(
        'spikewatt convert output_dir_qkformer_78.85/checkpoint-199.pth qkformer-10-384.safetensors',
        'the official ImageNet HST-10-384 weights (architecture detected)',
      )
      .example(
        'spikewatt convert --model qkformer-cifar100 --num-classes 100 model_best.pth.tar qkformer-cifar100.safetensors --json',
        'a timm CheckpointSaver file (DataParallel `module.` prefixes are removed)',
      )
      .example(
        'spikewatt profile --model qkformer-10-384.safetensors --dataset synthetic --samples 8 --batch-coupling official --out out/',
        'then profile the converted weights',
      ) as never,
  handler: (a) => {
    const r = convert({
      input: a.input,
      output: a.output,
      ...(a.model !== undefined ? { model: a.model } : {}),
      overrides: overridesFrom(a),
      ...(a.key !== undefined ? { key: a.key } : {}),
    });
    if (a.json) {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return;
    }
    const src = r.source;
    const where = src.stateDictKey === null ? 'a bare state_dict' : `checkpoint['${src.stateDictKey}']`;
    const dtypes = Object.entries(src.dtypes)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    const lines = [
      `converted ${r.input} -> ${r.output}`,
      `  model     ${r.zoo}: ${r.tensors} tensors, ${r.parameters.toLocaleString('en-US')} parameters (stored as float32)`,
      `  found     ${where} in a ${layoutWords(src.format, src.archiveName)}` +
        `${src.strippedPrefix ? `, '${src.strippedPrefix}' prefix removed` : ''}; source dtypes ${dtypes}`,
    ];
    if (r.detected) for (const l of r.detected.lines) lines.push(`  config    ${l}`);
    const info: string[] = [];
    if (src.epoch !== null) info.push(`epoch ${src.epoch}`);
    if (src.arch !== null) info.push(`arch ${src.arch}`);
    for (const k of ['max_test_acc1', 'metric', 'best_acc1']) if (src.scalars[k] !== undefined) info.push(`${k} ${String(src.scalars[k])}`);
    const argModel = src.args?.model;
    if (typeof argModel === 'string') info.push(`args.model ${argModel}`);
    if (info.length) lines.push(`  training  ${info.join(', ')}`);
    lines.push(`  next      spikewatt profile --model ${r.output} --batch-coupling official --dataset ... --out DIR`);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

function layoutWords(format: ConvertSource['format'], archive: string | null): string {
  switch (format) {
    case 'zip':
      return `zip archive${archive ? ` '${archive}'` : ''}`;
    case 'legacy':
      return 'legacy (pre-1.6) file';
    case 'safetensors':
      return 'safetensors file';
  }
}
