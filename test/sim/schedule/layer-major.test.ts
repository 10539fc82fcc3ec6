import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zooModel, type ZooName, type ConfigOverrides } from '../../../src/models/zoo.js';
import { randomWeights, mulberry32 } from '../../../src/models/weights.js';
import { foldWeights } from '../../../src/models/fold.js';
import type { ConvLayer } from '../../../src/models/spec.js';
import { convGroups, numel } from '../../../src/models/spec.js';
import { simulate } from '../../../src/sim/schedule/time-major.js';
import { ReferenceCore } from '../../../src/sim/cores/reference.js';
import { WasmCore } from '../../../src/sim/cores/wasm.js';
import { EventBuffer } from '../../../src/sim/events.js';
import { OP_KINDS } from '../../../src/sim/ops.js';
import { layerTotal } from '../../../src/sim/counts.js';
import { simulateLayerMajor, type DeferringCore } from '../../../src/sim/schedule/layer-major.js';
import { probeWebgpu, WebgpuCore } from '../../../src/sim/cores/webgpu.js';
import { CoreUnavailableError } from '../../../src/sim/cores/unavailable.js';

/** The reference core behind the deferring protocol: records each conv's input, computes them at flush. */
class DeferringReference extends ReferenceCore implements DeferringCore {
  private deferring = false;
  private readonly recorded = new Map<string, (Float64Array | EventBuffer)[]>();
  flushes = 0;
  deferConvs(on: boolean): void {
    this.deferring = on;
  }
  override convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    if (!this.deferring) return super.convEvents(layer, ev, acc);
    const copy = new EventBuffer(ev.size);
    for (let i = 0; i < ev.count; i++) copy.push(ev.addr[i]!, ev.mult[i]!);
    this.list(layer).push(copy);
  }
  override convDense(layer: ConvLayer, x: Float64Array, acc: Float64Array): void {
    if (!this.deferring) return super.convDense(layer, x, acc);
    this.list(layer).push(Float64Array.from(x));
  }
  flush(layer: ConvLayer, targets: Float64Array[]): void {
    const xs = this.list(layer);
    assert.equal(targets.length, xs.length);
    xs.forEach((x, b) => (x instanceof EventBuffer ? super.convEvents(layer, x, targets[b]!) : super.convDense(layer, x, targets[b]!)));
    xs.length = 0;
    this.flushes++;
  }
  private list(layer: ConvLayer): (Float64Array | EventBuffer)[] {
    let l = this.recorded.get(layer.name);
    if (!l) this.recorded.set(layer.name, (l = []));
    return l;
  }
}

