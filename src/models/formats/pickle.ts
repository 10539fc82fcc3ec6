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
 * The unpickler's state (Python's `_Unpickler`): the input, the read position, the value stack, the MARK positions and
 * the memo. Readers advance `p` and throw PickleError past the end; stack helpers throw on underflow.
 */
class PickleMachine {
  p: number;
  readonly stack: unknown[] = [];
  readonly marks: number[] = [];
  readonly memo = new Map<number, unknown>();
  /** Set by STOP: the pickle's value. */
  done: { value: unknown } | null = null;
  private readonly dv: DataView;

  constructor(
    readonly buf: Uint8Array,
    offset: number,
    readonly persistentLoad: (pid: unknown) => unknown,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.p = offset;
  }

  need(n: number): void {
    if (this.p + n > this.buf.length)
      throw new PickleError(`pickle truncated at byte ${this.p} (needs ${n} more bytes, ${this.buf.length - this.p} left)`);
  }
  /** Reads a little-endian field of `n` bytes with the DataView getter `get`. */
  private field<T>(n: number, get: (at: number) => T): T {
    this.need(n);
    const v = get(this.p);
    this.p += n;
    return v;
  }
  u8 = (): number => this.field(1, (at) => this.buf[at]!);
  u16 = (): number => this.field(2, (at) => this.dv.getUint16(at, true));
  u32 = (): number => this.field(4, (at) => this.dv.getUint32(at, true));
  i32 = (): number => this.field(4, (at) => this.dv.getInt32(at, true));
  /** BINFLOAT is big-endian. */
  f64be = (): number => this.field(8, (at) => this.dv.getFloat64(at, false));
  u64 = (): number => {
    const v = this.field(8, (at) => this.dv.getBigUint64(at, true));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError(`pickle length ${v} at byte ${this.p - 8} is too large`);
    return Number(v);
  };
  bytes = (n: number): Uint8Array => this.field(n, (at) => this.buf.subarray(at, at + n));
  /** A `\n`-terminated text argument (protocol 0), latin-1. */
  line = (): string => {
    const start = this.p;
    while (this.p < this.buf.length && this.buf[this.p] !== 0x0a) this.p++;
    if (this.p >= this.buf.length) throw new PickleError(`pickle truncated at byte ${start} (unterminated text line)`);
    const s = LATIN1.decode(this.buf.subarray(start, this.p));
    this.p++;
    return s;
  };
  push = (v: unknown): void => {
    this.stack.push(v);
  };
  pop = (): unknown => {
    const { stack, marks } = this;
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!))
      throw new PickleError(`malformed pickle: stack underflow at byte ${this.p - 1}`);
    return stack.pop();
  };
  top = (): unknown => {
    if (this.stack.length === 0) throw new PickleError(`malformed pickle: empty stack at byte ${this.p - 1}`);
    return this.stack[this.stack.length - 1];
  };
  popMark = (): unknown[] => {
    const m = this.marks.pop();
    if (m === undefined) throw new PickleError(`malformed pickle: no MARK before byte ${this.p - 1}`);
    return this.stack.splice(m);
  };
  memoGet = (i: number): unknown => {
    if (!this.memo.has(i)) throw new PickleError(`malformed pickle: memo entry ${i} missing at byte ${this.p}`);
    return this.memo.get(i);
  };
  memoPut = (i: number): void => {
    this.memo.set(i, this.top());
  };
  setItems = (d: unknown, kv: unknown[]): void => {
    if (kv.length % 2) throw new PickleError(`malformed pickle: odd number of items for SETITEMS at byte ${this.p - 1}`);
    for (let i = 0; i < kv.length; i += 2) this.setItem(d, kv[i], kv[i + 1]);
  };
  setItem = (d: unknown, k: unknown, v: unknown): void => {
    if (d instanceof Map) d.set(dictKey(k), v);
    else if (d instanceof OpaqueObject || d instanceof PyObject) {
      /* dict items on a foreign object: ignored */
    } else throw new PickleError(`malformed pickle: SETITEM on ${describe(d)} at byte ${this.p - 1}`);
  };
  appendItems = (l: unknown, xs: unknown[]): void => {
    if (Array.isArray(l)) {
      for (const x of xs) l.push(x);
      return;
    }
    if (l instanceof OpaqueObject || l instanceof PyObject) return;
    throw new PickleError(`malformed pickle: APPEND on ${describe(l)} at byte ${this.p - 1}`);
  };
  /** REDUCE / NEWOBJ: a callable and its argument tuple from the stack. */
  callFromStack = (at: number): void => {
    const args = this.pop();
    const fn = this.pop();
    this.push(construct(fn, Array.isArray(args) ? args : [args], at));
  };
}

