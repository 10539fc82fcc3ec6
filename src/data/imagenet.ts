/**
 * ImageNet (ILSVRC-2012) in the standard folder layout: one directory per class holding JPEG files
 * (`val/n01440764/ILSVRC2012_val_00000293.JPEG`, as torchvision's ImageFolder reads it). PATH is the split
 * directory itself, or a directory holding `train/` and `val/` (the test split reads `val/`).
 *
 * Labels: class directories sorted by name (byte order), 0 .. classes-1, as ImageFolder numbers them.
 * Preprocessing, the standard evaluation transform (timm / torchvision, crop ratio 0.875):
 *   resize the shorter side to round(S / 0.875) (256 for S = 224) with an antialiased bilinear filter,
 *   centre-crop S x S, x = (pixel / 255 - mean[c]) / std[c], mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
 * S is the model's input size (224 by default; 288 and 384 for the paper's larger-resolution rows).
 * JPEGs are decoded one sample at a time when asked for (jpeg-js, pure JavaScript), never all at once.
 * NOTE: the bilinear filter is PIL's (triangle kernel widened by the scale factor when shrinking), so results are
 * close to, not bit-equal with, torchvision's: PIL rounds to 8-bit after resizing, this keeps floats.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { checkIndex, DatasetError, pathKind, readBytes, type Dataset, type Normalization, type Split } from './dataset.js';

export const IMAGENET_NORMALIZATION: Normalization = {
  kind: 'meanStd',
  scale: 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};
export const IMAGENET_DEFAULT_SIZE = 224;
const CROP_RATIO = 0.875;
const JPEG_FILE = /\.(jpe?g)$/i;

export interface ImagenetOptions {
  split: Split;
  size?: number;
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (e) {
    throw new DatasetError(`${path}: cannot list (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** The split directory: PATH/val or PATH/train when they exist, else PATH. */
function splitDir(path: string, split: Split): string {
  if (pathKind(path) !== 'dir')
    throw new DatasetError(`imagenet:${path}: not a directory (expected class folders of JPEGs, or train/ and val/)`);
  const sub = join(path, split === 'test' ? 'val' : 'train');
  return pathKind(sub) === 'dir' ? sub : path;
}

export function loadImagenet(path: string, o: ImagenetOptions): Dataset {
  const dir = splitDir(path, o.split);
  const size = o.size ?? IMAGENET_DEFAULT_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new DatasetError(`imagenet: bad image size ${size}`);
  const classes = listDir(dir).filter((d) => pathKind(join(dir, d)) === 'dir');
  if (!classes.length) throw new DatasetError(`${dir}: no class folders (expected e.g. ${dir}/n01440764/*.JPEG)`);
  const files: { file: string; label: number }[] = [];
  classes.forEach((c, label) => {
    for (const f of listDir(join(dir, c))) if (JPEG_FILE.test(f)) files.push({ file: join(dir, c, f), label });
  });
  if (!files.length) throw new DatasetError(`${dir}: no JPEG files in its ${classes.length} class folders`);
  const resizeTo = Math.round(size / CROP_RATIO);
  return {
    name: 'imagenet',
    source: dir,
    split: o.split,
    kind: 'static',
    numClasses: classes.length,
    classNames: classes,
    sampleShape: [3, size, size],
    normalization: IMAGENET_NORMALIZATION,
    length: files.length,
    get(i) {
      checkIndex(i, files.length, 'imagenet');
      const { file, label } = files[i]!;
      let img: { width: number; height: number; data: Uint8Array };
      try {
        img = jpeg.decode(readBytes(file), { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
      } catch (e) {
        throw new DatasetError(`${file}: not a readable JPEG (${e instanceof Error ? e.message : String(e)})`);
      }
      return { x: preprocess(img, resizeTo, size), label };
    },
  };
}

/** Resize (shorter side -> `resizeTo`), centre crop `crop` x `crop`, normalise; RGBA bytes in, float32 [3, crop, crop] out. */
export function preprocess(img: { width: number; height: number; data: Uint8Array }, resizeTo: number, crop: number): Float32Array {
  const { width: w, height: h } = img;
  const scale = resizeTo / Math.min(w, h);
  const rw = w <= h ? resizeTo : Math.round(w * scale),
    rh = h < w ? resizeTo : Math.round(h * scale);
  const left = Math.round((rw - crop) / 2),
    top = Math.round((rh - crop) / 2);
  const xs = filterTaps(w, rw, left, crop),
    ys = filterTaps(h, rh, top, crop);
  const out = new Float32Array(3 * crop * crop);
  const n = IMAGENET_NORMALIZATION as Extract<Normalization, { kind: 'meanStd' }>;
  // NOTE: separable: rows of the source are filtered horizontally once per output column set, then vertically.
  const tmp = new Float32Array(h * crop * 3);
  for (let y = 0; y < h; y++) {
    for (let ox = 0; ox < crop; ox++) {
      const t = xs[ox]!;
      let r = 0,
        g = 0,
        b = 0;
      for (let k = 0; k < t.idx.length; k++) {
        const p = (y * w + t.idx[k]!) * 4,
          wt = t.w[k]!;
        r += img.data[p]! * wt;
        g += img.data[p + 1]! * wt;
        b += img.data[p + 2]! * wt;
      }
      const q = (y * crop + ox) * 3;
      tmp[q] = r;
      tmp[q + 1] = g;
      tmp[q + 2] = b;
    }
  }
  const hw = crop * crop;
  for (let oy = 0; oy < crop; oy++) {
    const t = ys[oy]!;
    for (let ox = 0; ox < crop; ox++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let k = 0; k < t.idx.length; k++) v += tmp[(t.idx[k]! * crop + ox) * 3 + c]! * t.w[k]!;
        out[c * hw + oy * crop + ox] = (v / n.scale - n.mean[c]!) / n.std[c]!;
      }
    }
  }
  return out;
}

/**
 * Taps of PIL's antialiased bilinear filter for output pixels `first .. first+count-1` of a resize from `src` to
 * `dst` pixels: centre (o + 0.5) / s - 0.5 in source pixels, triangle kernel of radius max(1, 1/s), weights normalised.
 */
function filterTaps(src: number, dst: number, first: number, count: number): { idx: Int32Array; w: Float32Array }[] {
  const s = dst / src,
    support = Math.max(1, 1 / s);
  return Array.from({ length: count }, (_, j) => {
    const centre = (first + j + 0.5) / s;
    const lo = Math.max(0, Math.floor(centre - support)),
      hi = Math.min(src - 1, Math.ceil(centre + support));
    const idx: number[] = [],
      w: number[] = [];
    for (let x = lo; x <= hi; x++) {
      const d = Math.abs(x + 0.5 - centre) / support;
      if (d < 1) {
        idx.push(x);
        w.push(1 - d);
      }
    }
    if (!idx.length) {
      idx.push(Math.min(src - 1, Math.max(0, Math.floor(centre))));
      w.push(1);
    }
    const sum = w.reduce((a, b) => a + b, 0);
    return { idx: Int32Array.from(idx), w: Float32Array.from(w.map((x) => x / sum)) };
  });
}
