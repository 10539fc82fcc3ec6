import { workerData, parentPort } from 'node:worker_threads';
import type { ConvGeometry, DeviceReply, DeviceRequest, DeviceWorkerData } from './protocol.js';
import { CONV_WGSL, WORKGROUP } from './shaders.js';

/**
 * The webgpu core's device worker: owns the Dawn adapter and device, keeps every layer's weights in device buffers
 * from `prepare` until `dispose`, and answers each `conv` with one dispatch and one readback. It exists because
 * WebGPU readback (mapAsync) is asynchronous while ComputeCore is synchronous: the core blocks in Atomics.wait,
 * this thread's event loop runs Dawn's callbacks.
 */
const data = workerData as DeviceWorkerData;

interface Layer {
  g: ConvGeometry;
  total: number;
  nIn: number;
  groupsX: number;
  groupsY: number;
  /** Uniform blocks for hasLo = 0 (integer event maps) and 1 (real inputs); weights hi, lo: made once, kept. */
  params: GPUBuffer[];
  w: GPUBuffer[];
  /** Per-dispatch buffers for `capacity` samples, grown when a larger batch comes. */
  capacity: number;
  x: GPUBuffer[];
  sc: GPUBuffer | null;
  staging: GPUBuffer | null;
  bind: GPUBindGroup[];
  /** Whether a dispatch of this layer has passed validation (checked once per capacity and input kind). */
  checked: { events: boolean; dense: boolean };
}

function reply(m: DeviceReply, transfer: ArrayBuffer[] = []): void {
  data.reply.postMessage(m, transfer);
  Atomics.store(data.flag, 0, 1);
  Atomics.notify(data.flag, 0);
}

/**
 * NOTE: the Dawn instance and adapter must stay reachable while the device lives: once garbage-collected, Dawn's
 * event processing touches a freed instance and the process crashes. `open` returns them for that reason.
 */
interface Opened {
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  pipeline: GPUComputePipeline;
}

async function open(): Promise<Opened | null> {
  let gpu: GPU;
  try {
    const mod = (await import('webgpu')) as { create(flags: string[]): GPU; globals: object };
    Object.assign(globalThis, mod.globals);
    gpu = mod.create(data.flags);
  } catch (e) {
    reply({ kind: 'unavailable', why: `the webgpu (Dawn) add-on does not load: ${String((e as Error).message).split('\n')[0]}` });
    return null;
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    reply({ kind: 'unavailable', why: 'Dawn found no adapter (see docs/gpu.md)' });
    return null;
  }
  const lim = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize, maxBufferSize: lim.maxBufferSize },
  });
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: CONV_WGSL });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const err = await device.popErrorScope();
  if (err) {
    reply({ kind: 'unavailable', why: `the conv kernel does not compile on this adapter: ${err.message.split('\n')[0]}` });
    return null;
  }
  const i = adapter.info;
  reply({ kind: 'ready', adapter: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description } });
  return { gpu, adapter, device, pipeline };
}

const opened = await open();
if (opened) serve(opened);

