import { ATTENTION_KINDS, type AttentionKind, type ModelConfig } from './spec.js';

/**
 * The model's config knobs, in one table: the CLI size options (src/cli/options.ts), detection's labels and flags
 * (src/models/detect), validation bounds (`validateConfig` in zoo.ts), overrides (`applyOverrides`), the
 * checkpoint override check (src/pipeline/run-record.ts) and the docs (README "Size overrides", checked by a test)
 * all read it. A knob is a field of ModelConfig a user may set; `family` and `input` follow from the zoo entry or
 * the weights.
 */
export const KNOB_NAMES = [
  'embedDims',
  'depths',
  'heads',
  'mlpRatio',
  'timesteps',
  'imgSize',
  'inChannels',
  'numClasses',
  'attention',
  'speds',
] as const;
export type KnobName = (typeof KNOB_NAMES)[number];

export interface ConfigKnob {
  /** The command-line option (`--embed-dims`), and a short form where there is one (`-T`). */
  flag: `--${string}`;
  short?: `-${string}`;
  /**
   * `integer` / `number`: one value (heads: one count for every stage); `kinds`: a comma-separated list of attention
   * kinds, one for every stage or one per stage; `boolean`: `--flag` / `--no-flag`.
   */
  type: 'integer' | 'number' | 'kinds' | 'boolean';
  /** How detection lines and conflict messages name it: `embed dims 384 (from ...)`. */
  label: string;
  /** How validation errors name it: `image size 0 must be ...`. */
  noun: string;
  /** What it means (the CLI's --help and the docs). */
  description: string;
  /** Where its value comes from when no flag gives one. */
  default: string;
  /** Validation: integers in [1, max]; `mlpRatio` in (0, max]. */
  max?: number;
  /** True for T only: the weights do not depend on it, so a checkpoint's stored config lets a flag change it. */
  checkpointMayOverride: boolean;
}

const ZOO_DEFAULT = "the zoo variant's (the official value)";

// NOTE: upper bounds far beyond any published model, so that a corrupt or hostile config (a checkpoint's metadata) is
// refused instead of building a spec of billions of layers
export const MODEL_KNOBS = {
  embedDims: {
    flag: '--embed-dims',
    type: 'integer',
    label: 'embed dims',
    noun: 'embed dims',
    description: 'embedding width of the last stage (official embed_dims)',
    default: ZOO_DEFAULT,
    max: 65536,
    checkpointMayOverride: false,
  },
  depths: {
    flag: '--depths',
    type: 'integer',
    label: 'depths',
    noun: 'depths',
    description: 'official depths: QKFormer CIFAR stage 3 gets depths-2 SSA blocks, ImageNet depths-3',
    default: ZOO_DEFAULT,
    max: 256,
    checkpointMayOverride: false,
  },
  heads: {
    flag: '--heads',
    type: 'integer',
    label: 'heads',
    noun: 'heads',
    description: 'heads of every stage (overrides the hard-coded 8 / 16)',
    default: ZOO_DEFAULT,
    max: 4096,
    checkpointMayOverride: false,
  },
  mlpRatio: {
    flag: '--mlp-ratio',
    type: 'number',
    label: 'mlp ratio',
    noun: 'mlp ratio',
    description: 'MLP hidden width / embedding width',
    default: ZOO_DEFAULT,
    max: 256,
    checkpointMayOverride: false,
  },
  timesteps: {
    flag: '--timesteps',
    short: '-T',
    type: 'integer',
    label: 'T',
    noun: 'timesteps',
    description: 'simulation time steps T',
    default: ZOO_DEFAULT,
    max: 4096,
    checkpointMayOverride: true,
  },
  imgSize: {
    flag: '--img-size',
    type: 'integer',
    label: 'img size',
    noun: 'image size',
    description: 'input height = width in pixels',
    default: ZOO_DEFAULT,
    max: 8192,
    checkpointMayOverride: false,
  },
  inChannels: {
    flag: '--in-channels',
    type: 'integer',
    label: 'in channels',
    noun: 'input channels',
    description: 'input channels (3 for images, 2 for DVS polarities)',
    default: ZOO_DEFAULT,
    max: 4096,
    checkpointMayOverride: false,
  },
  numClasses: {
    flag: '--num-classes',
    type: 'integer',
    label: 'classes',
    noun: 'number of classes',
    description: 'classifier outputs',
    default: ZOO_DEFAULT,
    max: 1_000_000,
    checkpointMayOverride: false,
  },
  attention: {
    flag: '--attention',
    type: 'kinds',
    label: 'attention',
    noun: 'attention',
    description: `attention per stage, comma-separated: ${ATTENTION_KINDS.join(' | ')} (one value = every stage)`,
    default: ZOO_DEFAULT,
    checkpointMayOverride: false,
  },
  speds: {
    flag: '--speds',
    type: 'boolean',
    label: 'SPEDS',
    noun: 'speds',
    description: 'SPEDS patch embedding with deformed shortcut (--no-speds: the ablation without it)',
    default: 'on (QKFormer); Spikformer has none',
    checkpointMayOverride: false,
  },
} as const satisfies Record<KnobName, ConfigKnob>;

