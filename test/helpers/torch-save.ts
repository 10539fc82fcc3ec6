import { crc32 } from 'node:zlib';
import type { Tensor, TensorMap } from '../../src/models/tensor.js';

/**
 * `torch.save` written from TypeScript, for tests (there is no torch here): the zip layout torch >= 1.6 writes
 * (`archive/data.pkl` as a protocol-2 pickle, `archive/data/<key>` per storage, `archive/byteorder`, `archive/version`),
 * tensors as `torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())` over
 * FloatStorage, and argparse.Namespace through NEWOBJ + BUILD, as Python pickles it. Only what tests need.
 */
export class Namespace {
  constructor(readonly attrs: Record<string, Py>) {}
}
export class Tuple {
  constructor(readonly items: Py[]) {}
}
export type Py = null | boolean | number | string | Py[] | Tuple | Namespace | Tensor | Map<string, Py> | { [k: string]: Py };

export function torchSave(obj: Py, archive = 'archive'): Uint8Array {
  const storages: Float32Array[] = [];
  const out: number[] = [0x80, 2];
  const enc = new TextEncoder();
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const str = (s: string) => {
    const b = enc.encode(s);
    out.push(0x58);
    u32(b.length);
    out.push(...b);
  };
  const global = (m: string, n: string) => out.push(0x63, ...enc.encode(`${m}\n${n}\n`));
  const isTensor = (v: object): v is Tensor => 'shape' in v && 'data' in v && 'dtype' in v;
  const dict = (entries: [string, Py][]) => {
    out.push(0x7d);
    if (!entries.length) return;
    out.push(0x28);
    for (const [k, v] of entries) {
      str(k);
      put(v);
    }
    out.push(0x75);
  };
  const put = (v: Py): void => {
    if (v === null) out.push(0x4e);
    else if (typeof v === 'boolean') out.push(v ? 0x88 : 0x89);
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v < 256) out.push(0x4b, v);
      else if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) {
        out.push(0x4a);
        u32(v >>> 0);
      } else {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v, false);
        out.push(0x47, ...b);
      }
    } else if (typeof v === 'string') str(v);
    else if (Array.isArray(v)) {
      out.push(0x5d);
      if (v.length) {
        out.push(0x28);
        v.forEach(put);
        out.push(0x65);
      }
    } else if (v instanceof Tuple) {
      out.push(0x28);
      v.items.forEach(put);
      out.push(0x74);
    } else if (v instanceof Namespace) {
      global('argparse', 'Namespace');
      out.push(0x29, 0x81);
      dict(Object.entries(v.attrs));
      out.push(0x62);
    } else if (v instanceof Map) dict([...v.entries()]);
    else if (isTensor(v)) {
      const key = String(storages.length);
      storages.push(Float32Array.from(v.data));
      const stride = v.shape.map((_, i) => v.shape.slice(i + 1).reduce((a, b) => a * b, 1));
      global('torch._utils', '_rebuild_tensor_v2');
      out.push(0x28);
      out.push(0x28);
      str('storage');
      global('torch', 'FloatStorage');
      str(key);
      str('cpu');
      put(v.data.length);
      out.push(0x74, 0x51);
      put(0);
      put(new Tuple(v.shape));
      put(new Tuple(stride));
      put(false);
      global('collections', 'OrderedDict');
      out.push(0x29, 0x52);
      out.push(0x74, 0x52);
    } else dict(Object.entries(v));
  };
  put(obj);
  out.push(0x2e);
  const files: [string, Uint8Array][] = [
    [`${archive}/data.pkl`, Uint8Array.from(out)],
    [`${archive}/byteorder`, enc.encode('little')],
    ...storages.map((s, i): [string, Uint8Array] => [`${archive}/data/${i}`, new Uint8Array(s.buffer)]),
    [`${archive}/version`, enc.encode('3\n')],
  ];
  return storedZip(files);
}

/** A stored (uncompressed) zip: local headers with their data, the central directory, the end record. */
function storedZip(files: [string, Uint8Array][]): Uint8Array {
  const enc = new TextEncoder();
  const size = files.reduce((a, [n, d]) => a + 30 + enc.encode(n).length + d.length + 46 + enc.encode(n).length, 22);
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  let p = 0;
  const central: { name: Uint8Array; crc: number; len: number; at: number }[] = [];
  for (const [n, d] of files) {
    const name = enc.encode(n),
      crc = crc32(d);
    central.push({ name, crc, len: d.length, at: p });
    dv.setUint32(p, 0x04034b50, true);
    dv.setUint16(p + 4, 20, true);
    dv.setUint32(p + 14, crc, true);
    dv.setUint32(p + 18, d.length, true);
    dv.setUint32(p + 22, d.length, true);
    dv.setUint16(p + 26, name.length, true);
    buf.set(name, p + 30);
    buf.set(d, p + 30 + name.length);
    p += 30 + name.length + d.length;
  }
  const cd = p;
  for (const c of central) {
    dv.setUint32(p, 0x02014b50, true);
    dv.setUint16(p + 4, 20, true);
    dv.setUint16(p + 6, 20, true);
    dv.setUint32(p + 16, c.crc, true);
    dv.setUint32(p + 20, c.len, true);
    dv.setUint32(p + 24, c.len, true);
    dv.setUint16(p + 28, c.name.length, true);
    dv.setUint32(p + 42, c.at, true);
    buf.set(c.name, p + 46);
    p += 46 + c.name.length;
  }
  dv.setUint32(p, 0x06054b50, true);
  dv.setUint16(p + 8, central.length, true);
  dv.setUint16(p + 10, central.length, true);
  dv.setUint32(p + 12, p - cd, true);
  dv.setUint32(p + 16, cd, true);
  return buf;
}

/** A state_dict as an OrderedDict-like map for torchSave. */
export function stateDict(t: TensorMap): Map<string, Py> {
  return new Map([...t.entries()].map(([k, v]) => [k, v]));
}
