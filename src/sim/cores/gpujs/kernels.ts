/**
 * gpu.js kernel sources (plain JavaScript strings: gpu.js parses them and emits GLSL, wasm or JS).
 *
 * Every kernel writes one float32 per output cell. Conv kernels gather over the inputs that reach an output
 * cell i = n_out * outC + o (token-major) and sum with float32 compensated (Knuth TwoSum) accumulation:
 *
 *   p = a_hi * w_hi                      exact (12-bit x 12-bit, or integer m < 4096 x 12-bit)
 *   t = s + p; b = t - s; c += (s - (t - b)) + (p - b); s = t      (s + c == old s + p exactly)
 *   c += the small cross terms (a_hi * w_lo + a_lo * w_hi + a_lo * w_lo)
 *
 * so the returned fround(s + c) is the exact dot product to within ~2^-24 relative (one final rounding)
 * instead of float32's ~K * 2^-24 accumulated error. Integer divisions use floor((i + 0.5) / d), which is
 * robust to the inexact float division of GLSL.
 */

/**
 * The gather both conv kernels share: thread i is output (n, o) = (i / outC, i % outC); for every in-bounds tap
 * (ky, kx) of output token n, `tap` accumulates into the compensated pair (s, c) (TwoSum: s + c is the float32 sum
 * with its rounding error carried), with nIn's row iy, column ix and the weight base of (o, ky, kx) in scope.
 */
function gatherKernel(params: string, prelude: string, tap: string): string {
  return `function (${params}) {
  const outC = this.constants.outC;
${prelude}  const k = this.constants.k;
  const i = this.thread.x;
  const n = Math.floor((i + 0.5) / outC);
  const o = i - n * outC;
  const oy = Math.floor((n + 0.5) / this.constants.outW);
  const ox = n - oy * this.constants.outW;
  let s = 0;
  let c = 0;
  for (let ky = 0; ky < k; ky++) {
    const iy = oy * this.constants.stride - this.constants.pad + ky;
    if (iy >= 0 && iy < this.constants.inH) {
      for (let kx = 0; kx < k; kx++) {
        const ix = ox * this.constants.stride - this.constants.pad + kx;
        if (ix >= 0 && ix < this.constants.inW) {
${tap}
        }
      }
    }
  }
  return s + c;
}`;
}

/**
 * Event-driven conv as a gather over a CSR event list: rowStart[n_in] .. rowStart[n_in + 1] indexes the events
 * of input token n_in in evC (channel) and evM (multiplicity). Work per output = the synaptic events reaching it
 * (the same accumulates the reference scatter does, visited in the same address order).
 */
export const CONV_EVENTS_KERNEL = gatherKernel(
  'rowStart, evC, evM',
  '',
  `          const nIn = iy * this.constants.inW + ix;
          const j0 = rowStart[nIn];
          const j1 = rowStart[nIn + 1];
          const wb = ((o * k + ky) * k + kx) * this.constants.inC;
          for (let j = j0; j < j1; j++) {
            const ch = evC[j];
            const m = evM[j];
            const p = m * this.constants.wHi[wb + ch];
            const t = s + p;
            const b = t - s;
            c += (s - (t - b)) + (p - b);
            s = t;
            c += m * this.constants.wLo[wb + ch];
          }`,
);

/** Dense conv (real inputs, the encoding layer): the same gather over every in-bounds tap and channel. */
export const CONV_DENSE_KERNEL = gatherKernel(
  'xHi, xLo',
  '  const inC = this.constants.inC;\n',
  `          const xb = (iy * this.constants.inW + ix) * inC;
          const wb = ((o * k + ky) * k + kx) * inC;
          for (let ch = 0; ch < inC; ch++) {
            const xh = xHi[xb + ch];
            const xl = xLo[xb + ch];
            const wh = this.constants.wHi[wb + ch];
            const wl = this.constants.wLo[wb + ch];
            const p = xh * wh;
            const t = s + p;
            const b = t - s;
            c += (s - (t - b)) + (p - b);
            s = t;
            c += xh * wl + xl * wh + xl * wl;
          }`,
);

/**
 * LIF step (tau 2, decay_input, hard reset to 0) on (hi, lo) float32 pairs of v and x:
 *   h = v + (x - v) / 2;  spike = h >= vTh
 * Returns h (float32) for a silent neuron, and the sentinel vTh + 1 (>= vTh, never a silent value) for a spike,
 * so one float per neuron carries both the new membrane and the spike.
 */
export const LIF_KERNEL = `function (vHi, vLo, xHi, xLo, vTh) {
  const i = this.thread.x;
  const dh = xHi[i] - vHi[i];
  const dl = xLo[i] - vLo[i];
  const hh = vHi[i] + dh * 0.5;
  const hl = vLo[i] + dl * 0.5;
  if ((hh - vTh) + hl >= 0) {
    return vTh + 1;
  }
  return hh + hl;
}`;
