/**
 * Float64 -> (hi, lo) float32 pairs for compensated float32 kernels.
 *
 *   x ~= hi + lo,  hi = x rounded to HI_BITS significant bits,  lo = fround(x - hi)
 *
 * hi has 12 significant bits so that hi * m (integer multiplicity m < 4096) and hiX * hiW (two 12-bit halves)
 * are exact in float32 (24-bit significand); hi + lo keeps 12 + 24 = 36 bits (relative residual <= 2^-36).
 */
export const HI_BITS = 12;

export function splitHi(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return Math.fround(x);
  const e = Math.floor(Math.log2(Math.abs(x)));
  const scale = 2 ** (HI_BITS - 1 - e);
  return Math.round(x * scale) / scale;
}

/** Writes hi and lo parts of `x[i]` into `hi[i]`, `lo[i]`. */
export function splitInto(x: ArrayLike<number>, hi: Float32Array, lo: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const h = splitHi(v);
    hi[i] = h;
    lo[i] = v - h;
  }
}
