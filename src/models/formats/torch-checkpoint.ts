import {
  describe,
  isTensorRef,
  OpaqueObject,
  PickleError,
  PyDict,
  PyObject,
  toPlain,
  torchPersistentLoad,
  unpickle,
  type StorageRef,
  type TensorRef,
} from './pickle.js';
import type { DType, Tensor, TensorMap } from '../tensor.js';
import { isZip, openZip, ZipError } from './zip.js';
import { f16ToF32 } from './half.js';
import { InputError } from '../../errors.js';

/**
 * Official PyTorch checkpoints (`torch.save`) without torch.
 *
 * Zip format (torch >= 1.6): a ZIP of stored entries under one folder `<archive>/`: `data.pkl` (the pickled
 * object, protocol 2), `data/<key>` (each storage's raw little-endian bytes), `version`, maybe `byteorder`.
 * Legacy format (torch < 1.6): back-to-back pickles (magic number, protocol version 1001, sys_info, the object,
 * the sorted storage keys), then per key an int64 element count and the raw bytes.
 *
 * A tensor is `_rebuild_tensor_v2(storage, storage_offset, size, stride, ...)`: element (i_0..i_{n-1}) is storage
 * element `storage_offset + sum_k i_k * stride_k`, so views (transposes, slices of a shared storage) are gathered
 * into C order here. Only the state_dict's tensors are materialised; optimizer tensors are never read.
 */
export class TorchCheckpointError extends InputError {}

export interface TorchCheckpointMeta {
  format: 'zip' | 'legacy';
  /** The zip's folder name (`archive` for torch >= 2.x, the file stem before). Null for legacy files. */
  archiveName: string | null;
  /** Top-level key the state_dict was found under, or null when the file is a bare state_dict. */
  stateDictKey: string | null;
  /** `module.` (DataParallel) or `_orig_mod.` (torch.compile) when every key carried it and it was removed. */
  strippedPrefix: string | null;
  topLevelKeys: string[];
  epoch: number | null;
  /** timm's CheckpointSaver `arch`. */
  arch: string | null;
  /** The training args (argparse.Namespace or dict) as plain JSON. */
  args: Record<string, unknown> | null;
  /** Other top-level numbers, strings and booleans (`max_test_acc1`, `metric`, `version`). */
  scalars: Record<string, number | string | boolean>;
  /** How many state_dict tensors each source dtype had. */
  dtypes: Partial<Record<SourceDType, number>>;
}

export type SourceDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'U8' | 'BOOL';

export interface TorchCheckpoint {
  tensors: TensorMap;
  meta: TorchCheckpointMeta;
}

export interface ReadTorchOptions {
  /** Take the state_dict from this top-level key instead of searching `model`, `state_dict`, ... */
  stateDictKey?: string;
  /** Name used in error messages (the file path). */
  what?: string;
}

/** Where state_dicts live in the checkpoints of official training scripts, in order of preference. */
export const STATE_DICT_KEYS = ['model', 'state_dict', 'model_ema', 'state_dict_ema', 'net', 'network'] as const;
const STRIPPED_PREFIXES = ['module.', '_orig_mod.'] as const;

interface StorageInfo {
  dtype: DType;
  source: SourceDType;
  bytes: number;
}
const STORAGES: Record<string, StorageInfo> = {
  FloatStorage: { dtype: 'F32', source: 'F32', bytes: 4 },
  HalfStorage: { dtype: 'F16', source: 'F16', bytes: 2 },
  BFloat16Storage: { dtype: 'BF16', source: 'BF16', bytes: 2 },
  DoubleStorage: { dtype: 'F64', source: 'F64', bytes: 8 },
  LongStorage: { dtype: 'I64', source: 'I64', bytes: 8 },
  IntStorage: { dtype: 'I32', source: 'I32', bytes: 4 },
  ByteStorage: { dtype: 'U8', source: 'U8', bytes: 1 },
  BoolStorage: { dtype: 'U8', source: 'BOOL', bytes: 1 },
  UntypedStorage: { dtype: 'U8', source: 'U8', bytes: 1 },
};
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

