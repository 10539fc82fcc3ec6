/*
 * spikewatt's native gather kernels, compiled once per instruction set by scripts/build-native.mjs (AVX-512, AVX2,
 * SSE2 on x86-64; the compiler's default elsewhere) with -ffp-contract=off, and chosen at run time by addon.c.
 *
 * Conv as a gather over each output cell's active receptive field, as assembly/kernels.ts does in WebAssembly:
 *   acc[cell][o] = bias[o] + sum over the cell's list, in list order, of m * W[row][o]
 * with W the layer's weights in the core's precision (float32: fl32(w)) and fl(m * W) formed per term (m = 1: W itself,
 * no multiply), the term the reference adds per event in float64, and fl32(m fl32(w)) in float32.
 * The list of a cell is its receptive field ky, kx ascending, then the active channels ascending: the input address
 * order in which the reference core's scatter adds the same terms into the same cell. Each output channel is its own
 * SIMD lane, so the vector width changes which channels share an instruction, never the order of any channel's sum:
 * with no fused multiply-add (-ffp-contract=off) every variant computes the reference's doubles (float64) or the
 * wasm-f32 core's floats (float32) bit for bit.
 *
 * Output channels go in register blocks of up to NV vectors (the last block of a layer may be narrower); the rows are
 * visited in chunks of `chunkRows` so that a chunk of a block's weights stays in L1 while every cell adds its
 * entries from it; a cell's partial sum is stored between chunks (an exact round trip).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#ifndef ISA
#define ISA generic
#endif
#ifndef VBYTES
#define VBYTES 16
#endif
#define NV 8
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)

typedef double vd __attribute__((vector_size(VBYTES)));
typedef float vf __attribute__((vector_size(VBYTES)));

/*
 * One block of nv vectors (nv a constant after inlining, so the accumulators live in registers). An entry of a cell's
 * list is code = row << 4 | m: the weight row and the event's integer multiplicity m (1..15). Rows ascend within a
 * cell's list, so code < r1 << 4 iff row < r1. Three ways to add an entry (the same operations on every variant):
 *   ADD:    a += w                 (every m is 1)
 *   CODE_M: a += (T)m * w          (m from the code: fl(m w), the product the reference forms per event)
 *   MULTS:  a += (T)mults[l] * w   (real multipliers: dense inputs, multiplicities past 15)
 */
#define ADD 0
#define CODE_M 1
#define MULTS 2
#define ENTRIES(T, V, nv, FACTOR)                                                                                      \
  for (; l < lEnd && code[l] < c1; l++) {                                                                              \
    const int32_t cd = code[l];                                                                                        \
    const V *w = (const V *)(table + (size_t)(cd >> 4) * outCp + b0);                                                  \
    FACTOR;                                                                                                            \
  }
#define BODY(T, V, nv)                                                                                                 \
  do {                                                                                                                 \
    memcpy(cursor, cellStart, (size_t)cells * 4);                                                                      \
    for (int32_t r0 = 0; r0 < rowsTotal; r0 += chunkRows) {                                                            \
      const int32_t c1 = (r0 + chunkRows) << 4;                                                                        \
      for (int32_t cell = 0; cell < cells; cell++) {                                                                   \
        int32_t l = cursor[cell];                                                                                      \
        const int32_t lEnd = cellStart[cell + 1];                                                                      \
        if (l >= lEnd || code[l] >= c1) continue;                                                                      \
        V *ap = (V *)(acc + (size_t)cell * outCp + b0);                                                                \
        V a[nv];                                                                                                       \
        for (int j = 0; j < nv; j++) a[j] = ap[j];                                                                     \
        if (mode == ADD) {                                                                                             \
          ENTRIES(T, V, nv, for (int j = 0; j < nv; j++) a[j] += w[j])                                                 \
        } else if (mode == CODE_M) {                                                                                   \
          ENTRIES(T, V, nv, const T m = (T)(cd & 15); for (int j = 0; j < nv; j++) a[j] += m * w[j])                   \
        } else {                                                                                                       \
          ENTRIES(T, V, nv, const T m = (T)mults[l]; for (int j = 0; j < nv; j++) a[j] += m * w[j])                    \
        }                                                                                                              \
        for (int j = 0; j < nv; j++) ap[j] = a[j];                                                                     \
        cursor[cell] = l;                                                                                              \
      }                                                                                                                \
    }                                                                                                                  \
  } while (0)

