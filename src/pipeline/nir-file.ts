import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { InputError } from '../errors.js';
import { importNir, type NirImport } from '../models/formats/nir-import.js';
import { exportNir, leftOutLine, NIR_VERSION, type LeftOut, type NirGraph, type NirNode, type NirValue } from '../models/formats/nir.js';
import { specOfModelFile } from '../models/model-file.js';
import type { ModelSpec } from '../models/spec.js';
import type { ConfigOverrides } from '../models/zoo.js';

/**
 * NIR's HDF5 files (nir/serialization.py): a root `version` string and a `node` group holding the graph (`type`
 * "NIRGraph", `nodes/<name>/` with a `type` string and one dataset per parameter, `edges` as (source, target)
 * strings). Read and written with h5wasm (HDF5 compiled to WebAssembly), which starts asynchronously once:
 * `await initNir()` before the synchronous readers (the CLI does it when an argument names a .nir file).
 */
type H5 = typeof import('h5wasm/node').default;
let h5: H5 | null = null;

/** Loads h5wasm (about a second on a busy core, so only when a NIR file is named). */
export async function initNir(): Promise<void> {
  if (h5 !== null) return;
  const m = (await import('h5wasm/node')).default;
  await m.ready;
  h5 = m;
}

function lib(): H5 {
  if (h5 === null) throw new InputError('NIR support is not loaded: call `await initNir()` before reading or writing a .nir file');
  return h5;
}

/** A `.nir` path (`--model graph.nir`). */
export function isNirPath(model: string): boolean {
  return /\.nir$/i.test(model);
}

type Dataset = InstanceType<H5['Dataset']>;
type Group = InstanceType<H5['Group']>;

function valueOf(d: Dataset): NirValue {
  const v = d.value;
  if (typeof v === 'string') return v;
  const shape = d.shape ?? [];
  const int = d.dtype.toString().includes('q') || d.dtype.toString().includes('i') || typeof v === 'bigint';
  if (typeof v === 'number' || typeof v === 'bigint') return { shape, data: Float64Array.of(Number(v)), int };
  if (ArrayBuffer.isView(v)) return { shape, data: Float64Array.from(v as unknown as ArrayLike<number | bigint>, Number), int };
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
  return { shape, data: Float64Array.from((v as ArrayLike<number>) ?? []), int };
}

function readNode(g: Group, name: string, path: string): NirNode {
  const type = g.get('type');
  if (type === null || !(type instanceof lib().Dataset) || typeof type.value !== 'string') {
    throw new InputError(`${path}: NIR node '${name}' has no type`);
  }
  if (type.value === 'NIRGraph')
    throw new InputError(`${path}: NIR node '${name}' is a subgraph (NIRGraph); spikewatt imports flat graphs`);
  const params = new Map<string, NirValue>();
  for (const k of g.keys()) {
    const d = g.get(k);
    if (d instanceof lib().Dataset) params.set(k, valueOf(d));
  }
  return { type: type.value, params };
}

/** Reads a NIR file's graph; a file that is not one is one line naming what is missing. */
export function readNirFile(path: string): NirGraph {
  const H = lib();
  try {
    readFileSync(path, { flag: 'r' }).subarray(0, 8);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let f: InstanceType<H5['File']>;
  try {
    f = new H.File(path, 'r');
  } catch {
    throw new InputError(`${path}: not an HDF5 file (a NIR graph is one)`);
  }
  try {
    const version = f.get('version');
    const root = f.get('node');
    if (!(root instanceof H.Group)) throw new InputError(`${path}: no 'node' group (not a NIR file)`);
    const nodesGroup = root.get('nodes');
    if (!(nodesGroup instanceof H.Group)) throw new InputError(`${path}: the graph has no 'nodes' group`);
    const nodes = new Map<string, NirNode>();
    for (const k of nodesGroup.keys()) {
      const g = nodesGroup.get(k);
      if (g instanceof H.Group) nodes.set(k, readNode(g, k, path));
    }
    const e = root.get('edges');
    const flat = e instanceof H.Dataset ? (e.value as unknown) : [];
    const list = Array.isArray(flat) ? (flat as string[]) : [];
    const edges: [string, string][] = [];
    for (let i = 0; i + 1 < list.length; i += 2) edges.push([list[i]!, list[i + 1]!]);
    return { version: version instanceof H.Dataset && typeof version.value === 'string' ? version.value : 'unknown', nodes, edges };
  } finally {
    f.close();
  }
}

/** Writes a NIR graph as NIR's HDF5 layout (floats as float32, integers as int64), replacing `path` atomically. */
export function writeNirFile(path: string, g: NirGraph): void {
  const H = lib();
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const f = new H.File(tmp, 'w');
    f.create_dataset({ name: 'version', data: g.version });
    const root = f.create_group('node');
    root.create_dataset({ name: 'type', data: 'NIRGraph' });
    const flat = g.edges.flat();
    root.create_dataset({ name: 'edges', data: flat.length ? flat : [''], shape: [Math.max(1, g.edges.length), flat.length ? 2 : 1] });
    const nodes = root.create_group('nodes');
    for (const [name, n] of g.nodes) {
      const ng = nodes.create_group(name);
      for (const [k, v] of n.params) {
        if (typeof v === 'string') ng.create_dataset({ name: k, data: v });
        else if (v.int)
          ng.create_dataset({ name: k, data: BigInt64Array.from(v.data, (x) => BigInt(Math.round(x))), shape: v.shape, dtype: '<q' });
        else ng.create_dataset({ name: k, data: Float32Array.from(v.data), shape: v.shape, dtype: '<f' });
      }
    }
    f.flush();
    f.close();
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** A NIR file as a model: its spec (of the model file it becomes), weights, and what the import assumed. */
export function nirModel(path: string, overrides: ConfigOverrides = {}): NirImport & { spec: ModelSpec; sha256: string } {
  const fixed = Object.keys(overrides).filter((k) => k !== 'timesteps' && overrides[k as keyof ConfigOverrides] !== undefined);
  if (fixed.length) throw new InputError(`${path}: a NIR graph fixes every size; only --timesteps applies`);
  const graph = readNirFile(path);
  const name = path.replace(/^.*[\\/]/, '').replace(/\.nir$/i, '');
  const imported = importNir(graph, name);
  const spec = specOfModelFile(imported.file, path, overrides.timesteps);
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { ...imported, spec, sha256 };
}

export interface NirExportResult {
  out: string;
  nodes: number;
  edges: number;
  leftOut: LeftOut[];
  /** One line listing what was left out (empty when nothing was). */
  leftOutLine: string;
}

/** `nir export`: a resolved spec and weights as a NIR file; refuses what NIR cannot express unless `partial`. */
export async function exportNirFile(
  spec: ModelSpec,
  tensors: Parameters<typeof exportNir>[1],
  out: string,
  partial: boolean,
): Promise<NirExportResult> {
  if (!isNirPath(out)) throw new InputError(`${out}: a NIR file's name ends in .nir`);
  const { graph, leftOut } = exportNir(spec, tensors, { partial });
  await initNir();
  writeNirFile(out, graph);
  return { out, nodes: graph.nodes.size, edges: graph.edges.length, leftOut, leftOutLine: leftOutLine(leftOut) };
}

export { NIR_VERSION };