export function readTorchCheckpoint(buf: Uint8Array, opts: ReadTorchOptions = {}): TorchCheckpoint {
  const what = opts.what ?? 'checkpoint';
  try {
    const loaded = isZip(buf) ? loadZip(buf, what) : loadLegacy(buf, what);
    return extract(loaded, opts, what);
  } catch (e) {
    if (e instanceof TorchCheckpointError) throw e;
    if (e instanceof PickleError || e instanceof ZipError)
      throw new TorchCheckpointError(e.message.startsWith(what) ? e.message : `${what}: ${e.message}`);
    throw e;
  }
}

interface Loaded {
  value: unknown;
  format: 'zip' | 'legacy';
  archiveName: string | null;
  /** Raw bytes of a storage record (its whole storage), or a one-line reason it is missing. */
  storage(ref: StorageRef): Uint8Array | string;
}

function loadZip(buf: Uint8Array, what: string): Loaded {
  const zip = openZip(buf, what);
  const names = [...zip.entries.keys()];
  const pkl = names.find((n) => /^[^/]+\/data\.pkl$/.test(n)) ?? names.find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkl === undefined) {
    if (names.some((n) => n.endsWith('constants.pkl')))
      throw new TorchCheckpointError(
        `${what}: a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save model.state_dict() with torch.save`,
      );
    throw new TorchCheckpointError(
      `${what}: zip archive without a data.pkl record, so not a torch.save checkpoint (entries: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`,
    );
  }
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const order = zip.entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim() : 'little';
  if (order !== 'little')
    throw new TorchCheckpointError(`${what}: storages are ${order}-endian; only little-endian checkpoints are supported`);
  const { value } = unpickle(zip.read(pkl));
  return {
    value,
    format: 'zip',
    archiveName: prefix.replace(/\/$/, '') || null,
    storage: (ref) => {
      const name = `${prefix}data/${ref.key}`;
      if (!zip.entries.has(name)) return `missing storage record ${name}`;
      return zip.read(name);
    },
  };
}

function loadLegacy(buf: Uint8Array, what: string): Loaded {
  if (buf.length > 262 && new TextDecoder('latin1').decode(buf.subarray(257, 262)) === 'ustar') {
    throw new TorchCheckpointError(
      `${what}: a tar-format checkpoint from torch < 0.4, which is not supported; load and re-save it with a recent torch`,
    );
  }
  if (buf.length < 2 || buf[0] !== 0x80)
    throw new TorchCheckpointError(`${what}: not a PyTorch checkpoint (neither a zip archive nor a pickle)`);
  const magic = unpickle(buf);
  if (magic.value !== LEGACY_MAGIC)
    throw new TorchCheckpointError(
      `${what}: a pickle, but not a torch.save file (no torch magic number); spikewatt reads torch.save checkpoints`,
    );
  const proto = unpickle(buf, { offset: magic.end });
  if (proto.value !== LEGACY_PROTOCOL_VERSION)
    throw new TorchCheckpointError(`${what}: legacy torch format version ${String(proto.value)} (expected ${LEGACY_PROTOCOL_VERSION})`);
  const sys = unpickle(buf, { offset: proto.end });
  if (sys.value instanceof Map && sys.value.get('little_endian') === false)
    throw new TorchCheckpointError(`${what}: saved on a big-endian machine; only little-endian checkpoints are supported`);
  const seen = new Map<string, StorageRef>();
  const obj = unpickle(buf, {
    offset: sys.end,
    persistentLoad: (pid) => {
      const r = torchPersistentLoad(pid);
      if (!(r instanceof OpaqueObject) && !seen.has(r.key)) seen.set(r.key, r);
      return r;
    },
  });
  const keys = unpickle(buf, { offset: obj.end });
  if (!Array.isArray(keys.value)) throw new TorchCheckpointError(`${what}: legacy storage key list is missing (truncated file?)`);
  const data = new Map<string, Uint8Array | string>();
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = keys.end;
  for (const k of keys.value) {
    const key = String(k);
    const ref = seen.get(key);
    if (!ref) throw new TorchCheckpointError(`${what}: legacy storage ${key} is listed but no tensor uses it`);
    const info = STORAGES[ref.storageType];
    if (p + 8 > buf.length) {
      data.set(key, `storage ${key} is cut off (truncated file)`);
      p = buf.length;
      continue;
    }
    const count = Number(dv.getBigInt64(p, true));
    p += 8;
    if (!info) {
      data.set(key, `unsupported storage type ${ref.storageType}`);
      break;
    } // element size unknown: cannot go on
    const end = p + count * info.bytes;
    if (end > buf.length) {
      data.set(key, `storage ${key} ends at byte ${end} but the file has ${buf.length} (truncated)`);
      p = buf.length;
      continue;
    }
    data.set(key, buf.subarray(p, end));
    p = end;
  }
  return {
    value: obj.value,
    format: 'legacy',
    archiveName: null,
    storage: (ref) => data.get(ref.key) ?? `missing storage record ${ref.key} in the legacy storage tail`,
  };
}

