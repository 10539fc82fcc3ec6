import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { checkpointMetadata, type ConvertedCheckpointMeta } from '../../models/checkpoint-config.js';
import { writeSafetensors } from '../../models/safetensors.js';
import type { ModelSpec } from '../../models/spec.js';
import { shapeNumel, type TensorMap } from '../../models/tensor.js';
import { readTorchCheckpoint, STATE_DICT_KEYS } from '../../models/torch-checkpoint.js';
import { checkCheckpoint, CheckpointMismatchError } from '../../models/weights.js';
import { InputError } from '../../errors.js';
import { withModelOverrides, zooSpec, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  model: string; input: string; output: string; key?: string | undefined; json?: boolean | undefined;
}


export const convertCommand: CommandModule<object, Args> = {
  command: 'convert <input> <output>',
  describe: 'Convert an official PyTorch checkpoint (.pth / .pth.tar, torch.save) into a .safetensors file that profile, compare and infer read',
  builder: (y) => withModelOverrides(y)
    .positional('input', { type: 'string', demandOption: true, describe: 'torch.save checkpoint: zip (torch >= 1.6) or legacy format' })
    .positional('output', { type: 'string', demandOption: true, describe: '.safetensors file to write (replaced atomically)' })
    .option('model', { type: 'string', demandOption: true, describe: 'zoo name the checkpoint was trained as (see `spikewatt models`), with size overrides as in `models`' })
    .option('key', { type: 'string', describe: `top-level key holding the state_dict (default: the first of ${STATE_DICT_KEYS.join(', ')}, or the file itself when it is a dict of tensors)` })
    .option('json', { type: 'boolean', describe: 'print one JSON object: what was found and written' })
    .example('spikewatt convert --model qkformer-imagenet-10-384 output_dir_qkformer_78.85/checkpoint-199.pth qkformer-10-384.safetensors', 'the official ImageNet HST-10-384 weights')
    .example('spikewatt convert --model qkformer-cifar100 --num-classes 100 model_best.pth.tar qkformer-cifar100.safetensors --json', 'a timm CheckpointSaver file (DataParallel `module.` prefixes are removed)')
    .example('spikewatt profile --model qkformer-10-384.safetensors --dataset synthetic --samples 8 --batch-coupling official --out out/', 'then profile the converted weights') as never,
  handler: (a) => {
    const spec = zooSpec(a.model, a);
    if (!/\.safetensors$/i.test(a.output)) throw new InputError(`output ${a.output} must end in .safetensors`);
    let buf: Buffer;
    try { buf = readFileSync(a.input); } catch (e) {
      throw new InputError(`cannot read ${a.input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const ck = readTorchCheckpoint(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), {
      what: a.input, ...(a.key !== undefined ? { stateDictKey: a.key } : {}),
    });
    try { checkCheckpoint(spec, ck.tensors, a.input); } catch (e) {
      if (e instanceof CheckpointMismatchError) throw new InputError(`${e.message}${sizeHint(spec, ck.tensors)}`);
      throw e;
    }
    const source: ConvertedCheckpointMeta['source'] = {
      file: basename(a.input), format: ck.meta.format, archiveName: ck.meta.archiveName, stateDictKey: ck.meta.stateDictKey,
      strippedPrefix: ck.meta.strippedPrefix, epoch: ck.meta.epoch, arch: ck.meta.arch, dtypes: ck.meta.dtypes,
      scalars: ck.meta.scalars, args: ck.meta.args,
    };
    const meta: ConvertedCheckpointMeta = { format: 'spikewatt-converted', version: 1, zoo: a.model, config: spec.config, source };
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
      process.stdout.write(`${JSON.stringify({ input: a.input, output: a.output, zoo: a.model, model: spec.name, config: spec.config, tensors: ck.tensors.size, parameters, bytes: bytes.length, source })}\n`);
      return;
    }
    const where = ck.meta.stateDictKey === null ? 'a bare state_dict' : `checkpoint['${ck.meta.stateDictKey}']`;
    const dtypes = Object.entries(ck.meta.dtypes).map(([d, n]) => `${d} ${n}`).join(', ');
    const lines = [
      `converted ${a.input} -> ${a.output}`,
      `  model     ${a.model}: ${ck.tensors.size} tensors, ${parameters.toLocaleString('en-US')} parameters (stored as float32)`,
      `  found     ${where} in a ${ck.meta.format === 'zip' ? `zip archive${ck.meta.archiveName ? ` '${ck.meta.archiveName}'` : ''}` : 'legacy (pre-1.6) file'}`
        + `${ck.meta.strippedPrefix ? `, '${ck.meta.strippedPrefix}' prefix removed` : ''}; source dtypes ${dtypes}`,
    ];
    const info: string[] = [];
    if (ck.meta.epoch !== null) info.push(`epoch ${ck.meta.epoch}`);
    if (ck.meta.arch !== null) info.push(`arch ${ck.meta.arch}`);
    for (const k of ['max_test_acc1', 'metric', 'best_acc1']) if (ck.meta.scalars[k] !== undefined) info.push(`${k} ${String(ck.meta.scalars[k])}`);
    const argModel = ck.meta.args?.model;
    if (typeof argModel === 'string') info.push(`args.model ${argModel}`);
    if (info.length) lines.push(`  training  ${info.join(', ')}`);
    lines.push(`  next      spikewatt profile --model ${a.output} --batch-coupling official --dataset ... --out DIR`);
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};

/** When shapes do not fit, the head and first conv tell the classes, width and input channels the file has. */
function sizeHint(spec: ModelSpec, t: TensorMap): string {
  const hints: string[] = [];
  const head = t.get('head.weight');
  const want = spec.stateKeys.find((k) => k.key === 'head.weight');
  if (head && want && head.shape.length === 2) {
    if (head.shape[0] !== want.shape[0]) hints.push(`--num-classes ${head.shape[0]}`);
    if (head.shape[1] !== want.shape[1]) hints.push(`--embed-dims ${head.shape[1]}`);
  }
  const first = [...t.entries()].find(([k, v]) => /^patch_embed1?\.proj_conv\.weight$/.test(k) && v.shape.length === 4);
  if (first && first[1].shape[1] !== spec.config.inChannels) hints.push(`--in-channels ${first[1].shape[1]}`);
  return hints.length ? ` (the checkpoint's shapes suggest ${hints.join(' ')})` : '';
}
