/*
 * spikewatt's native core: the Node-API side (src/sim/cores/native.ts is its only caller). Built by
 * scripts/build-native.mjs into build/native.node; the gather kernels of gather.c are linked in once per instruction
 * set, and the best one this CPU has is the default (a core may ask for a lower one).
 *
 * Per conv call: the events (sorted addresses, integer multiplicities, or dense real values) are read in place from
 * the JavaScript typed arrays; positions and per-cell lists are built here; the gather adds into an aligned, padded
 * accumulator started from the bias (or copied from the caller's currents) and copied back to the float64 currents.
 * One weight table per layer, row-major [row = (ky * k + kx) * inC + c][outC padded to the vector lanes], in the core's
 * precision; an event's integer multiplicity m rides in its list entries and the gather forms fl(m * w) per term (the
 * value the reference computes per event), so no premultiplied copies of the weights are kept.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Multiplicities an entry's code carries (4 bits); larger ones go as real multipliers. */
#define MAX_CODE_M 15
/* The ways a gather adds an entry (gather.c). */
#define ADD 0
#define CODE_M 1
#define MULTS 2
/* Bytes of one chunk of a block's weight rows: about two thirds of a 48 KiB L1 data cache. */
#define CHUNK_BYTES 32768

typedef void Kernel(int32_t cells, int32_t outCp, int32_t rowsTotal, int32_t chunkRows, const int32_t *cellStart,
                    const void *table, const int32_t *code, const double *mults, int32_t mode, void *acc, int32_t *cursor);

#define DECLARE(isa)                                                                                                   \
  void gather_f64_##isa(int32_t, int32_t, int32_t, int32_t, const int32_t *, const double *, const int32_t *,         \
                        const double *, int32_t, double *, int32_t *);                                                 \
  void gather_f32_##isa(int32_t, int32_t, int32_t, int32_t, const int32_t *, const float *, const int32_t *,          \
                        const double *, int32_t, float *, int32_t *);                                                  \
  int32_t vector_bytes_##isa(void);                                                                                   \
  int32_t lif_step_##isa(double *, const double *, double, int32_t *, int32_t *, size_t, int32_t *, int32_t);       \
  void max_pool_##isa(const double *, double *, const int32_t *);                                                     \
  void ssa_qkv_##isa(const int32_t *, const int32_t *, int32_t, const int32_t *, const int32_t *, int32_t, const int32_t *, \
                     const int32_t *, int32_t, int32_t, int32_t, int32_t, double *, double *, int32_t *);

typedef int32_t Lif(double *v, const double *x, double vth, int32_t *addr, int32_t *mult, size_t n, int32_t *nonzero,
                    int32_t base);
typedef void Pool(const double *x, double *y, const int32_t *shape);
typedef void Ssa(const int32_t *qa, const int32_t *qm, int32_t nq, const int32_t *ka, const int32_t *km, int32_t nk,
                 const int32_t *va, const int32_t *vm, int32_t nv, int32_t N, int32_t C, int32_t H, double *m, double *y,
                 int32_t *vStart);

typedef struct {
  const char *name;
  Kernel *f64, *f32;
  int32_t (*vectorBytes)(void);
  Lif *lif;
  Pool *pool;
  Ssa *ssa;
  int (*supported)(void);
  const char *needs;
} Variant;

