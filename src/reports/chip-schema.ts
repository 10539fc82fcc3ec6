import { z } from 'zod';

/**
 * The chip model's result in `profile.json` (one per priced profile with an architecture; src/chip/types.ts is the
 * producer's type). Counts and energies are per inference; latencies in ns; a null value is "not estimated" and its
 * `missing` names the coefficients it needs.
 */
const num = z.number().finite();
const part = z.strictObject({ value: num.nullable(), missing: z.array(z.string()) });
const limitRecord = z.strictObject({
  neurons: num.nullable(),
  synapseMemory: num.nullable(),
  inputAxons: num.nullable(),
  outputAxons: num.nullable(),
});
const limitName = z.enum(['neurons', 'synapseMemory', 'inputAxons', 'outputAxons']);
const sharing = z.enum(['none', 'per-core']);

export const chipLayerSchema = z.strictObject({
  layer: z.string(),
  kind: z.enum(['conv', 'headSum', 'tokenSum', 'mask', 'pool', 'relay']),
  synaptic: z.array(z.string()),
  neurons: num,
  fanIn: num,
  coresByLimit: limitRecord,
  binding: limitName.nullable(),
  neuronsPerCore: num,
  cores: num,
  firstCore: num,
  firstChip: num,
  lastChip: num,
  neuronUtilisation: num.nullable(),
  synapseMemoryUtilisation: num.nullable(),
  spikes: num,
  messages: num,
  hops: num.nullable(),
  synapseEvents: num,
});

/** Traffic per inference (ChipTraffic): a step's, and the totals over the steps. */
const traffic = {
  messages: num,
  hopsEastWest: num.nullable(),
  hopsNorthSouth: num.nullable(),
  chipCrossings: num.nullable(),
  synapseEvents: num,
  spikes: num,
};

export const chipStepSchema = z.strictObject({
  t: num,
  ...traffic,
  messagesToProcessor: num,
  messagesFromProcessor: num,
  busiestCore: z.strictObject({ core: num, sendNs: num, receiveNs: num }).nullable(),
  coreNs: num.nullable(),
  processorNs: num.nullable(),
  syncNs: num.nullable(),
  latencyNs: num.nullable(),
  linkBoundNs: num.nullable(),
  energyPj: z.strictObject({ synapse: num.nullable(), neuron: num.nullable(), network: num.nullable(), processor: num.nullable() }),
});

const chipMappedSchema = z.strictObject({
  mapped: z.literal(true),
  profile: z.string(),
  weightSharing: sharing,
  placementRule: z.string(),
  timingRule: z.string(),
  cores: num,
  chips: num,
  tiles: num.nullable(),
  coresPerChip: num,
  neurons: num,
  splitterNeurons: num,
  splitterCores: num,
  layers: z.array(chipLayerSchema),
  processor: z.strictObject({
    name: z.string(),
    layers: z.array(z.strictObject({ layer: z.string(), kind: z.string(), reason: z.string(), ops: z.record(z.string(), num) })),
    messagesIn: num,
    messagesOut: num,
  }),
  steps: z.array(chipStepSchema),
  totals: z.strictObject(traffic),
  latency: z.strictObject({ stepNs: part, imageNs: part, imagesPerSecond: part, depthSteps: num, notes: z.array(z.string()) }),
  energy: z.strictObject({
    synapse: part,
    neuron: part,
    network: part,
    processor: part,
    static: part,
    active: part,
    total: part,
    complete: z.boolean(),
  }),
  tileLoad: z.strictObject({ widthTiles: num, heightTiles: num, events: z.array(num) }).nullable(),
  spikeSource: z.enum(['per-neuron counts', 'layer totals spread evenly']),
  notes: z.array(z.string()),
});

const chipRefusedSchema = z.strictObject({ mapped: z.literal(false), profile: z.string(), weightSharing: sharing, reason: z.string() });

export const chipReportSchema = z.discriminatedUnion('mapped', [chipMappedSchema, chipRefusedSchema]);
export type ChipReport = z.infer<typeof chipReportSchema>;