function serve(opened: Opened): void {
  const { device, pipeline } = opened;
  const layers = new Map<string, Layer>();
  const S = GPUBufferUsage.STORAGE,
    D = GPUBufferUsage.COPY_DST;
  const buffer = (bytes: number, usage: number): GPUBuffer => device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });

  /** Runs `f` in a validation error scope: WebGPU reports validation errors asynchronously, not as exceptions. */
  async function validated<T>(what: string, f: () => T): Promise<T> {
    device.pushErrorScope('validation');
    const r = f();
    const err = await device.popErrorScope();
    if (err) throw new Error(`${what}: ${err.message.split('\n')[0]}`);
    return r;
  }

  function prepare(name: string, g: ConvGeometry, wHi: Float32Array<ArrayBuffer>, wLo: Float32Array<ArrayBuffer>): void {
    const total = g.outH * g.outW * g.outC,
      groups = Math.ceil(total / WORKGROUP),
      nIn = g.inH * g.inW * g.inC;
    // 2-D grid when one row would exceed the 65535-workgroup limit: i = gid.x + gid.y * rowStride; z = sample
    const groupsX = Math.min(groups, 65535),
      groupsY = Math.ceil(groups / groupsX);
    const params = [0, 1].map((hasLo) => {
      const u = buffer(48, GPUBufferUsage.UNIFORM | D);
      device.queue.writeBuffer(
        u,
        0,
        new Uint32Array([g.outC, g.inC, g.k, g.stride, g.pad, g.inH, g.inW, g.outW, total, hasLo, groupsX * WORKGROUP, nIn]),
      );
      return u;
    });
    const w = [wHi, wLo].map((a) => {
      const b = buffer(a.byteLength, S | D);
      device.queue.writeBuffer(b, 0, a);
      return b;
    });
    const old = layers.get(name);
    if (old) release(old);
    layers.set(name, {
      g,
      total,
      nIn,
      groupsX,
      groupsY,
      params,
      w,
      capacity: 0,
      x: [],
      sc: null,
      staging: null,
      bind: [],
      checked: { events: false, dense: false },
    });
  }

  function release(l: Layer): void {
    for (const b of [...l.params, ...l.w, ...l.x, l.sc, l.staging]) b?.destroy();
  }

  /** Input, output and readback buffers for `count` samples; bind groups [events, dense]. */
  function ensure(l: Layer, count: number): void {
    if (count <= l.capacity) return;
    for (const b of [...l.x, l.sc, l.staging]) b?.destroy();
    l.capacity = count;
    l.x = [0, 1].map(() => buffer(count * l.nIn * 4, S | D));
    const sc = (l.sc = buffer(count * l.total * 8, S | GPUBufferUsage.COPY_SRC));
    l.staging = buffer(count * l.total * 8, GPUBufferUsage.MAP_READ | D);
    // event maps have no lo part: the hi buffer is bound in its place and never read (hasLo = 0)
    l.bind = [0, 1].map((hasLo) =>
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [l.params[hasLo]!, l.w[0]!, l.w[1]!, l.x[0]!, l.x[hasLo]!, sc].map((b, binding) => ({ binding, resource: { buffer: b } })),
      }),
    );
    l.checked = { events: false, dense: false };
  }

  async function conv(
    name: string,
    count: number,
    xHi: Float32Array<ArrayBuffer>,
    xLo: Float32Array<ArrayBuffer> | null,
  ): Promise<Float32Array<ArrayBuffer>> {
    const l = layers.get(name);
    if (!l) throw new Error(`conv ${name} was not prepared`);
    if (xHi.length !== count * l.nIn || (xLo && xLo.length !== count * l.nIn))
      throw new Error(`conv ${name}: ${xHi.length} inputs for ${count} maps of ${l.nIn}`);
    const bytes = count * l.total * 8;
    const submit = (): void => {
      ensure(l, count);
      device.queue.writeBuffer(l.x[0]!, 0, xHi);
      if (xLo) device.queue.writeBuffer(l.x[1]!, 0, xLo);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, l.bind[xLo ? 1 : 0]!);
      pass.dispatchWorkgroups(l.groupsX, l.groupsY, count);
      pass.end();
      enc.copyBufferToBuffer(l.sc!, 0, l.staging!, 0, bytes);
      device.queue.submit([enc.finish()]);
    };
    const kind = xLo ? 'dense' : 'events';
    if (l.checked[kind] && count <= l.capacity) submit();
    else {
      await validated(`conv ${name} (${kind}, ${count} maps)`, submit);
      l.checked[kind] = true;
    }
    const staging = l.staging!;
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const sc = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    return sc;
  }

  parentPort!.on('message', (m: DeviceRequest) => {
    void (async (): Promise<void> => {
      try {
        switch (m.kind) {
          case 'prepare':
            await validated(`prepare ${m.layer}`, () => prepare(m.layer, m.geometry, m.wHi, m.wLo));
            reply({ kind: 'prepared' });
            break;
          case 'conv': {
            const sc = await conv(m.layer, m.count, m.xHi, m.xLo);
            reply({ kind: 'conv', sc }, [sc.buffer as ArrayBuffer]);
            break;
          }
          case 'dispose':
            for (const l of layers.values()) release(l);
            layers.clear();
            device.destroy();
            reply({ kind: 'disposed' });
            break;
          default: {
            const never: never = m;
            throw new Error(`unknown request ${JSON.stringify(never)}`);
          }
        }
      } catch (e) {
        reply({ kind: 'error', message: (e as Error).message.split('\n')[0] ?? 'error' });
      }
    })();
  });
}