const CASES: [ZooName, ConfigOverrides][] = [
  ['qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8, timesteps: 3, heads: 2 }],
  ['qkformer-cifar10dvs', { embedDims: 32, imgSize: 16, timesteps: 2, heads: 4 }],
  ['spikformer-cifar10', { embedDims: 32, depths: 1, imgSize: 8, timesteps: 2, heads: 2 }],
  // depth-wise convs run on the host (src/sim/primitives/conv.ts): never deferred, never flushed
  ['maxformer-imagenet-10-384', { embedDims: 32, depths: 4, imgSize: 28, timesteps: 2, heads: 2 }],
];

function inputsFor(spec: ReturnType<typeof zooModel>, seed: number, B: number): Float32Array[] {
  const r = mulberry32(seed);
  const n = numel(spec.inputShape) * (spec.config.input === 'dvs' ? spec.config.timesteps : 1);
  return Array.from({ length: B }, () =>
    Float32Array.from({ length: n }, () => (spec.config.input === 'dvs' ? (r() < 0.3 ? 1 + Math.floor(r() * 2) : 0) : r() * 4 - 2)),
  );
}

function assertSame(a: ReturnType<typeof simulate>, b: ReturnType<typeof simulate>): void {
  assert.deepEqual(
    a.logits.map((l) => [...l]),
    b.logits.map((l) => [...l]),
  );
  for (const [name, rows] of a.sink.spikesPerSample) assert.deepEqual(b.sink.spikesPerSample.get(name), rows, name);
  a.sink.counts.layers.forEach((lc, li) => {
    for (const k of OP_KINDS) assert.equal(layerTotal(b.sink.counts.layers[li]!, k), layerTotal(lc, k), `${lc.name} ${k}`);
  });
  assert.equal(b.sink.counts.samples, a.sink.counts.samples);
}

for (const [i, [zoo, o]] of CASES.entries()) {
  test(`layer-major scheduler = time-major Simulator, bit for bit: ${zoo} ${JSON.stringify(o)}`, () => {
    const spec = zooModel(zoo, o),
      w = foldWeights(spec, randomWeights(spec, { seed: 300 + i }));
    const inputs = inputsFor(spec, 400 + i, 5);
    const ref = simulate(spec, w, inputs, { core: new ReferenceCore(), batchCoupling: 'independent' });
    const core = new DeferringReference();
    const lm = simulateLayerMajor(spec, w, inputs, core, { batchSize: 3 });
    assertSame(ref, lm);
    const convs = spec.layers.filter((l) => l.kind === 'conv' && convGroups(l) === 1).length;
    assert.equal(core.flushes, convs * spec.config.timesteps * 2, 'one flush per conv layer, step and batch');
  });
}

test('layer-major on the webgpu core: batched dispatches run through the device worker (Dawn null backend)', (t) => {
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
  const [zoo, o] = CASES[0]!;
  const spec = zooModel(zoo, o),
    w = foldWeights(spec, randomWeights(spec, { seed: 1 }));
  // batch 4 then 1: capacity growth and reuse; results are meaningless on the null backend
  const r = simulateLayerMajor(spec, w, inputsFor(spec, 2, 5), core, { batchSize: 4 });
  assert.equal(r.logits.length, 5);
  core.dispose();
});

const probe = probeWebgpu();
test('layer-major on a real WebGPU adapter equals the wasm core (spikes, counts; logits within 1e-6)', (t) => {
  if (!probe.available) {
    t.skip(`no WebGPU adapter: ${probe.why}`);
    return;
  }
  for (const [i, [zoo, o]] of CASES.entries()) {
    const spec = zooModel(zoo, o),
      w = foldWeights(spec, randomWeights(spec, { seed: 300 + i, quantize256: true }));
    const inputs = inputsFor(spec, 400 + i, 5);
    const cpu = simulate(spec, w, inputs, { core: new WasmCore(), batchCoupling: 'independent' });
    const core = new WebgpuCore();
    const gpu = simulateLayerMajor(spec, w, inputs, core, { batchSize: 4 });
    core.dispose();
    for (const [name, rows] of cpu.sink.spikesPerSample) assert.deepEqual(gpu.sink.spikesPerSample.get(name), rows, name);
    cpu.logits.forEach((row, b) => row.forEach((v, k) => assert.ok(Math.abs(gpu.logits[b]![k]! - v) <= 1e-6 * Math.max(1, Math.abs(v)))));
  }
});

test("runSamples' layer-major path (a batching core): one flush per layer and step per batch, the time-major results", async () => {
  const { runLayerMajor, runSamples } = await import('../../../src/sim/schedule/parallel.js');
  const spec = zooModel('qkformer-cifar10', { embedDims: 32, depths: 2, imgSize: 8, timesteps: 2, heads: 2 });
  const folded = foldWeights(spec, randomWeights(spec, { seed: 5 }));
  const r = mulberry32(3);
  const xs = Array.from({ length: 5 }, () => new Float32Array(numel(spec.inputShape)).map(() => 2 * r() - 1));
  const o = { core: 'reference' as const, batchCoupling: 'independent' as const, batchSize: 2, workers: 1 };
  const want = await runSamples(spec, folded, xs.length, (i) => xs[i]!, o);
  const core = new DeferringReference();
  const got = await runLayerMajor(spec, folded, xs.length, (i) => xs[i]!, o, core);
  assert.deepEqual(got.logits, want.logits);
  assert.deepEqual([...got.sink.spikesPerSample], [...want.sink.spikesPerSample]);
  assert.deepEqual(got.sink.counts, want.sink.counts);
  const convs = spec.layers.filter((l) => l.kind === 'conv').length;
  assert.equal(core.flushes, convs * spec.config.timesteps * Math.ceil(xs.length / 2));
});
