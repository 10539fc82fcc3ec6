import { InputError } from '../../errors.js';
import type { AttentionKind, Family, ModelConfig, ModelSpec } from '../spec.js';
import type { TensorMap } from '../tensor.js';
import { flagText, KNOB_NAMES, knobValue, MODEL_KNOBS, overrideValue, type ConfigKnob, type KnobName } from '../knobs.js';
import { buildModel, stageCount, validateConfig, ZOO, ZOO_NAMES, type ConfigOverrides, type ZooName } from '../zoo.js';

/**
 * The model config of an official state_dict, read from its key names and tensor shapes.
 *
 * What the weights fix: the family (stem keys, stage names, `tssa` / `ssa` / `attn`, q/k/v as Linear or Conv1d,
 * MLP as Conv1d or Conv2d), the width of every stage, blocks per stage (hence the official `depths`), the MLP
 * ratio, input channels, classes, attention per stage, SPEDS (the `proj_res` shortcuts), and for Spikformer DVS
 * the image size (its unused `pos_embed` holds one row per 16x16 patch).
 * What they cannot fix comes from the training args the pickle holds (`num_heads`, `T` / `time_steps`,
 * `img_size` / `input_size`), else from the nearest zoo variant's published value. Every value carries where it
 * came from, so a user sees which numbers are facts and which are guesses.
 */
export class DetectError extends InputError {
  override name = 'DetectError';
}

/** The command line disagrees with what the weights fix. One error names every disagreement. */
export class DetectConflictError extends DetectError {
  override name = 'DetectConflictError';
}

/** The families detection reads from a state_dict's keys (the newer ones are named by undetectedFamily, loaded by zoo name). */
type DetectedFamily = Extract<
  Family,
  'qkformer-cifar' | 'qkformer-imagenet' | 'qkformer-dvs' | 'spikformer-cifar' | 'spikformer-imagenet' | 'spikformer-dvs'
>;

/** What detection reports: the family, then every knob of the table. */
export type ConfigField = 'family' | KnobName;
export const CONFIG_FIELDS: readonly ConfigField[] = ['family', ...KNOB_NAMES];

/** 'weights': a tensor fixes it (a flag that disagrees is an error); the others can be changed freely. */
export type Origin = 'weights' | 'args' | 'default' | 'flag';
export interface Provenance {
  origin: Origin;
  note: string;
}

export interface Detection {
  /** The zoo variant whose published values fill what neither the weights nor the args give; it names the model. */
  zoo: ZooName;
  config: ModelConfig;
  /** Width of every stage and the tensor that shows it. */
  stageDims: { dim: number; key: string }[];
  provenance: Record<ConfigField, Provenance>;
  /** Model name when it is not the zoo name (a stored config's own name). */
  name?: string;
}

export interface DetectOptions {
  /** Training args from the checkpoint (argparse.Namespace as plain JSON), or null. */
  args?: Record<string, unknown> | null;
}

const shapeText = (s: readonly number[]) => `[${s.join(',')}]`;

