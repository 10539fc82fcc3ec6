import { OP_KINDS, type OpKind } from '../sim/ops.js';
import type { BlockEnergy, BlockType, LayerReport, ProfileEnergy, ProfileReport } from './schema.js';

/**
 * Which block a layer belongs to, from its official module name:
 *  - `patch_embed1.*`, `patch_embed.*` -> the patch embedding (SPEDS in QKFormer) of that stage;
 *  - `stage2.0.tssa.*` / `.ssa.*` / `.qkca.*` / `.attn.*` and `stage2.0.attn_add` -> attention block `stage2.0.attn`;
 *  - `stage2.0.mlp.*` and `stage2.0.mlp_add` -> MLP block `stage2.0.mlp` (Spikformer: `block.3.*`);
 *  - `head`, `head.*`, `head_lif` -> the head (token mean, SDT's head LIF and the classifier);
 *  - Spikingformer and SDT name their blocks `block.3.attn.*` / `block.3.mlp.*` and their membrane shortcuts
 *    `block.3.attn_add` / `block.3.mlp_add` like Spikformer.
 *  - SDT v2 / v3: `downsample1_2.*` -> a patch embedding; `ConvBlock1_1.0.Conv.*` and `block3.0.conv.*` (SepConv, the
 *    token mixer) with `conv_add` -> block `<base>.conv` of the attention type; `ConvBlock1_1.0.conv1` / `lif1` /
 *    `spike2` ... with `mlp_add` -> its MLP (SDT v3 Model_Large: `neuron1`, `conv1.0.module.0`, ...); the neuron before
 *    the head (`lif`, `spike`) -> the head. Model_Large's per-block `rep_conv` shortcut (choice "base") is `other`.
 * NOTE: the residual add after attention (or MLP) is counted in that block: it exists because of the block.
 */
export function blockOf(layerName: string): { type: BlockType; stage: string; instance: string } {
  const parts = layerName.split('.');
  const first = parts[0] ?? layerName;
  if (first.startsWith('patch_embed') || first.startsWith('downsample')) return { type: 'patchEmbed', stage: first, instance: first };
  // SDT's head_lif (a top-level module) belongs to the head, and so do SDT v2's `lif` and v3's `spike`
  if (first === 'head' || first === 'head_lif' || layerName === 'lif' || layerName === 'spike')
    return { type: 'head', stage: 'head', instance: 'head' };
  const index = parts[1],
    role = parts[2];
  if (index !== undefined && /^\d+$/.test(index) && role !== undefined) {
    const base = `${first}.${index}`;
    if (['tssa', 'ssa', 'qkca', 'attn', 'attn_add'].includes(role)) return { type: 'attention', stage: first, instance: `${base}.attn` };
    // Max-Former's token mixers (depth-wise conv, pooling) take the attention's place in stages 1-2
    if (role === 'mixer' || role === 'mixer_add') return { type: 'attention', stage: first, instance: `${base}.mixer` };
    if (role === 'Conv' || role === 'conv' || role === 'conv_add') return { type: 'attention', stage: first, instance: `${base}.conv` };
    if (role === 'mlp' || role === 'mlp_add' || /^(conv|bn|lif|spike|neuron)[12]$/.test(role))
      return { type: 'mlp', stage: first, instance: `${base}.mlp` };
  }
  return { type: 'other', stage: first, instance: first };
}

/**
 * What mixes the tokens of an attention block, read from the kinds of its layers: QKTA (a sum over head channels),
 * SSA (Q K^T V products), SDSA (a spike AND then a token sum), QKCA (a token sum), or a token mixer in the attention's
 * place (Max-Former: a pooling, or a conv: its depth-wise conv); null when none of them is there.
 */
export function mixingOf(kinds: ReadonlySet<string>): string | null {
  // SDT v2's and v3's linear attention is SSA's product order; their papers call it spike-driven (SDSA)
  if (kinds.has('ssaProduct') && kinds.has('multiSpike')) return 'linear SDSA (integer spikes)';
  if (kinds.has('ssaProduct') && kinds.has('bnPad')) return 'linear SDSA (RepConv)';
  if (kinds.has('ssaProduct')) return 'SSA';
  if (kinds.has('headSum')) return 'QKTA';
  if (kinds.has('tokenSum')) return kinds.has('spikeAnd') ? 'SDSA' : 'QKCA';
  if (kinds.has('avgpool')) return 'avg pooling';
  if (kinds.has('maxpool')) return 'max pooling';
  if (kinds.has('conv')) return 'conv';
  return null;
}

