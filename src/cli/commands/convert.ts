import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { checkpointMetadata, type ConvertedCheckpointMeta } from '../../models/detect/checkpoint-config.js';
import { writeSafetensors } from '../../models/formats/safetensors.js';
import type { CheckpointFile } from '../../models/formats/checkpoint-file.js';
import { describeDetection } from '../../models/detect/detect.js';
import { shapeNumel } from '../../models/tensor.js';
import { STATE_DICT_KEYS } from '../../models/formats/torch-checkpoint.js';
import { InputError } from '../../errors.js';
import { checkZooName, cliCheckpointModel, readCheckpointFile } from '../checkpoint-model.js';
import { withModelOverrides, type OverrideArgs } from '../options.js';

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
    checkZooName(a.model);
    if (!/\.safetensors$/i.test(a.output)) throw new InputError(`output ${a.output} must end in .safetensors`);
    const f = readCheckpointFile(a.input, a.key);
    const { spec, detection } = cliCheckpointModel(f, a, a.model);
    const zoo = detection?.zoo ?? a.model ?? spec.name;
    const ck = { tensors: f.tensors, meta: f.torch ?? safetensorsSource(f) };
    const source: ConvertedCheckpointMeta['source'] = {
      file: basename(a.input),
      format: ck.meta.format,
      archiveName: ck.meta.archiveName,
      stateDictKey: ck.meta.stateDictKey,
      strippedPrefix: ck.meta.strippedPrefix,
      epoch: ck.meta.epoch,
      arch: ck.meta.arch,
      dtypes: ck.meta.dtypes,
      scalars: ck.meta.scalars,
      args: ck.meta.args,
    };
    const meta: ConvertedCheckpointMeta = { format: 'spikewatt-converted', version: 1, zoo, config: spec.config, source };
    const bytes = writeSafetensors(ck.tensors, checkpointMetadata(meta));
    const tmp = `${a.output}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, a.output);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new InputError(`cannot write ${a.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let parameters = 0;
    for (const [k, t] of ck.tensors) if (!k.endsWith('num_batches_tracked')) parameters += shapeNumel(t.shape);
    if (a.json) {
      const detected = detection ? { zoo: detection.zoo, provenance: detection.provenance, lines: describeDetection(detection) } : null;
      process.stdout.write(
        `${JSON.stringify({
          input: a.input,
          output: a.output,
          zoo,
          model: spec.name,
          config: spec.config,
          tensors: ck.tensors.size,
          parameters,
          bytes: bytes.length,
          source,
          detected,
        })}\n`,
      );
      return;
    }
    const where = ck.meta.stateDictKey === null ? 'a bare state_dict' : `checkpoint['${ck.meta.stateDictKey}']`;
    const dtypes = Object.entries(ck.meta.dtypes)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    const lines = [
      `converted ${a.input} -> ${a.output}`,
      `  model     ${zoo}: ${ck.tensors.size} tensors, ${parameters.toLocaleString('en-US')} parameters (stored as float32)`,
      `  found     ${where} in a ${layoutWords(ck.meta.format, ck.meta.archiveName)}` +
        `${ck.meta.strippedPrefix ? `, '${ck.meta.strippedPrefix}' prefix removed` : ''}; source dtypes ${dtypes}`,
    ];
    if (detection) for (const l of describeDetection(detection)) lines.push(`  config    ${l}`);
    const info: string[] = [];
    if (ck.meta.epoch !== null) info.push(`epoch ${ck.meta.epoch}`);
    if (ck.meta.arch !== null) info.push(`arch ${ck.meta.arch}`);
    for (const k of ['max_test_acc1', 'metric', 'best_acc1'])
      if (ck.meta.scalars[k] !== undefined) info.push(`${k} ${String(ck.meta.scalars[k])}`);
    const argModel = ck.meta.args?.model;
    if (typeof argModel === 'string') info.push(`args.model ${argModel}`);
    if (info.length) lines.push(`  training  ${info.join(', ')}`);
    lines.push(`  next      spikewatt profile --model ${a.output} --batch-coupling official --dataset ... --out DIR`);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

function layoutWords(format: ConvertedCheckpointMeta['source']['format'], archive: string | null): string {
  switch (format) {
    case 'zip':
      return `zip archive${archive ? ` '${archive}'` : ''}`;
    case 'legacy':
      return 'legacy (pre-1.6) file';
    case 'safetensors':
      return 'safetensors file';
  }
}

/** A safetensors input has no pickle around its tensors: the source record says so. */
function safetensorsSource(f: CheckpointFile): Omit<ConvertedCheckpointMeta['source'], 'file'> & { format: 'safetensors' } {
  const dtypes: Record<string, number> = {};
  for (const t of f.tensors.values()) dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  return {
    format: 'safetensors',
    archiveName: null,
    stateDictKey: null,
    strippedPrefix: null,
    epoch: null,
    arch: null,
    dtypes,
    scalars: {},
    args: null,
  };
}