/** Reads the config from a state_dict; throws DetectError when it is not a QKFormer / Spikformer layout. */
export function detectConfig(t: TensorMap, opts: DetectOptions = {}): Detection {
  const fam = detectFamily(t);
  const family = fam.family;
  const r = new Reader(t, family);
  const first = family.startsWith('spikformer') ? 'patch_embed.proj_conv.weight' : 'patch_embed1.proj_conv.weight';
  const inChannels = r.dim(first, 1, 4);
  const head = r.shape('head.weight', 2);
  const numClasses = head[0]!;
  const stages = stagesFromBlocks(r, family);
  const stageDims = stages.map((s) => ({ dim: s.dim, key: s.qKey }));
  const embed = embedDimsFromStem(r, family, stages);
  if (head[1] !== embed.dims) throw new DetectError(`head.weight is ${shapeText(head)} but embed dims are ${embed.dims} (${embed.where})`);
  checkFixedBlockCounts(stages, family);
  const base = nearestZoo(family, embed.dims, numClasses);
  const zooCfg = ZOO[base];
  const depths = depthsFromLastStage(family, stages[stages.length - 1]!, zooCfg, base);
  const mlp = mlpRatioFromWidths(r, stages);
  const speds = spedsFromShortcuts(t, family);
  const args = new ArgsReader(opts.args ?? null, base);
  const heads = args.heads(stageCount(family), zooCfg);
  const timesteps = args.timesteps(zooCfg);
  const img = family === 'spikformer-dvs' ? imgSizeFromPosEmbed(r, args, zooCfg) : args.imgSize(zooCfg);
  // An empty stage has no attention module to read; it keeps the zoo's kind, which changes no layer.
  const attention = stages.map((s, i) => (s.blocks > 0 ? s.kind : zooCfg.attention[i]!));
  const config: ModelConfig = {
    family,
    embedDims: embed.dims,
    depths: depths.value,
    heads: heads.value,
    mlpRatio: mlp.value,
    timesteps: timesteps.value,
    imgSize: img.value,
    inChannels,
    numClasses,
    attention,
    speds: speds.value,
    input: family.endsWith('-dvs') ? 'dvs' : 'static',
  };
  const provenance: Record<ConfigField, Provenance> = {
    family: weights(`${fam.note}; defaults from ${base}`),
    embedDims: weights(embed.note),
    depths: depths.prov,
    heads: heads.prov,
    mlpRatio: mlp.prov,
    timesteps: timesteps.prov,
    imgSize: img.prov,
    inChannels: weights(`from ${first} ${r.text(first)}`),
    numClasses: weights(`from head.weight ${shapeText(head)}`),
    attention: weights(stages.map((s) => (s.blocks > 0 ? s.attnPrefix : `${s.name} empty`)).join(', ')),
    speds: speds.prov,
  };
  // Heads are not checked here: a flag may still replace them (applyExplicit checks the final config).
  return { zoo: base, config, stageDims, provenance };
}

/** A value and where it came from. */
interface Found<T> {
  value: T;
  prov: Provenance;
}
const weights = (note: string): Provenance => ({ origin: 'weights', note });

/** The stages' blocks, attention kind and widths, from the `stageN.i.*` / `block.i.*` keys. */
function stagesFromBlocks(r: Reader, family: Family): StageInfo[] {
  const stageNames = family.startsWith('spikformer')
    ? ['block']
    : family === 'qkformer-dvs'
      ? ['stage1', 'stage2']
      : ['stage1', 'stage2', 'stage3'];
  // QKFormer's last stage holds depths-2 (CIFAR) or depths-3 (ImageNet) blocks, so it may be empty.
  return stageNames.map((s, i) => r.stage(s, family.startsWith('qkformer') && i === 2));
}

/**
 * embed_dims from the last stem conv's output channels; every stage width must be its official fraction (E/4, E/2,
 * E or E/2, E), since the builders derive them from embed_dims. An empty last stage takes the stem's width.
 */
function embedDimsFromStem(r: Reader, family: DetectedFamily, stages: StageInfo[]): { dims: number; note: string; where: string } {
  let embedKey: string;
  switch (family) {
    case 'qkformer-cifar':
    case 'qkformer-imagenet':
      embedKey = 'patch_embed3.proj3_conv.weight';
      break;
    case 'qkformer-dvs':
      embedKey = 'patch_embed2.proj_conv.weight';
      break;
    case 'spikformer-cifar':
    case 'spikformer-imagenet':
    case 'spikformer-dvs':
      embedKey = 'patch_embed.rpe_conv.weight';
      break;
  }
  const dims = r.dim(embedKey, 0, 4);
  const where = `${embedKey} ${r.text(embedKey)}`;
  const fractions = stages.length === 3 ? [4, 2, 1] : stages.length === 2 ? [2, 1] : [1];
  const last = stages[stages.length - 1]!;
  if (last.blocks === 0) {
    last.dim = dims;
    last.qKey = 'patch_embed3.proj3_conv.weight';
  }
  stages.forEach((s, i) => {
    if (s.dim * fractions[i]! !== dims) {
      throw new DetectError(
        `stage widths ${stages.map((x) => x.dim).join(', ')} (${stages.map((x) => x.qKey).join(', ')}) are not ` +
          `${fractions.map((f) => (f === 1 ? 'E' : `E/${f}`)).join(', ')} of embed dims ${dims} (${where})`,
      );
    }
  });
  return { dims, note: `from ${where}`, where };
}

