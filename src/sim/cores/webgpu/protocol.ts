import type { MessagePort } from 'node:worker_threads';

/**
 * Messages between the webgpu core (the simulation's thread, synchronous) and its device worker (the thread that
 * owns the Dawn GPUDevice and awaits mapAsync). Each request gets exactly one reply on the reply port, after which
 * the worker sets the shared flag and notifies; the core blocks in Atomics.wait meanwhile.
 */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** Geometry of one conv layer, token-major input `[nIn][inC]`, output `[nOut][outC]`. */
export interface ConvGeometry {
  outC: number;
  inC: number;
  k: number;
  stride: number;
  pad: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
}

export type DeviceRequest =
  /** Weights re-laid out `[ky][kx][c][o]` and split into float32 hi/lo; uploaded once and kept on the device. */
  | { kind: 'prepare'; layer: string; geometry: ConvGeometry; wHi: Float32Array<ArrayBuffer>; wLo: Float32Array<ArrayBuffer> }
  /**
   * `count` samples' convs of one layer in one dispatch: input maps `[count][nIn]`, hi part and lo part (null when
   * every map is integer event multiplicities).
   */
  | { kind: 'conv'; layer: string; count: number; xHi: Float32Array<ArrayBuffer>; xLo: Float32Array<ArrayBuffer> | null }
  | { kind: 'dispose' };

export type DeviceReply =
  | { kind: 'ready'; adapter: AdapterInfo }
  | { kind: 'unavailable'; why: string }
  | { kind: 'prepared' }
  /** Sample b: `sc[b*2*total + i]` = float32 sum s, `sc[b*2*total + total + i]` = its compensation c; the sum is s + c. */
  | { kind: 'conv'; sc: Float32Array<ArrayBuffer> }
  | { kind: 'disposed' }
  | { kind: 'error'; message: string };

export interface DeviceWorkerData {
  flags: string[];
  flag: Int32Array;
  reply: MessagePort;
}
