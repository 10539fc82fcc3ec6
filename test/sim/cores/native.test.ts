import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFixture, samplesOf } from '../../helpers/fixtures.js';
import { foldWeights } from '../../../src/models/fold.js';
import { simulate } from '../../../src/sim/schedule/time-major.js';
import { ReferenceCore } from '../../../src/sim/cores/reference.js';
import { WasmCore, wasmUnavailableReason } from '../../../src/sim/cores/wasm.js';
import { NativeCore, nativeUnavailableReason, nativeVariantHere, nativeVariants } from '../../../src/sim/cores/native.js';
import { EventBuffer } from '../../../src/sim/events.js';
import type { ConvLayer, MaxPoolLayer, ModelSpec, SsaProductLayer } from '../../../src/models/spec.js';
import { CountingSink } from '../../../src/sim/counts.js';
import { runMaxPool } from '../../../src/sim/primitives/maxpool.js';
import { runSsaProduct, ssaScratch } from '../../../src/sim/primitives/ssa.js';

/**
 * The native core's paths beyond the conformance and fidelity suites (which run it through the registry, on the
 * variant this CPU picks): every instruction-set variant this CPU runs, by either multiplier path, gives
 * the reference core's doubles (`native`) or the wasm-f32 core's floats (`native-f32`) bit for bit.
 */
function ready(t: TestContext): boolean {
  const why = nativeUnavailableReason();
  if (why) t.skip(why);
  return why === null;
}

// SEW multiplicities (m = 2, 3), 3x3 and strided convs, a dense first layer
const f = loadFixture('qkformer-imagenet_e64_d4_T2_s32');
const folded = foldWeights(f.spec, f.weights),
  xs = samplesOf(f.input);

test('native: every variant this CPU runs, multiplicities in the lists or as real multipliers, is bit-identical to the reference core', (t) => {
  if (!ready(t)) return;
  const ref = simulate(f.spec, folded, xs, { core: new ReferenceCore() });
  const runs = nativeVariants().filter((v) => v.supported);
  assert.ok(runs.length >= 1, 'at least one variant runs');
  for (const v of runs)
    for (const realMultipliers of [false, true]) {
      const got = simulate(f.spec, folded, xs, {
        core: new NativeCore({ variant: v.name, realMultipliers }),
      });
      assert.deepEqual(got.logits, ref.logits, `${v.name}, real multipliers ${realMultipliers}`);
      assert.deepEqual([...got.sink.spikesPerSample], [...ref.sink.spikesPerSample], v.name);
    }
});

test('native: per-neuron spike counts and every op count equal the reference core (its own counting and SEW merges)', (t) => {
  if (!ready(t)) return;
  const ref = simulate(f.spec, folded, xs, { core: new ReferenceCore() });
  for (const v of nativeVariants().filter((x) => x.supported)) {
    const got = simulate(f.spec, folded, xs, { core: new NativeCore({ variant: v.name }) });
    assert.ok(
      got.sink.counts.layers.some((l) => l.kind === 'add' && l.neuronSpikes?.some((n) => n > 1)),
      'SEW sums of several spikes',
    );
    assert.deepEqual(got.sink.counts, ref.sink.counts, v.name);
  }
});

test('native-f32: every variant this CPU runs is bit-identical to the wasm-f32 core', (t) => {
  if (!ready(t)) return;
  const why = wasmUnavailableReason();
  if (why) {
    t.skip(why);
    return;
  }
  const want = simulate(f.spec, folded, xs, { core: new WasmCore({ precision: 'f32' }) });
  // wasm-f32's premultiplied tables hold fl32(m fl32(w)), the term its multiply path forms: one set of floats either way
  const noTables = simulate(f.spec, folded, xs, { core: new WasmCore({ precision: 'f32', tableBudgetBytes: 0 }) });
  assert.deepEqual(noTables.logits, want.logits, 'wasm-f32 with and without tables');
  for (const v of nativeVariants().filter((x) => x.supported))
    for (const realMultipliers of [false, true]) {
      const got = simulate(f.spec, folded, xs, { core: new NativeCore({ precision: 'f32', variant: v.name, realMultipliers }) });
      assert.deepEqual(got.logits, want.logits, `${v.name}, real multipliers ${realMultipliers}`);
      assert.deepEqual([...got.sink.spikesPerSample], [...want.sink.spikesPerSample], v.name);
    }
});