/** Only the last QKFormer stage's block count is free in the official constructors; the others must match them. */
function checkFixedBlockCounts(stages: StageInfo[], family: Family): void {
  const fixed: Partial<Record<Family, number[]>> = { 'qkformer-cifar': [1, 1], 'qkformer-imagenet': [1, 2], 'qkformer-dvs': [1, 1] };
  (fixed[family] ?? []).forEach((n, i) => {
    const s = stages[i]!;
    if (s.blocks !== n) {
      throw new DetectError(`${s.name} holds ${s.blocks} blocks (${s.name}.0-${s.blocks - 1}.*); the official ${family} code builds ${n}`);
    }
  });
}

const held = (s: StageInfo) => (s.blocks === 1 ? `1 block, ${s.name}.0.*` : `${s.blocks} blocks, ${s.name}.0-${s.blocks - 1}.*`);

/** The official `depths` from the last stage's block count (QKFormer CIFAR: depths-2 blocks; ImageNet: depths-3). */
function depthsFromLastStage(family: DetectedFamily, last: StageInfo, zooCfg: ModelConfig, base: ZooName): Found<number> {
  switch (family) {
    case 'qkformer-cifar':
      return { value: last.blocks + 2, prov: weights(`stage3 holds ${held(last)}: depths-2`) };
    case 'qkformer-imagenet':
      return { value: last.blocks + 3, prov: weights(`stage3 holds ${held(last)}: depths-3`) };
    case 'qkformer-dvs':
      return {
        value: zooCfg.depths,
        prov: { origin: 'default', note: `default for ${base}; the DVS code builds one block per stage whatever depths is` },
      };
    case 'spikformer-cifar':
    case 'spikformer-imagenet':
    case 'spikformer-dvs':
      return { value: last.blocks, prov: weights(`${held(last).replace(/^\d+ blocks?, /, '')}`) };
  }
}

/** The MLP ratio from the widest stage (the most exact quotient); every stage must agree under floor(dim * ratio). */
function mlpRatioFromWidths(r: Reader, stages: StageInfo[]): Found<number> {
  const widest = [...stages].reverse().find((s) => s.blocks > 0)!;
  const mlpRatio = widest.hidden / widest.dim;
  for (const s of stages) {
    if (s.blocks > 0 && Math.floor(s.dim * mlpRatio) !== s.hidden) {
      throw new DetectError(
        `MLP widths disagree across stages: ${s.hiddenKey} is ${r.text(s.hiddenKey)} ` +
          `but ${widest.hiddenKey} ${r.text(widest.hiddenKey)} gives ratio ${mlpRatio}`,
      );
    }
  }
  return { value: mlpRatio, prov: weights(`${widest.hiddenKey} ${r.text(widest.hiddenKey)} vs width ${widest.dim}`) };
}

/** SPEDS from the `proj_res` shortcut convs (QKFormer); Spikformer has none. */
function spedsFromShortcuts(t: TensorMap, family: Family): Found<boolean> {
  if (!family.startsWith('qkformer')) {
    return { value: true, prov: { origin: 'default', note: 'Spikformer has no SPEDS; its SPS patch embedding is built as is' } };
  }
  const speds = t.has('patch_embed2.proj_res_conv.weight');
  return { value: speds, prov: weights(speds ? 'from patch_embed2.proj_res_conv.weight' : 'no patch_embed*.proj_res_conv keys') };
}

