import type { ConfigOverrides } from '../models/zoo.js';
import { resolveModel } from './model.js';
import { exportNirFile, type NirExportResult } from './nir-file.js';

export interface NirExportOptions {
  /** A zoo name, checkpoint, model file or NIR file. */
  model: string;
  /** Weights for a zoo name or model file (default: the seeded calibrated init). */
  weights?: string;
  overrides?: ConfigOverrides;
  /** The `.nir` file to write (replaced atomically). */
  out: string;
  /** Leave out what NIR cannot express (listed in the result) instead of refusing. */
  partial?: boolean;
  seed?: number;
}

/**
 * `spikewatt nir export`: a model and its weights (BatchNorm folded) as a NIR graph in NIR's HDF5 layout. Without
 * `partial`, a model holding what NIR cannot express (max pooling, QKTA, SSA products) is refused with one line.
 */
export async function nirExport(o: NirExportOptions): Promise<NirExportResult> {
  const m = resolveModel(o.model, {
    ...(o.weights !== undefined ? { weights: o.weights } : {}),
    ...(o.overrides !== undefined ? { overrides: o.overrides } : {}),
    seed: o.seed ?? 0,
  });
  return exportNirFile(m.spec, m.tensors, o.out, o.partial ?? false);
}
