import type { AttentionKind, Family, ModelConfig } from '../spec.js';
import type { TensorMap } from '../tensor.js';
import { stageCount, ZOO, type ZooName } from '../zoo.js';
import {
  ArgsReader,
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
  type KeyedDim,
  type Provenance,
} from './common.js';

/**
 * The config of a state_dict of the families after QKFormer and Spikformer, read from its keys and shapes the way
 * detect.ts reads theirs. What the weights fix, per official code:
 *  - Spikingformer (CIFAR / ImageNet tokenizers): embed dims and the tokenizer widths E/8, E/4, E/2, E, E, blocks
 *    (depths), MLP ratio (mlp1_conv), input channels, classes.
 *  - SDT v1: the same from MS_SPS and the blocks, and the heads: the never-called `talking_heads` Conv1d is
 *    [heads, heads, 1]. Its CIFAR and ImageNet codes differ only in max pools (pooling_stat 0011 / 1111), which hold
 *    no weights: the family comes from the args (`pooling_stat`, `dataset`), else the nearest zoo variant.
 *  - SDT v2 / v3: the four stage widths (downsample*.encode_conv; `stageDims` where they are not E/4, E/2, E, 5E/4),
 *    blocks in block3 and block4 (depths = their sum, block4 holding max(1, round(depths / 4)) as spikewatt builds it),
 *    MLP ratio, classes; v3's V four times as wide as Q. E-SpikeFormer large (Model_Large): three widths, depths =
 *    block3's blocks, choice base (a `rep_conv` per block) or large.
 *  - Max-Former / MS-QKFormer: widths E/4, E/2, E, 1 and 2 blocks in stages 1-2 (as the official classes build),
 *    stage 3's blocks (depths - 3), MLP ratio, classes; Max-Former's published depth-wise 7x7 / 5x5 mixers;
 *    MS-QKFormer's attention per stage (v_conv: SSA, else Token_QK_Attention).
 * Heads (SDT v1: talking_heads; Max-Former and MS-QKFormer: embed_dims // 64 as their classes compute them), T and
 * image size come from the training args, else the nearest zoo variant.
 */

/** One official code's state_dict layout (SDT v1's CIFAR and ImageNet codes share one). */
export type NewerLayout =
  'spikingformer-cifar' | 'spikingformer-imagenet' | 'sdt' | 'sdt2' | 'sdt3' | 'sdt3-large' | 'maxformer' | 'ms-qkformer';

/** How messages name a layout, and the keys that identify it. */
const LAYOUTS = {
  'spikingformer-cifar': { title: 'Spikingformer CIFAR', note: 'patch_embed.block0_conv-block4_conv (CIFAR SpikingTokenizer), block.*' },
  'spikingformer-imagenet': {
    title: 'Spikingformer ImageNet',
    note: 'patch_embed.proj_conv-proj4_conv (ImageNet SpikingTokenizer), block.*.mlp.mlp1_conv',
  },
  sdt: {
    title: 'Spike-driven Transformer (SDT v1)',
    note: 'patch_embed.proj_conv-proj_conv3 and rpe_conv (MS_SPS), block.*.attn.talking_heads',
  },
  sdt2: { title: 'Meta-SpikeFormer (SDT v2)', note: 'downsample1_1-downsample4, block3 / block4 with RepConv q_conv.0.body' },
  sdt3: { title: 'E-SpikeFormer (SDT v3)', note: 'downsample1_1-downsample4, block3 / block4 with conv-BN q_conv.0 and a 4x wider v_conv' },
  'sdt3-large': {
    title: 'E-SpikeFormer large (SDT v3 Model_Large)',
    note: 'downsample1_1-downsample3, block3 with RepConv q_conv.0.conv1 / conv2; block3.*.rep_conv: choice base, none: large',
  },
  maxformer: { title: 'Max-Former', note: 'patch_embed1.embed1-embed4 (Embed_Orig_ImageNet), patch_embed2-3.max_embed1 (Embed_Max)' },
  'ms-qkformer': { title: 'MS-QKFormer', note: 'patch_embed1.rpe_conv (PatchEmbedInit with a membrane shortcut), stage*.*.attn' },
} satisfies Record<NewerLayout, { title: string; note: string }>;

