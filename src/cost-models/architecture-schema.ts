import { z } from 'zod';
import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { PROVENANCES } from './provenance.js';

/**
 * The optional `architecture` section of a hardware profile: what the chip model (src/chip) needs to map a network
 * onto neuromorphic cores and to time and price its spike traffic. Pure data, after SANA-FE's architecture
 * description (SLAM-Lab/SANA-FE arch/README.md: tile / core / synapse / soma / axon units, per-event energy and
 * latency) plus the capacities SANA-FE does not check (synapse memory, input and output axons; Davies et al. 2018,
 * nengo-loihi). Every number carries a provenance and a source; an unknown number stays absent and any result that
 * needs it is reported as not estimated, never as zero.
 *
 * Events (one unit each, SANA-FE's semantics):
 *  - synapse: one synapse looked up for one received message (per message x synapse of its list on that core);
 *  - neuronAccess: every mapped neuron, every step (the soma visits all its neurons);
 *  - neuronUpdate: a neuron whose state is updated (input, non-zero potential or bias) in a step;
 *  - spikeOut: a neuron that fires;
 *  - messageOut / messageIn: one message per (firing neuron, distinct destination core), sent and received;
 *  - hopEastWest / hopNorthSouth: one message crossing one tile-to-tile link under XY routing;
 *  - chipCrossing: one message crossing one chip-to-chip link.
 * `includedIn` marks a sourced zero: the event's cost is inside another event's (e.g. TrueNorth's crossbar read).
 */
export const CHIP_EVENTS = [
  'synapse',
  'neuronAccess',
  'neuronUpdate',
  'spikeOut',
  'messageOut',
  'messageIn',
  'hopEastWest',
  'hopNorthSouth',
  'chipCrossing',
] as const;
export type ChipEvent = (typeof CHIP_EVENTS)[number];

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');
const nonNegative = z.number().finite().nonnegative();
const sourced = { provenance: z.enum(PROVENANCES), source: nonEmpty, note: nonEmpty.optional() };

/** A whole positive number with its source (a capacity, a mesh size). */
const count = z.strictObject({ value: z.number().int().positive(), ...sourced });
/** A non-negative quantity with its source. */
const amount = z.strictObject({ value: nonNegative, ...sourced });

/**
 * The cost of one event or processor op: energy and/or time per unit, or `includedIn` others (a sourced zero, never
 * given with a number); `what` names it in the errors.
 */
function unitCost<T extends z.ZodType>(includedIn: T, what: 'event' | 'op') {
  return z
    .strictObject({
      energyPj: nonNegative.optional(),
      latencyNs: nonNegative.optional(),
      includedIn: includedIn.optional(),
      ...sourced,
    })
    .superRefine((e, ctx) => {
      if (e.includedIn !== undefined && (e.energyPj !== undefined || e.latencyNs !== undefined))
        ctx.addIssue({ code: 'custom', message: 'give energyPj / latencyNs, or includedIn, not both' });
      if (e.includedIn === undefined && e.energyPj === undefined && e.latencyNs === undefined)
        ctx.addIssue({ code: 'custom', message: `give energyPj, latencyNs or includedIn (an unknown ${what} stays absent)` });
    });
}

const eventCost = unitCost(z.enum(CHIP_EVENTS), 'event');

const eventsShape = {
  synapse: eventCost.optional(),
  neuronAccess: eventCost.optional(),
  neuronUpdate: eventCost.optional(),
  spikeOut: eventCost.optional(),
  messageOut: eventCost.optional(),
  messageIn: eventCost.optional(),
  hopEastWest: eventCost.optional(),
  hopNorthSouth: eventCost.optional(),
  chipCrossing: eventCost.optional(),
} satisfies Record<ChipEvent, z.ZodType>;

/** One op kind run by the processor: energy and time per op; `includedIn` other processor kinds (sourced zero). */
const processorOp = unitCost(z.array(z.enum(OP_KINDS)).min(1), 'op');