#if defined(__x86_64__) && defined(SPIKEWATT_X86)
DECLARE(avx512)
DECLARE(avx2)
DECLARE(sse2)
static int hasAvx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}
static int hasAvx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
static int always(void) { return 1; }
/* Best first. */
static const Variant VARIANTS[] = {
    {"avx512", (Kernel *)gather_f64_avx512, (Kernel *)gather_f32_avx512, vector_bytes_avx512, lif_step_avx512, max_pool_avx512,
     ssa_qkv_avx512, hasAvx512,
     "avx512f, avx512dq, avx512bw, avx512vl"},
    {"avx2", (Kernel *)gather_f64_avx2, (Kernel *)gather_f32_avx2, vector_bytes_avx2, lif_step_avx2, max_pool_avx2, ssa_qkv_avx2,
     hasAvx2, "avx2"},
    {"sse2", (Kernel *)gather_f64_sse2, (Kernel *)gather_f32_sse2, vector_bytes_sse2, lif_step_sse2, max_pool_sse2, ssa_qkv_sse2, always,
     "sse2 (every x86-64)"},
};
#else
DECLARE(generic)
static int always(void) { return 1; }
static const Variant VARIANTS[] = {
    {"generic", (Kernel *)gather_f64_generic, (Kernel *)gather_f32_generic, vector_bytes_generic, lif_step_generic, max_pool_generic,
     ssa_qkv_generic, always,
     "the compiler's default target"},
};
#endif
#define N_VARIANTS ((int)(sizeof(VARIANTS) / sizeof(VARIANTS[0])))

typedef struct {
  const Variant *v;
  int f32;
  int realMultipliers; /* every multiplicity as a real multiplier (the MULTS way; a test knob) */
  int32_t *pos, *cellStart, *cursor;
  int32_t *code;   /* per list entry: row << 4 | m (gather.c) */
  double *mults;   /* per list entry: its real multiplier (MULTS) */
  void *acc;
  int32_t *evM;     /* per event: its multiplicity in the code (1 with a real multiplier) */
  double *evMults;  /* per event: its real multiplier */
  double *row;      /* one cell's currents in float64 (convEventsLif, float32) */
  size_t posCap, cellCap, cursorCap, codeCap, multsCap, evMCap, evMultsCap, rowCap, accBytes;
} Core;

typedef struct {
  int f32;
  int32_t inC, inH, inW, outC, outH, outW, k, stride, pad, outCp, rowsTotal;
  void *table; /* [row = (ky k + kx) inC + c][outCp]: the weights in the core's precision, zero padded */
  void *bias;  /* [outCp]: the bias in the core's precision (fl32 of the double for f32), zero padded */
} Layer;

static void *alignedAlloc(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return NULL;
  return p;
}

/* Grows *p to hold n elements of size sz (contents not kept). */
static int grow(void **p, size_t *cap, size_t n, size_t sz) {
  if (n <= *cap && *p) return 1;
  size_t c = n > *cap * 3 / 2 ? n : *cap * 3 / 2;
  free(*p);
  *p = alignedAlloc(c * sz);
  *cap = *p ? c : 0;
  return *p != NULL;
}

static void finalizeCore(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  Core *c = data;
  free(c->pos), free(c->cellStart), free(c->cursor), free(c->code), free(c->mults), free(c->acc);
  free(c->evM), free(c->evMults), free(c->row);
  free(c);
}

static void finalizeLayer(napi_env env, void *data, void *hint) {
  (void)env, (void)hint;
  Layer *l = data;
  free(l->table), free(l->bias);
  free(l);
}

#define THROW(msg)                                                                                                     \
  do {                                                                                                                 \
    napi_throw_error(env, NULL, msg);                                                                                  \
    return NULL;                                                                                                       \
  } while (0)
#define ARGS(n)                                                                                                        \
  size_t argc = n;                                                                                                     \
  napi_value argv[n];                                                                                                  \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n) THROW("native core: missing arguments")

static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *len) {
  napi_typedarray_type t;
  size_t n = 0;
  void *data;
  if (napi_get_typedarray_info(env, v, &t, &n, &data, NULL, NULL) != napi_ok || t != want) return NULL;
  if (len) *len = n;
  return data;
}
static int32_t i32(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}
static double f64(napi_env env, napi_value v) {
  double x = 0;
  napi_get_value_double(env, v, &x);
  return x;
}
static void *external(napi_env env, napi_value v) {
  void *p = NULL;
  napi_get_value_external(env, v, &p);
  return p;
}
static napi_value int32Value(napi_env env, int32_t x) {
  napi_value r;
  napi_create_int32(env, x, &r);
  return r;
}