/** Which newer layout a state_dict has, or null (QKFormer, Spikformer or unknown: detect.ts decides). */
export function newerLayout(t: TensorMap): NewerLayout | null {
  if (t.has('block.0.attn.talking_heads.weight')) return 'sdt';
  if (t.has('downsample1_1.encode_conv.weight') && t.has('block3.0.attn.q_conv.0.body.0.weight')) return 'sdt2';
  if (t.has('downsample1_1.encode_conv.weight') && t.has('block3.0.attn.q_conv.0.weight')) return 'sdt3';
  if (t.has('downsample1_1.encode_conv.weight') && t.has('block3.0.attn.q_conv.0.conv1.0.weight')) return 'sdt3-large';
  if (t.has('patch_embed.block0_conv.weight')) return 'spikingformer-cifar';
  // Spikformer's ImageNet SPS stops at proj3_conv and names its MLP fc1_conv
  if (t.has('patch_embed.proj4_conv.weight') || t.has('block.0.mlp.mlp1_conv.weight')) return 'spikingformer-imagenet';
  if (t.has('patch_embed1.embed1.embed_conv.weight')) return 'maxformer';
  // QKFormer's ImageNet stem keys with a membrane-shortcut rpe_conv (QKFormer's shortcut is proj_res_conv)
  if (t.has('patch_embed1.rpe_conv.weight')) return 'ms-qkformer';
  return null;
}

/** What a layout's keys and shapes fix. */
interface Read {
  /** The family, or the families the keys cannot tell apart. */
  families: readonly Family[];
  /** For several families: the one the training args name, or null. */
  familyFromArgs?: (args: Record<string, unknown> | null) => { family: Family; note: string } | null;
  embedDims: Found<number>;
  stageDims: KeyedDim[];
  /** Widths of the attention stages, one per head count. */
  headDims: KeyedDim[];
  depths: Found<number>;
  mlpRatio: Found<number>;
  inChannels: Found<number>;
  attention: Found<AttentionKind[]>;
  /** Heads where the weights fix them (SDT v1) or the official class computes them from embed dims (Max-Former). */
  heads?: Found<number[]>;
  /** The four official stage widths (SDT v2 / v3). */
  metaDims?: number[];
}

/** Reads a newer family's config; throws DetectError naming the key and shape that do not fit. */
export function detectNewer(t: TensorMap, layout: NewerLayout, opts: DetectOptions): Detection {
  const r = new Reader(t, LAYOUTS[layout].title);
  const w = readLayout(r, layout);
  const head = r.shape('head.weight', 2);
  const numClasses = head[0]!;
  const last = w.stageDims[w.stageDims.length - 1]!;
  if (head[1] !== last.dim) throw new DetectError(`head.weight is ${shapeText(head)} but the last stage is ${last.dim} wide (${last.key})`);
  const args = opts.args ?? null;
  const fam = chooseFamily(w, args, numClasses, LAYOUTS[layout].note);
  const zooCfg = ZOO[fam.base];
  const ar = new ArgsReader(args, fam.base);
  const heads = w.heads ?? ar.heads(stageCount(fam.family), zooCfg);
  const timesteps = ar.timesteps(zooCfg);
  const img = ar.imgSize(zooCfg);
  const stageDims = w.metaDims ? metaStageDims(w.metaDims, zooCfg) : undefined;
  const config: ModelConfig = {
    family: fam.family,
    embedDims: w.embedDims.value,
    depths: w.depths.value,
    heads: heads.value,
    mlpRatio: w.mlpRatio.value,
    timesteps: timesteps.value,
    imgSize: img.value,
    inChannels: w.inChannels.value,
    numClasses,
    attention: w.attention.value,
    speds: true,
    input: 'static',
    ...(stageDims ? { stageDims } : {}),
  };
  const provenance: Record<ConfigField, Provenance> = {
    family: fam.prov,
    embedDims: w.embedDims.prov,
    depths: w.depths.prov,
    heads: heads.prov,
    mlpRatio: w.mlpRatio.prov,
    timesteps: timesteps.prov,
    imgSize: img.prov,
    inChannels: w.inChannels.prov,
    numClasses: weights(`from head.weight ${shapeText(head)}`),
    attention: w.attention.prov,
    speds: { origin: 'default', note: `${LAYOUTS[layout].title} has no SPEDS knob; its patch embedding is built as the official code's` },
  };
  const alsoFits = w.families.length > 1 ? { alsoFits: w.families.filter((f) => f !== fam.family) } : {};
  return { zoo: fam.base, config, stageDims: w.stageDims, headDims: w.headDims, ...alsoFits, provenance };
}

