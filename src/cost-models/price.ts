import type { OpCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS, opIndex, type OpKind } from '../sim/ops.js';
import { numel, type LayerSpec, type ModelSpec } from '../models/spec.js';
import { weightWords } from '../models/stats.js';
import type { HardwareProfile } from './profile-schema.js';
import { memoryWordEnergyPj, type LargeMemory } from './memory.js';
import { CONVENTIONS } from './conventions/index.js';
import type { ConventionName, ConventionOptions, ConventionTable, RowKind } from './conventions/table.js';
import { InputError } from '../errors.js';

export const PRICING_SCHEMA_VERSION = 1;

export interface PriceOptions extends ConventionOptions {
  /** Report op kinds the profile does not price as unpriced counts instead of throwing UnpricedOpError. */
  allowUnpriced?: boolean;
  /** Memories above the profile's largest on-chip point: 'banked' (default) or 'offChip' (see memory.ts). */
  largeMemory?: LargeMemory;
}

/** How a profile treats one op kind: priced (flat or by memory capacity), included in another kind, or not at all. */
export type PriceStatus = 'priced' | 'included' | 'unpriced';

/** One layer (or BatchNorm) row: counts and energy per op kind per time step, summed over all samples. */
export interface PricedRow {
  name: string;
  kind: RowKind;
  layer: string;
  /** `counts[kind][t]`: ops at step t over all samples (fractional under the syops/spikformer conventions). */
  counts: Record<OpKind, number[]>;
  /** `energyPj[kind][t]`: pJ at step t over all samples; 0 for included and unpriced kinds. */
  energyPj: Record<OpKind, number[]>;
  /** pJ per op applied in this row, for the kinds with a count (memory kinds: interpolated at `memoryBytes`). */
  unitEnergyPj: Partial<Record<OpKind, number>>;
  /** Capacity the memory kinds were priced at: weights for synaptic layers' reads, else the layer's state. */
  memoryBytes: Partial<Record<'memRead' | 'memWrite', number>>;
  /** Counts (all steps, all samples) of kinds the profile does not price (only with allowUnpriced). */
  unpricedCounts: Partial<Record<OpKind, number>>;
  totalEnergyPj: number;
}

export interface KindSummary {
  status: PriceStatus | 'absent';
  countPerInference: number;
  energyPjPerInference: number;
  includedIn?: OpKind[];
}

/** The priced result of one simulation under one convention and one profile; plain JSON-serialisable data. */
export interface Pricing {
  schemaVersion: typeof PRICING_SCHEMA_VERSION;
  model: string;
  profile: { name: string; technology: string };
  convention: ConventionName;
  conventionNotes: string[];
  options: { allowUnpriced: boolean; largeMemory: LargeMemory };
  timesteps: number;
  samples: number;
  rows: PricedRow[];
  /** Energy per step over all rows, per inference (divided by samples). */
  energyPjPerTimestep: number[];
  byKind: Record<OpKind, KindSummary>;
  energyPjPerInference: number;
  energyMjPerInference: number;
  /** Kinds with nonzero counts and no price: the energy above is then a lower bound. */
  unpriced: { kind: OpKind; countPerInference: number; rows: string[] }[];
  /** True when every counted op was priced (or is included in a priced kind). */
  complete: boolean;
}

/** An op kind with a nonzero count that the profile does not price. */
export class UnpricedOpError extends InputError {
  constructor(
    readonly kind: OpKind,
    readonly profile: string,
    readonly countPerInference: number,
    readonly rows: string[],
    profileOps: readonly OpKind[] = [],
  ) {
    super(
      `profile '${profile}' has no price for op kind '${kind}' (${fmt(countPerInference)} ops per inference in ${rows.length} layer(s), e.g. ${rows[0]}); ` +
        'price it in the profile, or pass --allow-unpriced to report it as an unpriced count (the total is then a lower bound)' +
        // NOTE: a profile pricing only ac and mac is a paper-formula profile: the spikformer convention counts nothing else
        (onlyAcMac(profileOps) ? `; '${profile}' prices only ac and mac, as the paper formula: use --convention spikformer` : ''),
    );
    this.name = 'UnpricedOpError';
  }
}

const onlyAcMac = (kinds: readonly OpKind[]) => kinds.length > 0 && kinds.every((k) => k === 'ac' || k === 'mac');
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(6));

export function priceStatus(profile: HardwareProfile, kind: OpKind): PriceStatus {
  const e = profile.ops[kind];
  if (e?.includedIn) return 'included';
  if (e?.energyPj !== undefined) return 'priced';
  if ((kind === 'memRead' || kind === 'memWrite') && profile.memory) return 'priced';
  const p = processorPrice(profile, kind);
  if (p?.includedIn) return 'included';
  if (p?.energyPj !== undefined) return 'priced';
  return 'unpriced';
}

/**
 * With an architecture, an op kind the cores do not price (no `ops` entry) is what the cores cannot run: it goes to
 * the architecture's processor and is priced by its `processor.ops` entry (the chip model books it the same way).
 */
export function processorPrice(profile: HardwareProfile, kind: OpKind) {
  if (profile.ops[kind] !== undefined) return undefined;
  return profile.architecture?.processor.ops[kind];
}

/** Applies a convention, then prices the table: `price(counts, spec, profile, 'exact', {})`. Pure. */
export function price(
  counts: OpCounts,
  spec: ModelSpec,
  profile: HardwareProfile,
  convention: ConventionName,
  opts: PriceOptions = {},
): Pricing {
  return priceTable(CONVENTIONS[convention].apply(counts, spec, opts), spec, profile, opts);
}