/* variants(): [{ name, supported, needs, vectorBytes }] best first. */
static napi_value Variants(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value arr;
  napi_create_array_with_length(env, N_VARIANTS, &arr);
  for (int i = 0; i < N_VARIANTS; i++) {
    napi_value o, name, sup, needs, vb;
    napi_create_object(env, &o);
    napi_create_string_utf8(env, VARIANTS[i].name, NAPI_AUTO_LENGTH, &name);
    napi_get_boolean(env, VARIANTS[i].supported(), &sup);
    napi_create_string_utf8(env, VARIANTS[i].needs, NAPI_AUTO_LENGTH, &needs);
    napi_create_int32(env, VARIANTS[i].vectorBytes(), &vb);
    napi_set_named_property(env, o, "name", name);
    napi_set_named_property(env, o, "supported", sup);
    napi_set_named_property(env, o, "needs", needs);
    napi_set_named_property(env, o, "vectorBytes", vb);
    napi_set_element(env, arr, i, o);
  }
  return arr;
}

/* createCore(variantIndex, f32, realMultipliers) -> core */
static napi_value CreateCore(napi_env env, napi_callback_info info) {
  ARGS(3);
  const int32_t vi = i32(env, argv[0]);
  if (vi < 0 || vi >= N_VARIANTS || !VARIANTS[vi].supported()) THROW("native core: that variant does not run on this CPU");
  Core *c = calloc(1, sizeof(Core));
  if (!c) THROW("native core: out of memory");
  c->v = &VARIANTS[vi];
  c->f32 = i32(env, argv[1]) != 0;
  c->realMultipliers = i32(env, argv[2]) != 0;
  napi_value r;
  napi_create_external(env, c, finalizeCore, NULL, &r);
  return r;
}

/*
 * prepareConv(core, [inC, inH, inW, outC, outH, outW, k, stride, pad] Int32Array, w Float64Array, bias Float64Array)
 * -> layer. w: the folded weights in the official layout [outC][inC][ky][kx], kept re-laid out as rows
 * [(ky k + kx) inC + c][outC] in the core's precision (one event reads a row); bias: the folded bias [outC], where
 * convEvents with `fromBias` starts each cell.
 */
static napi_value PrepareConv(napi_env env, napi_callback_info info) {
  ARGS(4);
  Core *c = external(env, argv[0]);
  size_t ns = 0, nw = 0, nb = 0;
  const int32_t *s = typed(env, argv[1], napi_int32_array, &ns);
  const double *w = typed(env, argv[2], napi_float64_array, &nw);
  const double *b = typed(env, argv[3], napi_float64_array, &nb);
  if (!c || !s || ns != 9 || !w || !b) THROW("native core: bad prepareConv arguments");
  Layer *l = calloc(1, sizeof(Layer));
  if (!l) THROW("native core: out of memory");
  l->f32 = c->f32;
  l->inC = s[0], l->inH = s[1], l->inW = s[2], l->outC = s[3], l->outH = s[4], l->outW = s[5];
  l->k = s[6], l->stride = s[7], l->pad = s[8];
  const int32_t lanes = c->v->vectorBytes() / (c->f32 ? 4 : 8);
  l->outCp = (l->outC + lanes - 1) / lanes * lanes;
  l->rowsTotal = l->k * l->k * l->inC;
  const size_t tableBytes = (size_t)l->rowsTotal * l->outCp * (c->f32 ? 4 : 8);
  if (nw != (size_t)l->rowsTotal * l->outC || nb != (size_t)l->outC) THROW("native core: weights of the wrong size");
  l->table = alignedAlloc(tableBytes);
  l->bias = alignedAlloc((size_t)l->outCp * 8);
  if (!l->table || !l->bias) THROW("native core: out of memory");
  memset(l->table, 0, tableBytes);
  memset(l->bias, 0, (size_t)l->outCp * 8);
  for (int32_t o = 0; o < l->outC; o++)
    if (l->f32)
      ((float *)l->bias)[o] = (float)b[o];
    else
      ((double *)l->bias)[o] = b[o];
  const size_t kk = (size_t)l->k * l->k;
  for (size_t o = 0; o < (size_t)l->outC; o++)
    for (size_t ch = 0; ch < (size_t)l->inC; ch++)
      for (size_t tap = 0; tap < kk; tap++) {
        const size_t row = tap * l->inC + ch;
        const double x = w[(o * l->inC + ch) * kk + tap];
        if (l->f32)
          ((float *)l->table)[row * l->outCp + o] = (float)x;
        else
          ((double *)l->table)[row * l->outCp + o] = x;
      }
  napi_value r;
  napi_create_external(env, l, finalizeLayer, NULL, &r);
  return r;
}