function readLayout(r: Reader, layout: NewerLayout): Read {
  switch (layout) {
    case 'spikingformer-cifar':
    case 'spikingformer-imagenet': {
      const units =
        layout === 'spikingformer-cifar'
          ? ['block0', 'block1', 'block2', 'block3', 'block4']
          : ['proj', 'proj1', 'proj2', 'proj3', 'proj4'];
      return oneStage(r, {
        families: [layout],
        stem: units.map((u) => `patch_embed.${u}_conv.weight`),
        qRank: 3,
        hiddenKey: 'block.0.mlp.mlp1_conv.weight',
        attention: 'block.0.attn (SSA, the only attention Spikingformer builds)',
      });
    }
    case 'sdt':
      return readSdt(r);
    case 'sdt2':
      return readMetaFormer(r, 'sdt2-imagenet', 'q_conv.0.body.0');
    case 'sdt3':
      return readMetaFormer(r, 'sdt3-imagenet', 'q_conv.0');
    case 'sdt3-large':
      return readSdt3Large(r);
    case 'maxformer':
      return readMaxformer(r);
    case 'ms-qkformer':
      return readMsQkformer(r);
  }
}

/**
 * The family and the zoo variant that fills the rest: the one family of the layout, else the one the args name,
 * else the nearest zoo variant's among those the keys allow.
 */
function chooseFamily(
  w: Read,
  args: Record<string, unknown> | null,
  numClasses: number,
  keysNote: string,
): { family: Family; base: ZooName; prov: Provenance } {
  const nearest = (families: readonly Family[]) => nearestZoo(families, w.embedDims.value, numClasses, w.depths.value);
  if (w.families.length === 1) {
    const base = nearest(w.families);
    return { family: ZOO[base].family, base, prov: weights(`${keysNote}; defaults from ${base}`) };
  }
  const stated = w.familyFromArgs?.(args) ?? null;
  if (stated !== null) {
    const base = nearest([stated.family]);
    return { family: stated.family, base, prov: { origin: 'args', note: `${keysNote}; ${stated.note}; defaults from ${base}` } };
  }
  const base = nearest(w.families);
  const note = `${keysNote}; ${w.families.join(' or ')} is not in the weights: the nearest zoo variant's, pass --model; defaults from ${base}`;
  return { family: ZOO[base].family, base, prov: { origin: 'default', note } };
}

/**
 * The `stageDims` a config lists: as the zoo variant lists them, else only where they are not the family's ratios
 * (E/4, E/2, E, 5E/4; E-SpikeFormer large: E/4, E/2, E).
 */
function metaStageDims(dims: number[], zooCfg: ModelConfig): number[] | undefined {
  const E = dims[2]!;
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (zooCfg.stageDims !== undefined && same(zooCfg.stageDims, dims)) return dims;
  return same(dims, [E / 4, E / 2, E, (5 * E) / 4].slice(0, dims.length)) ? undefined : dims;
}

/** The widths of `keys` (output channels) must be `ofE` times embed dims; they are returned with their keys. */
function ladder(r: Reader, keys: string[], ofE: number[], E: number, embedKey: string): KeyedDim[] {
  const dims = keys.map((k) => ({ dim: r.dim(k, 0, 4), key: k }));
  if (dims.some((d, i) => d.dim !== E * ofE[i]!)) {
    const want = ofE.map((f) => (f === 1 ? 'E' : f < 1 ? `E/${1 / f}` : `${f}E`)).join(', ');
    throw new DetectError(
      `widths ${dims.map((d) => d.dim).join(', ')} (${keys.join(', ')}) are not ${want} of embed dims ${E} ` +
        `(${embedKey} ${r.text(embedKey)})`,
    );
  }
  return dims;
}

const inChannelsOf = (r: Reader, key: string): Found<number> => ({ value: r.dim(key, 1, 4), prov: weights(`from ${key} ${r.text(key)}`) });

