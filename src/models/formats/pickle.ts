import { InputError } from '../../errors.js';
/**
 * A minimal, safe pickle reader: a stack machine over the opcodes `torch.save` emits (protocol 2) plus the rest
 * of protocols 0-5 that plain data needs. It never executes anything: GLOBAL / STACK_GLOBAL resolve only to the
 * allow-list below; every other global becomes an `OpaqueObject` that records what it would have built, so a
 * checkpoint whose optimizer or args hold a foreign class still loads, and a caller that finds an opaque object
 * where it needs data (a tensor in the state_dict) can name the global in its error.
 *
 * Python values map to JS as: None -> null, bool -> boolean, int -> number (bigint beyond 2^53), float -> number,
 * str -> string, bytes -> Uint8Array, list / tuple / set -> array, dict / OrderedDict -> PyDict (a Map that keeps
 * insertion order), objects rebuilt by an allowed constructor -> PyObject (class name + attribute dict).
 */

export class PickleError extends InputError {}

/** A storage as a torch persistent id names it; the bytes live elsewhere (a zip record or the legacy tail). */
export interface StorageRef {
  kind: 'storage';
  /** torch storage class name: FloatStorage, HalfStorage, ..., UntypedStorage. */
  storageType: string;
  key: string;
  location: string;
  /** Number of elements of storageType the record holds. */
  numel: number;
  /** Legacy format only: this storage is a view of `key` starting at this element. */
  viewOffset: number;
}

/** A tensor as `torch._utils._rebuild_tensor_v2` describes it; materialised later by the checkpoint reader. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  storageOffset: number;
  size: number[];
  stride: number[];
  requiresGrad: boolean;
  /** Rebuilt through `_rebuild_parameter` (an nn.Parameter rather than a plain tensor). */
  parameter: boolean;
}

/** A dict or OrderedDict; `attrs` holds what BUILD set on it (OrderedDict `_metadata`). */
export class PyDict extends Map<unknown, unknown> {
  constructor(public readonly pyClass: string = 'builtins.dict') {
    super();
  }
  attrs: Record<string, unknown> = {};
}

/** An object an allowed constructor rebuilt (argparse.Namespace): its class and its attributes. */
export class PyObject {
  constructor(
    public readonly pyClass: string,
    public attrs: Record<string, unknown> = {},
  ) {}
}

/** Anything built from a global outside the allow-list: never called, only described. */
export class OpaqueObject {
  constructor(
    public readonly global: string,
    public args: unknown[] | null = null,
    public state: unknown = undefined,
  ) {}
}

/** A global name on the stack. `allowed` says whether REDUCE / NEWOBJ on it construct something real. */
class PyGlobal {
  constructor(
    public readonly module: string,
    public readonly name: string,
    public readonly allowed: boolean,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

class NumpyDType {
  constructor(
    public code: string,
    public littleEndian = true,
  ) {}
}

/** torch storage class names and their element types (the checkpoint reader maps them to bytes). */
export const TORCH_STORAGE_TYPES = [
  'FloatStorage',
  'HalfStorage',
  'BFloat16Storage',
  'DoubleStorage',
  'LongStorage',
  'IntStorage',
  'ShortStorage',
  'CharStorage',
  'ByteStorage',
  'BoolStorage',
  'UntypedStorage',
  'ComplexFloatStorage',
  'ComplexDoubleStorage',
  'QInt8Storage',
  'QUInt8Storage',
  'QInt32Storage',
  'QUInt4x2Storage',
  'QUInt2x4Storage',
] as const;

/** Globals that may be called: each one's effect is written out in `construct` below, nothing else runs. */
const ALLOWED_GLOBALS = new Set<string>([
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._tensor._rebuild_from_type_v2',
  'torch.device',
  'collections.OrderedDict',
  'builtins.dict',
  'builtins.list',
  'builtins.set',
  'builtins.frozenset',
  'builtins.tuple',
  'builtins.object',
  'builtins.bytearray',
  'builtins.slice',
  'copy_reg._reconstructor',
  'copyreg._reconstructor',
  'argparse.Namespace',
  '_codecs.encode',
  'numpy.dtype',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  ...TORCH_STORAGE_TYPES.map((s) => `torch.${s}`),
]);

/** Old module paths pickles may name (Python 2 / renamed modules), mapped to the ones above. */
const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', 'torch.tensor': 'torch._tensor' };

export function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tensor' && 'storage' in v;
}
function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'storage';
}

