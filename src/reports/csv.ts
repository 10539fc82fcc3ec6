import { writeToString } from 'fast-csv';
import { OP_KINDS, type OpKind } from '../sim/ops.js';
import type { ProfileReport } from './schema.js';

/**
 * The tidy CSV tables (documented column by column in docs/reports.md). Every value is per inference.
 * - `timesteps.csv`: one row per layer x time step: activity and op counts (measured, no hardware).
 * - `layers.csv`: one row per hardware profile x layer x time step: energy per op kind and in total, in pJ.
 */

/** Column of an op kind's count: snake case plus its unit (`ops`, or `words` for memory traffic): `neuron_update_ops`. */
export function opCountColumn(k: OpKind): string {
  const unit = k === 'memRead' || k === 'memWrite' ? 'words' : 'ops';
  return `${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_${unit}`;
}

/** Column of an op kind's energy: `ac_energy_pj`, `mem_read_energy_pj` ... */
export function opEnergyColumn(k: OpKind): string {
  return `${opCountColumn(k).replace(/_(ops|words)$/, '')}_energy_pj`;
}

export const TIMESTEPS_COLUMNS: readonly string[] = [
  'layer',
  'layer_kind',
  'stage',
  't',
  'input_events',
  'input_unit_spikes',
  'output_spikes',
  'output_elements',
  'firing_rate',
  ...OP_KINDS.map(opCountColumn),
];

export const LAYERS_COLUMNS: readonly string[] = [
  'profile',
  'convention',
  'layer',
  'layer_kind',
  'stage',
  't',
  ...OP_KINDS.map(opEnergyColumn),
  'energy_pj',
];

type Cell = string | number;

export function timestepsRows(r: ProfileReport): Cell[][] {
  const rows: Cell[][] = [];
  for (const l of r.layers) {
    for (const s of l.perStep) {
      rows.push([
        l.name,
        l.kind,
        l.stage,
        s.t,
        s.inputEvents,
        s.inputUnitSpikes,
        s.outputSpikes,
        l.outputElements,
        s.firingRate ?? '',
        ...OP_KINDS.map((k) => s.ops[k]),
      ]);
    }
  }
  return rows;
}

export function layersRows(r: ProfileReport): Cell[][] {
  const rows: Cell[][] = [];
  for (const e of r.energy) {
    e.layers.forEach((le, i) => {
      const l = r.layers[i];
      if (!l || l.name !== le.name)
        throw new Error(`profile.json: energy of ${e.profile} lists layer ${le.name} where the layers list ${l?.name ?? 'nothing'}`);
      for (const s of le.perStep)
        rows.push([e.profile, e.convention, l.name, l.kind, l.stage, s.t, ...OP_KINDS.map((k) => s.byOpKindPj[k]), s.totalPj]);
    });
  }
  return rows;
}

async function csv(columns: readonly string[], rows: Cell[][]): Promise<string> {
  const text = await writeToString([[...columns], ...rows.map((row) => row.map(String))], { headers: false, includeEndRowDelimiter: true });
  return text;
}

export function timestepsCsv(r: ProfileReport): Promise<string> {
  return csv(TIMESTEPS_COLUMNS, timestepsRows(r));
}
export function layersCsv(r: ProfileReport): Promise<string> {
  return csv(LAYERS_COLUMNS, layersRows(r));
}