/* posStart[0..nIn] of `count` sorted addresses with inC channels per position. */
static void buildPositions(const int32_t *addr, int32_t count, int32_t inC, int32_t nIn, int32_t *pos) {
  int32_t e = 0;
  for (int32_t n = 0; n <= nIn; n++) {
    const int32_t limit = n * inC;
    while (e < count && addr[e] < limit) e++;
    pos[n] = e;
  }
}

/*
 * Every cell's list: its receptive field ky, kx ascending, then the active channels ascending (the events' address
 * order), each entry code = row << 4 | m (gather.c; m = 1 throughout in ADD mode), with its real multiplier where evMult
 * is given.
 */
static void cellLists(Core *c, const Layer *l, const int32_t *addr, const double *evMult, int32_t mode) {
  int32_t len = 0;
  const int32_t *pos = c->pos, *evM = c->evM;
  for (int32_t oy = 0; oy < l->outH; oy++)
    for (int32_t ox = 0; ox < l->outW; ox++) {
      c->cellStart[oy * l->outW + ox] = len;
      for (int32_t ky = 0; ky < l->k; ky++) {
        const int32_t iy = oy * l->stride - l->pad + ky;
        if (iy < 0 || iy >= l->inH) continue;
        for (int32_t kx = 0; kx < l->k; kx++) {
          const int32_t ix = ox * l->stride - l->pad + kx;
          if (ix < 0 || ix >= l->inW) continue;
          const int32_t nIn = iy * l->inW + ix, e0 = pos[nIn], e1 = pos[nIn + 1];
          const int32_t base = nIn * l->inC, tapRow = (ky * l->k + kx) * l->inC;
          if (mode == ADD)
            for (int32_t e = e0; e < e1; e++) c->code[len + e - e0] = (tapRow + addr[e] - base) << 4 | 1;
          else
            for (int32_t e = e0; e < e1; e++) c->code[len + e - e0] = (tapRow + addr[e] - base) << 4 | evM[e];
          if (evMult)
            for (int32_t e = e0; e < e1; e++) c->mults[len + e - e0] = evMult[e];
          len += e1 - e0;
        }
      }
    }
  c->cellStart[l->outH * l->outW] = len;
}

/*
 * The gather of `count` sorted events in `mode` (gather.c): c->evM[e] is event e's multiplicity in the code, evMult[e]
 * its real multiplier (MULTS). acc is added to, or with `fromBias` overwritten with bias + the sums (not read); with acc
 * NULL (and fromBias) the sums stay in the core's padded accumulator.
 */
