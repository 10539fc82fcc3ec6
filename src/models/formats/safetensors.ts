import type { DType, TensorMap } from '../tensor.js';
import { shapeNumel } from '../tensor.js';
import { f16ToF32 } from './half.js';
import { InputError } from '../../errors.js';

/**
 * safetensors: 8-byte little-endian header length N, N bytes of JSON
 * `{key: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then raw little-endian
 * C-order data (offsets relative to the data start). Reads F32, F16, BF16, I64, F64, I32, U8 (widened to
 * float32/float64); writes F32 (and F64 where asked).
 */
export class SafetensorsError extends InputError {}

const BYTES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, F64: 8, U8: 1, I32: 4 };

export interface SafetensorsFile {
  tensors: TensorMap;
  metadata: Record<string, string>;
}

export function readSafetensors(buf: Uint8Array, what = 'file'): SafetensorsFile {
  if (buf.length < 8) throw new SafetensorsError(`${what}: too short for a safetensors header (${buf.length} bytes)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n <= 0 || 8 + n > buf.length)
    throw new SafetensorsError(`${what}: header length ${n} exceeds the file size ${buf.length} (truncated or not safetensors)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch {
    throw new SafetensorsError(`${what}: header is not valid JSON (not a safetensors file?)`);
  }
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const tensors: TensorMap = new Map();
  let metadata: Record<string, string> = {};
  for (const [key, raw] of Object.entries(header)) {
    if (key === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = info.dtype as DType;
    if (!(dtype in BYTES)) throw new SafetensorsError(`${what}: tensor ${key} has unsupported dtype ${String(info.dtype)}`);
    const shape = info.shape ?? [];
    const [b, e] = info.data_offsets ?? [0, -1];
    const count = shapeNumel(shape);
    if (e - b !== count * BYTES[dtype])
      throw new SafetensorsError(`${what}: tensor ${key} has ${e - b} bytes, shape ${JSON.stringify(shape)} needs ${count * BYTES[dtype]}`);
    if (e > dataLen) throw new SafetensorsError(`${what}: tensor ${key} ends at byte ${e} but the data holds ${dataLen} (truncated file)`);
    const off = dataStart + b;
    let data: Float32Array | Float64Array;
    if (dtype === 'F64' || dtype === 'I64') {
      data = new Float64Array(count);
      for (let i = 0; i < count; i++)
        data[i] = dtype === 'F64' ? dv.getFloat64(off + 8 * i, true) : Number(dv.getBigInt64(off + 8 * i, true));
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        switch (dtype) {
          case 'F32':
            data[i] = dv.getFloat32(off + 4 * i, true);
            break;
          case 'F16':
            data[i] = f16ToF32(dv.getUint16(off + 2 * i, true));
            break;
          case 'BF16': {
            const tmp = new DataView(new ArrayBuffer(4));
            tmp.setUint32(0, dv.getUint16(off + 2 * i, true) << 16, true);
            data[i] = tmp.getFloat32(0, true);
            break;
          }
          case 'I32':
            data[i] = dv.getInt32(off + 4 * i, true);
            break;
          case 'U8':
            data[i] = dv.getUint8(off + i);
            break;
        }
      }
    }
    tensors.set(key, { shape, data, dtype });
  }
  return { tensors, metadata };
}

/** Serialises tensors as F32 (or F64 for Float64Array tensors whose dtype says F64). Keys are sorted. */
export function writeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Uint8Array {
  const keys = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const k of keys) {
    const t = tensors.get(k)!;
    const dtype = t.dtype === 'F64' ? 'F64' : 'F32';
    const bytes = shapeNumel(t.shape) * BYTES[dtype];
    if (t.data.length !== shapeNumel(t.shape))
      throw new SafetensorsError(`tensor ${k}: ${t.data.length} values for shape ${JSON.stringify(t.shape)}`);
    header[k] = { dtype, shape: t.shape, data_offsets: [off, off + bytes] };
    off += bytes;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const k of keys) {
    const t = tensors.get(k)!;
    if (t.dtype === 'F64') {
      for (let i = 0; i < t.data.length; i++, p += 8) dv.setFloat64(p, t.data[i]!, true);
    } else {
      for (let i = 0; i < t.data.length; i++, p += 4) dv.setFloat32(p, t.data[i]!, true);
    }
  }
  return out;
}