function extract(l: Loaded, opts: ReadTorchOptions, what: string): TorchCheckpoint {
  const top = l.value;
  if (top instanceof OpaqueObject) {
    throw new TorchCheckpointError(
      `${what}: holds a pickled ${top.global} object (torch.save(model)), not a state_dict; save model.state_dict() instead`,
    );
  }
  if (!(top instanceof Map)) throw new TorchCheckpointError(`${what}: holds ${describe(top)}, not a dict; no state_dict found`);
  const topKeys = [...top.keys()].map(String);
  let key: string | null = null;
  let sd: unknown = top;
  if (opts.stateDictKey !== undefined) {
    if (!top.has(opts.stateDictKey))
      throw new TorchCheckpointError(`${what}: no top-level key '${opts.stateDictKey}' (keys: ${topKeys.join(', ')})`);
    key = opts.stateDictKey;
    sd = top.get(key);
  } else {
    const found = STATE_DICT_KEYS.find((k) => top.has(k) && top.get(k) !== null);
    if (found !== undefined) {
      key = found;
      sd = top.get(found);
    } else if (![...top.values()].some(isTensorRef)) {
      throw new TorchCheckpointError(
        `${what}: no state_dict found (top-level keys: ${topKeys.join(', ') || 'none'}; looked for ${STATE_DICT_KEYS.join(', ')} or a dict of tensors)`,
      );
    }
  }
  const where = key === null ? 'the state_dict' : `checkpoint['${key}']`;
  if (sd instanceof OpaqueObject)
    throw new TorchCheckpointError(
      `${what}: ${where} is a pickled ${sd.global} object (torch.save(model)), not a state_dict; save model.state_dict() instead`,
    );
  if (!(sd instanceof Map)) throw new TorchCheckpointError(`${what}: ${where} is ${describe(sd)}, not a state_dict`);

  const refs = new Map<string, TensorRef>();
  for (const [k, v] of sd) {
    if (typeof k !== 'string') throw new TorchCheckpointError(`${what}: ${where} has a non-string key ${describe(k)}`);
    if (!isTensorRef(v)) throw new TorchCheckpointError(`${what}: state_dict entry '${k}' is ${describe(v)}, not a tensor`);
    refs.set(k, v);
  }
  if (refs.size === 0) throw new TorchCheckpointError(`${what}: ${where} is empty`);

  let names = [...refs.keys()];
  let strippedPrefix: string | null = null;
  for (;;) {
    const pre = STRIPPED_PREFIXES.find((s) => names.every((n) => n.startsWith(s)));
    if (pre === undefined) break;
    strippedPrefix = (strippedPrefix ?? '') + pre;
    names = names.map((n) => n.slice(pre.length));
  }

  const tensors: TensorMap = new Map();
  const dtypes: Partial<Record<SourceDType, number>> = {};
  const cache = new Map<string, Uint8Array>();
  let i = 0;
  for (const ref of refs.values()) {
    const name = names[i++]!;
    const { tensor, source } = materialise(ref, name, l, cache, what);
    tensors.set(name, tensor);
    dtypes[source] = (dtypes[source] ?? 0) + 1;
  }

  const scalars: Record<string, number | string | boolean> = {};
  for (const [k, v] of top) {
    if (k === key) continue;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') scalars[String(k)] = v;
    else if (typeof v === 'bigint') scalars[String(k)] = v.toString();
  }
  const epoch = top.get('epoch');
  const arch = top.get('arch');
  const args = top.get('args');
  return {
    tensors,
    meta: {
      format: l.format,
      archiveName: l.archiveName,
      stateDictKey: key,
      strippedPrefix,
      topLevelKeys: topKeys,
      epoch: typeof epoch === 'number' ? epoch : null,
      arch: typeof arch === 'string' ? arch : null,
      args: args instanceof PyObject || args instanceof PyDict ? (toPlain(args) as Record<string, unknown>) : null,
      scalars,
      dtypes,
    },
  };
}

