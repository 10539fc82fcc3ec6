/**
 * IDX files (MNIST, Fashion-MNIST), raw or gzipped (detected by the gzip magic 1f 8b).
 *
 * Format (big-endian): bytes 0-1 zero, byte 2 element type (0x08 = unsigned byte, the only one the image
 * datasets use), byte 3 number of dimensions d, then d uint32 sizes, then the elements row-major.
 */
import { gunzipSync } from 'node:zlib';
import { DatasetError, readBytes } from './dataset.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const GZIP_MAGIC0 = 0x1f,
  GZIP_MAGIC1 = 0x8b;

/** Gunzips `buf` when it starts with the gzip magic, else returns it unchanged. */
export function maybeGunzip(buf: Uint8Array, what: string): Uint8Array {
  if (buf.length >= 2 && buf[0] === GZIP_MAGIC0 && buf[1] === GZIP_MAGIC1) {
    try {
      return gunzipSync(buf);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new DatasetError(`${what}: corrupt or truncated gzip data (${msg.split('\n')[0]})`);
    }
  }
  return buf;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

/** Parses one IDX file's bytes (gzipped or raw). `what` names the file in errors. */
export function parseIdx(bytes: Uint8Array, what: string): IdxArray {
  const buf = maybeGunzip(bytes, what);
  if (buf.length < 4) throw new DatasetError(`${what}: truncated IDX header (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    const hex = [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(`${what}: bad IDX magic ${hex} (expected 00 00 08 0d)`);
  }
  const type = buf[2]!,
    ndims = buf[3]!;
  if (type !== 0x08) {
    throw new DatasetError(
      `${what}: unsupported IDX element type 0x${type.toString(16)} (${TYPE_NAMES[type] ?? 'unknown'}); only unsigned bytes (0x08) are supported`,
    );
  }
  if (ndims < 1) throw new DatasetError(`${what}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes)
    throw new DatasetError(`${what}: truncated IDX header (${buf.length} bytes, ${ndims} dimensions need ${headerBytes})`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let k = 0; k < ndims; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const numel = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerBytes;
  if (have < numel) {
    throw new DatasetError(`${what}: truncated: dimensions [${dims.join(',')}] need ${numel} data bytes, file has ${have}`);
  }
  if (have > numel) throw new DatasetError(`${what}: ${have - numel} unexpected bytes after the [${dims.join(',')}] data`);
  return { dims, data: buf.subarray(headerBytes, headerBytes + numel) };
}

export function readIdxFile(path: string): IdxArray {
  return parseIdx(readBytes(path), path);
}

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** `count * height * width` bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/**
 * Checks an images file (3 dims: count, rows, cols) against its labels file (1 dim: count) and returns both.
 * Every label must be below `numClasses`.
 */
export function pairIdx(images: IdxArray, labels: IdxArray, numClasses: number, imagesWhat: string, labelsWhat: string): IdxImages {
  if (images.dims.length !== 3)
    throw new DatasetError(`${imagesWhat}: expected a 3-dimensional IDX image file, got dimensions [${images.dims.join(',')}]`);
  if (labels.dims.length !== 1)
    throw new DatasetError(`${labelsWhat}: expected a 1-dimensional IDX label file, got dimensions [${labels.dims.join(',')}]`);
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new DatasetError(`${labelsWhat}: wrong label count ${labels.dims[0]} for ${count} images in ${imagesWhat}`);
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i]! >= numClasses)
      throw new DatasetError(`${labelsWhat}: label ${labels.data[i]} of sample ${i} is not below ${numClasses}`);
  }
  return { count, height, width, pixels: images.data, labels: labels.data };
}