static int gather(Core *c, Layer *l, const int32_t *addr, int32_t count, int32_t mode, const double *evMult, double *acc,
                  int fromBias) {
  const int32_t cells = l->outH * l->outW, nIn = l->inH * l->inW;
  if (!grow((void **)&c->pos, &c->posCap, (size_t)nIn + 1, 4)) return 0;
  buildPositions(addr, count, l->inC, nIn, c->pos);
  /* an event reaches at most k^2 cells: room for every list in one pass */
  const size_t bound = (size_t)count * l->k * l->k;
  if (bound * 16 > (size_t)INT32_MAX) return 0;
  if (!grow((void **)&c->cellStart, &c->cellCap, (size_t)cells + 1, 4) || !grow((void **)&c->cursor, &c->cursorCap, (size_t)cells + 1, 4) ||
      !grow((void **)&c->code, &c->codeCap, bound, 4) || (evMult && !grow((void **)&c->mults, &c->multsCap, bound, 8)))
    return 0;
  cellLists(c, l, addr, evMult, mode);
  const size_t es = l->f32 ? 4 : 8, rowBytes = (size_t)l->outCp * es, accBytes = (size_t)cells * rowBytes;
  if (accBytes > c->accBytes) {
    free(c->acc);
    c->acc = alignedAlloc(accBytes);
    c->accBytes = c->acc ? accBytes : 0;
    if (!c->acc) return 0;
  }
  if (fromBias || !acc) {
    for (int32_t cell = 0; cell < cells; cell++) memcpy((char *)c->acc + (size_t)cell * rowBytes, l->bias, rowBytes);
  } else {
    memset(c->acc, 0, accBytes);
    for (int32_t cell = 0; cell < cells; cell++) {
      const double *from = acc + (size_t)cell * l->outC;
      if (l->f32)
        for (int32_t o = 0; o < l->outC; o++) ((float *)c->acc)[(size_t)cell * l->outCp + o] = (float)from[o];
      else
        memcpy((double *)c->acc + (size_t)cell * l->outCp, from, (size_t)l->outC * 8);
    }
  }
  const int32_t blockBytes = 8 * c->v->vectorBytes();
  const int32_t chunkRows = CHUNK_BYTES / blockBytes;
  (l->f32 ? c->v->f32 : c->v->f64)(cells, l->outCp, l->rowsTotal, chunkRows, c->cellStart, l->table, c->code,
                                   evMult ? c->mults : NULL, mode, c->acc, c->cursor);
  if (!acc) return 1; /* the currents stay in c->acc (convEventsLif) */
  for (int32_t cell = 0; cell < cells; cell++) {
    double *to = acc + (size_t)cell * l->outC;
    if (l->f32)
      for (int32_t o = 0; o < l->outC; o++) to[o] = ((float *)c->acc)[(size_t)cell * l->outCp + o];
    else
      memcpy(to, (double *)c->acc + (size_t)cell * l->outCp, (size_t)l->outC * 8);
  }
  return 1;
}

/* Room for n events' multiplicities and multipliers. */
static int growEvents(Core *c, size_t n) {
  return grow((void **)&c->evM, &c->evMCap, n, 4) && grow((void **)&c->evMults, &c->evMultsCap, n, 8);
}

#define UNORDERED (-1)
/*
 * The gather's mode for `count` events (their multiplicities set up in c->evM / c->evMults), UNORDERED when the
 * addresses are not strictly ascending, -2 out of memory. LIF outputs (every m 1): adds only; SEW sums: m from the code;
 * else (m < 1, m > 15) real multipliers. `unit`: the caller vouches that every multiplicity is 1 (not read then).
 */
static int32_t eventMode(Core *c, const int32_t *addr, const int32_t *mult, int32_t count, int unit) {
  if (unit && !c->realMultipliers) {
    for (int32_t e = 1; e < count; e++)
      if (addr[e] <= addr[e - 1]) return UNORDERED;
    return count > 0 && addr[0] < 0 ? UNORDERED : ADD;
  }
  int32_t prev = -1, maxM = 0, minM = 1;
  for (int32_t e = 0; e < count; e++) {
    if (addr[e] <= prev) return UNORDERED;
    prev = addr[e];
    if (mult[e] > maxM) maxM = mult[e];
    if (mult[e] < minM) minM = mult[e];
  }
  if (!growEvents(c, (size_t)count)) return -2;
  const int32_t mode = c->realMultipliers || minM < 1 || maxM > MAX_CODE_M ? MULTS : maxM == 1 ? ADD : CODE_M;
  for (int32_t e = 0; e < count; e++) c->evM[e] = mode == MULTS ? 1 : mult[e];
  if (mode == MULTS)
    for (int32_t e = 0; e < count; e++) c->evMults[e] = mult[e];
  return mode;
}