/** What the weights cannot fix, from the training args a pickle holds, else the nearest zoo variant's default. */
class ArgsReader {
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

/** Spikformer DVS: the unused `pos_embed` holds one row per 16x16 patch, which fixes floor(img / 16). */
function imgSizeFromPosEmbed(r: Reader, args: ArgsReader, zooCfg: ModelConfig): Found<number> {
  const img = args.imgSizeArg();
  let imgSize = img ? img.value : zooCfg.imgSize;
  const pe = r.shape('pos_embed', 3);
  const side = Math.round(Math.sqrt(pe[1]!));
  if (side * side !== pe[1]) throw new DetectError(`pos_embed is ${shapeText(pe)}: ${pe[1]} patches is not a square grid`);
  const fits = (s: number) => Math.floor(s / 16) === side;
  if (!fits(imgSize)) imgSize = fits(zooCfg.imgSize) ? zooCfg.imgSize : 16 * side;
  const agree = img && img.value !== imgSize ? `; args.${img.name} ${img.value} disagrees` : img ? `, args.${img.name}` : '';
  return { value: imgSize, prov: weights(`pos_embed ${shapeText(pe)}: ${side}x${side} patches of 16 pixels${agree}`) };
}

/**
 * What the user or the file states: a zoo name (all of its config), or else a config stored in the file's metadata,
 * and size overrides, which win over both.
 */
export interface ExplicitConfig {
  model?: ZooName | undefined;
  stored?: { config: ModelConfig; name: string } | undefined;
  overrides: ConfigOverrides;
}

/**
 * Applies flags over a detection: a flag wins, but where the weights fix a value a different one is an error
 * (DetectConflictError) naming every disagreeing key and shape at once. `what` prefixes the message (the file).
 */
export function applyExplicit(d: Detection, ex: ExplicitConfig, what: string): Detection {
  const cfg: ModelConfig = { ...d.config, heads: [...d.config.heads], attention: [...d.config.attention] };
  const prov = { ...d.provenance };
  const conflicts: string[] = [];
  const n = stageCount(cfg.family);
  // Spikformer DVS's pos_embed fixes the patch grid, floor(img / 16) squared, not the exact size.
  const fits = (field: ConfigField, value: unknown): boolean =>
    field === 'imgSize' && cfg.family === 'spikformer-dvs'
      ? Math.floor(Number(value) / 16) === Math.floor(d.config.imgSize / 16)
      : same(value, d.config[field]);
  const set = <K extends KnobName>(field: K, value: ModelConfig[K], flag: string) => {
    const p = d.provenance[field];
    if (p.origin === 'weights' && !fits(field, value)) {
      const where = p.note.replace(/^from /, '');
      conflicts.push(`${flag} gives ${label(field)} ${show(value)} but the weights have ${show(d.config[field])} (${where})`);
      return;
    }
    cfg[field] = value;
    prov[field] = { origin: 'flag', note: flag };
  };
  const o = ex.overrides;
  const base =
    ex.model !== undefined
      ? { z: ZOO[ex.model], flag: `--model ${ex.model}` }
      : ex.stored !== undefined
        ? { z: ex.stored.config, flag: 'the config stored in the file' }
        : null;
  if (base !== null) {
    const { z, flag } = base;
    if (z.family !== cfg.family) {
      const why = d.provenance.family.note.replace(/; defaults from .*$/, '');
      throw new DetectConflictError(`${what}: ${flag} is a ${z.family} model but the weights are ${cfg.family} (${why})`);
    }
    // The zoo name stands for its whole config; a size override of the same knob replaces that part.
    for (const k of KNOB_NAMES) if (o[k] === undefined) set(k, knobValue(z, k), flag);
  }
  for (const k of KNOB_NAMES) {
    const given = o[k];
    if (given === undefined) continue;
    const v = overrideValue(k, o, n);
    if (v === null)
      throw new DetectError(`${what}: ${MODEL_KNOBS[k].flag} needs 1 or ${n} kinds for ${cfg.family}, got ${o.attention?.length}`);
    set(k, v, flagText(k, given));
  }
  if (conflicts.length) throw new DetectConflictError(`${what}: the command line disagrees with the weights: ${conflicts.join('; ')}`);
  const out: Detection = { zoo: ex.model ?? d.zoo, config: cfg, stageDims: d.stageDims, provenance: prov };
  if (ex.model === undefined && ex.stored !== undefined) out.name = ex.stored.name;
  checkHeads(out, what);
  inputErrorsAs(what, () => validateConfig(cfg));
  return out;
}

/** The detected model; spec names follow the zoo variant the detection started from. */
export function buildDetected(d: Detection, what: string): ModelSpec {
  return inputErrorsAs(what, () => buildModel(d.name ?? d.zoo, d.config));
}

/** One line per config value: `embed dims 384 (from patch_embed3.proj3_conv.weight [384,192,3,3])`. */
export function describeDetection(d: Detection): string[] {
  const lines = CONFIG_FIELDS.map((f) => `${label(f)} ${show(d.config[f])} (${d.provenance[f].note})`);
  lines.splice(2, 0, `stage widths ${d.stageDims.map((s) => s.dim).join(', ')} (from ${d.stageDims.map((s) => s.key).join(', ')})`);
  return lines;
}

/**
 * One line for commands that run the model: what was read, and the values the weights do not fix (the guesses a
 * user may want to correct), each with its source.
 */
export function summarizeDetection(d: Detection, what: string): string {
  const c = d.config;
  const read =
    `${c.family}, embed dims ${c.embedDims}, depths ${c.depths}, mlp ratio ${c.mlpRatio}, ${c.numClasses} classes, ` +
    `attention ${c.attention.join(',')}`;
  const rest = (['heads', 'timesteps', 'imgSize', 'depths'] as const)
    .filter((f) => d.provenance[f].origin !== 'weights')
    .map((f) => `${label(f)} ${show(c[f])} (${d.provenance[f].note})`);
  return `${what}: model ${d.name ?? d.zoo} read from the weights (${read})${rest.length ? `; not in the weights: ${rest.join(', ')}` : ''}`;
}

/** How lines and messages name a config field: the knob table's label. */
export function label(f: ConfigField): string {
  return f === 'family' ? 'family' : MODEL_KNOBS[f].label;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Runs `f`; an input error it raises becomes a DetectError prefixed with `what` (the file); a bug keeps its class. */
function inputErrorsAs<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new DetectError(`${what}: ${e.message}`);
  }
}

