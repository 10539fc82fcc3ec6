import { inflateRawSync } from 'node:zlib';
import { InputError } from '../../errors.js';

/**
 * A read-only ZIP reader over a buffer: end-of-central-directory (zip64 too), central directory, local headers.
 * Stored and deflated entries. Entries are returned as views into the buffer (stored) or fresh buffers
 * (deflated). `torch.save` writes stored entries whose data starts on a 64-byte boundary (the local header's
 * extra field pads it), so the data offset is read from each local header, not from the central directory.
 */
export class ZipError extends InputError {}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  entries: Map<string, ZipEntry>;
  /** The bytes of one entry (inflated when deflated). Throws ZipError when the entry is missing or truncated. */
  read(name: string): Uint8Array;
}

const SIG_LOCAL = 0x04034b50,
  SIG_CENTRAL = 0x02014b50,
  SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50,
  SIG_EOCD64_LOCATOR = 0x07064b50;

export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

export function openZip(buf: Uint8Array, what = 'archive'): ZipArchive {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = buf.length;
  // The EOCD record (22 bytes + up to 65535 bytes of comment) ends the file.
  let eocd = -1;
  for (let i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError(`${what}: zip archive has no end-of-central-directory record (truncated file?)`);
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || dv.getUint32(loc, true) !== SIG_EOCD64_LOCATOR)
      throw new ZipError(`${what}: zip64 archive without a zip64 locator (corrupt)`);
    const e64 = num64(dv, loc + 8, what);
    if (e64 + 56 > n || dv.getUint32(e64, true) !== SIG_EOCD64)
      throw new ZipError(`${what}: zip64 end record missing (truncated or corrupt)`);
    count = num64(dv, e64 + 32, what);
    cdSize = num64(dv, e64 + 40, what);
    cdOffset = num64(dv, e64 + 48, what);
  }
  if (cdOffset + cdSize > n)
    throw new ZipError(`${what}: central directory at ${cdOffset}+${cdSize} lies past the end (${n} bytes): truncated`);
  const entries = new Map<string, ZipEntry>();
  const dec = new TextDecoder('utf-8');
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > n || dv.getUint32(p, true) !== SIG_CENTRAL) throw new ZipError(`${what}: central directory entry ${i} is corrupt`);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true),
      extraLen = dv.getUint16(p + 30, true),
      commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > n) throw new ZipError(`${what}: central directory entry ${i} is truncated`);
    const name = dec.decode(buf.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information (id 1): the 64-bit values of the fields set to 0xffffffff, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true),
        len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = num64(dv, q, what);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = num64(dv, q, what);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) {
          localHeaderOffset = num64(dv, q, what);
        }
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return {
    entries,
    read(name: string): Uint8Array {
      const en = entries.get(name);
      if (!en) throw new ZipError(`${what}: no entry ${name}`);
      const h = en.localHeaderOffset;
      if (h + 30 > n || dv.getUint32(h, true) !== SIG_LOCAL)
        throw new ZipError(`${what}: local header of ${name} is missing (truncated or corrupt)`);
      const start = h + 30 + dv.getUint16(h + 26, true) + dv.getUint16(h + 28, true);
      const end = start + en.compressedSize;
      if (end > n) throw new ZipError(`${what}: entry ${name} ends at byte ${end} but the file has ${n} (truncated)`);
      const raw = buf.subarray(start, end);
      switch (en.method) {
        case 0:
          return raw;
        case 8: {
          let out: Buffer;
          try {
            out = inflateRawSync(raw);
          } catch (err) {
            throw new ZipError(`${what}: entry ${name} does not inflate (${(err as Error).message})`);
          }
          if (out.length !== en.size) throw new ZipError(`${what}: entry ${name} inflates to ${out.length} bytes, expected ${en.size}`);
          return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
        }
        default:
          throw new ZipError(`${what}: entry ${name} uses zip compression method ${en.method} (only stored and deflate are supported)`);
      }
    },
  };
}

function num64(dv: DataView, at: number, what: string): number {
  if (at + 8 > dv.byteLength) throw new ZipError(`${what}: zip64 field past the end of the file (truncated)`);
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${what}: zip64 value ${v} is too large`);
  return Number(v);
}
