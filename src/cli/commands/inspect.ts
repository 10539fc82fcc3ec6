import type { CommandModule } from 'yargs';
import { hasConfigMetadata, storedConfig as readStoredConfig, type CheckpointFile } from '../../models/formats/checkpoint-file.js';
import { applyExplicit, describeDetection, detectConfig, DetectConflictError, DetectError, type Detection } from '../../models/detect/detect.js';
import { modelStats } from '../../models/stats.js';
import { shapeNumel } from '../../models/tensor.js';
import { STATE_DICT_KEYS } from '../../models/formats/torch-checkpoint.js';
import { checkCheckpoint } from '../../models/weights.js';
import { isZooName, ZOO_NAMES } from '../../models/zoo.js';
import { buildDetected } from '../../models/detect/detect.js';
import { readCheckpointFile } from '../checkpoint-model.js';
import { InputError, UserError } from '../errors.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  file: string;
  model?: string | undefined;
  key?: string | undefined;
  json?: boolean | undefined;
}

/** Top-level numbers official training scripts store next to the weights (DVS train.py, timm, MAE-style misc.py). */
const ACCURACY_KEYS = ['max_test_acc1', 'max_test_acc5', 'best_acc1', 'best_acc', 'acc1', 'acc', 'metric', 'test_acc1'] as const;

/** What `inspect --json` prints; field names are part of the command's contract. */
export interface InspectResult {
  file: string;
  layout: CheckpointFile['layout'];
  bytes: number;
  tensors: number;
  /** Elements of every tensor except BatchNorm's buffers (running statistics, num_batches_tracked). */
  parameters: number;
  /** Tensors per stored dtype (torch files: the dtype on disk before widening). */
  dtypes: Record<string, number>;
  torch: { stateDictKey: string | null; strippedPrefix: string | null; archiveName: string | null; topLevelKeys: string[] } | null;
  /** The config a safetensors file states in its metadata (it wins over detection), or null. */
  storedConfig: unknown;
  detected: {
    zoo: string;
    config: Detection['config'];
    stageDims: Detection['stageDims'];
    provenance: Detection['provenance'];
    lines: string[];
  } | null;
  /** Why detection failed, or why the detected config does not build or fit the weights; null when it does. */
  problem: string | null;
  model: { name: string; params: number; paramsUsed: number; denseMacsPerStep: number } | null;
  training: {
    epoch: number | null;
    arch: string | null;
    accuracy: Record<string, number | string>;
    scalars: Record<string, number | string | boolean>;
    args: Record<string, unknown> | null;
    /** The JSON a spikewatt safetensors file stores under its metadata key, or null. */
    spikewatt: unknown;
  };
}

export function inspectFile(f: CheckpointFile, a: OverrideArgs, model: string | undefined): InspectResult {
  const overrides = overridesFrom(a);
  const explicit = model !== undefined || Object.keys(overrides).length > 0;
  if (model !== undefined && !isZooName(model)) throw new UserError(`unknown model '${model}' (known: ${ZOO_NAMES.join(', ')})`);
  let parameters = 0;
  const dtypes: Record<string, number> = {};
  for (const [k, t] of f.tensors) {
    if (!/(num_batches_tracked|running_mean|running_var)$/.test(k)) parameters += shapeNumel(t.shape);
    if (f.layout === 'safetensors') dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  }
  if (f.torch) Object.assign(dtypes, f.torch.dtypes);
  let storedConfig: unknown = null,
    spikewatt: unknown = null;
  if (hasConfigMetadata(f)) {
    const raw = f.metadata.spikewatt ?? f.metadata.model ?? f.metadata.config ?? 'null';
    try {
      spikewatt = JSON.parse(raw);
    } catch {
      spikewatt = raw;
    }
    const s = spikewatt as { config?: unknown; family?: unknown } | null;
    storedConfig = s && typeof s === 'object' ? (s.family !== undefined ? s : (s.config ?? null)) : null;
  }
  let detected: InspectResult['detected'] = null,
    problem: string | null = null,
    modelInfo: InspectResult['model'] = null;
  let d: Detection | null = null;
  try {
    d = detectConfig(f.tensors, { args: f.torch?.args ?? null });
  } catch (e) {
    if (!(e instanceof DetectError)) throw e;
    problem = e.message;
  }
  if (d !== null) {
    try {
      const zoo = model !== undefined && isZooName(model) ? model : undefined;
      d = applyExplicit(d, { model: zoo, stored: zoo === undefined ? (readStoredConfig(f) ?? undefined) : undefined, overrides }, f.what);
      const spec = buildDetected(d, f.what);
      checkCheckpoint(spec, f.tensors, f.what);
      const s = modelStats(spec);
      modelInfo = { name: spec.name, params: s.params, paramsUsed: s.paramsUsed, denseMacsPerStep: s.denseMacsPerStep };
    } catch (e) {
      // Flags the weights contradict are the user's mistake; anything else is a fact about the file to report.
      if (e instanceof DetectConflictError || (explicit && e instanceof DetectError)) throw e;
      if (!(e instanceof InputError)) throw e;
      problem = e.message;
    }
    detected = { zoo: d.zoo, config: d.config, stageDims: d.stageDims, provenance: d.provenance, lines: describeDetection(d) };
  }
  const scalars = f.torch?.scalars ?? {};
  const accuracy: Record<string, number | string> = {};
  for (const k of ACCURACY_KEYS) {
    const v = scalars[k];
    if (typeof v === 'number' || typeof v === 'string') accuracy[k] = v;
  }
  const sw = spikewatt as { testTop1?: unknown; epochsDone?: unknown } | null;
  if (sw && typeof sw === 'object' && typeof sw.testTop1 === 'number') accuracy.testTop1 = sw.testTop1;
  return {
    file: f.what,
    layout: f.layout,
    bytes: f.bytes,
    tensors: f.tensors.size,
    parameters,
    dtypes,
    torch:
      f.torch === null
        ? null
        : {
            stateDictKey: f.torch.stateDictKey,
            strippedPrefix: f.torch.strippedPrefix,
            archiveName: f.torch.archiveName,
            topLevelKeys: f.torch.topLevelKeys,
          },
    storedConfig,
    detected,
    problem,
    model: modelInfo,
    training: {
      epoch: f.torch?.epoch ?? (sw && typeof sw.epochsDone === 'number' ? sw.epochsDone : null),
      arch: f.torch?.arch ?? null,
      accuracy,
      scalars,
      args: f.torch?.args ?? null,
      spikewatt,
    },
  };
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
    const r = inspectFile(readCheckpointFile(a.file, a.key), a, a.model);
    process.stdout.write(a.json ? `${JSON.stringify(r, null, 1)}\n` : renderInspect(r));
  },
};