/** The MLP ratio from the hidden width of `key` over `dim`. */
function ratioOf(r: Reader, key: string, rank: number, dim: number): Found<number> {
  return { value: r.dim(key, 0, rank) / dim, prov: weights(`${key} ${r.text(key)} vs width ${dim}`) };
}

/** A one-stage family (Spikingformer, SDT v1): a stem ladder ending at E, `block.<i>` blocks of width E. */
function oneStage(
  r: Reader,
  o: { families: Family[]; stem: string[]; qRank: 3 | 4; hiddenKey: string; attention: string; heads?: Found<number[]> },
): Read {
  const embedKey = o.stem[o.stem.length - 1]!;
  const E = r.dim(embedKey, 0, 4);
  ladder(r, o.stem, [1 / 8, 1 / 4, 1 / 2, 1, 1], E, embedKey);
  const blocks = r.blocks('block', false);
  const qKey = 'block.0.attn.q_conv.weight';
  const dim = r.dim(qKey, 0, o.qRank);
  if (dim !== E) throw new DetectError(`${qKey} is ${r.text(qKey)} but embed dims are ${E} (${embedKey} ${r.text(embedKey)})`);
  const width = [{ dim, key: qKey }];
  return {
    families: o.families,
    embedDims: { value: E, prov: weights(`from ${embedKey} ${r.text(embedKey)}`) },
    stageDims: width,
    headDims: width,
    depths: { value: blocks, prov: weights(heldText('block', blocks)) },
    mlpRatio: ratioOf(r, o.hiddenKey, 4, E),
    inChannels: inChannelsOf(r, o.stem[0]!),
    attention: { value: ['ssa'], prov: weights(o.attention) },
    ...(o.heads ? { heads: o.heads } : {}),
  };
}

/** SDT v1: MS_SPS and the blocks; the heads from talking_heads; CIFAR or ImageNet from the args. */
function readSdt(r: Reader): Read {
  const p = 'patch_embed';
  const thKey = 'block.0.attn.talking_heads.weight';
  const th = r.shape(thKey, 3);
  if (th[0] !== th[1]) throw new DetectError(`${thKey} is ${shapeText(th)}: talking_heads is a Conv1d(num_heads, num_heads, 1)`);
  return {
    ...oneStage(r, {
      families: ['sdt-cifar', 'sdt-imagenet'],
      stem: ['proj_conv', 'proj_conv1', 'proj_conv2', 'proj_conv3', 'rpe_conv'].map((u) => `${p}.${u}.weight`),
      qRank: 4,
      hiddenKey: 'block.0.mlp.fc1_conv.weight',
      attention: 'block.0.attn (SDSA, whose knob is ssa: the only attention SDT builds)',
      heads: { value: [th[0]!], prov: weights(`from ${thKey} ${shapeText(th)}`) },
    }),
    familyFromArgs: sdtFamilyFromArgs,
  };
}

/** SDT v1's CIFAR or ImageNet code from the training args: `pooling_stat` (0011 / 1111), else the dataset's name. */
function sdtFamilyFromArgs(args: Record<string, unknown> | null): { family: Family; note: string } | null {
  const pool = args?.pooling_stat;
  if (pool !== undefined && pool !== null) {
    const s = String(pool);
    if (s === '0011') return { family: 'sdt-cifar', note: 'args.pooling_stat 0011 (the CIFAR code)' };
    if (s === '1111') return { family: 'sdt-imagenet', note: 'args.pooling_stat 1111 (the ImageNet code)' };
    throw new DetectError(`args.pooling_stat is ${s}; spikewatt builds SDT v1 with 0011 (CIFAR) or 1111 (ImageNet)`);
  }
  const data = args?.dataset;
  if (typeof data === 'string' && /imagenet/i.test(data)) return { family: 'sdt-imagenet', note: `args.dataset ${data}` };
  if (typeof data === 'string' && /cifar/i.test(data)) return { family: 'sdt-cifar', note: `args.dataset ${data}` };
  return null;
}