#define KERNEL(NAME, T, V)                                                                                             \
  void CAT(NAME, ISA)(int32_t cells, int32_t outCp, int32_t rowsTotal, int32_t chunkRows, const int32_t *cellStart,    \
                      const T *table, const int32_t *code, const double *mults, int32_t mode, T *acc,                  \
                      int32_t *cursor) {                                                                               \
    const int32_t lanes = VBYTES / (int32_t)sizeof(T);                                                                 \
    for (int32_t b0 = 0; b0 < outCp; b0 += NV * lanes) {                                                               \
      const int32_t nv = (outCp - b0) / lanes < NV ? (outCp - b0) / lanes : NV;                                        \
      switch (nv) {                                                                                                    \
        case 1: BODY(T, V, 1); break;                                                                                  \
        case 2: BODY(T, V, 2); break;                                                                                  \
        case 3: BODY(T, V, 3); break;                                                                                  \
        case 4: BODY(T, V, 4); break;                                                                                  \
        case 5: BODY(T, V, 5); break;                                                                                  \
        case 6: BODY(T, V, 6); break;                                                                                  \
        case 7: BODY(T, V, 7); break;                                                                                  \
        default: BODY(T, V, NV); break;                                                                                \
      }                                                                                                                \
    }                                                                                                                  \
  }

/* float64: the reference core's doubles. float32: the wasm-f32 core's floats. */
KERNEL(gather_f64, double, vd)
KERNEL(gather_f32, float, vf)

/*
 * The LIF step over n neurons, the reference's doubles: h = v + (x - v) / 2; s = h >= vth; v = s ? 0 : h. Writes the
 * addresses of spikes (base + i, multiplicity 1) in address order into addr / mult (room for n), returns their number;
 * *nonzero gets the number of inputs x != 0 (NaN counted, -0 not: JavaScript's x !== 0), what the layer's input
 * statistics count, read in the same pass.
 * AVX-512: 8 neurons per step, the spiking lanes' addresses compress-stored (0.5 ns per neuron against 1.8 for the
 * scalar loop, measured); every lane computes the same IEEE operations as the scalar loop.
 */
int32_t CAT(lif_step, ISA)(double *v, const double *x, double vth, int32_t *addr, int32_t *mult, size_t n, int32_t *nonzero,
                           int32_t base) {
  int32_t s = 0, nz = 0;
  size_t i = 0;
#if defined(__AVX512F__)
  const __m512d th = _mm512_set1_pd(vth), two = _mm512_set1_pd(2.0), zero = _mm512_setzero_pd();
  const __m256i eight = _mm256_set1_epi32(8), one = _mm256_set1_epi32(1);
  __m256i idx = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(base));
  for (; i + 8 <= n; i += 8) {
    const __m512d vv = _mm512_loadu_pd(v + i), xx = _mm512_loadu_pd(x + i);
    nz += __builtin_popcount(_mm512_cmp_pd_mask(xx, zero, _CMP_NEQ_UQ));
    const __m512d h = _mm512_add_pd(vv, _mm512_div_pd(_mm512_sub_pd(xx, vv), two));
    const __mmask8 spike = _mm512_cmp_pd_mask(h, th, _CMP_GE_OQ);
    _mm512_storeu_pd(v + i, _mm512_maskz_mov_pd((__mmask8)~spike, h));
    _mm256_mask_compressstoreu_epi32(addr + s, spike, idx);
    _mm256_storeu_si256((__m256i *)(mult + s), one); /* s + 8 <= i + 8 <= n */
    s += __builtin_popcount(spike);
    idx = _mm256_add_epi32(idx, eight);
  }
#endif
  for (; i < n; i++) {
    nz += x[i] != 0;
    const double h = v[i] + (x[i] - v[i]) / 2;
    const int spike = h >= vth;
    addr[s] = base + (int32_t)i;
    mult[s] = 1;
    s += spike;
    /* v = spike ? +0 : h as a bit mask (no branch, no select: 1.8 vs 4.4 ns per neuron measured) */
    uint64_t bits;
    memcpy(&bits, &h, 8);
    bits &= (uint64_t)spike - 1;
    memcpy(&v[i], &bits, 8);
  }
  *nonzero = nz;
  return s;
}