// every knob is a ModelConfig field
const _knobsAreConfigFields: readonly (keyof ModelConfig)[] = KNOB_NAMES;
void _knobsAreConfigFields;

/** A knob's value as the user gives it: heads is one count for every stage, attention one kind or one per stage. */
export interface ConfigOverrides {
  embedDims?: number;
  depths?: number;
  heads?: number;
  mlpRatio?: number;
  timesteps?: number;
  imgSize?: number;
  inChannels?: number;
  numClasses?: number;
  attention?: AttentionKind[];
  speds?: boolean;
}

/** The flag that sets `k` to `v`, as messages quote it: `--embed-dims 64`, `-T 2`, `--attention qkta,ssa`, `--no-speds`. */
export function flagText<K extends KnobName>(k: K, v: NonNullable<ConfigOverrides[K]>): string {
  const knob: ConfigKnob = MODEL_KNOBS[k];
  if (typeof v === 'boolean') return v ? knob.flag : knob.flag.replace(/^--/, '--no-');
  return `${knob.short ?? knob.flag} ${Array.isArray(v) ? v.join(',') : String(v)}`;
}

/**
 * The config value an override stands for in a model of `stages` stages: heads for every stage, one attention kind
 * for every stage; null when an attention list has neither 1 nor `stages` kinds (the caller names the model).
 */
export function overrideValue<K extends KnobName>(k: K, o: ConfigOverrides, stages: number): ModelConfig[K] | null {
  const v = o[k];
  switch (k) {
    case 'heads':
      return new Array<number>(stages).fill(v as number) as ModelConfig[K];
    case 'attention': {
      const kinds = v as AttentionKind[];
      if (kinds.length === 1) return new Array<AttentionKind>(stages).fill(kinds[0]!) as ModelConfig[K];
      return kinds.length === stages ? ([...kinds] as ModelConfig[K]) : null;
    }
    default:
      return v as unknown as ModelConfig[K];
  }
}

/** A copy of a config value (lists copied), to set on another config. */
export function knobValue<K extends KnobName>(c: ModelConfig, k: K): ModelConfig[K] {
  const v = c[k];
  return (Array.isArray(v) ? [...(v as unknown[])] : v) as ModelConfig[K];
}

/** The README's line of size overrides, from the table (a test keeps the README in step). */
export function knobFlagsLine(): string {
  return KNOB_NAMES.map((k) => {
    const knob: ConfigKnob = MODEL_KNOBS[k];
    if (knob.type === 'boolean') return `--no-${knob.flag.slice(2)}`;
    if (knob.type === 'kinds') return `${knob.flag} qkta,qkta,ssa`;
    return knob.short ? `${knob.flag}/${knob.short}` : knob.flag;
  }).join(' ');
}