export interface UnpickleOptions {
  /** Resolves a persistent id (BINPERSID / PERSID); default: torch's ('storage', type, key, location, numel[, view]). */
  persistentLoad?: (pid: unknown) => unknown;
  /** Where to start reading (the legacy torch format holds several pickles back to back). */
  offset?: number;
}

export interface UnpickleResult {
  value: unknown;
  end: number;
}

/** Torch's persistent ids: `('storage', StorageClass, key, location, numel)` and the legacy 6-tuple with a view. */
export function torchPersistentLoad(pid: unknown): StorageRef | OpaqueObject {
  if (!Array.isArray(pid) || pid.length < 5) throw new PickleError(`persistent id ${describe(pid)} is not a torch storage record`);
  const [tag, type, key, location, numel, view] = pid as unknown[];
  const tagStr = tag instanceof Uint8Array ? new TextDecoder('ascii').decode(tag) : tag;
  if (tagStr !== 'storage') return new OpaqueObject(`persistent:${String(tagStr)}`, pid as unknown[]);
  const typeName = type instanceof PyGlobal ? type.name : type instanceof OpaqueObject ? type.global : String(type);
  const loc = location instanceof Uint8Array ? new TextDecoder('ascii').decode(location) : String(location);
  const ref: StorageRef = { kind: 'storage', storageType: typeName, key: String(key), location: loc, numel: Number(numel), viewOffset: 0 };
  if (Array.isArray(view) && view.length >= 2) {
    // Legacy views: (view_key, offset, view_size); the data is the root storage's from `offset` on.
    ref.viewOffset = Number(view[1]);
  }
  return ref;
}

/**
 * Runs the pickle in `buf` from `opts.offset` (default 0) to its STOP opcode and returns the value and the byte
 * after STOP. Throws PickleError for malformed or truncated input; never throws for unknown globals.
 */
