import { constants as zlibConstants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseJsonWith } from '../json.js';
import type { LayerKind } from '../models/spec.js';
import type { LayerCounts } from '../sim/counts.js';
import { NUM_OP_KINDS, OP_KINDS } from '../sim/ops.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from './record.js';

/**
 * `counts.json`: the run record as a file. Counts are integers summed over the run's samples (not per inference):
 * JSON numbers while exact in a double (below 2^53), else their decimal digits. Per-neuron spikes travel as
 * little-endian uint32 arrays, deflated and base64-encoded (`u32le.deflate.b64`): a full-size model's
 * 2.4 M neurons x T would be tens of megabytes as JSON numbers.
 */

const int = z.number().int();
const nonneg = int.nonnegative();
const exactCount = z.union([nonneg.max(Number.MAX_SAFE_INTEGER), z.string().regex(/^[0-9]{1,40}$/)]);
const positive = int.positive();

/** Per-neuron spike counts as uint32 little-endian, deflated, base64. */
export const neuronSpikesSchema = z.strictObject({ encoding: z.literal('u32le.deflate.b64'), data: z.string() });

const layerSchema = z.strictObject({
  name: z.string(),
  kind: z.string(),
  /** Output shape [c, h, w] (tokens h x w, channels c; addresses are token-major [n][c]). */
  out: z.tuple([positive, positive, positive]),
  inputElements: nonneg,
  outputElements: nonneg,
  inputBinary: z.boolean(),
  inputIsEvents: z.boolean(),
  /** [t * op kinds + op], op kinds in the order of `opKinds`. */
  ops: z.array(exactCount),
  inputEvents: z.array(exactCount),
  inputUnitSpikes: z.array(exactCount),
  outputSpikes: z.array(exactCount),
  /** Per-neuron unit spikes, [t * outputElements + address], summed over samples. */
  neuronSpikes: neuronSpikesSchema.nullable(),
});

const overridesSchema = z.strictObject({
  embedDims: positive.optional(),
  depths: positive.optional(),
  heads: positive.optional(),
  mlpRatio: z.number().positive().optional(),
  timesteps: positive.optional(),
  imgSize: positive.optional(),
  inChannels: positive.optional(),
  numClasses: positive.optional(),
  attention: z.array(z.enum(['qkta', 'qkca', 'ssa'])).optional(),
  speds: z.boolean().optional(),
});

export const runRecordSchema = z.strictObject({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  kind: z.literal('spikewatt-run-record'),
  spikewattVersion: z.string(),
  model: z.strictObject({
    name: z.string(),
    config: z.strictObject({
      family: z.string(),
      embedDims: positive,
      depths: nonneg,
      heads: z.array(positive),
      mlpRatio: z.number().positive(),
      timesteps: positive,
      imgSize: positive,
      inChannels: positive,
      numClasses: positive,
      attention: z.array(z.string()),
      speds: z.boolean(),
      input: z.string(),
      stageDims: z.array(positive).optional(),
    }),
    arg: z.string(),
    overrides: overridesSchema,
    weights: z.string(),
    detected: z.string().optional(),
    graph: z.unknown().optional(),
  }),
  weights: z.strictObject({
    file: z.string().nullable(),
    fileSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    tensorsSha256: z.string().regex(/^[0-9a-f]{64}$/),
    connections: z.array(z.strictObject({ module: z.string(), zeros: nonneg, weights: nonneg })).optional(),
  }),
  input: z.strictObject({
    spec: z.string(),
    name: z.string(),
    source: z.string(),
    split: z.string(),
    kind: z.string(),
    numClasses: positive,
    sampleShape: z.array(nonneg),
    seed: int,
  }),
  run: z.strictObject({
    samples: positive,
    first: nonneg,
    end: nonneg,
    timesteps: positive,
    core: z.string(),
    batchCoupling: z.string(),
    batchSize: positive,
    command: z.string().nullable(),
    notes: z.array(z.string()),
  }),
  pricing: z.strictObject({ hardware: z.array(z.string()), conventions: z.array(z.string()), allowUnpriced: z.boolean() }),
  shard: z.strictObject({ index: nonneg, count: positive }).nullable(),
  /** Op kinds in the order of every `ops` array. */
  opKinds: z.array(z.string()),
  predictions: z.array(z.strictObject({ sample: nonneg, label: nonneg, top5: z.array(nonneg) })),
  layers: z.array(layerSchema),
});

export type RunRecordFile = z.infer<typeof runRecordSchema>;

/** A counts.json that does not parse, or does not hold one consistent run: one line naming the first problem. */
export class RecordFileError extends InputError {
  override name = 'RecordFileError';
}

const exact = (v: number): number | string => (Number.isSafeInteger(v) ? v : BigInt(Math.round(v)).toString());

export function encodeNeurons(ns: Uint32Array): { encoding: 'u32le.deflate.b64'; data: string } {
  // NOTE: uint32 little-endian on every platform Node runs on today; checked, not assumed
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('big-endian hosts are not supported');
  const bytes = new Uint8Array(ns.buffer, ns.byteOffset, ns.byteLength);
  // NOTE: run-length matches only (Z_RLE): small counts, long zero runs. On the full-size CIFAR10 model (49 MB of
  // uint32 over 32 samples) 0.16 s for 7.1 MB against 2.2 s for 6.2 MB at level 6; any deflate decoder reads it.
  return { encoding: 'u32le.deflate.b64', data: deflateRawSync(bytes, { strategy: zlibConstants.Z_RLE }).toString('base64') };
}

