import { InputError } from '../../errors.js';
import type { AttentionKind, Family, ModelConfig } from '../spec.js';
import type { TensorMap } from '../tensor.js';
import { KNOB_NAMES, MODEL_KNOBS, type ConfigKnob, type KnobName } from '../knobs.js';
import { ZOO, ZOO_NAMES, type ZooName } from '../zoo.js';

/**
 * What every family's detection shares: the errors, the Detection record with provenance per value, the key reader,
 * the training-args reader and the nearest zoo variant. detect.ts reads QKFormer and Spikformer, newer-families.ts the
 * families after them.
 */
export class DetectError extends InputError {
  override name = 'DetectError';
}

/** The command line disagrees with what the weights fix. One error names every disagreement. */
export class DetectConflictError extends DetectError {
  override name = 'DetectConflictError';
}

/** What detection reports: the family, then every knob of the table. */
export type ConfigField = 'family' | KnobName;
export const CONFIG_FIELDS: readonly ConfigField[] = ['family', ...KNOB_NAMES];

/** 'weights': a tensor fixes it (a flag that disagrees is an error); the others can be changed freely. */
export type Origin = 'weights' | 'args' | 'default' | 'flag';
export interface Provenance {
  origin: Origin;
  note: string;
}

/** A width and the tensor that shows it. */
export interface KeyedDim {
  dim: number;
  key: string;
}

export interface Detection {
  /** The zoo variant whose published values fill what neither the weights nor the args give; it names the model. */
  zoo: ZooName;
  config: ModelConfig;
  /** Width of every stage and the tensor that shows it. */
  stageDims: KeyedDim[];
  /**
   * Width of every attention stage, one per head count, where they are not `stageDims` (SDT v2 / v3: four stages,
   * heads for block3 and block4; Max-Former: three stages, heads for stage 3); absent: `stageDims`.
   */
  headDims?: KeyedDim[];
  /**
   * Other families whose state_dicts have the same keys and shapes (SDT v1's CIFAR and ImageNet codes differ only in
   * max pools): a zoo name of one of them replaces the family the detection guessed.
   */
  alsoFits?: Family[];
  provenance: Record<ConfigField, Provenance>;
  /** Model name when it is not the zoo name (a stored config's own name). */
  name?: string;
}

export interface DetectOptions {
  /** Training args from the checkpoint (argparse.Namespace as plain JSON), or null. */
  args?: Record<string, unknown> | null;
}

export const shapeText = (s: readonly number[]) => `[${s.join(',')}]`;

/** A value and where it came from. */
export interface Found<T> {
  value: T;
  prov: Provenance;
}
export const weights = (note: string): Provenance => ({ origin: 'weights', note });

/** `1 block, stage3.0.*` / `2 blocks, stage3.0-1.*`. */
export const heldText = (name: string, blocks: number) =>
  blocks === 1 ? `1 block, ${name}.0.*` : `${blocks} blocks, ${name}.0-${blocks - 1}.*`;

/** What the weights cannot fix, from the training args a pickle holds, else the nearest zoo variant's default. */
export class ArgsReader {
  constructor(
    private readonly args: Record<string, unknown> | null,
    private readonly base: ZooName,
  ) {}

  /** The first of `names` that holds a positive integer (or a square `[H, W]`: only squares are modelled). */
  num(names: string[]): { value: number; name: string } | null {
    if (!this.args) return null;
    for (const n of names) {
      const v = this.args[n];
      if (typeof v === 'number' && Number.isInteger(v) && v > 0) return { value: v, name: n };
      const sq = Array.isArray(v) && v.length === 2 && v[0] === v[1] ? (v[0] as unknown) : undefined;
      if (typeof sq === 'number' && Number.isInteger(sq) && sq > 0) return { value: sq, name: n };
    }
    return null;
  }

  /** `default for qkformer-cifar10; pass --heads`. */
  dflt(k: KnobName): Provenance {
    const knob: ConfigKnob = MODEL_KNOBS[k];
    return { origin: 'default', note: `default for ${this.base}; pass ${knob.short ?? knob.flag}` };
  }

  heads(stages: number, zooCfg: ModelConfig): Found<number[]> {
    const list = this.args?.num_heads;
    if (Array.isArray(list) && list.length === stages && list.every((h) => typeof h === 'number' && Number.isInteger(h) && h > 0)) {
      return { value: list as number[], prov: { origin: 'args', note: 'args.num_heads' } };
    }
    const h = this.num(['num_heads']);
    if (h) return { value: new Array<number>(stages).fill(h.value), prov: { origin: 'args', note: `args.${h.name}` } };
    return { value: [...zooCfg.heads], prov: this.dflt('heads') };
  }

  timesteps(zooCfg: ModelConfig): Found<number> {
    const T = this.num(['T', 'time_steps', 'time_step', 'timesteps']);
    return T
      ? { value: T.value, prov: { origin: 'args', note: `args.${T.name}` } }
      : { value: zooCfg.timesteps, prov: this.dflt('timesteps') };
  }

  imgSizeArg(): { value: number; name: string } | null {
    return this.num(['img_size', 'input_size', 'img_size_h']);
  }