export function unpickle(buf: Uint8Array, opts: UnpickleOptions = {}): UnpickleResult {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const persistentLoad = opts.persistentLoad ?? torchPersistentLoad;
  let p = opts.offset ?? 0;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');

  const need = (n: number) => {
    if (p + n > buf.length) throw new PickleError(`pickle truncated at byte ${p} (needs ${n} more bytes, ${buf.length - p} left)`);
  };
  const u8 = () => {
    need(1);
    return buf[p++]!;
  };
  const u16 = () => {
    need(2);
    const v = dv.getUint16(p, true);
    p += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = dv.getUint32(p, true);
    p += 4;
    return v;
  };
  const i32 = () => {
    need(4);
    const v = dv.getInt32(p, true);
    p += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError(`pickle length ${v} at byte ${p - 8} is too large`);
    return Number(v);
  };
  const bytes = (n: number) => {
    need(n);
    const b = buf.subarray(p, p + n);
    p += n;
    return b;
  };
  const line = () => {
    const start = p;
    while (p < buf.length && buf[p] !== 0x0a) p++;
    if (p >= buf.length) throw new PickleError(`pickle truncated at byte ${start} (unterminated text line)`);
    const s = latin1.decode(buf.subarray(start, p));
    p++;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!))
      throw new PickleError(`malformed pickle: stack underflow at byte ${p - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw new PickleError(`malformed pickle: empty stack at byte ${p - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) throw new PickleError(`malformed pickle: no MARK before byte ${p - 1}`);
    return stack.splice(m);
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) throw new PickleError(`malformed pickle: memo entry ${i} missing at byte ${p}`);
    return memo.get(i);
  };
  const memoPut = (i: number) => {
    memo.set(i, top());
  };
  const global = (module: string, name: string): PyGlobal => {
    const mod = MODULE_ALIASES[module] ?? module;
    return new PyGlobal(mod, name, ALLOWED_GLOBALS.has(`${mod}.${name}`));
  };
  const setItems = (d: unknown, kv: unknown[]) => {
    if (kv.length % 2) throw new PickleError(`malformed pickle: odd number of items for SETITEMS at byte ${p - 1}`);
    for (let i = 0; i < kv.length; i += 2) setItem(d, kv[i], kv[i + 1]);
  };
  const setItem = (d: unknown, k: unknown, v: unknown) => {
    if (d instanceof Map) d.set(dictKey(k), v);
    else if (d instanceof OpaqueObject || d instanceof PyObject) {
      /* dict items on a foreign object: ignored */
    } else throw new PickleError(`malformed pickle: SETITEM on ${describe(d)} at byte ${p - 1}`);
  };
  const appendItems = (l: unknown, xs: unknown[]) => {
    if (Array.isArray(l)) {
      for (const x of xs) l.push(x);
      return;
    }
    if (l instanceof OpaqueObject || l instanceof PyObject) return;
    throw new PickleError(`malformed pickle: APPEND on ${describe(l)} at byte ${p - 1}`);
  };

  for (;;) {
    const at = p;
    const op = u8();
    switch (op) {
      case 0x80: {
        const proto = u8();
        if (proto > 5) throw new PickleError(`pickle protocol ${proto} is newer than 5`);
        break;
      } // PROTO
      case 0x95:
        u64();
        break; // FRAME: a length hint only
      case 0x2e: {
        // STOP
        const value = pop();
        return { value, end: p };
      }
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x30: {
        // POP (Python pops the MARK itself when nothing sits above it)
        if (marks.length && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      }
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x4a:
        stack.push(i32());
        break; // BININT
      case 0x8a:
        stack.push(decodeLong(bytes(u8())));
        break; // LONG1
      case 0x8b: {
        const n = i32();
        if (n < 0) throw new PickleError(`malformed pickle: negative LONG4 length at byte ${at}`);
        stack.push(decodeLong(bytes(n)));
        break;
      }
      case 0x47: {
        need(8);
        stack.push(dv.getFloat64(p, false));
        p += 8;
        break;
      } // BINFLOAT (big-endian)
      case 0x49: {
        // INT (text): also encodes bools as I01 / I00
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : parseIntText(s, at));
        break;
      }
      case 0x4c:
        stack.push(parseIntText(line().replace(/L$/, ''), at));
        break; // LONG (text)
      case 0x46: {
        const s = line();
        const v = Number(s);
        if (Number.isNaN(v) && !/nan/i.test(s)) throw new PickleError(`malformed FLOAT '${s}' at byte ${at}`);
        stack.push(v);
        break;
      }
      case 0x58:
        stack.push(utf8.decode(bytes(u32())));
        break; // BINUNICODE
      case 0x8c:
        stack.push(utf8.decode(bytes(u8())));
        break; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(utf8.decode(bytes(u64())));
        break; // BINUNICODE8
      case 0x56:
        stack.push(unescapeRawUnicode(line()));
        break; // UNICODE (text)
      // Python 2 str: decoded as text the way torch.load does (encoding utf-8 by default).
      case 0x54: {
        const n = i32();
        if (n < 0) throw new PickleError(`malformed pickle: negative BINSTRING length at byte ${at}`);
        stack.push(utf8.decode(bytes(n)));
        break;
      }
      case 0x55:
        stack.push(utf8.decode(bytes(u8())));
        break; // SHORT_BINSTRING
      case 0x53:
        stack.push(unquoteString(line(), at));
        break; // STRING (text)
      case 0x42:
        stack.push(Uint8Array.from(bytes(u32())));
        break; // BINBYTES
      case 0x43:
        stack.push(Uint8Array.from(bytes(u8())));
        break; // SHORT_BINBYTES
      case 0x8e:
        stack.push(Uint8Array.from(bytes(u64())));
        break; // BINBYTES8
      case 0x96:
        stack.push(Uint8Array.from(bytes(u64())));
        break; // BYTEARRAY8
      case 0x97:
        throw new PickleError(`pickle uses out-of-band buffers (NEXT_BUFFER at byte ${at}), which a file cannot carry`);
      case 0x98:
        break; // READONLY_BUFFER
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x7d:
        stack.push(new PyDict());
        break; // EMPTY_DICT
      case 0x8f:
        stack.push([]);
        break; // EMPTY_SET
      case 0x85:
        stack.push([pop()]);
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      } // TUPLE3
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x6c:
        stack.push(popMark());
        break; // LIST
      case 0x91:
        stack.push(popMark());
        break; // FROZENSET
      case 0x64: {
        const kv = popMark();
        const d = new PyDict();
        setItems(d, kv);
        stack.push(d);
        break;
      } // DICT
      case 0x61: {
        const x = pop();
        appendItems(top(), [x]);
        break;
      } // APPEND
      case 0x65: {
        const xs = popMark();
        appendItems(top(), xs);
        break;
      } // APPENDS
      case 0x90: {
        const xs = popMark();
        appendItems(top(), xs);
        break;
      } // ADDITEMS (sets as arrays)
      case 0x73: {
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      } // SETITEM
      case 0x75: {
        const kv = popMark();
        setItems(top(), kv);
        break;
      } // SETITEMS
      case 0x71:
        memoPut(u8());
        break; // BINPUT
      case 0x72:
        memoPut(u32());
        break; // LONG_BINPUT
      case 0x70:
        memoPut(parseIntText(line(), at) as number);
        break; // PUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
        stack.push(memoGet(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(memoGet(u32()));
        break; // LONG_BINGET
      case 0x67:
        stack.push(memoGet(parseIntText(line(), at) as number));
        break; // GET
      case 0x63: {
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new PickleError(`malformed pickle: STACK_GLOBAL needs two strings at byte ${at}`);
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(construct(fn, Array.isArray(args) ? args : [args], at));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(construct(cls, Array.isArray(args) ? args : [args], at));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        const cls = pop();
        stack.push(construct(cls, Array.isArray(args) ? args : [args], at));
        break;
      }
      case 0x62: {
        const state = pop();
        build(top(), state);
        break;
      } // BUILD
      case 0x69: {
        // INST (protocol 0): class from two text lines, args from the mark
        const module = line();
        const name = line();
        const args = popMark();
        stack.push(construct(global(module, name), args, at));
        break;
      }
      case 0x6f: {
        // OBJ (protocol 1): class and args from the mark
        const xs = popMark();
        if (!xs.length) throw new PickleError(`malformed pickle: OBJ without a class at byte ${at}`);
        stack.push(construct(xs[0], xs.slice(1), at));
        break;
      }
      case 0x51:
        stack.push(persistentLoad(pop()));
        break; // BINPERSID
      case 0x50:
        stack.push(persistentLoad(line()));
        break; // PERSID
      case 0x82:
      case 0x83:
      case 0x84: // EXT1/2/4: the copyreg extension registry
        throw new PickleError(`pickle uses the copyreg extension registry (EXT opcode at byte ${at}), which is not supported`);
      default:
        throw new PickleError(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} (not a pickle, or corrupt)`);
    }
  }
}

function dictKey(k: unknown): unknown {
  // Tuple / bigint keys become strings so that Map lookups by value work (optimizer state keys are ints).
  if (Array.isArray(k)) return JSON.stringify(k, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return k;
}

/** The only place a global is "called": each allowed name's effect spelled out, everything else described. */
function construct(fn: unknown, args: unknown[], at: number): unknown {
  if (fn instanceof OpaqueObject) return new OpaqueObject(fn.global, args);
  if (!(fn instanceof PyGlobal)) throw new PickleError(`malformed pickle: REDUCE on ${describe(fn)} at byte ${at}`);
  if (!fn.allowed) return new OpaqueObject(fn.qualified, args);
  const q = fn.qualified;
  switch (q) {
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor': {
      const [storage, offset, size, stride, requiresGrad] = args;
      if (!isStorageRef(storage)) return new OpaqueObject(q, args);
      const ints = (v: unknown) => (Array.isArray(v) ? v.map((x) => Number(x)) : null);
      const sz = ints(size),
        st = ints(stride);
      if (!sz || !st || sz.length !== st.length)
        throw new PickleError(`malformed tensor record at byte ${at}: size ${describe(size)} and stride ${describe(stride)} do not match`);
      return {
        kind: 'tensor',
        storage,
        storageOffset: Number(offset ?? 0),
        size: sz,
        stride: st,
        requiresGrad: requiresGrad === true,
        parameter: false,
      } satisfies TensorRef;
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state': {
      const data = args[0];
      return isTensorRef(data) ? { ...data, parameter: true, requiresGrad: args[1] === true } : data;
    }
    case 'torch._tensor._rebuild_from_type_v2': {
      // (func, type, args, state): func is itself a (checked) global, so this is the same as REDUCE(func, args).
      const [inner, , innerArgs] = args;
      return construct(inner, Array.isArray(innerArgs) ? innerArgs : [], at);
    }
    case 'torch.device':
      return args.length > 1 && args[1] !== null ? `${String(args[0])}:${String(args[1])}` : String(args[0]);
    case 'collections.OrderedDict':
    case 'builtins.dict': {
      const d = new PyDict(q === 'builtins.dict' ? 'builtins.dict' : 'collections.OrderedDict');
      const init = args[0];
      if (init instanceof Map) for (const [k, v] of init) d.set(k, v);
      else if (Array.isArray(init)) for (const kv of init) if (Array.isArray(kv) && kv.length === 2) d.set(dictKey(kv[0]), kv[1]);
      return d;
    }
    case 'builtins.list':
    case 'builtins.set':
    case 'builtins.frozenset':
    case 'builtins.tuple':
      return Array.isArray(args[0]) ? [...(args[0] as unknown[])] : [];
    case 'builtins.bytearray':
      return args[0] instanceof Uint8Array ? Uint8Array.from(args[0]) : new Uint8Array(0);
    case 'builtins.object':
    case 'builtins.slice':
      return new PyObject(q);
    case 'copy_reg._reconstructor':
    case 'copyreg._reconstructor': {
      // Protocol 0/1 objects: (cls, base, state) -> a blank instance of cls; BUILD fills it.
      const cls = args[0];
      if (cls instanceof PyGlobal && cls.allowed) return construct(cls, [], at);
      return new OpaqueObject(cls instanceof PyGlobal ? cls.qualified : describe(cls), args);
    }
    case 'argparse.Namespace':
      return new PyObject(q);
    case '_codecs.encode': {
      // Protocol 2 writes Python 3 bytes as _codecs.encode(text, 'latin1').
      const [s, enc] = args;
      if (typeof s === 'string' && (enc === 'latin1' || enc === 'latin-1' || enc === undefined)) {
        return Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
      }
      return new OpaqueObject(q, args);
    }
    case 'numpy.dtype':
      return new NumpyDType(String(args[0]));
    case 'numpy.core.multiarray.scalar':
    case 'numpy._core.multiarray.scalar': {
      const [dt, raw] = args;
      const data = raw instanceof Uint8Array ? raw : typeof raw === 'string' ? Uint8Array.from(raw, (c) => c.charCodeAt(0) & 0xff) : null;
      if (!(dt instanceof NumpyDType) || !data) return new OpaqueObject(q, args);
      return numpyScalar(dt, data) ?? new OpaqueObject(q, args);
    }
    default:
      // Storage classes are allowed as names (persistent ids carry them) but are never constructed.
      return new OpaqueObject(q, args);
  }
}

function build(obj: unknown, state: unknown): void {
  if (obj instanceof PyDict) {
    // OrderedDict state is its instance __dict__ (state_dict `_metadata`).
    if (state instanceof Map) for (const [k, v] of state) obj.attrs[String(k)] = v;
    return;
  }
  if (obj instanceof PyObject) {
    // (state) or (state, slotstate) as copyreg writes them.
    const parts = Array.isArray(state) ? state : [state];
    for (const part of parts) if (part instanceof Map) for (const [k, v] of part) obj.attrs[String(k)] = v;
    return;
  }
  if (obj instanceof NumpyDType) {
    if (Array.isArray(state) && typeof state[1] === 'string') obj.littleEndian = state[1] !== '>';
    return;
  }
  if (obj instanceof OpaqueObject) {
    obj.state = state;
    return;
  }
  // BUILD on a tensor (torch's tensor __setstate__ with hooks) or plain data: nothing to keep.
}

function numpyScalar(dt: NumpyDType, b: Uint8Array): number | boolean | bigint | null {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = dt.littleEndian;
  const code = dt.code.replace(/^[<>=|]/, '');
  const need = (n: number) => b.length >= n;
  switch (code) {
    case 'f8':
      return need(8) ? dv.getFloat64(0, le) : null;
    case 'f4':
      return need(4) ? dv.getFloat32(0, le) : null;
    case 'i8': {
      if (!need(8)) return null;
      const v = dv.getBigInt64(0, le);
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    }
    case 'i4':
      return need(4) ? dv.getInt32(0, le) : null;
    case 'u1':
      return need(1) ? dv.getUint8(0) : null;
    case 'b1':
      return need(1) ? dv.getUint8(0) !== 0 : null;
    default:
      return null;
  }
}

/** Python's LONG1/LONG4 payload: little-endian two's complement. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseIntText(s: string, at: number): number | bigint {
  if (!/^[-+]?\d+$/.test(s.trim())) throw new PickleError(`malformed integer '${s}' at byte ${at}`);
  const v = BigInt(s.trim());
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function unquoteString(s: string, at: number): string {
  const q = s[0];
  if ((q !== "'" && q !== '"') || s[s.length - 1] !== q || s.length < 2) throw new PickleError(`malformed STRING at byte ${at}`);
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? e;
  });
}

function unescapeRawUnicode(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string | undefined, b: string | undefined) =>
    String.fromCodePoint(parseInt((a ?? b)!, 16)),
  );
}

/** A short human description of a value for error messages (`os.system(...)`, `list of 3`, `'abc'`). */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof OpaqueObject) return `${v.global}(...) (a global outside the allow-list, not run)`;
  if (v instanceof PyGlobal) return `the global ${v.qualified}`;
  if (v instanceof PyObject) return `a ${v.pyClass} object`;
  if (v instanceof PyDict) return `a dict of ${v.size}`;
  if (isTensorRef(v)) return `a tensor [${v.size.join(',')}]`;
  if (isStorageRef(v)) return `a ${v.storageType}`;
  if (Array.isArray(v)) return `a list/tuple of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  return String(v);
}

/**
 * Plain-JSON view of a pickled value (for reporting args / metadata): dicts become objects, tensors a short
 * description, opaque objects their global name. Depth- and size-limited, so cyclic or huge pickles stay safe.
 */
export function toPlain(v: unknown, depth = 0): unknown {
  if (depth > 12) return '...';
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (isTensorRef(v)) return `<tensor [${v.size.join(',')}] ${v.storage.storageType}>`;
  if (isStorageRef(v)) return `<${v.storageType}>`;
  if (v instanceof OpaqueObject) return `<${v.global}>`;
  if (v instanceof PyGlobal) return `<${v.qualified}>`;
  if (v instanceof NumpyDType) return `<numpy.dtype ${v.code}>`;
  if (Array.isArray(v)) return v.slice(0, 1000).map((x) => toPlain(x, depth + 1));
  if (v instanceof PyObject) return plainRecord(Object.entries(v.attrs), depth);
  if (v instanceof Map)
    return plainRecord(
      [...v.entries()].map(([k, x]) => [String(k), x]),
      depth,
    );
  return String(v);
}

function plainRecord(entries: [string, unknown][], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of entries.slice(0, 1000)) out[k] = toPlain(x, depth + 1);
  return out;
}
