import { InputError } from '../../errors.js';
import type { Family, ModelConfig, ModelSpec } from '../spec.js';
import type { TensorMap } from '../tensor.js';
import { flagText, KNOB_NAMES, knobValue, MODEL_KNOBS, overrideValue, type KnobName } from '../knobs.js';
import { buildModel, stageCount, validateConfig, ZOO, type ConfigOverrides, type ZooName } from '../zoo.js';
import {
  ArgsReader,
  CONFIG_FIELDS,
  DetectConflictError,
  DetectError,
  heldText,
  nearestZoo,
  Reader,
  shapeText,
  weights,
  type ConfigField,
  type DetectOptions,
  type Detection,
  type Found,
  type Provenance,
  type StageInfo,
} from './common.js';
import { detectNewer, newerLayout } from './newer-families.js';

export { CONFIG_FIELDS, DetectConflictError, DetectError };
export type { ConfigField, DetectOptions, Detection, KeyedDim, Origin, Provenance } from './common.js';

/** The families detection reads here; the newer ones are read in newer-families.ts. */
type DetectedFamily = Extract<
  Family,
  'qkformer-cifar' | 'qkformer-imagenet' | 'qkformer-dvs' | 'spikformer-cifar' | 'spikformer-imagenet' | 'spikformer-dvs'
>;

/**
 * The model config of an official state_dict, read from its key names and tensor shapes.
 *
 * What the weights fix: the family (stem keys, stage names, `tssa` / `ssa` / `attn`, q/k/v as Linear or Conv1d,
 * MLP as Conv1d or Conv2d), the width of every stage, blocks per stage (hence the official `depths`), the MLP
 * ratio, input channels, classes, attention per stage, SPEDS (the `proj_res` shortcuts), and for Spikformer DVS
 * the image size (its unused `pos_embed` holds one row per 16x16 patch).
 * What they cannot fix comes from the training args the pickle holds (`num_heads`, `T` / `time_steps`,
 * `img_size` / `input_size`), else from the nearest zoo variant's published value. Every value carries where it
 * came from, so a user sees which numbers are facts and which are guesses. The newer families (Spikingformer, SDT
 * v1-v3, Max-Former, MS-QKFormer) are read by newer-families.ts. Throws DetectError for a layout it does not know.
 */
export function detectConfig(t: TensorMap, opts: DetectOptions = {}): Detection {
  const layout = newerLayout(t);
  if (layout !== null) return detectNewer(t, layout, opts);
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
  const base = nearestZoo([family], embed.dims, numClasses);
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

const held = (s: StageInfo) => heldText(s.name, s.blocks);

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
    if (z.family !== cfg.family && !(d.alsoFits ?? []).includes(z.family)) {
      const why = d.provenance.family.note.replace(/; defaults from .*$/, '');
      throw new DetectConflictError(`${what}: ${flag} is a ${z.family} model but the weights are ${cfg.family} (${why})`);
    }
    // a family the keys cannot tell from the detected one (SDT v1 CIFAR / ImageNet): the stated one is built
    if (z.family !== cfg.family) [cfg.family, prov.family] = [z.family, { origin: 'flag', note: flag }];
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
  const out: Detection = { ...d, zoo: ex.model ?? d.zoo, config: cfg, provenance: prov };
  delete out.name;
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
  const fam = d.provenance.family.origin === 'weights' ? `${c.family}, ` : '';
  const read =
    `${fam}embed dims ${c.embedDims}, depths ${c.depths}, mlp ratio ${c.mlpRatio}, ${c.numClasses} classes, ` +
    `attention ${c.attention.join(',')}`;
  const rest = (['family', 'heads', 'timesteps', 'imgSize', 'depths'] as const)
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
  (d.headDims ?? d.stageDims).forEach((s, i) => {
    const h = d.config.heads[i];
    if (h === undefined || s.dim % h !== 0) {
      const hint = d.provenance.heads.note.includes('--heads') ? '' : '; pass --heads';
      throw new DetectError(
        `${what}: heads ${String(h)} (${d.provenance.heads.note}) do not divide stage ${i + 1}'s width ${s.dim} ` + `(${s.key})${hint}`,
      );
    }
  });
}

function detectFamily(t: TensorMap): { family: DetectedFamily; note: string } {
  const rank = (k: string) => t.get(k)?.shape.length;
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
      ` (first keys: ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', ...' : ''}); nor a Spikingformer, SDT v1-v3, Max-Former or` +
      ' MS-QKFormer one',
  );
}
