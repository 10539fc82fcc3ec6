/**
 * WGSL of the webgpu core. One kernel: conv as a gather over dense input maps (event multiplicities, or real
 * values split hi/lo), one invocation per output cell i = n_out * outC + o and sample b of the dispatch (gid.z):
 *
 *   acc[n_out][o] = sum over in-bounds (ky, kx), then c ascending, of x[n_in][c] * W[ky][kx][c][o]
 *
 * visited in the reference scatter's order (input address order), skipping x == 0 as the scatter does. Adjacent
 * invocations are adjacent o: weight reads coalesce and the x read is uniform across a warp (outC % 32 == 0).
 * Sums are compensated float32 (Knuth TwoSum), with products exact because hi parts carry 12 bits
 * (see gpujs/split.ts):  p = xh * wh;  t = s + p;  b = t - s;  c += (s - (t - b)) + (p - b);  s = t
 *   c += xh * wl (+ xl * wh + xl * wl for real inputs)
 * and both s and c are returned (sample b's at sc[b * 2 * total + i] and sc[b * 2 * total + total + i]), so the host
 * adds s + c in float64 (one rounding less than fround(s + c)).
 * NOTE: TwoSum needs IEEE additions; a compiler that re-associates (fast math) turns c into 0 and leaves plain
 * float32 sums. The device script's fixture check is what tells.
 */
export const WORKGROUP = 64;

export const CONV_WGSL = /* wgsl */ `
struct Params { outC: u32, inC: u32, k: u32, stride: u32, pad: u32, inH: u32, inW: u32, outW: u32,
  total: u32, hasLo: u32, rowStride: u32, nIn: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> wHi: array<f32>;
@group(0) @binding(2) var<storage, read> wLo: array<f32>;
@group(0) @binding(3) var<storage, read> xHi: array<f32>;
@group(0) @binding(4) var<storage, read> xLo: array<f32>;
@group(0) @binding(5) var<storage, read_write> sc: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * p.rowStride;
  if (i >= p.total) { return; }
  let x0 = gid.z * p.nIn;
  let s0 = gid.z * 2u * p.total;
  let n = i / p.outC;
  let o = i - n * p.outC;
  let oy = n / p.outW;
  let ox = n - oy * p.outW;
  var s = 0.0;
  var c = 0.0;
  for (var ky = 0u; ky < p.k; ky++) {
    let iy = i32(oy * p.stride + ky) - i32(p.pad);
    if (iy < 0 || iy >= i32(p.inH)) { continue; }
    for (var kx = 0u; kx < p.k; kx++) {
      let ix = i32(ox * p.stride + kx) - i32(p.pad);
      if (ix < 0 || ix >= i32(p.inW)) { continue; }
      let xb = x0 + (u32(iy) * p.inW + u32(ix)) * p.inC;
      let wb = (ky * p.k + kx) * p.inC * p.outC + o;
      for (var ch = 0u; ch < p.inC; ch++) {
        let xh = xHi[xb + ch];
        var xl = 0.0;
        if (p.hasLo != 0u) { xl = xLo[xb + ch]; }
        if (xh == 0.0 && xl == 0.0) { continue; }
        let wi = wb + ch * p.outC;
        let wh = wHi[wi];
        let wl = wLo[wi];
        let pr = xh * wh;
        let t = s + pr;
        let b = t - s;
        c += (s - (t - b)) + (pr - b);
        s = t;
        c += xh * wl + xl * wh + xl * wl;
      }
    }
  }
  sc[s0 + i] = s;
  sc[s0 + p.total + i] = c;
}
`;