function checkHeads(d: Detection, what: string): void {
  d.stageDims.forEach((s, i) => {
    const h = d.config.heads[i];
    if (h === undefined || s.dim % h !== 0) {
      const hint = d.provenance.heads.note.includes('--heads') ? '' : '; pass --heads';
      throw new DetectError(
        `${what}: heads ${String(h)} (${d.provenance.heads.note}) do not divide stage ${i + 1}'s width ${s.dim} ` + `(${s.key})${hint}`,
      );
    }
  });
}

/** The zoo variant of the family closest to the weights: same width first, then same classes. */
function nearestZoo(family: Family, embedDims: number, numClasses: number): ZooName {
  let best: ZooName | null = null,
    bestScore = -1;
  for (const name of ZOO_NAMES) {
    const z = ZOO[name];
    if (z.family !== family) continue;
    const score = (z.embedDims === embedDims ? 2 : 0) + (z.numClasses === numClasses ? 1 : 0);
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  if (best === null) throw new DetectError(`no zoo variant of family ${family}`);
  return best;
}

/**
 * Families whose checkpoints load by zoo name (`--model NAME`, keys checked one by one) but whose sizes are not read
 * from keys yet: named here so that they are never mistaken for the Spikformer layout they share a stem with.
 */
function undetectedFamily(t: TensorMap): string | null {
  if (t.has('block.0.attn.talking_heads.weight')) return 'Spike-driven Transformer (SDT v1)';
  if (t.has('downsample1_1.encode_conv.weight') && t.has('block3.0.attn.q_conv.0.body.0.weight')) return 'Meta-SpikeFormer (SDT v2)';
  if (t.has('downsample1_1.encode_conv.weight') && t.has('block3.0.attn.q_conv.0.weight')) return 'E-SpikeFormer (SDT v3)';
  if (t.has('patch_embed.block0_conv.weight') || t.has('block.0.mlp.mlp1_conv.weight')) return 'Spikingformer';
  if (t.has('patch_embed1.embed1.embed_conv.weight')) return 'Max-Former';
  // QKFormer's ImageNet stem keys with a membrane-shortcut rpe_conv and attention modules named attn
  if (t.has('patch_embed1.rpe_conv.weight') && t.has('stage1.0.attn.q_conv.weight')) return 'MS-QKFormer';
  return null;
}

function detectFamily(t: TensorMap): { family: DetectedFamily; note: string } {
  const rank = (k: string) => t.get(k)?.shape.length;
  const newer = undetectedFamily(t);
  if (newer) throw new DetectError(`a ${newer} state_dict, whose sizes spikewatt does not read from the keys yet`);
  if (t.has('patch_embed.proj_conv.weight')) {
    if (t.has('block.0.attn.q_linear.weight')) {
      return { family: 'spikformer-cifar', note: 'patch_embed.*, block.*, Linear q/k/v (block.0.attn.q_linear)' };
    }
    const fc1 = rank('block.0.mlp.fc1_conv.weight');
    if (fc1 === 3 || t.has('pos_embed')) {
      return { family: 'spikformer-dvs', note: 'patch_embed.*, block.*, Conv1d MLP (block.0.mlp.fc1_conv), pos_embed' };
    }
    if (fc1 === 4) {
      return { family: 'spikformer-imagenet', note: 'patch_embed.*, block.*, Conv1d q/k/v, Conv2d MLP (block.0.mlp.fc1_conv)' };
    }
    throw new DetectError('a Spikformer stem (patch_embed.proj_conv.weight) but no block.0.attn.q_linear / block.0.mlp.fc1_conv weights');
  }
  if (t.has('patch_embed1.proj_conv.weight')) {
    if (t.has('patch_embed3.proj3_conv.weight')) {
      if (t.has('patch_embed1.proj2_conv.weight')) {
        return { family: 'qkformer-imagenet', note: 'patch_embed1-3, patch_embed1.proj2_conv (ImageNet stem)' };
      }
      return { family: 'qkformer-cifar', note: 'patch_embed1-3, patch_embed1 without proj2_conv (CIFAR stem)' };
    }
    if (t.has('patch_embed2.proj_conv.weight') && t.has('patch_embed1.proj3_conv.weight')) {
      return { family: 'qkformer-dvs', note: 'patch_embed1-2, patch_embed1.proj3_conv (DVS stem), two stages' };
    }
    throw new DetectError(
      'a QKFormer stem (patch_embed1.proj_conv.weight) but neither patch_embed3.proj3_conv.weight (CIFAR / ImageNet) ' +
        'nor patch_embed2.proj_conv.weight (DVS)',
    );
  }
  const keys = [...t.keys()];
  throw new DetectError(
    `not a QKFormer or Spikformer state_dict: no patch_embed1.proj_conv.weight or patch_embed.proj_conv.weight` +
      ` (first keys: ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', ...' : ''})`,
  );
}

interface StageInfo {
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

class Reader {
  constructor(
    private readonly t: TensorMap,
    private readonly family: Family,
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

  text(key: string): string {
    return shapeText(this.t.get(key)?.shape ?? []);
  }

  stage(name: string, mayBeEmpty: boolean): StageInfo {
    const re = new RegExp(`^${name}\\.(\\d+)\\.`);
    const ids = new Set<number>();
    for (const k of this.t.keys()) {
      const m = re.exec(k);
      if (m) ids.add(Number(m[1]));
    }
    const blocks = ids.size;
    if (blocks === 0 && mayBeEmpty) return { name, blocks, kind: 'ssa', attnPrefix: '', dim: 0, qKey: '', hidden: 0, hiddenKey: '' };
    if (blocks === 0) throw new DetectError(`no ${name}.0.* keys (a ${this.family} checkpoint has them)`);
    for (let j = 0; j < blocks; j++) {
      if (!ids.has(j)) throw new DetectError(`${name} blocks are not numbered 0-${blocks - 1} (${name}.${j}.* is missing)`);
    }
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
