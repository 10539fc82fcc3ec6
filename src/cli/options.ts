import type { Argv } from 'yargs';
import { ATTENTION_KINDS, type AttentionKind, type ModelSpec } from '../models/spec.js';
import { isZooName, zooModel, ZOO_NAMES, type ConfigOverrides } from '../models/zoo.js';
import { UserError } from './errors.js';

/** The size overrides every model-taking command accepts (same names as `spikewatt models`). */
export function withModelOverrides<T>(y: Argv<T>) {
  return y
    .option('embed-dims', { type: 'number', describe: 'embedding width of the last stage (official embed_dims)' })
    .option('depths', { type: 'number', describe: 'official depths: QKFormer CIFAR stage 3 gets depths-2 SSA blocks, ImageNet depths-3' })
    .option('heads', { type: 'number', describe: 'heads of every stage (overrides the hard-coded 8 / 16)' })
    .option('mlp-ratio', { type: 'number', describe: 'MLP hidden width / embedding width' })
    .option('timesteps', { alias: 'T', type: 'number', describe: 'simulation time steps T' })
    .option('img-size', { type: 'number', describe: 'input height = width in pixels' })
    .option('in-channels', { type: 'number', describe: 'input channels (3 for images, 2 for DVS polarities)' })
    .option('num-classes', { type: 'number', describe: 'classifier outputs' })
    .option('attention', { type: 'string', describe: 'attention per stage, comma-separated: qkta | qkca | ssa (one value = every stage)' })
    .option('speds', { type: 'boolean', describe: 'SPEDS patch embedding with deformed shortcut (--no-speds: the ablation without it)' });
}

export interface OverrideArgs {
  embedDims?: number | undefined; depths?: number | undefined; heads?: number | undefined; mlpRatio?: number | undefined;
  timesteps?: number | undefined; imgSize?: number | undefined; inChannels?: number | undefined; numClasses?: number | undefined;
  attention?: string | undefined; speds?: boolean | undefined;
}

export function parseAttention(s: string): AttentionKind[] {
  const kinds = s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
  for (const k of kinds) {
    if (!(ATTENTION_KINDS as readonly string[]).includes(k)) throw new UserError(`unknown attention kind '${k}' (use ${ATTENTION_KINDS.join(', ')})`);
  }
  if (!kinds.length) throw new UserError('--attention is empty');
  return kinds as AttentionKind[];
}

export function overridesFrom(a: OverrideArgs): ConfigOverrides {
  const o: ConfigOverrides = {};
  if (a.embedDims !== undefined) o.embedDims = a.embedDims;
  if (a.depths !== undefined) o.depths = a.depths;
  if (a.heads !== undefined) o.heads = a.heads;
  if (a.mlpRatio !== undefined) o.mlpRatio = a.mlpRatio;
  if (a.timesteps !== undefined) o.timesteps = a.timesteps;
  if (a.imgSize !== undefined) o.imgSize = a.imgSize;
  if (a.inChannels !== undefined) o.inChannels = a.inChannels;
  if (a.numClasses !== undefined) o.numClasses = a.numClasses;
  if (a.attention !== undefined) o.attention = parseAttention(a.attention);
  if (a.speds !== undefined) o.speds = a.speds;
  return o;
}

export function zooSpec(name: string, a: OverrideArgs): ModelSpec {
  if (!isZooName(name)) throw new UserError(`unknown model '${name}' (known: ${ZOO_NAMES.join(', ')})`);
  try {
    return zooModel(name, overridesFrom(a));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(e instanceof Error ? e.message : String(e));
  }
}