/** The stage widths of the MetaFormer skeleton from its downsampling convs (downsample1_1 makes half the first). */
function downsampleWidths(r: Reader, names: string[]): { ds: string[]; w: number[]; stageDims: KeyedDim[] } {
  const ds = names.map((p) => `${p}.encode_conv.weight`);
  const w = ds.map((k) => r.dim(k, 0, 4));
  if (2 * w[0]! !== w[1]) {
    throw new DetectError(
      `${ds[0]} ${r.text(ds[0]!)} is not half of ${ds[1]} ${r.text(ds[1]!)} (downsample1_1 makes half the first width)`,
    );
  }
  return { ds, w, stageDims: ds.slice(1).map((key, i) => ({ dim: w[i + 1]!, key })) };
}

/** SDT v2 / v3: four widths from the downsampling convs, blocks in block3 and block4 (spikewatt's split of depths). */
function readMetaFormer(r: Reader, family: 'sdt2-imagenet' | 'sdt3-imagenet', qSuffix: string): Read {
  const { ds, w, stageDims } = downsampleWidths(r, ['downsample1_1', 'downsample1_2', 'downsample2', 'downsample3', 'downsample4']);
  const [n3, n4] = [r.blocks('block3', false), r.blocks('block4', false)];
  const depths = n3 + n4;
  if (n4 !== Math.max(1, Math.round(depths / 4))) {
    throw new DetectError(
      `block3 holds ${n3} and block4 ${n4} blocks; spikewatt builds depths ${depths} as block4 max(1, round(depths / 4)) = ` +
        `${Math.max(1, Math.round(depths / 4))} and block3 the rest (the official class: 6 and 2, depths 8)`,
    );
  }
  const headDims = ['block3', 'block4'].map((b, i) => {
    const key = `${b}.0.attn.${qSuffix}.weight`;
    const dim = r.dim(key, 0, 4);
    if (dim !== stageDims[i + 2]!.dim) throw new DetectError(`${key} is ${r.text(key)} but ${b}'s stage is ${stageDims[i + 2]!.dim} wide`);
    return { dim, key };
  });
  if (family === 'sdt3-imagenet') {
    const v = 'block3.0.attn.v_conv.0.weight';
    if (r.dim(v, 0, 4) !== 4 * w[3]!) throw new DetectError(`${v} is ${r.text(v)}; E-SpikeFormer's V is 4 x ${w[3]} wide (lamda_ratio 4)`);
  }
  return {
    families: [family],
    embedDims: { value: w[3]!, prov: weights(`from ${ds[3]} ${r.text(ds[3]!)}`) },
    stageDims,
    headDims,
    depths: { value: depths, prov: weights(`${heldText('block3', n3)} + ${heldText('block4', n4)}`) },
    mlpRatio: ratioOf(r, 'block3.0.mlp.fc1_conv.weight', 3, w[3]!),
    inChannels: inChannelsOf(r, ds[0]!),
    attention: { value: ['ssa', 'ssa'], prov: weights('block3.0.attn, block4.0.attn (linear attention, whose knob is ssa)') },
    metaDims: w.slice(1),
  };
}

/**
 * E-SpikeFormer large (Model_Large): three widths, `depths` blocks in block3 (the class builds what `depths` says),
 * q/k/v as RepConv's two 1x1 Conv1d (C to 1.5 C to C); a `rep_conv` shortcut per block is choice "base".
 */
function readSdt3Large(r: Reader): Read {
  const { ds, w, stageDims } = downsampleWidths(r, ['downsample1_1', 'downsample1_2', 'downsample2', 'downsample3']);
  const E = w[3]!;
  const blocks = r.blocks('block3', false);
  const q = 'block3.0.attn.q_conv.0.conv2.0.weight';
  if (r.dim(q, 0, 3) !== E) throw new DetectError(`${q} is ${r.text(q)} but embed dims are ${E} (${ds[3]} ${r.text(ds[3]!)})`);
  const base = r.has('block3.0.rep_conv.conv1.0.weight');
  return {
    families: [base ? 'sdt3lb-imagenet' : 'sdt3l-imagenet'],
    embedDims: { value: E, prov: weights(`from ${ds[3]} ${r.text(ds[3]!)}`) },
    stageDims,
    headDims: [{ dim: E, key: q }],
    depths: { value: blocks, prov: weights(heldText('block3', blocks)) },
    mlpRatio: ratioOf(r, 'block3.0.mlp.fc1_conv.weight', 3, E),
    inChannels: inChannelsOf(r, ds[0]!),
    attention: { value: ['ssa'], prov: weights('block3.0.attn (linear attention with RepConv q/k/v, whose knob is ssa)') },
    metaDims: w.slice(1),
  };
}