test('native: events out of address order take the reference scatter (same doubles)', (t) => {
  if (!ready(t)) return;
  const layer = f.spec.layers.find((l): l is ConvLayer => l.kind === 'conv' && l.k === 3 && l.in.c > 3)!;
  const w = folded.convs.get(layer.name)!;
  const ev = new EventBuffer(layer.in.c * layer.in.h * layer.in.w);
  for (let a = ev.size - 1; a >= 0; a -= 7) ev.push(a, 1 + (a % 3));
  const nOut = layer.out.h * layer.out.w * layer.out.c;
  const ref = new ReferenceCore(),
    nat = new NativeCore();
  ref.prepareConv(layer, w);
  nat.prepareConv(layer, w);
  const a = new Float64Array(nOut).fill(0.25),
    b = new Float64Array(nOut).fill(0.25);
  ref.convEvents(layer, ev, a);
  nat.convEvents(layer, ev, b);
  assert.deepEqual(b, a);
});

test('native: the dense max pool of every variant is the one of maxpool.ts, bit for bit (NaN, -0 and +0, ties, borders)', (t) => {
  if (!ready(t)) return;
  const shapes: [number, number, number, number, number, number][] = [
    // C, H, W, k, stride, pad: QKFormer's 3x3/2/1, odd sizes, a channel count no vector width divides, stride 1
    [24, 8, 8, 3, 2, 1],
    [13, 7, 5, 3, 2, 1],
    [5, 6, 6, 3, 1, 1],
    [3, 9, 9, 2, 2, 0],
  ];
  for (const [C, H, W, k, stride, pad] of shapes) {
    const oh = Math.floor((H + 2 * pad - k) / stride) + 1,
      ow = Math.floor((W + 2 * pad - k) / stride) + 1;
    const layer: MaxPoolLayer = {
      kind: 'maxpool',
      name: 'pool',
      inputs: ['x'],
      in: { c: C, h: H, w: W },
      out: { c: C, h: oh, w: ow },
      k,
      stride,
      pad,
    };
    const x = new Float64Array(C * H * W).map((_, i) => [NaN, -0, 0, 0.5, -1.25, 0.5, 3, -Infinity][(i * 7919) % 8]! * (1 + (i % 3)));
    const want = new Float64Array(C * oh * ow),
      pool = (core: ReferenceCore | NativeCore, y: Float64Array) => {
        const sink = new CountingSink({ layers: [layer] } as unknown as ModelSpec, 1);
        const out = { dense: y, events: new EventBuffer(y.length), hit: new Uint8Array(y.length) };
        runMaxPool(
          layer,
          { t: 0, timesteps: 1, sample: 0, slot: 0, core, sink, counts: sink.counts.layers[0]! },
          { dense: x, events: null },
          out,
        );
        return sink.counts.layers[0]!.ops;
      };
    const wantOps = pool(new ReferenceCore(), want);
    for (const v of nativeVariants().filter((x) => x.supported)) {
      const got = new Float64Array(C * oh * ow);
      const ops = pool(new NativeCore({ variant: v.name }), got);
      assert.deepEqual(new Uint8Array(got.buffer), new Uint8Array(want.buffer), `${v.name} ${C}x${H}x${W} k${k}/${stride}/${pad}`);
      assert.deepEqual(ops, wantOps);
    }
  }
});

