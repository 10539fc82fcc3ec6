import type { Architecture } from '../../src/cost-models/architecture-schema.js';
import type { HardwareProfile } from '../../src/cost-models/profile-schema.js';
import type { LayerSpec, ModelConfig, ModelSpec, Shape3 } from '../../src/models/spec.js';
import type { LayerCounts, OpCounts } from '../../src/sim/counts.js';
import { NUM_OP_KINDS, opIndex, type OpKind } from '../../src/sim/ops.js';

/** Test helpers of the chip model: a hand-built plain network and its counts, a Loihi-like test architecture. */
const src = { provenance: 'fitted' as const, source: 'test' };
const n = (value: number) => ({ value, ...src });
const ev = (energyPj: number, latencyNs: number) => ({ energyPj, latencyNs, ...src });

/** SANA-FE's fitted Loihi unit costs on a 2 x 1 mesh of one-core tiles, sync 600 ns (1 tile) / 1000 ns (2 tiles). */
export function testArchitecture(over: Partial<Architecture['core']> = {}): Architecture {
  return {
    core: { maxNeurons: n(4), ...over },
    chip: { coresPerChip: n(2), coresPerTile: n(1), meshWidthTiles: n(2), meshHeightTiles: n(1), routing: 'xy' },
    events: {
      synapse: ev(35.5, 3.8),
      neuronAccess: ev(51.2, 6.0),
      neuronUpdate: ev(21.6, 3.7),
      spikeOut: ev(69.3, 30.0),
      messageOut: ev(111.0, 5.1),
      messageIn: ev(0.0, 16.0),
      hopEastWest: ev(3.0, 4.1),
      hopNorthSouth: ev(4.2, 6.5),
    },
    sync: {
      byMappedTiles: [
        { tiles: 1, latencyNs: 600 },
        { tiles: 2, latencyNs: 1000 },
      ],
      ...src,
    },
    staticPower: { mw: 100, per: 'chip', ...src },
    processor: {
      name: 'test host',
      description: 'test',
      ops: { mac: ev(4.6, 1), add: ev(0.9, 1), neuronUpdate: ev(6.4, 2), spike: { includedIn: ['memWrite'], ...src } },
    },
  };
}

export function testProfile(architecture: Architecture): HardwareProfile {
  return { schemaVersion: 1, name: 'test-chip', technology: 't', description: 'd', ops: {}, architecture };
}

const shape = (c: number): Shape3 => ({ c, h: 1, w: 1 });
const linear = (name: string, input: string, cin: number, cout: number): LayerSpec => ({
  kind: 'conv',
  op: 'linear',
  name,
  inputs: [input],
  in: shape(cin),
  out: shape(cout),
  k: 1,
  stride: 1,
  pad: 0,
  bias: false,
  bn: null,
});
const lif = (name: string, input: string, c: number): LayerSpec => ({
  kind: 'lif',
  name,
  inputs: [input],
  out: shape(c),
  vThreshold: 1,
  officialTimeAxis: 'time',
});

/**
 * input (4 real values) -> fc0 + lif0 on the processor -> fc1 (4 -> 3) + lif1 -> fc2 (3 -> 2) + lif2 -> mean -> head.
 * With 4 neurons per core, lif1 sits on core 0 (tile (0, 0)) and lif2 on core 1 (tile (1, 0)): adjacent tiles.
 */
export function plainNetwork(): ModelSpec {
  const config: ModelConfig = {
    family: 'spikformer-cifar',
    embedDims: 2,
    depths: 1,
    heads: [1],
    mlpRatio: 1,
    timesteps: 2,
    imgSize: 1,
    inChannels: 4,
    numClasses: 2,
    attention: ['ssa'],
    speds: false,
    input: 'static',
  };
  return {
    name: 'plain',
    config,
    inputShape: shape(4),
    stateKeys: [],
    layers: [
      linear('fc0', 'input', 4, 4),
      lif('lif0', 'fc0', 4),
      linear('fc1', 'lif0', 4, 3),
      lif('lif1', 'fc1', 3),
      linear('fc2', 'lif1', 3, 2),
      lif('lif2', 'fc2', 2),
      { kind: 'tokenMean', name: 'mean', inputs: ['lif2'], out: shape(2) },
      { kind: 'head', name: 'head', inputs: ['mean'], out: shape(2), inFeatures: 2, numClasses: 2 },
    ],
  };
}

/** Counts of one sample, T steps, with per-neuron spikes and some ops set by hand. */
export function handCounts(
  spec: ModelSpec,
  T: number,
  spikes: Record<string, number[][]>,
  ops: Record<string, Partial<Record<OpKind, number[]>>>,
  samples = 1,
): OpCounts {
  const layers: LayerCounts[] = spec.layers.map((l) => {
    const N = l.out.c * l.out.h * l.out.w;
    const lc: LayerCounts = {
      name: l.name,
      kind: l.kind,
      ops: new Float64Array(T * NUM_OP_KINDS),
      inputEvents: new Float64Array(T),
      inputUnitSpikes: new Float64Array(T),
      outputSpikes: new Float64Array(T),
      inputElements: 0,
      outputElements: N,
      inputBinary: true,
      inputIsEvents: true,
    };
    const s = spikes[l.name];
    if (s) {
      lc.neuronSpikes = new Uint32Array(T * N);
      s.forEach((row, t) =>
        row.forEach((v, i) => {
          lc.neuronSpikes![t * N + i] = v;
          lc.outputSpikes[t]! += v;
        }),
      );
    }
    for (const [k, per] of Object.entries(ops[l.name] ?? {})) per!.forEach((v, t) => (lc.ops[t * NUM_OP_KINDS + opIndex(k as OpKind)] = v));
    return lc;
  });
  return { model: spec.name, timesteps: T, samples, layers };
}