/* The first five arguments of convEvents and convEventsLif: core, layer, addr Int32Array, mult Int32Array, count. */
typedef struct {
  Core *c;
  Layer *l;
  const int32_t *addr, *mult;
  int32_t count;
} EventArgs;
static int eventArgs(napi_env env, const napi_value *argv, EventArgs *a) {
  a->c = external(env, argv[0]);
  a->l = external(env, argv[1]);
  a->addr = typed(env, argv[2], napi_int32_array, NULL);
  a->mult = typed(env, argv[3], napi_int32_array, NULL);
  a->count = i32(env, argv[4]);
  return a->c && a->l && a->addr && a->mult;
}

/*
 * convEvents(core, layer, addr Int32Array, mult Int32Array, count, acc Float64Array, fromBias, unit) -> 0, or -1 when
 * the addresses are not strictly ascending (the caller then scatters as the reference does). fromBias: acc = bias + the
 * sums (acc not read); else acc += the sums. unit: every multiplicity is 1.
 */
static napi_value ConvEvents(napi_env env, napi_callback_info info) {
  ARGS(8);
  EventArgs a;
  size_t nAcc = 0;
  double *acc = typed(env, argv[5], napi_float64_array, &nAcc);
  const int fromBias = i32(env, argv[6]) != 0;
  if (!eventArgs(env, argv, &a) || !acc || nAcc < (size_t)a.l->outH * a.l->outW * a.l->outC) THROW("native core: bad convEvents arguments");
  Core *c = a.c;
  Layer *l = a.l;
  const int32_t *addr = a.addr, *mult = a.mult, count = a.count;
  const int32_t mode = eventMode(c, addr, mult, count, i32(env, argv[7]) != 0);
  if (mode == UNORDERED) return int32Value(env, -1);
  if (mode < 0 || !gather(c, l, addr, count, mode, mode == MULTS ? c->evMults : NULL, acc, fromBias)) THROW("native core: out of memory");
  return int32Value(env, 0);
}

/*
 * convEventsLif(core, layer, addr, mult, count, unit, v Float64Array, vThreshold, outAddr Int32Array, outMult Int32Array,
 * stats Int32Array [nonzero, binary]) -> spikes, or -1 when the addresses are not strictly ascending: convEvents from
 * the bias, then the LIF step (lif_step) on the currents cell by cell, in the doubles lifStep would read from the
 * float64 currents, without writing those out. stats[0] = nonzero currents; stats[1], when 1 on entry: whether every
 * current is 0 or 1.
 */
static napi_value ConvEventsLif(napi_env env, napi_callback_info info) {
  ARGS(11);
  EventArgs a;
  const int ok = eventArgs(env, argv, &a);
  Core *c = a.c;
  Layer *l = a.l;
  const int32_t *addr = a.addr, *mult = a.mult, count = a.count;
  size_t n = 0, na = 0, nm = 0, ns = 0;
  const int unit = i32(env, argv[5]) != 0;
  double *v = typed(env, argv[6], napi_float64_array, &n);
  const double vth = f64(env, argv[7]);
  int32_t *outAddr = typed(env, argv[8], napi_int32_array, &na);
  int32_t *outMult = typed(env, argv[9], napi_int32_array, &nm);
  int32_t *stats = typed(env, argv[10], napi_int32_array, &ns);
  if (!ok || !v || !outAddr || na < n || !outMult || nm < n || !stats || ns < 2)
    THROW("native core: bad convEventsLif arguments");
  const size_t cells = (size_t)l->outH * l->outW, outC = (size_t)l->outC;
  if (n != cells * outC) THROW("native core: convEventsLif membranes of the wrong size");
  const int32_t mode = eventMode(c, addr, mult, count, unit);
  if (mode == UNORDERED) return int32Value(env, -1);
  if (mode < 0 || !gather(c, l, addr, count, mode, mode == MULTS ? c->evMults : NULL, NULL, 1) ||
      (l->f32 && !grow((void **)&c->row, &c->rowCap, outC, 8)))
    THROW("native core: out of memory");
  int32_t s = 0, nz = 0, binary = stats[1];
  for (size_t cell = 0; cell < cells; cell++) {
    const double *x = (const double *)c->acc + cell * l->outCp;
    if (l->f32) {
      const float *xf = (const float *)c->acc + cell * l->outCp;
      for (size_t o = 0; o < outC; o++) c->row[o] = xf[o];
      x = c->row;
    }
    for (size_t o = 0; binary && o < outC; o++) binary = x[o] == 0 || x[o] == 1;
    int32_t cellNz = 0;
    s += c->v->lif(v + cell * outC, x, vth, outAddr + s, outMult + s, outC, &cellNz, (int32_t)(cell * outC));
    nz += cellNz;
  }
  stats[0] = nz, stats[1] = binary;
  return int32Value(env, s);
}

