import type { SsaProductLayer } from '../../models/spec.js';
import { requireEvents, noteInput, type StepContext, type Value } from './context.js';

/**
 * Spiking self-attention products per head h (d = C/H channels, Q, K, V binary):
 *  'q(kv)': M = K_h^T V_h (d x d integer counts), Y_h = Q_h M * scale    (QKFormer, Spikformer ImageNet)
 *  'qk(v)': A = Q_h K_h^T (N x N integer counts), Y_h = A V_h * scale    (Spikformer CIFAR / DVS)
 * Output Y (`[n][c]`, dense) feeds attn_lif. The scale is a constant: not counted (it can be folded into the
 * threshold; a power of two everywhere but SDT v3, whose (d^-0.5) * 2 multiplies the 1/norm of its integer inputs).
 * In 'qk(v)' order V may be wider than Q and K (SDT v3: 4 C), d_v = C_v / H: Y has V's shape.
 * Inputs may be integer events (SDT v3's multi-level spikes): products use the multiplicities, counts the addresses.
 *
 * | order | op | count per (sample, t)                                                        |
 * |-------|----|-------------------------------------------------------------------------------|
 * | q(kv) | ac | sum over tokens of |K_n,h| x |V_n,h| (M updates) + |Q spikes| x d (rows of M added) |
 * | qk(v) | ac | sum over channels of |Q_c| x |K_c| (A updates) + sum over V spikes (m,c) of nnz(A[:, m]) |
 */
export function runSsaProduct(
  layer: SsaProductLayer,
  ctx: StepContext,
  q: Value,
  k: Value,
  v: Value,
  scratch: { qd: Float64Array; kd: Float64Array; vd: Float64Array; m: Float64Array },
  out: Float64Array,
): void {
  noteInput(ctx, q);
  const eq = requireEvents(q, layer.name),
    ek = requireEvents(k, layer.name),
    ev = requireEvents(v, layer.name);
  const C = layer.out.c,
    N = layer.out.h * layer.out.w,
    H = layer.heads,
    d = C / H,
    Cq = eq.size / N,
    dq = Cq / H;
  const { qd, kd, vd } = scratch;
  eq.toDense(qd);
  ek.toDense(kd);
  ev.toDense(vd);
  out.fill(0);
  let acs = 0;
  if (layer.order === 'q(kv)') {
    const m = scratch.m; // [h][d1][d2]
    m.fill(0);
    for (let n = 0; n < N; n++) {
      const row = n * C;
      for (let h = 0; h < H; h++) {
        let nk = 0,
          nv = 0;
        for (let i = 0; i < d; i++) {
          if (kd[row + h * d + i]) nk++;
          if (vd[row + h * d + i]) nv++;
        }
        acs += nk * nv;
        if (!nk || !nv) continue;
        for (let i = 0; i < d; i++) {
          const kv = kd[row + h * d + i]!;
          if (!kv) continue;
          const mb = (h * d + i) * d;
          for (let j = 0; j < d; j++) {
            const vv = vd[row + h * d + j]!;
            if (vv) m[mb + j]! += kv * vv;
          }
        }
      }
    }
    for (let n = 0; n < N; n++) {
      const row = n * C;
      for (let h = 0; h < H; h++)
        for (let i = 0; i < d; i++) {
          const qv = qd[row + h * d + i]!;
          if (!qv) continue;
          acs += d;
          const mb = (h * d + i) * d;
          for (let j = 0; j < d; j++) out[row + h * d + j]! += qv * m[mb + j]!;
        }
    }
  } else {
    const a = scratch.m; // [N][N] for one head at a time
    for (let h = 0; h < H; h++) {
      a.fill(0);
      for (let i = 0; i < dq; i++) {
        const c = h * dq + i;
        let nq = 0,
          nk = 0;
        for (let n = 0; n < N; n++) {
          if (qd[n * Cq + c]) nq++;
          if (kd[n * Cq + c]) nk++;
        }
        acs += nq * nk;
        if (!nq || !nk) continue;
        for (let n = 0; n < N; n++) {
          const qv = qd[n * Cq + c]!;
          if (!qv) continue;
          for (let mm = 0; mm < N; mm++) {
            const kv = kd[mm * Cq + c]!;
            if (kv) a[n * N + mm]! += qv * kv;
          }
        }
      }
      for (let mm = 0; mm < N; mm++)
        for (let j = 0; j < d; j++) {
          const vv = vd[mm * C + h * d + j]!;
          if (!vv) continue;
          for (let n = 0; n < N; n++) {
            const av = a[n * N + mm]!;
            if (av) {
              out[n * C + h * d + j]! += av * vv;
              acs++;
            }
          }
        }
    }
  }
  const s = layer.scale;
  for (let i = 0; i < out.length; i++) out[i]! *= s;
  ctx.sink.add(ctx.counts, ctx.t, 'ac', acs);
}

/** Scratch size of the product matrix: H*d*d for 'q(kv)', N*N for 'qk(v)'. */
export function ssaScratchSize(layer: SsaProductLayer): number {
  const C = layer.out.c,
    N = layer.out.h * layer.out.w,
    d = C / layer.heads;
  return layer.order === 'q(kv)' ? layer.heads * d * d : N * N;
}