/**
 * Max-Former / MS-QKFormer's three stages: the stem ladder (patch_embed1 at E/8 then E/4, patch_embed2 at E/2,
 * patch_embed3 at E), 1 and 2 blocks in stages 1-2 (the official classes build 1, 2, 7), stage 3's blocks (depths - 3).
 */
function threeStages(
  r: Reader,
  stem1: string[],
  down: [string, string],
): { E: number; stageDims: KeyedDim[]; n3: number; depths: Found<number> } {
  const embedKey = down[1];
  const E = r.dim(embedKey, 0, 4);
  const ofE = [1 / 8, ...stem1.slice(1).map(() => 1 / 4), 1 / 2, 1];
  const dims = ladder(r, [...stem1, ...down], ofE, E, embedKey);
  for (const [name, n] of [
    ['stage1', 1],
    ['stage2', 2],
  ] as const) {
    const got = r.blocks(name, false);
    if (got !== n) throw new DetectError(`${name} holds ${heldText(name, got)}; the official class builds ${n}`);
  }
  const n3 = r.blocks('stage3', true);
  const note = `stage3 holds ${n3 === 0 ? 'no block' : heldText('stage3', n3)}: depths-3 (the official class builds 7, depths 10)`;
  return { E, stageDims: dims.slice(-3), n3, depths: { value: 3 + n3, prov: weights(note) } };
}

/** The MLP ratio from the widest stage with blocks; every stage's `fc1_conv` must be floor(width x ratio). */
function stagesMlp(r: Reader, stageDims: KeyedDim[], n3: number): Found<number> {
  const names = n3 > 0 ? ['stage1', 'stage2', 'stage3'] : ['stage1', 'stage2'];
  const key = (i: number) => `${names[i]}.0.mlp.fc1_conv.weight`;
  const last = names.length - 1;
  const ratio = ratioOf(r, key(last), 4, stageDims[last]!.dim);
  names.forEach((_, i) => {
    if (r.dim(key(i), 0, 4) !== Math.floor(stageDims[i]!.dim * ratio.value)) {
      throw new DetectError(
        `MLP widths disagree across stages: ${key(i)} is ${r.text(key(i))} but ${ratio.prov.note} gives ${ratio.value}`,
      );
    }
  });
  return ratio;
}

/**
 * Max-Former / MS-QKFormer: the official classes compute num_heads = embed_dims // 64 for every stage, whatever the
 * args say; no tensor holds it, so a flag may still replace it. Below 64 wide (0 heads) the nearest zoo variant's.
 */
function headsFromEmbed(E: number, stages: number): { heads: Found<number[]> } | Record<string, never> {
  const h = Math.floor(E / 64);
  if (h < 1) return {};
  const note = `embed dims ${E} // 64, as the official class computes them; pass --heads`;
  return { heads: { value: new Array<number>(stages).fill(h), prov: { origin: 'default', note } } };
}

/** Max-Former: the published mixers (depth-wise 7x7 in stage 1, 5x5 in stage 2), SSA in stage 3. */
function readMaxformer(r: Reader): Read {
  const p1 = 'patch_embed1';
  const stem1 = ['embed1', 'embed2', 'embed3', 'embed4'].map((u) => `${p1}.${u}.embed_conv.weight`);
  const s = threeStages(r, stem1, ['patch_embed2.max_embed1.embed_conv.weight', 'patch_embed3.max_embed1.embed_conv.weight']);
  checkMixer(r, 'stage1.0', 'conv5', s.E / 4, 7);
  for (const j of [0, 1]) checkMixer(r, `stage2.${j}`, 'conv', s.E / 2, 5);
  const heads = s.n3 > 0 ? 'stage3.0.attn.q_conv.weight' : s.stageDims[2]!.key;
  if (s.n3 > 0 && r.dim(heads, 0, 3) !== s.E) throw new DetectError(`${heads} is ${r.text(heads)} but embed dims are ${s.E}`);
  return {
    families: ['maxformer-imagenet'],
    embedDims: { value: s.E, prov: weights(`from ${s.stageDims[2]!.key} ${r.text(s.stageDims[2]!.key)}`) },
    stageDims: s.stageDims,
    headDims: [{ dim: s.E, key: heads }],
    depths: s.depths,
    mlpRatio: stagesMlp(r, s.stageDims, s.n3),
    inChannels: inChannelsOf(r, stem1[0]!),
    attention: { value: ['ssa'], prov: weights('stage3.*.attn (SSA); stages 1-2 mix tokens with depth-wise convs (stage*.*.mixer)') },
    ...headsFromEmbed(s.E, 1),
  };
}

