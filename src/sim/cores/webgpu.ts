import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ConvLayer } from '../../models/spec.js';
import type { FoldedConv } from '../../models/fold.js';
import type { EventBuffer } from '../events.js';
import { splitInto } from './gpujs/split.js';
import { lifStepF64, relayoutWeights } from './reference.js';
import { CoreUnavailableError } from './unavailable.js';
import type { AdapterInfo, DeviceReply, DeviceRequest, DeviceWorkerData } from './webgpu/protocol.js';
import type { ProbeReply } from './webgpu/probe.js';
import type { DeferringCore } from '../schedule/layer-major.js';

/**
 * The webgpu core: conv layers as one WGSL gather kernel (webgpu/shaders.ts) on a WebGPU device through Dawn's Node
 * bindings (npm `webgpu`, Vulkan on Linux). Weights are uploaded once per layer in `prepareConv` (split into
 * float32 hi/lo) and stay on the device for every step and sample; a call uploads only the input map and reads
 * back the (s, c) pairs, which are added into the float64 accumulators as s + c.
 *
 * Synchronous over an asynchronous API: ComputeCore calls are synchronous, WebGPU readback (mapAsync) is not. The
 * device lives in a worker thread (webgpu/device-worker.ts); each call posts one request and blocks in
 * Atomics.wait until the worker has replied on a MessagePort, read with receiveMessageOnPort. Cost: one GPU
 * round trip per conv call (per layer, step and sample) under the time-major Simulator. The layer-major scheduler
 * (src/sim/schedule/layer-major.ts) defers the convs of a whole batch (`deferConvs`, `flush`): one dispatch and one round
 * trip per layer and step for B samples. The LIF step stays on the host in float64, exactly the reference's
 * arithmetic (3 flops per neuron; moving v and x would cost more than it saves).
 */
/** Recorded input maps of one conv layer: `count` of `capacity` slots of `n` values, hi and lo parts. */
interface Maps {
  n: number;
  capacity: number;
  count: number;
  dense: boolean;
  hi: Float32Array<ArrayBuffer>;
  lo: Float32Array<ArrayBuffer>;
}

export class WebgpuCore implements DeferringCore {
  readonly name = 'webgpu';
  readonly adapter: AdapterInfo;
  private readonly link: DeviceLink;
  /** Per conv layer: the input maps recorded since the last flush (one when immediate). */
  private readonly pending = new Map<string, Maps>();
  private deferring = false;

  /** `flags`: Dawn instance toggles, e.g. `['backend=null']` to validate the kernel with no GPU (results are zeros). */
  constructor(flags: string[] = dawnFlags()) {
    const p = probeWebgpu(flags);
    if (!p.available) throw new CoreUnavailableError(`no WebGPU adapter: ${p.why}`);
    const { link, first } = DeviceLink.open(flags);
    if (first.kind !== 'ready') {
      link.kill();
      throw new CoreUnavailableError(
        `no WebGPU adapter: ${first.kind === 'unavailable' ? first.why : `device worker: ${first.kind === 'error' ? first.message : first.kind}`}`,
      );
    }
    this.link = link;
    this.adapter = first.adapter;
  }

  prepareConv(layer: ConvLayer, w: FoldedConv): void {
    const { k } = layer,
      inC = layer.in.c,
      outC = layer.out.c;
    // [outC][inC][ky][kx] -> [ky][kx][c][o]: adjacent invocations (adjacent o) read adjacent weights
    const relaid = relayoutWeights(layer, w, (o, c, ky, kx) => ((ky * k + kx) * inC + c) * outC + o);
    const wHi = new Float32Array(relaid.length),
      wLo = new Float32Array(relaid.length);
    splitInto(relaid, wHi, wLo);
    const geometry = {
      outC,
      inC,
      k,
      stride: layer.stride,
      pad: layer.pad,
      inH: layer.in.h,
      inW: layer.in.w,
      outH: layer.out.h,
      outW: layer.out.w,
    };
    this.link.call({ kind: 'prepare', layer: layer.name, geometry, wHi, wLo }, 'prepared');
    const n = layer.in.h * layer.in.w * inC;
    this.pending.set(layer.name, { n, capacity: 1, count: 0, dense: false, hi: new Float32Array(n), lo: new Float32Array(n) });
  }

  private maps(layer: ConvLayer): Maps {
    const m = this.pending.get(layer.name);
    if (!m) throw new Error(`conv ${layer.name} was not prepared`);
    return m;
  }

  /** Where the next input map of `layer` goes: slot 0 when immediate, the next free slot when deferring. */
  private slot(m: Maps): number {
    if (!this.deferring) m.count = 0;
    if (m.count === m.capacity) {
      const cap = 2 * m.capacity,
        hi = new Float32Array(cap * m.n),
        lo = new Float32Array(cap * m.n);
      hi.set(m.hi);
      lo.set(m.lo);
      Object.assign(m, { hi, lo, capacity: cap });
    }
    return m.count++;
  }

  convEvents(layer: ConvLayer, ev: EventBuffer, acc: Float64Array): void {
    // the event list as a dense multiplicity map (integers < 4096 are exact hi parts; no lo part)
    const m = this.maps(layer),
      b = this.slot(m),
      hi = m.hi.subarray(b * m.n, (b + 1) * m.n);
    hi.fill(0);
    m.lo.fill(0, b * m.n, (b + 1) * m.n);
    for (let i = 0; i < ev.count; i++) hi[ev.addr[i]!] = ev.mult[i]!;
    if (!this.deferring) this.flush(layer, [acc]);
  }

