import { InputError } from '../errors.js';
import type { ModelConfig } from '../models/spec.js';
import type { ConfigOverrides } from '../models/zoo.js';
import { KNOB_NAMES, MODEL_KNOBS, type KnobName } from '../models/knobs.js';
import type { ResolvedModel } from './model.js';

/**
 * What a run records about itself beyond the counts (profile.json `model` and `config`): the weights file's
 * hash, the command, the dataset a checkpoint was trained on, and the checks of size overrides against a
 * checkpoint's own config.
 */

/** The spikewatt metadata of a checkpoint (its safetensors `__metadata__.spikewatt`), parsed; null when absent. */
function spikewattMeta(model: ResolvedModel): Record<string, unknown> | null {
  const raw = model.metadata['spikewatt'];
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The dataset a spikewatt checkpoint records (`fashion-mnist`), when it names a registered one; else null. */
export function checkpointDataset(model: ResolvedModel, known: (name: string) => boolean): string | null {
  if (model.checkpoint === null) return null;
  const d = spikewattMeta(model)?.dataset as { name?: unknown } | undefined;
  const name = typeof d?.name === 'string' ? d.name.toLowerCase() : null;
  return name !== null && known(name) ? name : null;
}

/** The T a checkpoint was trained (or converted) at, from its metadata; null when it records none. */
function checkpointTimesteps(model: ResolvedModel): number | null {
  const t = (spikewattMeta(model)?.config as { timesteps?: unknown } | undefined)?.timesteps;
  return typeof t === 'number' ? t : null;
}

/** The knobs a checkpoint's weights fix: every one but T (the knob table, src/models/knobs.ts). */
const SIZE_KEYS = KNOB_NAMES.filter((k) => !MODEL_KNOBS[k].checkpointMayOverride);

function sameAsConfig(c: ModelConfig, k: KnobName, o: ConfigOverrides): boolean {
  switch (k) {
    case 'heads':
      return c.heads.every((h) => h === o.heads);
    case 'attention': {
      const a = o.attention ?? [];
      if (a.length === 1) return c.attention.every((x) => x === a[0]);
      return a.length === c.attention.length && a.every((x, i) => x === c.attention[i]);
    }
    default:
      return c[k] === o[k];
  }
}

/**
 * Size overrides given with a checkpoint: one that differs from the checkpoint's config is an error (its weights
 * fix every shape); a T other than the training T is applied, and the returned note says so.
 */
export function checkpointOverrideNotes(model: ResolvedModel, overrides: ConfigOverrides, viaWeights: boolean): string[] {
  if (model.checkpoint === null || viaWeights) return [];
  // An architecture read from the weights has had its overrides checked against them; say what was read.
  if (model.detected !== undefined) return [model.detected];
  const c = model.spec.config;
  const bad = SIZE_KEYS.filter((k) => overrides[k] !== undefined && !sameAsConfig(c, k, overrides));
  if (bad.length) {
    const given = bad.map((k) => `${MODEL_KNOBS[k].flag} ${JSON.stringify(overrides[k])}`).join(', ');
    const own = bad.map((k) => `${k} ${JSON.stringify(c[k])}`).join(', ');
    throw new InputError(
      `${model.checkpoint} fixes the model's sizes; ${given} conflict${bad.length === 1 ? 's' : ''} with its config ` +
        `(${own}): drop ${bad.length === 1 ? 'it' : 'them'}`,
    );
  }
  const trainedT = overrides.timesteps !== undefined ? checkpointTimesteps(model) : null;
  if (trainedT !== null && trainedT !== c.timesteps) {
    return [
      `T = ${c.timesteps} is applied to a checkpoint trained at T = ${trainedT} (-T ${c.timesteps}): ` +
        'accuracy and firing rates may differ from training',
    ];
  }
  return [];
}

/** The command line as typed, shell-quoted where needed (for profile.json's record). */
export function commandLine(argv: readonly string[]): string {
  return ['spikewatt', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
