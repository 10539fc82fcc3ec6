import type { ModelSpec, LayerSpec } from '../../src/models/spec.js';
import type { TensorMap } from '../../src/models/tensor.js';

/**
 * A plain dense forward of a ModelSpec, written independently of the simulator for cross-checks: channel-major
 * `[c][y][x]` tensors, conv then BatchNorm unfolded (eval statistics), whole-tensor LIF per step.
 * Returns logits and spike counts per LIF layer per sample per t. Samples are independent.
 */
export function denseForward(
  spec: ModelSpec,
  w: TensorMap,
  inputs: Float32Array[],
): { logits: number[][]; spikes: Map<string, number[][]> } {
  const T = spec.config.timesteps;
  const g = (k: string) => {
    const t = w.get(k);
    if (!t) throw new Error(`missing ${k}`);
    return t.data;
  };
  const spikes = new Map<string, number[][]>();
  const logits: number[][] = [];
  inputs.forEach((x, b) => {
    const v = new Map<string, Float64Array>();
    // the head's width (SDT v2 / v3: the fourth stage's, wider than embedDims)
    const head = spec.layers.find((l) => l.kind === 'head');
    const feat = new Float64Array(head?.kind === 'head' ? head.inFeatures : spec.config.embedDims);
    let out: number[] = [];
    for (let t = 0; t < T; t++) {
      const vals = new Map<string, Float64Array>();
      const inN = spec.inputShape.c * spec.inputShape.h * spec.inputShape.w;
      vals.set('input', Float64Array.from(spec.config.input === 'dvs' ? x.subarray(t * inN, (t + 1) * inN) : x));
      for (const l of spec.layers) {
        const ins = l.inputs.map((n) => vals.get(n)!);
        vals.set(
          l.name,
          layerForward(
            l,
            ins,
            g,
            v,
            t,
            T,
            feat,
            (k) => {
              out = k;
            },
            (n) => {
              const rows = spikes.get(l.name) ?? [];
              while (rows.length <= b) rows.push(new Array<number>(T).fill(0));
              rows[b]![t]! += n;
              spikes.set(l.name, rows);
            },
          ),
        );
      }
    }
    logits.push(out);
  });
  return { logits, spikes };
}