/*
 * Dense max pool over a token-major [H][W][C] float64 tensor (QKFormer pools BN outputs), maxpool.ts's loop:
 *   y[oy][ox][c] = -inf, then for the in-bounds window rows iy, columns ix ascending: y = v > y ? v : y.
 * A comparison and a select per element (NaN never replaces, ties keep the first): the same doubles on every ISA;
 * channels innermost, so the compiler vectorizes over them. shape: C, H, W, OH, OW, k, stride, pad.
 */
void CAT(max_pool, ISA)(const double *x, double *y, const int32_t *shape) {
  const int32_t C = shape[0], H = shape[1], W = shape[2], OH = shape[3], OW = shape[4], k = shape[5], st = shape[6],
                pad = shape[7];
  for (int32_t oy = 0; oy < OH; oy++)
    for (int32_t ox = 0; ox < OW; ox++) {
      const int32_t y0 = oy * st - pad < 0 ? 0 : oy * st - pad, y1 = oy * st - pad + k > H ? H : oy * st - pad + k;
      const int32_t x0 = ox * st - pad < 0 ? 0 : ox * st - pad, x1 = ox * st - pad + k > W ? W : ox * st - pad + k;
      double *restrict yo = y + ((size_t)oy * OW + ox) * C;
      for (int32_t c = 0; c < C; c++) yo[c] = -__builtin_inf();
      for (int32_t iy = y0; iy < y1; iy++)
        for (int32_t ix = x0; ix < x1; ix++) {
          const double *restrict xi = x + ((size_t)iy * W + ix) * C;
          for (int32_t c = 0; c < C; c++) yo[c] = xi[c] > yo[c] ? xi[c] : yo[c];
        }
    }
}

/*
 * SSA's 'q(kv)' product on events (addresses token-major n * C + c, ascending; integer multiplicities), H heads of d
 * channels:  M[h][i][j] = sum over tokens n of K[n][h d + i] V[n][h d + j];  y[n][h d + j] = sum_i Q[n][h d + i] M[h][i][j].
 * Every term is an integer and every sum stays far below 2^53, so the doubles are exact in any order: the same numbers
 * as ssa.ts. m: scratch of H d d doubles; y: N C doubles, overwritten (the caller scales). vStart: H + 1 ints.
 */
void CAT(ssa_qkv, ISA)(const int32_t *qa, const int32_t *qm, int32_t nq, const int32_t *ka, const int32_t *km, int32_t nk,
                       const int32_t *va, const int32_t *vm, int32_t nv, int32_t N, int32_t C, int32_t H, double *m,
                       double *y, int32_t *vStart) {
  const int32_t d = C / H;
  memset(m, 0, (size_t)H * d * d * sizeof(double));
  int32_t ek = 0, ev = 0;
  for (int32_t n = 0; n < N; n++) {
    const int32_t lo = n * C, hi = lo + C;
    /* this token's V events by head: channels ascend, so head h's are [vStart[h], vStart[h + 1]) */
    int32_t e = ev;
    for (int32_t h = 0; h < H; h++) {
      while (e < nv && va[e] < lo + h * d) e++;
      vStart[h] = e;
    }
    while (e < nv && va[e] < hi) e++;
    vStart[H] = e;
    for (; ek < nk && ka[ek] < hi; ek++) {
      const int32_t c = ka[ek] - lo, h = c / d, i = c - h * d;
      const double mk = km[ek];
      double *row = m + ((size_t)h * d + i) * d;
      const int32_t off = lo + h * d;
      for (int32_t f = vStart[h]; f < vStart[h + 1]; f++) row[va[f] - off] += mk * vm[f];
    }
    ev = vStart[H];
  }
  memset(y, 0, (size_t)N * C * sizeof(double));
  for (int32_t e = 0; e < nq; e++) {
    const int32_t n = qa[e] / C, c = qa[e] - n * C, h = c / d, i = c - h * d;
    const double mq = qm[e];
    const double *restrict row = m + ((size_t)h * d + i) * d;
    double *restrict yo = y + (size_t)n * C + (size_t)h * d;
    for (int32_t j = 0; j < d; j++) yo[j] += mq * row[j];
  }
}

/* Bytes per vector of this variant: the host pads output channels to a multiple of its lanes. */
int32_t CAT(vector_bytes, ISA)(void) { return VBYTES; }
