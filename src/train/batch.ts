import type { Dataset, Normalization } from '../data/dataset.js';

/** Augmentation for static images: random crop after zero padding (torchvision RandomCrop) and horizontal flip. */
export interface AugmentOptions {
  cropPad: number;
  flip: boolean;
}
export const NO_AUGMENT: AugmentOptions = { cropPad: 0, flip: false };

/** The normalised value of a raw 0 pixel per channel (what RandomCrop's zero padding becomes). */
export function padValues(n: Normalization, channels: number): number[] {
  switch (n.kind) {
    case 'meanStd':
      return Array.from({ length: channels }, (_, c) => -(n.mean[c] ?? n.mean[0]!) / (n.std[c] ?? n.std[0]!));
    case 'none':
      return new Array<number>(channels).fill(0);
  }
}

export interface Batch {
  /** NHWC float32, [B, H, W, C] (static); [T*B, H, W, C] time-major (dvs). */
  x: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
}

/**
 * Gathers samples `idx` into one NHWC batch. Static samples arrive `[C,H,W]`; DVS samples `[T,2,H,W]` and are
 * laid out time-major (row t*B + b). With `rand`, each static sample gets its own crop offset and flip.
 */
export function makeBatch(d: Dataset, idx: readonly number[], aug: AugmentOptions = NO_AUGMENT, rand?: () => number): Batch {
  const B = idx.length;
  const labels = new Int32Array(B);
  if (d.kind === 'dvs') {
    const [T, C, H, W] = d.sampleShape as [number, number, number, number];
    const x = new Float32Array(T * B * H * W * C);
    idx.forEach((i, b) => {
      const s = d.get(i);
      labels[b] = s.label;
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < C; c++) {
          for (let p = 0; p < H * W; p++) x[((t * B + b) * H * W + p) * C + c] = s.x[(t * C + c) * H * W + p]!;
        }
      }
    });
    return { x, shape: [T * B, H, W, C], labels };
  }
  const [C, H, W] = d.sampleShape as [number, number, number];
  const x = new Float32Array(B * H * W * C);
  const pv = padValues(d.normalization, C);
  idx.forEach((i, b) => {
    const s = d.get(i);
    labels[b] = s.label;
    let oy = 0,
      ox = 0,
      flip = false;
    if (rand && aug.cropPad > 0) {
      oy = Math.floor(rand() * (2 * aug.cropPad + 1)) - aug.cropPad;
      ox = Math.floor(rand() * (2 * aug.cropPad + 1)) - aug.cropPad;
    }
    if (rand && aug.flip) flip = rand() < 0.5;
    // out(y, x) = in(y + oy, x' + ox) with x' = W-1-x when flipped; outside the image: the padding value.
    for (let y = 0; y < H; y++) {
      const sy = y + oy;
      for (let xx = 0; xx < W; xx++) {
        const sx = (flip ? W - 1 - xx : xx) + ox;
        const o = ((b * H + y) * W + xx) * C;
        const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
        for (let c = 0; c < C; c++) x[o + c] = inside ? s.x[(c * H + sy) * W + sx]! : pv[c]!;
      }
    }
  });
  return { x, shape: [B, H, W, C], labels };
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