  imgSize(zooCfg: ModelConfig): Found<number> {
    const img = this.imgSizeArg();
    return img
      ? { value: img.value, prov: { origin: 'args', note: `args.${img.name}` } }
      : { value: zooCfg.imgSize, prov: this.dflt('imgSize') };
  }
}

/**
 * The zoo variant closest to the weights among `families`: same width first, then same classes, then (when given)
 * the same depths.
 */
export function nearestZoo(families: readonly Family[], embedDims: number, numClasses: number, depths?: number): ZooName {
  let best: ZooName | null = null,
    bestScore = -1;
  for (const name of ZOO_NAMES) {
    const z = ZOO[name];
    if (!families.includes(z.family)) continue;
    const score = (z.embedDims === embedDims ? 4 : 0) + (z.numClasses === numClasses ? 2 : 0) + (z.depths === depths ? 1 : 0);
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  if (best === null) throw new DetectError(`no zoo variant of family ${families.join(' / ')}`);
  return best;
}

export interface StageInfo {
  name: string;
  blocks: number;
  kind: AttentionKind;
  attnPrefix: string;
  dim: number;
  qKey: string;
  hidden: number;
  hiddenKey: string;
}

const ATTN_ATTR: Record<string, AttentionKind> = { tssa: 'qkta', qkca: 'qkca', ssa: 'ssa', attn: 'ssa' };

/** Shapes of a state_dict's tensors, with errors that name the key, its shape and the family expected. */
export class Reader {
  constructor(
    readonly t: TensorMap,
    private readonly family: string,
  ) {}

  shape(key: string, rank: number): number[] {
    const x = this.t.get(key);
    if (!x) throw new DetectError(`no ${key} in the state_dict (a ${this.family} checkpoint has it)`);
    if (x.shape.length !== rank) throw new DetectError(`${key} is ${shapeText(x.shape)}, expected ${rank} dimensions for ${this.family}`);
    return x.shape;
  }

  dim(key: string, axis: number, rank: number): number {
    return this.shape(key, rank)[axis]!;
  }

  has(key: string): boolean {
    return this.t.has(key);
  }

  text(key: string): string {
    return shapeText(this.t.get(key)?.shape ?? []);
  }

  /** How many blocks `${name}.<i>.*` holds, numbered 0 to n-1; 0 only where the stage may be empty. */
  blocks(name: string, mayBeEmpty: boolean): number {
    const re = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)\\.`);
    const ids = new Set<number>();
    for (const k of this.t.keys()) {
      const m = re.exec(k);
      if (m) ids.add(Number(m[1]));
    }
    if (ids.size === 0 && !mayBeEmpty) throw new DetectError(`no ${name}.0.* keys (a ${this.family} checkpoint has them)`);
    for (let j = 0; j < ids.size; j++) {
      if (!ids.has(j)) throw new DetectError(`${name} blocks are not numbered 0-${ids.size - 1} (${name}.${j}.* is missing)`);
    }
    return ids.size;
  }

  /** A QKFormer / Spikformer stage: its blocks, their one attention kind (module tssa, qkca, ssa or attn) and widths. */
  stage(name: string, mayBeEmpty: boolean): StageInfo {
    const blocks = this.blocks(name, mayBeEmpty);
    if (blocks === 0) return { name, blocks, kind: 'ssa', attnPrefix: '', dim: 0, qKey: '', hidden: 0, hiddenKey: '' };
    let kind: AttentionKind | null = null,
      attnPrefix = '',
      qKey = '';
    for (let j = 0; j < blocks; j++) {
      const attrs = new Set<string>();
      const are = new RegExp(`^${name}\\.${j}\\.(\\w+)\\.q_(conv|linear)\\.weight$`);
      for (const k of this.t.keys()) {
        const m = are.exec(k);
        if (m) attrs.add(m[1]!);
      }
      const [attr, ...more] = [...attrs];
      if (attr === undefined || more.length) {
        throw new DetectError(`${name}.${j}: expected one attention module with q_conv / q_linear, found ${attrs.size}`);
      }
      const k = ATTN_ATTR[attr];
      if (k === undefined) {
        throw new DetectError(`${name}.${j}.${attr}: unknown attention module name (known: ${Object.keys(ATTN_ATTR).join(', ')})`);
      }
      if (kind !== null && k !== kind) {
        throw new DetectError(
          `${name} mixes attention kinds (${attnPrefix} is ${kind}, ${name}.${j}.${attr} is ${k}); ` + 'one kind per stage is modelled',
        );
      }
      if (kind === null) {
        kind = k;
        attnPrefix = `${name}.0.${attr}`;
        qKey = [...this.t.keys()].find((x) => x.startsWith(`${attnPrefix}.q_`) && x.endsWith('.weight'))!;
      }
    }
    const hiddenKey = [...this.t.keys()].find((x) => new RegExp(`^${name}\\.0\\.mlp\\.(mlp1|fc1)_(conv|linear)\\.weight$`).test(x));
    if (hiddenKey === undefined) throw new DetectError(`no ${name}.0.mlp.mlp1_conv / fc1_conv / fc1_linear weight`);
    return {
      name,
      blocks,
      kind: kind!,
      attnPrefix,
      dim: this.t.get(qKey)!.shape[0]!,
      qKey,
      hidden: this.t.get(hiddenKey)!.shape[0]!,
      hiddenKey,
    };
  }
}
