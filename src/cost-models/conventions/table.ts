import type { LayerCounts, OpCounts } from '../../sim/counts.js';
import { NUM_OP_KINDS, opIndex, type OpKind } from '../../sim/ops.js';
import type { LayerKind, LayerSpec, ModelSpec } from '../../models/spec.js';

/** The closed set of counting conventions (one file each in this folder, one registry line in index.ts). */
export type ConventionName = 'exact' | 'syops' | 'spikformer';
export const CONVENTION_NAMES: readonly ConventionName[] = ['exact', 'syops', 'spikformer'];

/** A row is a spec layer, or (syops) the BatchNorm module folded into a conv, reported under its own name. */
export type RowKind = LayerKind | 'batchNorm';

/** One row of a convention table: counts per time step per op kind, summed over all samples (may be fractional). */
export interface ConventionRow {
  name: string;
  kind: RowKind;
  /** The spec layer this row belongs to (itself, or the conv a BatchNorm follows). */
  layer: string;
  /** `ops[t * NUM_OP_KINDS + opIndex(kind)]`. */
  ops: Float64Array;
}

/** OpCounts-like: layer x t x kind, what a convention says one simulation cost. */
export interface ConventionTable {
  convention: ConventionName;
  model: string;
  timesteps: number;
  samples: number;
  rows: ConventionRow[];
  /** Choices the convention made for this run (resolved options, fallbacks), in words. */
  notes: string[];
}

export interface ConventionOptions {
  /** spikformer: count the encoding layer's MACs once per inference or at every step (default: see spikformer.ts). */
  firstLayerTimesteps?: 'once' | 'perStep';
  /** syops: samples per forward call of the syops run being reproduced (default: all samples in one call). */
  syopsBatchSize?: number;
}

export interface Convention {
  name: ConventionName;
  /** One line: what the convention counts. */
  summary: string;
  apply(counts: OpCounts, spec: ModelSpec, opts: ConventionOptions): ConventionTable;
}

export function newRow(name: string, kind: RowKind, layer: string, timesteps: number): ConventionRow {
  return { name, kind, layer, ops: new Float64Array(timesteps * NUM_OP_KINDS) };
}

export function addOps(row: ConventionRow, t: number, kind: OpKind, n: number): void {
  row.ops[t * NUM_OP_KINDS + opIndex(kind)]! += n;
}

export function rowTotal(row: ConventionRow, kind: OpKind): number {
  let s = 0;
  for (let i = opIndex(kind); i < row.ops.length; i += NUM_OP_KINDS) s += row.ops[i]!;
  return s;
}

/** Total of one op kind over all rows and steps, divided by the samples (per inference). */
export function tablePerInference(table: ConventionTable, kind: OpKind): number {
  let s = 0;
  for (const r of table.rows) s += rowTotal(r, kind);
  return s / table.samples;
}

/** Checks that counts and spec describe the same model run; returns the counts of each spec layer by name. */
export function indexCounts(counts: OpCounts, spec: ModelSpec): Map<string, LayerCounts> {
  if (!(counts.samples >= 1)) throw new Error(`counts of ${counts.model} hold ${counts.samples} samples; nothing to price`);
  const byName = new Map(counts.layers.map((l) => [l.name, l] as const));
  for (const l of spec.layers) {
    if (!byName.has(l.name)) throw new Error(`counts of ${counts.model} have no layer ${l.name} of model ${spec.name}`);
  }
  return byName;
}

/**
 * Unit spikes per element per sample of input `index` of a layer at step t, or null when that input is not
 * spiking activity (the model input fed dense, or a real-valued tensor). Input 0 uses what the layer itself
 * recorded (events: unit spikes; dense 0/1 values: nonzeros); other inputs use the producing layer's
 * emitted unit spikes (LIF spikes, SEW sums' multiplicities, mask events).
 */
export function inputSpikeRate(
  layer: LayerSpec,
  index: number,
  t: number,
  counts: Map<string, LayerCounts>,
  samples: number,
): number | null {
  const own = counts.get(layer.name)!;
  if (index === 0 && own.inputElements > 0) {
    if (own.inputIsEvents) return own.inputUnitSpikes[t]! / (own.inputElements * samples);
    if (own.inputBinary) return own.inputEvents[t]! / (own.inputElements * samples);
  }
  const producer = counts.get(layer.inputs[index] ?? '');
  if (!producer || !spiking(producer.kind) || producer.outputElements <= 0) return null;
  return producer.outputSpikes[t]! / (producer.outputElements * samples);
}

/**
 * `inputSpikeRate`, or 1 where input `index` carries no spike count (counted as if every input unit fired), with one
 * note per layer and input saying so; `why` words the note.
 */
export function rateOrOne(
  layer: LayerSpec,
  index: number,
  t: number,
  counts: Map<string, LayerCounts>,
  samples: number,
  notes: string[],
  why: string,
): number {
  const r = inputSpikeRate(layer, index, t, counts, samples);
  if (r !== null) return r;
  const msg = `${layer.name}: ${why}, counted at rate 1`;
  if (!notes.includes(msg)) notes.push(msg);
  return 1;
}

/** Layer kinds whose output is spiking activity (binary spikes or small non-negative integers). */
function spiking(kind: LayerKind): boolean {
  switch (kind) {
    case 'lif':
    case 'add':
    case 'mask':
    case 'spikeAnd':
    case 'multiSpike':
      return true;
    case 'membraneAdd':
    case 'bnPad':
    case 'conv':
    case 'maxpool':
    case 'avgpool':
    case 'headSum':
    case 'tokenSum':
    case 'ssaProduct':
    case 'tokenMean':
    case 'head':
      return false;
  }
}

/** Conv layers that read the model input (the encoding layer(s)). */
export function isEncodingLayer(l: LayerSpec): boolean {
  return l.kind === 'conv' && l.inputs.includes('input');
}
