import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer } from '../../../src/models/spec.js';
import type { FoldedConv } from '../../../src/models/fold.js';
import { mulberry32 } from '../../../src/models/weights.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { ReferenceCore } from '../../../src/sim/cores/reference.js';
import { WebgpuCore, probeWebgpu } from '../../../src/sim/cores/webgpu.js';
import { CoreUnavailableError } from '../../../src/sim/cores/unavailable.js';

function convLayer(name: string, inC: number, h: number, w: number, outC: number, k: number, stride: number, pad: number): ConvLayer {
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1,
    ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  return {
    kind: 'conv',
    op: k === 1 ? 'conv1d' : 'conv2d',
    name,
    inputs: ['input'],
    in: { c: inC, h, w },
    out: { c: outC, h: oh, w: ow },
    k,
    stride,
    pad,
    bias: false,
    bn: null,
  };
}

function randomConv(l: ConvLayer, seed: number): FoldedConv {
  const r = mulberry32(seed);
  return { weight: new Float64Array(l.out.c * l.in.c * l.k * l.k).map(() => (2 * r() - 1) * 0.7), bias: new Float64Array(l.out.c) };
}

const LAYERS = [convLayer('c3', 6, 7, 5, 32, 3, 1, 1), convLayer('c3s2', 5, 8, 8, 64, 3, 2, 1), convLayer('c1', 48, 4, 4, 40, 1, 1, 0)];

test('webgpu: the WGSL kernel compiles and a conv round-trips through the device worker (Dawn null backend)', (t) => {
  let core: WebgpuCore;
  try {
    core = new WebgpuCore(['backend=null']);
  } catch (e) {
    if (e instanceof CoreUnavailableError) {
      t.skip(e.message);
      return;
    }
    throw e;
  }
  const l = LAYERS[0]!;
  core.prepareConv(l, randomConv(l, 1));
  const ev = new EventBuffer(l.in.h * l.in.w * l.in.c).fromDense(new Float64Array(l.in.h * l.in.w * l.in.c).map((_, i) => i % 3));
  const acc = new Float64Array(l.out.h * l.out.w * l.out.c);
  core.convEvents(l, ev, acc);
  core.convDense(l, new Float64Array(ev.size).fill(0.25), acc);
  assert.throws(() => core.convEvents(convLayer('unprepared', 1, 1, 1, 1, 1, 1, 0), ev, acc), /not prepared/);
  core.dispose();
});

const probe = probeWebgpu();
test('webgpu: convs equal the reference on a real adapter', (t) => {
  if (!probe.available) {
    t.skip(`no WebGPU adapter: ${probe.why}`);
    return;
  }
  const gpu = new WebgpuCore(),
    ref = new ReferenceCore();
  for (const [i, l] of LAYERS.entries()) {
    const w = randomConv(l, 10 + i);
    gpu.prepareConv(l, w);
    ref.prepareConv(l, w);
    const r = mulberry32(20 + i),
      n = l.in.h * l.in.w * l.in.c,
      m = l.out.h * l.out.w * l.out.c;
    const ev = new EventBuffer(n).fromDense(new Float64Array(n).map(() => (r() < 0.25 ? 1 + Math.floor(r() * 3) : 0)));
    const x = new Float64Array(n).map(() => r() * 4 - 2);
    for (const [what, run] of [
      ['events', (c: WebgpuCore | ReferenceCore, acc: Float64Array) => c.convEvents(l, ev, acc)],
      ['dense', (c: WebgpuCore | ReferenceCore, acc: Float64Array) => c.convDense(l, x, acc)],
    ] as const) {
      const a = new Float64Array(m).fill(0.5),
        b = new Float64Array(m).fill(0.5);
      run(gpu, a);
      run(ref, b);
      // compensated float32: within a few units of 2^-24 of the magnitudes summed
      a.forEach((v, j) =>
        assert.ok(Math.abs(v - b[j]!) <= 1e-6 * Math.max(1, Math.abs(b[j]!)), `${l.name} ${what} [${j}] ${v} vs ${b[j]}`),
      );
    }
  }
  gpu.dispose();
});