/** Gathers a (possibly strided) view into a C-order array: out[flat(i)] = storage[offset + sum_k i_k stride_k]. */
function materialise(
  ref: TensorRef,
  name: string,
  l: Loaded,
  cache: Map<string, Uint8Array>,
  what: string,
): { tensor: Tensor; source: SourceDType } {
  const st = ref.storage;
  const info = STORAGES[st.storageType];
  if (!info)
    throw new TorchCheckpointError(
      `${what}: tensor ${name} uses ${st.storageType}, which spikewatt does not read (supported: ${Object.keys(STORAGES).join(', ')})`,
    );
  let bytes = cache.get(st.key);
  if (!bytes) {
    const got = l.storage(st);
    if (typeof got === 'string') throw new TorchCheckpointError(`${what}: tensor ${name}: ${got}`);
    bytes = got;
    cache.set(st.key, bytes);
  }
  const storageNumel = Math.floor(bytes.length / info.bytes);
  const size = ref.size,
    stride = ref.stride;
  for (let k = 0; k < size.length; k++) {
    if (!Number.isInteger(size[k]) || size[k]! < 0 || !Number.isInteger(stride[k]) || stride[k]! < 0) {
      throw new TorchCheckpointError(`${what}: tensor ${name} has an invalid size [${size.join(',')}] / stride [${stride.join(',')}]`);
    }
  }
  const numel = size.reduce((a, b) => a * b, 1);
  const base = st.viewOffset + ref.storageOffset;
  if (numel > 0) {
    const last = base + size.reduce((acc, d, k) => acc + (d - 1) * stride[k]!, 0);
    if (last >= storageNumel || base < 0) {
      throw new TorchCheckpointError(
        `${what}: tensor ${name} (offset ${ref.storageOffset}, size [${size.join(',')}], stride [${stride.join(',')}]) reaches element ${last} but its storage record holds ${storageNumel} (truncated or corrupt)`,
      );
    }
  }
  const wide = info.dtype === 'F64' || info.dtype === 'I64';
  const data = wide ? new Float64Array(numel) : new Float32Array(numel);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = reader(info, dv);
  const n = size.length;
  // Odometer over the output index in C order; `src` tracks the storage element incrementally.
  const idx = new Array<number>(n).fill(0);
  let src = base;
  for (let o = 0; o < numel; o++) {
    data[o] = read(src);
    for (let k = n - 1; k >= 0; k--) {
      idx[k]!++;
      src += stride[k]!;
      if (idx[k]! < size[k]!) break;
      src -= stride[k]! * size[k]!;
      idx[k] = 0;
    }
  }
  return { tensor: { shape: [...size], data, dtype: info.dtype }, source: info.source };
}

const scratch = new DataView(new ArrayBuffer(4));

function reader(info: StorageInfo, dv: DataView): (e: number) => number {
  switch (info.source) {
    case 'F32':
      return (e) => dv.getFloat32(4 * e, true);
    case 'F16':
      return (e) => f16ToF32(dv.getUint16(2 * e, true));
    case 'BF16':
      return (e) => {
        scratch.setUint32(0, dv.getUint16(2 * e, true) << 16, true);
        return scratch.getFloat32(0, true);
      };
    case 'F64':
      return (e) => dv.getFloat64(8 * e, true);
    case 'I64':
      return (e) => Number(dv.getBigInt64(8 * e, true));
    case 'I32':
      return (e) => dv.getInt32(4 * e, true);
    case 'U8':
      return (e) => dv.getUint8(e);
    case 'BOOL':
      return (e) => (dv.getUint8(e) !== 0 ? 1 : 0);
  }
}