test("native: SSA's q(kv) product of every variant equals ssa.ts's (multiplicities, empty heads and tokens, out of order)", (t) => {
  if (!ready(t)) return;
  // 5 tokens x 12 channels, 3 heads of 4: seeded events with SEW-like multiplicities 1-3 and whole empty tokens
  const N = 5,
    C = 12,
    H = 3;
  const layer: SsaProductLayer = {
    kind: 'ssaProduct',
    name: 'p',
    inputs: ['q', 'k', 'v'],
    out: { c: C, h: 1, w: N },
    heads: H,
    order: 'q(kv)',
    scale: 0.125,
  };
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const events = (p: number) => {
    const ev = new EventBuffer(N * C);
    for (let a = 0; a < N * C; a++) if (Math.floor(a / C) !== 2 && rnd() < p) ev.push(a, 1 + Math.floor(rnd() * 3));
    return ev;
  };
  const q = events(0.4),
    k = events(0.5),
    v = events(0.3);
  const run = (core: ReferenceCore | NativeCore, qq = q) => {
    const sink = new CountingSink({ layers: [layer] } as unknown as ModelSpec, 1);
    const y = new Float64Array(N * C);
    const ctx = { t: 0, timesteps: 1, sample: 0, slot: 0, core, sink, counts: sink.counts.layers[0]! };
    runSsaProduct(layer, ctx, { events: qq, dense: null }, { events: k, dense: null }, { events: v, dense: null }, ssaScratch(layer), y);
    return { y, ops: sink.counts.layers[0]!.ops };
  };
  const want = run(new ReferenceCore());
  assert.ok(want.y.some((x) => x > 0));
  for (const variant of nativeVariants().filter((x) => x.supported)) {
    const got = run(new NativeCore({ variant: variant.name }));
    assert.deepEqual(got.y, want.y, variant.name);
    assert.deepEqual(got.ops, want.ops, variant.name);
  }
  // Q out of address order: the core declines, ssa.ts computes the same numbers
  const swapped = new EventBuffer(N * C);
  for (let e = q.count - 1; e >= 0; e--) swapped.push(q.addr[e]!, q.mult[e]!);
  assert.equal(new NativeCore().ssaQkv(swapped, k, v, Int32Array.of(N, C, H), new Float64Array(H * 16), new Float64Array(N * C)), false);
  assert.deepEqual(run(new NativeCore(), swapped).y, want.y);
});

test('native: the LIF step counts the nonzero inputs as x !== 0 does (NaN counted, -0 not), on every variant', (t) => {
  if (!ready(t)) return;
  for (const n of [1, 7, 8, 29, 64]) {
    const x = Float64Array.from({ length: n }, (_, i) => [NaN, -0, 0, 5e-324, -2, 0.75, 1, Infinity][(i * 5) % 8]!);
    const want = x.filter((e) => e !== 0).length;
    const ref = new Float64Array(n).fill(0.5),
      refOut = new EventBuffer(n);
    new ReferenceCore().lifStep(ref, x, 1, refOut);
    for (const v of nativeVariants().filter((e) => e.supported)) {
      const mem = new Float64Array(n).fill(0.5),
        out = new EventBuffer(n);
      assert.equal(new NativeCore({ variant: v.name }).lifStepNonzero(mem, x, 1, out), want, `${v.name}, n = ${n}`);
      assert.deepEqual(mem, ref, v.name);
      assert.deepEqual(out.addr.subarray(0, out.count), refOut.addr.subarray(0, refOut.count), v.name);
    }
  }
});

test('native: the variant picked here is the best one the CPU flags allow', (t) => {
  if (!ready(t)) return;
  const vs = nativeVariants();
  const here = nativeVariantHere();
  assert.equal(here.split(' ')[0], vs.find((v) => v.supported)!.name);
  if (process.arch === 'x64' && existsSync('/proc/cpuinfo')) {
    const flags = new Set(
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^flags\s*:(.*)$/m)?.[1]
        ?.trim()
        .split(/\s+/) ?? [],
    );
    const avx512 = ['avx512f', 'avx512dq', 'avx512bw', 'avx512vl'].every((x) => flags.has(x));
    assert.equal(here.split(' ')[0], avx512 ? 'avx512' : flags.has('avx2') ? 'avx2' : 'sse2', here);
  }
  assert.equal(new NativeCore().variant, here.split(' ')[0]);
});

test('build-native without a C compiler: one line, exit 0, the reason kept, no addon', () => {
  const out = mkdtempSync(join(tmpdir(), 'spikewatt-native-'));
  try {
    const script = fileURLToPath(new URL('../../../scripts/build-native.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, PATH: out, CC: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^build-native: no C compiler found .*wasm cores remain the default$/);
    assert.match(readFileSync(join(out, 'native.why'), 'utf8'), /no C compiler/);
    assert.equal(existsSync(join(out, 'native.node')), false);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('native: a conv read only by a LIF, run as one call, gives the numbers of the two run apart (every count, spike and logit)', (t) => {
  if (!ready(t)) return;
  for (const precision of ['f64', 'f32'] as const) {
    const fused = simulate(f.spec, folded, xs, { core: new NativeCore({ precision }) });
    // an observer sees every layer's output, so nothing is fused
    const apart = simulate(f.spec, folded, xs, { core: new NativeCore({ precision }), observe: () => {} });
    assert.deepEqual(fused.logits, apart.logits, precision);
    assert.deepEqual(fused.sink.counts, apart.sink.counts, precision);
    assert.deepEqual([...fused.sink.spikesPerSample], [...apart.sink.spikesPerSample], precision);
  }
});
