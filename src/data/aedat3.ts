/**
 * AEDAT 3.1 files (DVS128 Gesture) and their `*_labels.csv` files.
 *
 * AEDAT 3.1: an ASCII header of `#` lines from `#!AER-DAT3.1` to `#!END-HEADER`, then packets. Each packet is
 * a 28-byte little-endian header (eventType u16, eventSource u16, eventSize u32, eventTSOffset u32,
 * eventTSOverflow u32, eventCapacity u32, eventNumber u32, eventValid u32) followed by
 * `eventCapacity * eventSize` bytes. Polarity events (type 1, 8 bytes): u32 data with bit 0 the validity mark,
 * bit 1 the polarity, bits 2..16 y and bits 17..31 x; then the i32 timestamp in microseconds, extended by
 * `eventTSOverflow << 31`. Other packet types are skipped. As in spikingjelly's `load_aedat_v3` every
 * polarity event is kept (the validity mark is not checked).
 *
 * Labels CSV: a header `class,startTime_usec,endTime_usec`, then one row per gesture: class 1..11 and the
 * time window [start, end) in the AEDAT file's microseconds.
 */
import { DatasetError } from './dataset.js';
import { type EventStream } from './frames.js';

const PACKET_HEADER_BYTES = 28;
const POLARITY_EVENT = 1;

/** Byte offset just after the `#` header lines (the AEDAT 2 and 3 headers both end at the first non-`#` line). */
export function skipHashHeader(buf: Uint8Array, endMarker?: string): number {
  let p = 0;
  while (p < buf.length && buf[p] === 0x23 /* # */) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0) nl = buf.length - 1;
    const line = Buffer.from(buf.subarray(p, nl + 1))
      .toString('latin1')
      .trimEnd();
    p = nl + 1;
    if (endMarker !== undefined && line === endMarker) break;
  }
  return p;
}

export function firstLine(buf: Uint8Array): string {
  const nl = buf.indexOf(0x0a);
  return Buffer.from(buf.subarray(0, nl < 0 ? Math.min(buf.length, 40) : Math.min(nl, 40)))
    .toString('latin1')
    .trimEnd();
}

/** Parses an AEDAT 3.x file's bytes into polarity events on a 128x128 sensor. */
export function parseAedat3(buf: Uint8Array, what: string, width = 128, height = 128): EventStream {
  const magic = firstLine(buf);
  if (!magic.startsWith('#!AER-DAT3')) {
    throw new DatasetError(`${what}: bad magic ${JSON.stringify(magic)} (expected an AEDAT 3.1 file starting with #!AER-DAT3.1)`);
  }
  let p = skipHashHeader(buf, '#!END-HEADER');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // First pass: validate packets and count polarity events.
  const packets: { at: number; n: number; size: number; overflow: number }[] = [];
  let total = 0;
  while (p < buf.length) {
    if (buf.length - p < PACKET_HEADER_BYTES) {
      throw new DatasetError(`${what}: truncated packet header at byte ${p} (${buf.length - p} of ${PACKET_HEADER_BYTES} bytes)`);
    }
    const type = view.getUint16(p, true),
      size = view.getUint32(p + 4, true);
    const overflow = view.getUint32(p + 12, true),
      capacity = view.getUint32(p + 16, true);
    const bytes = capacity * size;
    if (buf.length - p - PACKET_HEADER_BYTES < bytes) {
      throw new DatasetError(
        `${what}: truncated packet at byte ${p}: ${capacity} events of ${size} bytes need ${bytes} bytes, ${buf.length - p - PACKET_HEADER_BYTES} left`,
      );
    }
    if (type === POLARITY_EVENT) {
      if (size < 8) throw new DatasetError(`${what}: polarity packet at byte ${p} has event size ${size} (expected 8)`);
      packets.push({ at: p + PACKET_HEADER_BYTES, n: capacity, size, overflow });
      total += capacity;
    }
    p += PACKET_HEADER_BYTES + bytes;
  }
  const t = new Float64Array(total),
    x = new Uint16Array(total),
    y = new Uint16Array(total),
    pol = new Uint8Array(total);
  let k = 0;
  for (const pk of packets) {
    const tsHigh = pk.overflow * 2 ** 31;
    for (let i = 0; i < pk.n; i++, k++) {
      const o = pk.at + i * pk.size;
      const data = view.getUint32(o, true);
      x[k] = (data >>> 17) & 0x7fff;
      y[k] = (data >>> 2) & 0x7fff;
      pol[k] = (data >>> 1) & 1;
      t[k] = view.getInt32(o + 4, true) + tsHigh;
      if (x[k]! >= width || y[k]! >= height) {
        throw new DatasetError(`${what}: event ${k} at (x=${x[k]}, y=${y[k]}) is outside the ${width}x${height} sensor`);
      }
    }
  }
  return { t, x, y, p: pol, width, height };
}

export interface GestureWindow {
  /** 0-based class (the CSV's class minus 1). */
  label: number;
  startUs: number;
  endUs: number;
}

/** Parses a DVS128 Gesture `*_labels.csv` (classes 1..numClasses become labels 0..numClasses-1). */
export function parseGestureLabels(text: string, what: string, numClasses = 11): GestureWindow[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const header = lines[0]?.split(/[,\t]/).map((s) => s.trim());
  if (!header || header.join(',') !== 'class,startTime_usec,endTime_usec') {
    throw new DatasetError(`${what}: bad header ${JSON.stringify(lines[0] ?? '')} (expected class,startTime_usec,endTime_usec)`);
  }
  const out: GestureWindow[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(/[,\t]/).map((s) => s.trim());
    if (cells.length !== 3) throw new DatasetError(`${what}: line ${r + 1} has ${cells.length} columns (expected 3)`);
    const [c, s, e] = cells.map((v) => (/^\d+$/.test(v) ? Number(v) : NaN)) as [number, number, number];
    if (![c, s, e].every(Number.isFinite)) throw new DatasetError(`${what}: line ${r + 1} is not three non-negative integers: ${lines[r]}`);
    if (c < 1 || c > numClasses) throw new DatasetError(`${what}: line ${r + 1}: class ${c} is outside 1..${numClasses}`);
    if (e <= s) throw new DatasetError(`${what}: line ${r + 1}: end ${e} is not after start ${s}`);
    out.push({ label: c - 1, startUs: s, endUs: e });
  }
  if (out.length === 0) throw new DatasetError(`${what}: no gesture rows`);
  return out;
}