/**
 * Energy = sum over rows, steps and kinds of count x pJ per op. Flat prices come from `profile.ops`;
 * memRead/memWrite without an ops entry use the memory model at the capacity of the memory holding the data:
 * a synaptic layer's (conv, head) reads hit its weight memory (weightWords x word bytes), every other memory
 * access hits the layer's state memory (output elements x word bytes: membranes, event buffers).
 */
export function priceTable(table: ConventionTable, spec: ModelSpec, profile: HardwareProfile, opts: PriceOptions = {}): Pricing {
  const T = table.timesteps,
    S = table.samples;
  const allowUnpriced = opts.allowUnpriced ?? false;
  const largeMemory = opts.largeMemory ?? 'banked';
  const specByName = new Map(spec.layers.map((l) => [l.name, l] as const));
  const total = (ops: Float64Array, k: OpKind) => {
    let s = 0;
    for (let t = 0; t < T; t++) s += ops[t * NUM_OP_KINDS + opIndex(k)]!;
    return s;
  };

  // fail before any work on the first unpriced kind
  const unpriced: Pricing['unpriced'] = [];
  for (const k of OP_KINDS) {
    if (priceStatus(profile, k) !== 'unpriced') continue;
    const rows = table.rows.filter((r) => total(r.ops, k) !== 0);
    if (!rows.length) continue;
    const n = rows.reduce((s, r) => s + total(r.ops, k), 0) / S;
    // NOTE: a profile with an architecture is priced by the chip model (src/chip), which reports what it cannot price
    // as not estimated; its per-op view lists such kinds as unpriced instead of failing the run.
    if (!allowUnpriced && profile.architecture === undefined) {
      const pricedKinds = OP_KINDS.filter((x) => priceStatus(profile, x) !== 'unpriced');
      throw new UnpricedOpError(
        k,
        profile.name,
        n,
        rows.map((r) => r.name),
        pricedKinds,
      );
    }
    unpriced.push({ kind: k, countPerInference: n, rows: rows.map((r) => r.name) });
  }

  const byKind = {} as Record<OpKind, KindSummary>;
  for (const k of OP_KINDS) {
    const st = priceStatus(profile, k);
    byKind[k] = { status: st, countPerInference: 0, energyPjPerInference: 0 };
    const inc = profile.ops[k]?.includedIn ?? processorPrice(profile, k)?.includedIn;
    if (inc) byKind[k].includedIn = [...inc];
  }
  const energyPjPerTimestep = new Array<number>(T).fill(0);
  const rows: PricedRow[] = table.rows.map((r) => {
    const layer = specByName.get(r.layer);
    if (!layer) throw new Error(`row ${r.name}: no layer ${r.layer} in model ${spec.name}`);
    const row: PricedRow = {
      name: r.name,
      kind: r.kind,
      layer: r.layer,
      counts: {} as PricedRow['counts'],
      energyPj: {} as PricedRow['energyPj'],
      unitEnergyPj: {},
      memoryBytes: {},
      unpricedCounts: {},
      totalEnergyPj: 0,
    };
    for (const k of OP_KINDS) {
      const c = new Array<number>(T),
        e = new Array<number>(T).fill(0);
      for (let t = 0; t < T; t++) c[t] = r.ops[t * NUM_OP_KINDS + opIndex(k)]!;
      row.counts[k] = c;
      row.energyPj[k] = e;
      const n = c.reduce((s, x) => s + x, 0);
      if (n === 0) continue;
      byKind[k].countPerInference += n / S;
      const st = priceStatus(profile, k);
      if (st === 'unpriced') {
        row.unpricedCounts[k] = n;
        continue;
      }
      if (st === 'included') {
        row.unitEnergyPj[k] = 0;
        continue;
      }
      const unit = unitPrice(profile, k, r.kind, layer, row, largeMemory);
      row.unitEnergyPj[k] = unit;
      for (let t = 0; t < T; t++) {
        const pj = c[t]! * unit;
        e[t] = pj;
        row.totalEnergyPj += pj;
        energyPjPerTimestep[t]! += pj / S;
        byKind[k].energyPjPerInference += pj / S;
      }
    }
    return row;
  });
  for (const k of OP_KINDS) if (byKind[k].status === 'unpriced' && byKind[k].countPerInference === 0) byKind[k].status = 'absent';
  const energyPjPerInference = rows.reduce((s, r) => s + r.totalEnergyPj, 0) / S;
  return {
    schemaVersion: PRICING_SCHEMA_VERSION,
    model: table.model,
    profile: { name: profile.name, technology: profile.technology },
    convention: table.convention,
    conventionNotes: [...table.notes],
    options: { allowUnpriced, largeMemory },
    timesteps: T,
    samples: S,
    rows,
    energyPjPerTimestep,
    byKind,
    energyPjPerInference,
    energyMjPerInference: energyPjPerInference * 1e-9,
    unpriced,
    complete: unpriced.length === 0,
  };
}

function unitPrice(
  profile: HardwareProfile,
  k: OpKind,
  rowKind: RowKind,
  layer: LayerSpec,
  row: PricedRow,
  largeMemory: LargeMemory,
): number {
  const flat = profile.ops[k]?.energyPj;
  if (flat !== undefined) return flat;
  const m = profile.memory;
  if (!m || (k !== 'memRead' && k !== 'memWrite')) {
    const onProcessor = processorPrice(profile, k)?.energyPj;
    if (onProcessor !== undefined) return onProcessor;
    throw new Error(`internal: no price for ${k}`);
  }
  const wordBytes = m.wordBits / 8;
  const synaptic = (rowKind === 'conv' || rowKind === 'head') && k === 'memRead';
  const bytes = (synaptic ? weightWords(layer) : numel(layer.out)) * wordBytes;
  row.memoryBytes[k] = bytes;
  return memoryWordEnergyPj(m, bytes, largeMemory);
}