/* convDense(core, layer, x Float64Array, acc Float64Array): the nonzero inputs as events with real multipliers. */
static napi_value ConvDense(napi_env env, napi_callback_info info) {
  ARGS(4);
  Core *c = external(env, argv[0]);
  Layer *l = external(env, argv[1]);
  size_t n = 0;
  const double *x = typed(env, argv[2], napi_float64_array, &n);
  size_t nAcc = 0;
  double *acc = typed(env, argv[3], napi_float64_array, &nAcc);
  if (!c || !l || !x || !acc || nAcc < (size_t)l->outH * l->outW * l->outC) THROW("native core: bad convDense arguments");
  if (!growEvents(c, n)) THROW("native core: out of memory");
  int32_t *addr = malloc((n ? n : 1) * 4);
  if (!addr) THROW("native core: out of memory");
  int32_t count = 0;
  for (size_t a = 0; a < n; a++)
    if (x[a] != 0) addr[count] = (int32_t)a, c->evM[count] = 1, c->evMults[count] = x[a], count++;
  const int ok = gather(c, l, addr, count, MULTS, c->evMults, acc, 0);
  free(addr);
  if (!ok) THROW("native core: out of memory");
  return int32Value(env, 0);
}

/*
 * lifStep(core, v, x, vThreshold, addr Int32Array, mult Int32Array, stats Int32Array) -> spikes: the reference's LIF in
 * the same doubles (the core's variant, gather.c), the addresses of spikes (multiplicity 1) written in address order;
 * stats[0] = the number of nonzero inputs.
 */
static napi_value LifStep(napi_env env, napi_callback_info info) {
  ARGS(7);
  Core *c = external(env, argv[0]);
  size_t n = 0, nx = 0, na = 0, nm = 0;
  double *v = typed(env, argv[1], napi_float64_array, &n);
  const double *x = typed(env, argv[2], napi_float64_array, &nx);
  const double vth = f64(env, argv[3]);
  int32_t *addr = typed(env, argv[4], napi_int32_array, &na);
  int32_t *mult = typed(env, argv[5], napi_int32_array, &nm);
  size_t nst = 0;
  int32_t *stats = typed(env, argv[6], napi_int32_array, &nst);
  if (!c || !v || !x || nx < n || !addr || !mult || na < n || nm < n || !stats || nst < 1) THROW("native core: bad lifStep arguments");
  return int32Value(env, c->v->lif(v, x, vth, addr, mult, n, stats, 0));
}

/*
 * maxPool(core, x Float64Array, y Float64Array, shape Int32Array [C, H, W, OH, OW, k, stride, pad]): maxpool.ts's dense
 * max pool in the same doubles (the core's variant, gather.c).
 */