  convDense(layer: ConvLayer, x: Float64Array, acc: Float64Array): void {
    const m = this.maps(layer),
      b = this.slot(m);
    splitInto(x, m.hi.subarray(b * m.n, (b + 1) * m.n), m.lo.subarray(b * m.n, (b + 1) * m.n));
    m.dense = true;
    if (!this.deferring) this.flush(layer, [acc]);
  }

  deferConvs(on: boolean): void {
    this.deferring = on;
  }

  /** One dispatch over the recorded maps of `layer`: targets[b][i] += s + c of map b, in float64. */
  flush(layer: ConvLayer, targets: Float64Array[]): void {
    const m = this.maps(layer),
      count = m.count,
      total = layer.out.h * layer.out.w * layer.out.c;
    if (targets.length !== count) throw new Error(`conv ${layer.name}: ${targets.length} targets for ${count} recorded convs`);
    if (count === 0) return;
    const xHi = m.hi.slice(0, count * m.n),
      xLo = m.dense ? m.lo.slice(0, count * m.n) : null;
    m.count = 0;
    m.dense = false;
    const { sc } = this.link.call({ kind: 'conv', layer: layer.name, count, xHi, xLo }, 'conv');
    if (sc.length !== 2 * total * count)
      throw new Error(`conv ${layer.name}: device returned ${sc.length} values for ${count} x ${total} outputs`);
    targets.forEach((acc, b) => {
      const s0 = 2 * total * b,
        c0 = s0 + total;
      for (let i = 0; i < total; i++) acc[i]! += sc[s0 + i]! + sc[c0 + i]!;
    });
  }

  lifStep(v: Float64Array, x: Float64Array, vThreshold: number, out: EventBuffer): void {
    lifStepF64(v, x, vThreshold, out);
  }

  dispose(): void {
    this.link.close();
    this.pending.clear();
  }
}

/** Dawn toggles from SPIKEWATT_DAWN_FLAGS (space-separated, e.g. `backend=vulkan`); none by default. */
export function dawnFlags(): string[] {
  return (process.env.SPIKEWATT_DAWN_FLAGS ?? '').split(/\s+/).filter((f) => f.length > 0);
}

export type WebgpuProbe = ProbeReply;
const probed = new Map<string, WebgpuProbe>();

const FROM_SOURCE = new URL(import.meta.url).pathname.endsWith('.ts');
/** Seconds the probe process may take (Dawn enumerates every Vulkan device). */
const PROBE_TIMEOUT_S = 60;

/** Whether the webgpu core can run here, and on which adapter: asks a probe process (webgpu/probe.ts), once per thread. */
export function probeWebgpu(flags: string[] = dawnFlags()): WebgpuProbe {
  const key = flags.join(' ');
  const known = probed.get(key);
  if (known) return known;
  const script = fileURLToPath(new URL(FROM_SOURCE ? './webgpu/probe.ts' : './webgpu/probe.js', import.meta.url));
  const loader = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];
  const r = spawnSync(process.execPath, [...loader, script, ...flags], { encoding: 'utf8', timeout: PROBE_TIMEOUT_S * 1000 });
  let p: WebgpuProbe;
  try {
    p = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as WebgpuProbe;
  } catch {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`;
    p = { available: false, why: `the adapter probe failed (${why})` };
  }
  probed.set(key, p);
  return p;
}

export function describeAdapter(a: AdapterInfo): string {
  return [a.vendor, a.architecture, a.device, a.description].filter((s) => s.length > 0).join(' / ') || 'unnamed adapter';
}

// NOTE: FROM_SOURCE tests the pathname, not the URL: inside a tsx-loaded worker the URL carries ?tsx-namespace=...
const WORKER_URL = new URL(FROM_SOURCE ? './webgpu/device-worker-from-source.mjs' : './webgpu/device-worker.js', import.meta.url);
/** Seconds a device call may take before the core gives up (device lost, worker crashed). */
const CALL_TIMEOUT_S = 120;

/** The synchronous end of the device worker: post one request, block until its one reply. */
class DeviceLink {
  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
  ) {}

  static open(flags: string[]): { link: DeviceLink; first: DeviceReply } {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const init: DeviceWorkerData = { flags, flag, reply: port2 };
    const worker = new Worker(WORKER_URL, { workerData: init, transferList: [port2] });
    worker.unref();
    const link = new DeviceLink(worker, port1, flag);
    return { link, first: link.await() };
  }

  private await(): DeviceReply {
    const deadline = Date.now() + CALL_TIMEOUT_S * 1000;
    for (;;) {
      // short waits so that a worker that died (no reply ever) is noticed via the deadline, not a hang
      Atomics.wait(this.flag, 0, 0, 1000);
      const m = receiveMessageOnPort(this.port);
      if (m) {
        Atomics.store(this.flag, 0, 0);
        return m.message as DeviceReply;
      }
      if (Date.now() > deadline) throw new Error(`webgpu device worker did not answer within ${CALL_TIMEOUT_S} s`);
    }
  }

  call<K extends DeviceReply['kind']>(req: DeviceRequest, want: K): Extract<DeviceReply, { kind: K }> {
    this.worker.postMessage(req);
    const r = this.await();
    if (r.kind === 'error') throw new Error(`webgpu: ${r.message}`);
    if (r.kind !== want) throw new Error(`webgpu: expected a '${want}' reply, got '${r.kind}'`);
    return r as Extract<DeviceReply, { kind: K }>;
  }

  /** Releases the device (buffers, then the device itself) before the thread goes. */
  close(): void {
    try {
      this.call({ kind: 'dispose' }, 'disposed');
    } catch {
      /* a worker that is gone has nothing to release */
    }
    this.kill();
  }

  /** Ends the thread; only safe once no device is open in it (after `dispose`, or when none was opened). */
  kill(): void {
    void this.worker.terminate();
    this.port.close();
  }
}
