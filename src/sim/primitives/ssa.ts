import { numel, type SsaProductLayer } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';
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
  scratch: SsaScratch,
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
  if (layer.order === 'q(kv)' && ctx.core.ssaQkv?.(eq, ek, ev, scratch.shape, scratch.m, out)) {
    ctx.sink.add(ctx.counts, ctx.t, 'ac', qkvOps(eq, ek, ev, d, scratch.groups));
    scale(out, layer.scale);
    return;
  }
  const { qd, kd, vd } = scratch;
  eq.toDense(qd);
  ek.toDense(kd);
  ev.toDense(vd);
  out.fill(0);
  let acs = 0;
  if (layer.order === 'q(kv)') {
    const { m, vi, vv } = scratch; // m: [h][d1][d2]; vi, vv: one token-head's active V channels and values
    m.fill(0);
    // M[h][i][j] += K[n][h,i] * V[n][h,j] over the token's active (i, j) pairs only: integer products, exact in any
    // order; each M entry still receives its terms in token order
    for (let n = 0; n < N; n++) {
      const row = n * C;
      for (let h = 0; h < H; h++) {
        const base = row + h * d;
        let nv = 0;
        for (let j = 0; j < d; j++) {
          const x = vd[base + j]!;
          vi[nv] = j;
          vv[nv] = x;
          nv += x !== 0 ? 1 : 0;
        }
        if (!nv) continue;
        let nk = 0;
        for (let i = 0; i < d; i++) {
          const kv = kd[base + i]!;
          if (!kv) continue;
          nk++;
          const mb = (h * d + i) * d;
          for (let p = 0; p < nv; p++) m[mb + vi[p]!]! += kv * vv[p]!;
        }
        acs += nk * nv;
      }
    }
    for (let n = 0; n < N; n++) {
      const row = n * C;
      for (let h = 0; h < H; h++)
        for (let i = 0; i < d; i++) {
          const qv = qd[row + h * d + i]!;
          if (!qv) continue;
          acs += d;
          const mb = (h * d + i) * d,
            ob = row + h * d;
          for (let j = 0; j < d; j++) out[ob + j]! += qv * m[mb + j]!;
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
  scale(out, layer.scale);
  ctx.sink.add(ctx.counts, ctx.t, 'ac', acs);
}

function scale(out: Float64Array, s: number): void {
  for (let i = 0; i < out.length; i++) out[i]! *= s;
}

/**
 * The 'q(kv)' ops of the table from the events: sum over (token, head) groups of |K| x |V| + |Q| x d. An address
 * n C + h d + i lies in group floor(address / d) = n H + h. Zero multiplicities are no spikes.
 */
function qkvOps(eq: EventBuffer, ek: EventBuffer, ev: EventBuffer, d: number, groups: Int32Array): number {
  groups.fill(0);
  for (let e = 0; e < ek.count; e++) if (ek.mult[e] !== 0) groups[Math.floor(ek.addr[e]! / d)]!++;
  let ops = 0;
  for (let e = 0; e < ev.count; e++) if (ev.mult[e] !== 0) ops += groups[Math.floor(ev.addr[e]! / d)]!;
  for (let e = 0; e < eq.count; e++) if (eq.mult[e] !== 0) ops += d;
  return ops;
}

/** Dense Q, K, V; the product matrix (H*d*d for 'q(kv)', N*N for 'qk(v)'); one token-head's active V channels. */
export interface SsaScratch {
  qd: Float64Array;
  kd: Float64Array;
  vd: Float64Array;
  m: Float64Array;
  vi: Int32Array;
  vv: Float64Array;
  /** [N, C, H] for a core's ssaQkv; per (token, head) K spike counts. */
  shape: Int32Array;
  groups: Int32Array;
}

/** The scratch of one SSA product layer (Q and K are never wider than V, which has the output's shape). */
export function ssaScratch(layer: SsaProductLayer): SsaScratch {
  const C = layer.out.c,
    N = layer.out.h * layer.out.w,
    d = C / layer.heads;
  const size = numel(layer.out);
  return {
    qd: new Float64Array(size),
    kd: new Float64Array(size),
    vd: new Float64Array(size),
    m: new Float64Array(layer.order === 'q(kv)' ? layer.heads * d * d : N * N),
    vi: new Int32Array(d),
    vv: new Float64Array(d),
    shape: Int32Array.of(N, C, layer.heads),
    groups: new Int32Array(N * layer.heads),
  };
}