function layerForward(
  l: LayerSpec,
  ins: Float64Array[],
  g: (k: string) => Float32Array | Float64Array,
  mem: Map<string, Float64Array>,
  t: number,
  T: number,
  feat: Float64Array,
  setLogits: (l: number[]) => void,
  spike: (n: number) => void,
): Float64Array {
  const x = ins[0]!;
  switch (l.kind) {
    case 'conv': {
      const { k, stride, pad } = l,
        Ci = l.in.c,
        H = l.in.h,
        W = l.in.w,
        Co = l.out.c,
        OH = l.out.h,
        OW = l.out.w;
      const wt = g(`${l.name}.weight`),
        bias = l.bias ? g(`${l.name}.bias`) : null;
      const y = new Float64Array(Co * OH * OW);
      // groups: output o reads the Ci / groups input channels of its group (weight [Co][Ci / groups][k][k])
      const G = l.groups ?? 1,
        cPer = Ci / G;
      for (let o = 0; o < Co; o++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            let s = bias ? bias[o]! : 0;
            const c0 = Math.floor(o / (Co / G)) * cPer;
            for (let cl = 0; cl < cPer; cl++)
              for (let ky = 0; ky < k; ky++)
                for (let kx = 0; kx < k; kx++) {
                  const iy = oy * stride - pad + ky,
                    ix = ox * stride - pad + kx;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  s += wt[((o * cPer + cl) * k + ky) * k + kx]! * x[((c0 + cl) * H + iy) * W + ix]!;
                }
            for (const bn of [l.bn, l.bn2])
              if (bn)
                s =
                  ((s - g(`${bn}.running_mean`)[o]!) / Math.sqrt(g(`${bn}.running_var`)[o]! + 1e-5)) * g(`${bn}.weight`)[o]! +
                  g(`${bn}.bias`)[o]!;
            // SDT v3 Model_Large's layer scale multiplies the BN output
            if (l.layerScale !== undefined) s *= g(l.layerScale)[o]!;
            y[(o * OH + oy) * OW + ox] = s;
          }
      return y;
    }
    case 'maxpool': {
      const C = l.in.c,
        H = l.in.h,
        W = l.in.w,
        OH = l.out.h,
        OW = l.out.w;
      const y = new Float64Array(C * OH * OW).fill(-Infinity);
      for (let c = 0; c < C; c++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++)
            for (let ky = 0; ky < l.k; ky++)
              for (let kx = 0; kx < l.k; kx++) {
                const iy = oy * l.stride - l.pad + ky,
                  ix = ox * l.stride - l.pad + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const o = (c * OH + oy) * OW + ox;
                y[o] = Math.max(y[o]!, x[(c * H + iy) * W + ix]!);
              }
      return y;
    }
    case 'avgpool': {
      // torch avg_pool2d: the window sum over in-bounds inputs / (in-bounds count, or the padded window's)
      const H = l.in.h,
        W = l.in.w,
        OH = l.out.h,
        OW = l.out.w;
      const y = new Float64Array(l.in.c * OH * OW);
      for (let c = 0; c < l.in.c; c++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            let s = 0,
              n = 0;
            for (let ky = 0; ky < l.k; ky++)
              for (let kx = 0; kx < l.k; kx++) {
                const iy = oy * l.stride - l.pad + ky,
                  ix = ox * l.stride - l.pad + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += x[(c * H + iy) * W + ix]!;
                n++;
              }
            const y0 = oy * l.stride - l.pad,
              x0 = ox * l.stride - l.pad;
            const padded = (Math.min(y0 + l.k, H + l.pad) - y0) * (Math.min(x0 + l.k, W + l.pad) - x0);
            y[(c * OH + oy) * OW + ox] = s / (l.countIncludePad ? padded : n);
          }
      return y;
    }
    case 'lif': {
      // spikingjelly LIFNode written out per parameter (defaults: tau 2, decay_input, hard reset to 0)
      const tau = l.neuron?.tau ?? 2,
        decayInput = l.neuron?.decayInput ?? true,
        vReset = l.neuron === undefined ? 0 : l.neuron.vReset;
      let v = mem.get(l.name);
      if (!v || t === 0) {
        v = new Float64Array(x.length).fill(vReset ?? 0);
        mem.set(l.name, v);
      }
      const s = new Float64Array(x.length);
      let n = 0;
      for (let i = 0; i < x.length; i++) {
        const leak = v[i]! - (vReset ?? 0);
        const h = decayInput ? v[i]! + (x[i]! - leak) / tau : v[i]! - leak / tau + x[i]!;
        if (h >= l.vThreshold) {
          s[i] = 1;
          v[i] = vReset === null ? h - l.vThreshold : vReset;
          n++;
        } else v[i] = h;
      }
      spike(n);
      return s;
    }
    case 'add':
    case 'membraneAdd':
      return x.map((a, i) => a + ins[1]![i]!);
    case 'spikeAnd':
      return x.map((a, i) => a * ins[1]![i]!);
    case 'bnPad': {
      // BNAndPadLayer: BN of the conv output is done by the conv case; the border takes BN(0) = beta - mean * gamma / sd
      const { c: C, h: H, w: W } = l.in,
        p = l.pad,
        OH = l.out.h,
        OW = l.out.w;
      const y = new Float64Array(C * OH * OW);
      for (let c = 0; c < C; c++) {
        const off =
          g(`${l.bn}.bias`)[c]! -
          (g(`${l.bn}.running_mean`)[c]! * g(`${l.bn}.weight`)[c]!) / Math.sqrt(g(`${l.bn}.running_var`)[c]! + 1e-5);
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++) {
            const iy = oy - p,
              ix = ox - p;
            y[(c * OH + oy) * OW + ox] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[(c * H + iy) * W + ix]! : off;
          }
      }
      return y;
    }
    case 'multiSpike': {
      // SDT v3's MultiSpike: round(clamp(x, 0, D)) (ties to even, as torch.round; Model_Large: floor(c + 0.5)) / norm;
      // spikes counted as sum of m
      let n = 0;
      const up = l.rounding === 'halfUp';
      const y = x.map((a) => {
        const c = Math.min(Math.max(a, 0), l.levels),
          f = Math.floor(c);
        const m = up ? Math.floor(c + 0.5) : c - f > 0.5 || (c - f === 0.5 && f % 2 === 1) ? f + 1 : f;
        n += m;
        return m / l.norm;
      });
      spike(n);
      return y;
    }
    case 'headSum': {
      const C = x.length / (l.out.h * l.out.w),
        N = l.out.h * l.out.w,
        d = C / l.heads;
      const y = new Float64Array(l.heads * N); // channel-major: [h][n]
      for (let c = 0; c < C; c++) for (let n = 0; n < N; n++) y[Math.floor(c / d) * N + n]! += x[c * N + n]!;
      return y;
    }
    case 'tokenSum': {
      const C = l.out.c,
        N = x.length / C;
      const y = new Float64Array(C);
      for (let c = 0; c < C; c++) for (let n = 0; n < N; n++) y[c]! += x[c * N + n]!;
      return y;
    }
    case 'mask': {
      const kk = ins[1]!,
        C = l.out.c,
        N = l.out.h * l.out.w,
        d = C / l.heads;
      const y = new Float64Array(C * N);
      for (let c = 0; c < C; c++)
        for (let n = 0; n < N; n++) {
          const a = l.mode === 'token' ? x[Math.floor(c / d) * N + n]! : x[c]!;
          y[c * N + n] = a * kk[c * N + n]!;
        }
      return y;
    }
    case 'ssaProduct': {
      const [q, k, v] = ins as [Float64Array, Float64Array, Float64Array];
      // V (and the output) may be wider than Q and K (SDT v3's 4 C): d per head for V, dq for Q and K
      const C = l.out.c,
        N = l.out.h * l.out.w,
        d = C / l.heads,
        dq = q.length / N / l.heads;
      const y = new Float64Array(C * N);
      for (let h = 0; h < l.heads; h++) {
        // straightforward (Q K^T) V for both orders: the results are equal integers times the scale
        for (let n = 0; n < N; n++)
          for (let j = 0; j < d; j++) {
            let s = 0;
            for (let m = 0; m < N; m++) {
              let a = 0;
              for (let i = 0; i < dq; i++) a += q[(h * dq + i) * N + n]! * k[(h * dq + i) * N + m]!;
              s += a * v[(h * d + j) * N + m]!;
            }
            y[(h * d + j) * N + n] = s * l.scale;
          }
      }
      return y;
    }
    case 'tokenMean': {
      const C = l.out.c,
        N = x.length / C;
      const y = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        for (let n = 0; n < N; n++) y[c]! += x[c * N + n]!;
        y[c]! /= N;
      }
      return y;
    }
    case 'head': {
      for (let c = 0; c < x.length; c++) feat[c]! += x[c]! / T;
      if (t === T - 1) {
        const W = g(`${l.name}.weight`),
          bb = g(`${l.name}.bias`);
        setLogits(
          Array.from({ length: l.numClasses }, (_, o) => {
            let s = bb[o]!;
            for (let c = 0; c < l.inFeatures; c++) s += W[o * l.inFeatures + c]! * feat[c]!;
            return s;
          }),
        );
      }
      return new Float64Array(0);
    }
  }
}