/** The token mixings of a model's attention blocks (`mixingOf` per block), distinct, in layer order. */
export function tokenMixings(layers: readonly { name: string; kind: string }[]): string[] {
  const kindsOf = new Map<string, Set<string>>();
  for (const l of layers) {
    const b = blockOf(l.name);
    if (b.type !== 'attention') continue;
    const set = kindsOf.get(b.instance) ?? new Set<string>();
    set.add(l.kind);
    kindsOf.set(b.instance, set);
  }
  return [...new Set([...kindsOf.values()].map(mixingOf).filter((m): m is string => m !== null))];
}

/**
 * What a model attends with, for labels: QKFormer's and Spikformer's attention knob per stage (their builders
 * build what it names); for the other families, whose knob does not name their mixer, the token mixings found.
 */
export function attentionLabel(spec: {
  config: { family: string; attention: readonly string[] };
  layers: readonly { name: string; kind: string }[];
}): string[] {
  return /^(qkformer|spikformer)-/.test(spec.config.family) ? [...spec.config.attention] : tokenMixings(spec.layers);
}

const LABELS: Record<BlockType, string> = {
  patchEmbed: 'patch embedding (SPEDS)',
  attention: 'attention',
  mlp: 'MLP',
  head: 'head',
  other: 'other',
};

export function blockTypeLabel(t: BlockType): string {
  return LABELS[t];
}

const MEMORY_KINDS: readonly OpKind[] = ['memRead', 'memWrite'];

/** Energy of every block instance on one profile, in network order, with its share of the profile's total. */
export function blockEnergies(layers: readonly LayerReport[], e: ProfileEnergy): BlockEnergy[] {
  const totalPj = e.layers.reduce((s, l) => s + l.perStep.reduce((a, x) => a + x.totalPj, 0), 0);
  const out: BlockEnergy[] = [];
  const byInstance = new Map<string, BlockEnergy>();
  const unpricedKinds = new Set(e.unpriced.map((u) => u.op));
  layers.forEach((l, i) => {
    const b = blockOf(l.name);
    let row = byInstance.get(b.instance);
    if (!row) {
      row = {
        instance: b.instance,
        type: b.type,
        stage: b.stage,
        energyPj: 0,
        memoryPj: 0,
        share: 0,
        synapticOps: 0,
        unpriced: [],
      };
      byInstance.set(b.instance, row);
      out.push(row);
    }
    const le = e.layers[i];
    for (const s of le?.perStep ?? []) {
      row.energyPj += s.totalPj;
      for (const k of MEMORY_KINDS) row.memoryPj += s.byOpKindPj[k];
    }
    for (const s of l.perStep) row.synapticOps += s.ops.ac + s.ops.mac;
    // NOTE: layer-level unpriced kinds come from the pricing rows (the convention's counts); older files
    // without them fall back to the exact counts of the layer.
    const kinds = le?.unpriced
      ? le.unpriced.map((u) => u.op)
      : OP_KINDS.filter((k) => unpricedKinds.has(k) && l.perStep.some((s) => s.ops[k] > 0));
    for (const k of kinds) if (!row.unpriced.includes(k)) row.unpriced.push(k);
  });
  for (const r of out) r.share = totalPj > 0 ? Math.min(1, r.energyPj / totalPj) : 0;
  for (const r of out) {
    if (r.type !== 'attention') continue;
    const mixing = mixingOf(new Set(layers.filter((l) => blockOf(l.name).instance === r.instance).map((l) => l.kind)));
    if (mixing) r.mixing = mixing;
  }
  return out;
}

export interface BlockSum {
  key: string;
  type: BlockType;
  stage: string | null;
  energyPj: number;
  memoryPj: number;
  share: number;
  synapticOps: number;
  blocks: number;
  unpriced: OpKind[];
}

/** Blocks summed by type (stage null) or by stage and type, in first-seen order. */
export function sumBlocks(blocks: readonly BlockEnergy[], by: 'type' | 'stage'): BlockSum[] {
  const out: BlockSum[] = [];
  const index = new Map<string, BlockSum>();
  for (const b of blocks) {
    const key = by === 'type' ? b.type : `${b.stage} ${b.type}`;
    let s = index.get(key);
    if (!s) {
      s = {
        key,
        type: b.type,
        stage: by === 'type' ? null : b.stage,
        energyPj: 0,
        memoryPj: 0,
        share: 0,
        synapticOps: 0,
        blocks: 0,
        unpriced: [],
      };
      index.set(key, s);
      out.push(s);
    }
    s.energyPj += b.energyPj;
    s.memoryPj += b.memoryPj;
    s.share += b.share;
    s.synapticOps += b.synapticOps;
    s.blocks++;
    for (const k of b.unpriced) if (!s.unpriced.includes(k)) s.unpriced.push(k);
  }
  return out;
}

/** The stored blocks of a profile, or (an older profile.json) computed from its layers. */
export function blocksOf(r: ProfileReport, e: ProfileEnergy): BlockEnergy[] {
  return e.blocks ?? blockEnergies(r.layers, e);
}