const UTF8 = new TextDecoder('utf-8');
const LATIN1 = new TextDecoder('latin1');

function pyGlobal(module: string, name: string): PyGlobal {
  const mod = MODULE_ALIASES[module] ?? module;
  return new PyGlobal(mod, name, ALLOWED_GLOBALS.has(`${mod}.${name}`));
}

/** One opcode: its byte, its name in Python's pickletools, and what it does to the machine (`at`: its byte offset). */
interface Opcode {
  code: number;
  name: string;
  run: (m: PickleMachine, at: number) => void;
}

/** The opcodes of protocols 0-5 that spikewatt runs (pickletools' names); anything else is an error naming the byte. */
const OPCODES: readonly Opcode[] = [
  // framing and control
  {
    code: 0x80,
    name: 'PROTO',
    run: (m) => {
      const proto = m.u8();
      if (proto > 5) throw new PickleError(`pickle protocol ${proto} is newer than 5`);
    },
  },
  { code: 0x95, name: 'FRAME', run: (m) => void m.u64() }, // a length hint only
  { code: 0x2e, name: 'STOP', run: (m) => void (m.done = { value: m.pop() }) },
  { code: 0x28, name: 'MARK', run: (m) => void m.marks.push(m.stack.length) },
  {
    code: 0x30,
    name: 'POP',
    // Python pops the MARK itself when nothing sits above it
    run: (m) => void (m.marks.length && m.stack.length === m.marks[m.marks.length - 1] ? m.marks.pop() : m.pop()),
  },
  { code: 0x31, name: 'POP_MARK', run: (m) => void m.popMark() },
  { code: 0x32, name: 'DUP', run: (m) => m.push(m.top()) },
  // constants and numbers
  { code: 0x4e, name: 'NONE', run: (m) => m.push(null) },
  { code: 0x88, name: 'NEWTRUE', run: (m) => m.push(true) },
  { code: 0x89, name: 'NEWFALSE', run: (m) => m.push(false) },
  { code: 0x4b, name: 'BININT1', run: (m) => m.push(m.u8()) },
  { code: 0x4d, name: 'BININT2', run: (m) => m.push(m.u16()) },
  { code: 0x4a, name: 'BININT', run: (m) => m.push(m.i32()) },
  { code: 0x8a, name: 'LONG1', run: (m) => m.push(decodeLong(m.bytes(m.u8()))) },
  { code: 0x8b, name: 'LONG4', run: (m, at) => m.push(decodeLong(m.bytes(nonNegative(m.i32(), 'LONG4', at)))) },
  { code: 0x47, name: 'BINFLOAT', run: (m) => m.push(m.f64be()) },
  {
    code: 0x49,
    name: 'INT', // text; also encodes bools as I01 / I00
    run: (m, at) => {
      const s = m.line();
      m.push(s === '01' ? true : s === '00' ? false : parseIntText(s, at));
    },
  },
  { code: 0x4c, name: 'LONG', run: (m, at) => m.push(parseIntText(m.line().replace(/L$/, ''), at)) },
  {
    code: 0x46,
    name: 'FLOAT',
    run: (m, at) => {
      const s = m.line();
      const v = Number(s);
      if (Number.isNaN(v) && !/nan/i.test(s)) throw new PickleError(`malformed FLOAT '${s}' at byte ${at}`);
      m.push(v);
    },
  },
  // text and bytes; a Python 2 str is decoded as text the way torch.load does (encoding utf-8 by default)
  { code: 0x58, name: 'BINUNICODE', run: (m) => m.push(UTF8.decode(m.bytes(m.u32()))) },
  { code: 0x8c, name: 'SHORT_BINUNICODE', run: (m) => m.push(UTF8.decode(m.bytes(m.u8()))) },
  { code: 0x8d, name: 'BINUNICODE8', run: (m) => m.push(UTF8.decode(m.bytes(m.u64()))) },
  { code: 0x56, name: 'UNICODE', run: (m) => m.push(unescapeRawUnicode(m.line())) },
  { code: 0x54, name: 'BINSTRING', run: (m, at) => m.push(UTF8.decode(m.bytes(nonNegative(m.i32(), 'BINSTRING', at)))) },
  { code: 0x55, name: 'SHORT_BINSTRING', run: (m) => m.push(UTF8.decode(m.bytes(m.u8()))) },
  { code: 0x53, name: 'STRING', run: (m, at) => m.push(unquoteString(m.line(), at)) },
  { code: 0x42, name: 'BINBYTES', run: (m) => m.push(Uint8Array.from(m.bytes(m.u32()))) },
  { code: 0x43, name: 'SHORT_BINBYTES', run: (m) => m.push(Uint8Array.from(m.bytes(m.u8()))) },
  { code: 0x8e, name: 'BINBYTES8', run: (m) => m.push(Uint8Array.from(m.bytes(m.u64()))) },
  { code: 0x96, name: 'BYTEARRAY8', run: (m) => m.push(Uint8Array.from(m.bytes(m.u64()))) },
  {
    code: 0x97,
    name: 'NEXT_BUFFER',
    run: (_m, at) => {
      throw new PickleError(`pickle uses out-of-band buffers (NEXT_BUFFER at byte ${at}), which a file cannot carry`);
    },
  },
  { code: 0x98, name: 'READONLY_BUFFER', run: () => undefined },
  // containers (tuples and sets as arrays)
  { code: 0x5d, name: 'EMPTY_LIST', run: (m) => m.push([]) },
  { code: 0x29, name: 'EMPTY_TUPLE', run: (m) => m.push([]) },
  { code: 0x7d, name: 'EMPTY_DICT', run: (m) => m.push(new PyDict()) },
  { code: 0x8f, name: 'EMPTY_SET', run: (m) => m.push([]) },
  { code: 0x85, name: 'TUPLE1', run: (m) => m.push([m.pop()]) },
  { code: 0x86, name: 'TUPLE2', run: (m) => m.push(popN(m, 2)) },
  { code: 0x87, name: 'TUPLE3', run: (m) => m.push(popN(m, 3)) },
  { code: 0x74, name: 'TUPLE', run: (m) => m.push(m.popMark()) },
  { code: 0x6c, name: 'LIST', run: (m) => m.push(m.popMark()) },
  { code: 0x91, name: 'FROZENSET', run: (m) => m.push(m.popMark()) },
  {
    code: 0x64,
    name: 'DICT',
    run: (m) => {
      const kv = m.popMark();
      const d = new PyDict();
      m.setItems(d, kv);
      m.push(d);
    },
  },
  { code: 0x61, name: 'APPEND', run: (m) => ((x) => m.appendItems(m.top(), [x]))(m.pop()) },
  { code: 0x65, name: 'APPENDS', run: (m) => ((xs) => m.appendItems(m.top(), xs))(m.popMark()) },
  { code: 0x90, name: 'ADDITEMS', run: (m) => ((xs) => m.appendItems(m.top(), xs))(m.popMark()) },
  { code: 0x73, name: 'SETITEM', run: (m) => ((v, k) => m.setItem(m.top(), k, v))(m.pop(), m.pop()) },
  { code: 0x75, name: 'SETITEMS', run: (m) => ((kv) => m.setItems(m.top(), kv))(m.popMark()) },
  // the memo
  { code: 0x71, name: 'BINPUT', run: (m) => m.memoPut(m.u8()) },
  { code: 0x72, name: 'LONG_BINPUT', run: (m) => m.memoPut(m.u32()) },
  { code: 0x70, name: 'PUT', run: (m, at) => m.memoPut(parseIntText(m.line(), at) as number) },
  { code: 0x94, name: 'MEMOIZE', run: (m) => void m.memo.set(m.memo.size, m.top()) },
  { code: 0x68, name: 'BINGET', run: (m) => m.push(m.memoGet(m.u8())) },
  { code: 0x6a, name: 'LONG_BINGET', run: (m) => m.push(m.memoGet(m.u32())) },
  { code: 0x67, name: 'GET', run: (m, at) => m.push(m.memoGet(parseIntText(m.line(), at) as number)) },
  // classes and objects: globals resolve to PyGlobal, calls go through `construct`
  { code: 0x63, name: 'GLOBAL', run: (m) => ((module, name) => m.push(pyGlobal(module, name)))(m.line(), m.line()) },
  {
    code: 0x93,
    name: 'STACK_GLOBAL',
    run: (m, at) => {
      const name = m.pop();
      const module = m.pop();
      if (typeof module !== 'string' || typeof name !== 'string')
        throw new PickleError(`malformed pickle: STACK_GLOBAL needs two strings at byte ${at}`);
      m.push(pyGlobal(module, name));
    },
  },
  { code: 0x52, name: 'REDUCE', run: (m, at) => m.callFromStack(at) },
  { code: 0x81, name: 'NEWOBJ', run: (m, at) => m.callFromStack(at) },
  { code: 0x92, name: 'NEWOBJ_EX', run: (m, at) => void (m.pop(), m.callFromStack(at)) }, // kwargs dropped
  { code: 0x62, name: 'BUILD', run: (m) => ((state) => build(m.top(), state))(m.pop()) },
  {
    code: 0x69,
    name: 'INST', // protocol 0: class from two text lines, args from the mark
    run: (m, at) => {
      const cls = pyGlobal(m.line(), m.line());
      m.push(construct(cls, m.popMark(), at));
    },
  },
  {
    code: 0x6f,
    name: 'OBJ', // protocol 1: class and args from the mark
    run: (m, at) => {
      const xs = m.popMark();
      if (!xs.length) throw new PickleError(`malformed pickle: OBJ without a class at byte ${at}`);
      m.push(construct(xs[0], xs.slice(1), at));
    },
  },
  { code: 0x51, name: 'BINPERSID', run: (m) => m.push(m.persistentLoad(m.pop())) },
  { code: 0x50, name: 'PERSID', run: (m) => m.push(m.persistentLoad(m.line())) },
  ...[0x82, 0x83, 0x84].map((code, i) => ({
    code,
    name: `EXT${[1, 2, 4][i]}`, // the copyreg extension registry
    run: (_m: PickleMachine, at: number) => {
      throw new PickleError(`pickle uses the copyreg extension registry (EXT opcode at byte ${at}), which is not supported`);
    },
  })),
];

const OPCODE_BY_BYTE = new Map(OPCODES.map((o) => [o.code, o]));

function nonNegative(n: number, opcode: string, at: number): number {
  if (n < 0) throw new PickleError(`malformed pickle: negative ${opcode} length at byte ${at}`);
  return n;
}

/** The top `n` values, in stack order. */
function popN(m: PickleMachine, n: number): unknown[] {
  const xs = Array.from({ length: n }, () => m.pop());
  return xs.reverse();
}

/**
 * Runs the pickle in `buf` from `opts.offset` (default 0) to its STOP opcode and returns the value and the byte
 * after STOP. Throws PickleError for malformed or truncated input; never throws for unknown globals.
 */
export function unpickle(buf: Uint8Array, opts: UnpickleOptions = {}): UnpickleResult {
  const m = new PickleMachine(buf, opts.offset ?? 0, opts.persistentLoad ?? torchPersistentLoad);
  for (;;) {
    const at = m.p;
    const op = m.u8();
    const handler = OPCODE_BY_BYTE.get(op);
    if (!handler)
      throw new PickleError(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} (not a pickle, or corrupt)`);
    handler.run(m, at);
    if (m.done) return { value: m.done.value, end: m.p };
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