/** A Max-Former block's mixer must be the published depth-wise k x k conv (`<p>.mixer.<conv>`, [dim, 1, k, k]). */
function checkMixer(r: Reader, p: string, conv: string, dim: number, k: number): void {
  const key = `${p}.mixer.${conv}.weight`;
  const ok = r.has(key) && shapeText(r.t.get(key)!.shape) === shapeText([dim, 1, k, k]);
  if (ok) return;
  const found = [...r.t.keys()].filter((x) => x.startsWith(`${p}.mixer.`) && x.endsWith('weight'));
  const what = found.length ? found.map((x) => `${x} ${r.text(x)}`).join(', ') : 'no mixer weights: a pooling or identity mixer';
  throw new DetectError(
    `${p}.mixer is not the published depth-wise ${k}x${k} conv (${key} [${dim},1,${k},${k}]): ${what}; spikewatt's Max-Former ` +
      'config builds the published mixers (another mixer: a model file, docs/model-files.md)',
  );
}

/** MS-QKFormer: PatchEmbedInit, PatchEmbeddingStage, attention per stage (a v_conv: SSA, else Token_QK_Attention). */
function readMsQkformer(r: Reader): Read {
  const p1 = 'patch_embed1';
  const stem1 = ['proj_conv', 'proj_conv1', 'proj_conv2', 'rpe_conv'].map((u) => `${p1}.${u}.weight`);
  const s = threeStages(r, stem1, ['patch_embed2.proj3_conv.weight', 'patch_embed3.proj3_conv.weight']);
  const kinds = (['stage1', 'stage2', 'stage3'] as const).map((name, i) => stageAttention(r, name, [1, 2, s.n3][i]!, s.stageDims[i]!.dim));
  return {
    families: ['ms-qkformer-imagenet'],
    embedDims: { value: s.E, prov: weights(`from ${s.stageDims[2]!.key} ${r.text(s.stageDims[2]!.key)}`) },
    stageDims: s.stageDims,
    headDims: s.stageDims,
    depths: s.depths,
    mlpRatio: stagesMlp(r, s.stageDims, s.n3),
    inChannels: inChannelsOf(r, stem1[0]!),
    attention: { value: kinds.map((k) => k.kind), prov: weights(kinds.map((k) => k.note).join(', ')) },
    ...headsFromEmbed(s.E, 3),
  };
}

/** One MS-QKFormer stage's attention: SSA where its blocks have v_conv, QKTA (q and k only) else; an empty stage: SSA. */
function stageAttention(r: Reader, name: string, blocks: number, dim: number): { kind: AttentionKind; note: string } {
  if (blocks === 0) return { kind: 'ssa', note: `${name} empty (the official SSA)` };
  const kindOf = (j: number): AttentionKind => (r.has(`${name}.${j}.attn.v_conv.weight`) ? 'ssa' : 'qkta');
  const kind = kindOf(0);
  for (let j = 0; j < blocks; j++) {
    const q = `${name}.${j}.attn.q_conv.weight`;
    if (r.dim(q, 0, 3) !== dim) throw new DetectError(`${q} is ${r.text(q)} but ${name} is ${dim} wide`);
    if (kindOf(j) !== kind) throw new DetectError(`${name} mixes attention kinds (${name}.0.attn is ${kind}, ${name}.${j}.attn is not)`);
  }
  return { kind, note: `${name}.0.attn (${kind === 'ssa' ? 'SSA: q, k, v' : 'Token_QK_Attention: q, k'})` };
}