export function decodeNeurons(data: string, length: number, what: string): Uint32Array {
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(data, 'base64'));
  } catch {
    throw new RecordFileError(`${what}: neuronSpikes does not inflate (damaged data)`);
  }
  if (bytes.length !== length * 4) throw new RecordFileError(`${what}: neuronSpikes holds ${bytes.length / 4} values, expected ${length}`);
  const out = new Uint32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The serialised record: stable key order, one trailing newline. */
export function recordJson(r: RunRecord): string {
  const file: RunRecordFile = {
    schemaVersion: r.schemaVersion,
    kind: r.kind,
    spikewattVersion: r.spikewattVersion,
    model: r.model,
    weights: r.weights,
    input: r.input,
    run: r.run,
    pricing: r.pricing,
    shard: r.shard,
    opKinds: [...OP_KINDS],
    predictions: r.predictions,
    layers: r.counts.layers.map((l, i) => {
      const out = r.outShapes[i];
      if (!out) throw new Error(`no shape for layer ${l.name}`);
      return {
        name: l.name,
        kind: l.kind,
        out: [...out],
        inputElements: l.inputElements,
        outputElements: l.outputElements,
        inputBinary: l.inputBinary,
        inputIsEvents: l.inputIsEvents,
        ops: Array.from(l.ops, exact),
        inputEvents: Array.from(l.inputEvents, exact),
        inputUnitSpikes: Array.from(l.inputUnitSpikes, exact),
        outputSpikes: Array.from(l.outputSpikes, exact),
        neuronSpikes: l.neuronSpikes ? encodeNeurons(l.neuronSpikes) : null,
      };
    }),
  };
  return `${JSON.stringify(file)}\n`;
}

/** Reads counts.json: the schema, then the record's own consistency (lengths, slice, predictions). */
export function parseRecord(text: string, file: string): RunRecord {
  const fail = (pointer: string, reason: string) =>
    new RecordFileError(pointer === '/' ? `${file}: ${reason}` : `${file}: ${pointer}: ${reason}`);
  const f = parseJsonWith(runRecordSchema, text, fail, (raw) => {
    const o = raw as { kind?: unknown; schemaVersion?: unknown } | null;
    if (o?.kind === 'spikewatt-profile') {
      throw new RecordFileError(`${file}: a profile.json, not a run record: give the counts.json written beside it`);
    }
    if (o?.schemaVersion !== RUN_RECORD_SCHEMA_VERSION) {
      throw new RecordFileError(
        `${file}: schemaVersion ${JSON.stringify(o?.schemaVersion)} is not ${RUN_RECORD_SCHEMA_VERSION} (not a spikewatt counts.json, or from another version)`,
      );
    }
  });
  if (f.opKinds.join() !== OP_KINDS.join())
    throw new RecordFileError(`${file}: /opKinds: ${f.opKinds.join(',')} is not ${OP_KINDS.join(',')}`);
  const T = f.run.timesteps;
  const n = f.run.end - f.run.first;
  if (f.run.end > f.run.samples || n < 1)
    throw new RecordFileError(`${file}: /run: slice ${f.run.first}..${f.run.end} of ${f.run.samples} samples`);
  if (f.predictions.length !== n || f.predictions.some((p, i) => p.sample !== f.run.first + i)) {
    throw new RecordFileError(`${file}: /predictions: expected one per sample ${f.run.first}..${f.run.end - 1} in order`);
  }
  const layers: LayerCounts[] = f.layers.map((l, i) => {
    const what = `${file}: /layers/${i} (${l.name})`;
    const vec = (v: readonly (number | string)[], len: number, field: string) => {
      if (v.length !== len) throw new RecordFileError(`${what}: ${field} has ${v.length} values, expected ${len}`);
      return Float64Array.from(v, Number);
    };
    if (l.out[0] * l.out[1] * l.out[2] !== l.outputElements)
      throw new RecordFileError(`${what}: out ${l.out.join('x')} is not ${l.outputElements} elements`);
    return {
      name: l.name,
      kind: l.kind as LayerKind,
      ops: vec(l.ops, T * NUM_OP_KINDS, 'ops'),
      inputEvents: vec(l.inputEvents, T, 'inputEvents'),
      inputUnitSpikes: vec(l.inputUnitSpikes, T, 'inputUnitSpikes'),
      outputSpikes: vec(l.outputSpikes, T, 'outputSpikes'),
      inputElements: l.inputElements,
      outputElements: l.outputElements,
      inputBinary: l.inputBinary,
      inputIsEvents: l.inputIsEvents,
      ...(l.neuronSpikes ? { neuronSpikes: decodeNeurons(l.neuronSpikes.data, T * l.outputElements, what) } : {}),
    };
  });
  return {
    schemaVersion: f.schemaVersion,
    kind: f.kind,
    spikewattVersion: f.spikewattVersion,
    model: f.model as RunRecord['model'],
    weights: f.weights as RunRecord['weights'],
    input: f.input,
    run: f.run,
    pricing: f.pricing,
    shard: f.shard,
    predictions: f.predictions,
    counts: { model: f.model.name, timesteps: T, samples: n, layers },
    outShapes: f.layers.map((l) => [...l.out]),
  };
}
