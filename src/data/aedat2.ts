/**
 * AEDAT 2.0 files as released for CIFAR10-DVS (jAER, DVS128 address layout).
 *
 * After `#` header lines (the first is `#!AER-DAT2.0`), events are 8 bytes, big-endian: a u32 address then a
 * u32 timestamp in microseconds. Address bits (DVS128): bit 0 polarity, bits 1..7 sensor x, bits 8..14
 * sensor y. Following spikingjelly's CIFAR10-DVS loader (which matches the jackd/events-tfds fix of the
 * dataset's orientation), the returned coordinates are transposed and flipped and the polarity inverted:
 *   x = 127 - sensor_y,  y = 127 - sensor_x,  p = 1 - address_bit_0.
 */
import { DatasetError } from './dataset.js';
import { firstLine, skipHashHeader } from './aedat3.js';
import { type EventStream } from './frames.js';

export const DVS128_SIZE = 128;

export function parseCifar10DvsAedat(buf: Uint8Array, what: string): EventStream {
  const magic = firstLine(buf);
  if (!magic.startsWith('#!AER-DAT')) {
    throw new DatasetError(`${what}: bad magic ${JSON.stringify(magic)} (expected an AEDAT 2.0 file starting with #!AER-DAT2.0)`);
  }
  if (!magic.startsWith('#!AER-DAT2')) {
    throw new DatasetError(`${what}: ${magic.slice(2)} file, expected AEDAT 2.0 (#!AER-DAT2.0) as released for CIFAR10-DVS`);
  }
  const start = skipHashHeader(buf);
  const bytes = buf.length - start;
  if (bytes % 8 !== 0) {
    throw new DatasetError(`${what}: truncated: ${bytes} event bytes after the header is not a multiple of the 8-byte event`);
  }
  const n = bytes / 8;
  const view = new DataView(buf.buffer, buf.byteOffset + start, bytes);
  const t = new Float64Array(n),
    x = new Uint16Array(n),
    y = new Uint16Array(n),
    p = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const addr = view.getUint32(8 * i, false);
    const sx = (addr & 0xfe) >>> 1,
      sy = (addr & 0x7f00) >>> 8;
    x[i] = 127 - sy;
    y[i] = 127 - sx;
    p[i] = 1 - (addr & 1);
    t[i] = view.getUint32(8 * i + 4, false);
  }
  return { t, x, y, p, width: DVS128_SIZE, height: DVS128_SIZE };
}

/** The inverse mapping, for tests and tools that write CIFAR10-DVS-style files. */
export function encodeCifar10DvsEvent(x: number, y: number, p: number): number {
  const sx = 127 - y,
    sy = 127 - x,
    bit = 1 - p;
  return ((sy << 8) | (sx << 1) | bit) >>> 0;
}