const processorOpsShape = {
  ac: processorOp.optional(),
  mac: processorOp.optional(),
  neuronUpdate: processorOp.optional(),
  spike: processorOp.optional(),
  cmp: processorOp.optional(),
  add: processorOp.optional(),
  mask: processorOp.optional(),
  memRead: processorOp.optional(),
  memWrite: processorOp.optional(),
} satisfies Record<OpKind, z.ZodType>;

const syncPoint = z.strictObject({ tiles: z.number().int().positive(), latencyNs: nonNegative });

export const architectureSchema = z.strictObject({
  core: z.strictObject({
    /** Neurons (compartments) one core holds. */
    maxNeurons: count.optional(),
    /** Bits of synapse memory per core, and the bits one stored synapse takes in it. */
    synapseMemoryBits: count.optional(),
    synapseBits: count.optional(),
    /** Distinct presynaptic sources (input axons) a core can receive from. */
    maxInputAxons: count.optional(),
    /** (neuron, destination core) routes a core can hold. */
    maxOutputAxons: count.optional(),
    /** Destination cores one neuron can reach directly (TrueNorth: 1); more need splitter neurons. */
    maxDestinationCoresPerNeuron: count.optional(),
  }),
  /** A chip: its cores, and (when known) its mesh of tiles with XY routing; chips tile a larger mesh side by side. */
  chip: z
    .strictObject({
      coresPerChip: count,
      coresPerTile: count.optional(),
      meshWidthTiles: count.optional(),
      meshHeightTiles: count.optional(),
      routing: z.literal('xy').optional(),
      maxChips: count.optional(),
    })
    .superRefine((c, ctx) => {
      const mesh = [c.coresPerTile, c.meshWidthTiles, c.meshHeightTiles, c.routing].filter((x) => x !== undefined).length;
      if (mesh !== 0 && mesh !== 4)
        ctx.addIssue({
          code: 'custom',
          message: 'give all of coresPerTile, meshWidthTiles, meshHeightTiles and routing, or none (no known mesh)',
        });
      if (mesh === 4 && c.coresPerTile!.value * c.meshWidthTiles!.value * c.meshHeightTiles!.value !== c.coresPerChip.value)
        ctx.addIssue({ code: 'custom', path: ['coresPerChip'], message: 'must equal coresPerTile x meshWidthTiles x meshHeightTiles' });
    }),
  events: z.strictObject(eventsShape),
  sync: z
    .strictObject({
      /** Barrier latency by mapped tiles: the entry with the largest `tiles` <= the mapped tiles applies (SANA-FE table). */
      byMappedTiles: z.array(syncPoint).min(1).optional(),
      /** Barrier latency when the network spans more than one chip (replaces the table). */
      multiChipLatencyNs: amount.optional(),
      /** A fixed time step (TrueNorth's 1 ms tick): a step lasts at least this long. */
      fixedStepNs: amount.optional(),
      ...sourced,
    })
    .superRefine((s, ctx) => {
      const t = s.byMappedTiles ?? [];
      for (let i = 1; i < t.length; i++)
        if (t[i]!.tiles <= t[i - 1]!.tiles)
          ctx.addIssue({ code: 'custom', path: ['byMappedTiles', i, 'tiles'], message: 'tiles must be strictly increasing' });
    }),
  /** Static (leakage and idle) power, per chip in use or per mapped core. */
  staticPower: z.strictObject({ mw: nonNegative, per: z.enum(['chip', 'core']), ...sourced }).optional(),
  /** The processor that runs what the cores cannot (embedded x86, ARM, or a host), at the mesh origin. */
  processor: z.strictObject({ name: nonEmpty, description: nonEmpty, ops: z.strictObject(processorOpsShape) }),
  notes: z.array(nonEmpty).optional(),
});

export type Architecture = z.infer<typeof architectureSchema>;
export type EventCost = NonNullable<Architecture['events'][ChipEvent]>;
export type ProcessorOp = NonNullable<Architecture['processor']['ops'][OpKind]>;