static napi_value MaxPool(napi_env env, napi_callback_info info) {
  ARGS(4);
  Core *c = external(env, argv[0]);
  size_t nx = 0, ny = 0, ns = 0;
  const double *x = typed(env, argv[1], napi_float64_array, &nx);
  double *y = typed(env, argv[2], napi_float64_array, &ny);
  const int32_t *s = typed(env, argv[3], napi_int32_array, &ns);
  if (!c || !x || !y || !s || ns < 8) THROW("native core: bad maxPool arguments");
  for (int i = 0; i < 8; i++)
    if (s[i] < 0 || (i != 7 && s[i] == 0)) THROW("native core: bad maxPool shape");
  if ((size_t)s[0] * s[1] * s[2] > nx || (size_t)s[0] * s[3] * s[4] > ny) THROW("native core: maxPool arrays too short");
  c->v->pool(x, y, s);
  return NULL;
}

/* Strictly ascending addresses in [0, limit). */
static int ascending(const int32_t *a, int32_t n, int32_t limit) {
  for (int32_t e = 0; e < n; e++)
    if (a[e] < 0 || a[e] >= limit || (e > 0 && a[e] <= a[e - 1])) return 0;
  return 1;
}

/*
 * ssaQkv(core, qa, qm, nq, ka, km, nk, va, vm, nv, [N, C, H] Int32Array, m Float64Array, y Float64Array) -> 0, or -1
 * when some events are not strictly ascending addresses below N * C (the caller then computes it itself): SSA's
 * 'q(kv)' product (gather.c), exact.
 */
static napi_value SsaQkv(napi_env env, napi_callback_info info) {
  ARGS(13);
  Core *c = external(env, argv[0]);
  const int32_t *a[3], *mu[3], cnt[3] = {i32(env, argv[3]), i32(env, argv[6]), i32(env, argv[9])};
  size_t na[3], nm[3];
  for (int k = 0; k < 3; k++) {
    a[k] = typed(env, argv[1 + 3 * k], napi_int32_array, &na[k]);
    mu[k] = typed(env, argv[2 + 3 * k], napi_int32_array, &nm[k]);
    if (!a[k] || !mu[k] || cnt[k] < 0 || (size_t)cnt[k] > na[k] || (size_t)cnt[k] > nm[k]) THROW("native core: bad ssaQkv events");
  }
  size_t ns = 0, nmm = 0, ny = 0;
  const int32_t *s = typed(env, argv[10], napi_int32_array, &ns);
  double *m = typed(env, argv[11], napi_float64_array, &nmm);
  double *y = typed(env, argv[12], napi_float64_array, &ny);
  if (!c || !s || ns < 3 || !m || !y) THROW("native core: bad ssaQkv arguments");
  const int32_t N = s[0], C = s[1], H = s[2];
  if (N <= 0 || C <= 0 || H <= 0 || C % H != 0) THROW("native core: bad ssaQkv shape");
  const int32_t d = C / H;
  if (nmm < (size_t)H * d * d || ny < (size_t)N * C) THROW("native core: ssaQkv arrays too short");
  for (int k = 0; k < 3; k++)
    if (!ascending(a[k], cnt[k], N * C)) return int32Value(env, -1);
  if (!grow((void **)&c->pos, &c->posCap, (size_t)H + 1, 4)) THROW("native core: out of memory");
  c->v->ssa(a[0], mu[0], cnt[0], a[1], mu[1], cnt[1], a[2], mu[2], cnt[2], N, C, H, m, y, c->pos);
  return int32Value(env, 0);
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"variants", NULL, Variants, NULL, NULL, NULL, napi_default, NULL},
      {"createCore", NULL, CreateCore, NULL, NULL, NULL, napi_default, NULL},
      {"prepareConv", NULL, PrepareConv, NULL, NULL, NULL, napi_default, NULL},
      {"convEvents", NULL, ConvEvents, NULL, NULL, NULL, napi_default, NULL},
      {"convEventsLif", NULL, ConvEventsLif, NULL, NULL, NULL, napi_default, NULL},
      {"convDense", NULL, ConvDense, NULL, NULL, NULL, napi_default, NULL},
      {"lifStep", NULL, LifStep, NULL, NULL, NULL, napi_default, NULL},
      {"maxPool", NULL, MaxPool, NULL, NULL, NULL, napi_default, NULL},
      {"ssaQkv", NULL, SsaQkv, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
