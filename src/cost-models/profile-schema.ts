import { z } from 'zod';
import { OP_KINDS, type OpKind } from '../sim/ops.js';
import { InputError } from '../errors.js';
import { parseJsonWith } from '../json.js';
import { PROVENANCES } from './provenance.js';
import { architectureSchema } from './architecture-schema.js';

/**
 * The hardware profile file format (`hardware-profiles/<name>.json`), schema version 1. A profile is pure
 * data: for each op kind it prices, the energy of one op in pJ with its source and provenance. A number that
 * is not known stays absent: pricing then fails on that op kind (or reports it as unpriced), never as zero.
 *
 * Provenance of a coefficient:
 *  - `measured`: measured on silicon of the named chip;
 *  - `fitted`: fitted to measurements or simulations of the chip (e.g. SANA-FE's per-unit costs);
 *  - `pre-silicon`: simulated (SPICE / SDF) before or without a silicon measurement;
 *  - `analytical`: derived from a table of primitive costs by a stated formula (e.g. Horowitz 45 nm);
 *  - `operating-point-average`: whole-chip power at one operating point divided by an event rate, so it
 *    includes static power and every other activity (e.g. TrueNorth's 26 pJ per synaptic event).
 *
 * An op entry is either `{ energyPj, provenance, source }` or `{ includedIn: [kinds], source }`: the op costs
 * nothing extra because its energy is already inside the listed op kinds' prices (e.g. Loihi's synapse energy
 * includes the weight read). `includedIn` is an explicit, sourced zero, never a silent one.
 *
 * Memory (optional): the energy of one access as a function of the capacity of the memory that holds the
 * data. Points are on-chip SRAM `{capacityBytes, energyPjPerAccess, accessBits}`; between two points the
 * energy is interpolated linearly in log2(capacity) (`interpolation: "log2-linear"`); below the smallest point
 * the smallest point's energy is used. One counted `memRead`/`memWrite` word of `wordBits` bits costs
 * `energyPjPerAccess * wordBits / accessBits` (a 64-bit access carries two 32-bit words). `memRead` and
 * `memWrite` use the memory model only when the profile has no `ops` entry for them.
 *
 * Architecture (optional): a neuromorphic chip's cores, mesh and per-event costs for the chip model (src/chip).
 * With one, an op kind that `ops` does not price is priced by the architecture's processor (what the cores
 * cannot run goes there), when the processor prices it.
 */
export { PROVENANCES, type Provenance } from './provenance.js';

export const PROFILE_SCHEMA_VERSION = 1;

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');
const energy = z.number().finite().nonnegative();
const opKind = z.enum(OP_KINDS);

const opPrice = z
  .strictObject({
    energyPj: energy.optional(),
    includedIn: z.array(opKind).min(1).optional(),
    provenance: z.enum(PROVENANCES).optional(),
    source: nonEmpty,
    note: nonEmpty.optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.energyPj === undefined) === (p.includedIn === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of energyPj or includedIn' });
    }
    if (p.energyPj !== undefined && p.provenance === undefined) {
      ctx.addIssue({ code: 'custom', path: ['provenance'], message: `a priced op needs a provenance (${PROVENANCES.join(' | ')})` });
    }
  });

/** One op schema entry per OpKind: a new kind does not compile until it is listed here. */
const opsShape = {
  ac: opPrice.optional(),
  mac: opPrice.optional(),
  neuronUpdate: opPrice.optional(),
  spike: opPrice.optional(),
  cmp: opPrice.optional(),
  add: opPrice.optional(),
  mask: opPrice.optional(),
  memRead: opPrice.optional(),
  memWrite: opPrice.optional(),
} satisfies Record<OpKind, z.ZodType>;

const memoryPoint = z.strictObject({
  capacityBytes: z.number().int().positive(),
  energyPjPerAccess: energy,
  accessBits: z.number().int().positive(),
  provenance: z.enum(PROVENANCES),
  source: nonEmpty,
});

const memory = z
  .strictObject({
    /** Bits of one counted memRead/memWrite word (the simulator counts one value per word). */
    wordBits: z.number().int().positive(),
    interpolation: z.literal('log2-linear'),
    onChip: z.array(memoryPoint).min(1),
    /** Off-chip memory (DRAM); used only when pricing asks for it (`largeMemory: 'offChip'`). */
    offChip: z
      .strictObject({
        energyPjPerAccess: energy,
        accessBits: z.number().int().positive(),
        provenance: z.enum(PROVENANCES),
        source: nonEmpty,
        note: nonEmpty.optional(),
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    for (let i = 1; i < m.onChip.length; i++) {
      if (m.onChip[i]!.capacityBytes <= m.onChip[i - 1]!.capacityBytes) {
        ctx.addIssue({
          code: 'custom',
          path: ['onChip', i, 'capacityBytes'],
          message: 'on-chip points must be in strictly increasing capacity',
        });
      }
    }
  });

/** A coefficient the source gives that no op kind maps to (e.g. NoC hops without a placement): kept with its source. */
const otherCoefficient = z.strictObject({
  name: nonEmpty,
  energyPj: energy,
  per: nonEmpty,
  provenance: z.enum(PROVENANCES),
  source: nonEmpty,
});

export const profileSchema = z
  .strictObject({
    schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    technology: nonEmpty,
    description: nonEmpty,
    notes: z.array(nonEmpty).optional(),
    ops: z.strictObject(opsShape),
    memory: memory.optional(),
    otherCoefficients: z.array(otherCoefficient).optional(),
    /** Optional: the chip's cores, mesh, per-event costs, static power and processor (see architecture-schema.ts). */
    architecture: architectureSchema.optional(),
  })
  .superRefine((p, ctx) => {
    for (const k of OP_KINDS) {
      const e = p.ops[k];
      if (!e?.includedIn) continue;
      e.includedIn.forEach((target, i) => {
        const t = p.ops[target];
        const viaMemory = (target === 'memRead' || target === 'memWrite') && !t && p.memory !== undefined;
        if (target === k) ctx.addIssue({ code: 'custom', path: ['ops', k, 'includedIn', i], message: `${k} cannot be included in itself` });
        else if (!(t?.energyPj !== undefined || viaMemory)) {
          ctx.addIssue({
            code: 'custom',
            path: ['ops', k, 'includedIn', i],
            message: `'${target}' must itself carry a price (energyPj or the memory model)`,
          });
        }
      });
    }
  });

export type HardwareProfile = z.infer<typeof profileSchema>;
export type OpPrice = NonNullable<HardwareProfile['ops'][OpKind]>;
export type MemoryModel = NonNullable<HardwareProfile['memory']>;

/** A profile file that is not valid JSON or does not match the schema: `file: /json/pointer: reason`. */
export class ProfileError extends InputError {
  constructor(
    readonly file: string,
    readonly pointer: string,
    readonly reason: string,
  ) {
    super(`${file}: ${pointer}: ${reason}`);
    this.name = 'ProfileError';
  }
}

export { jsonPointer } from '../json.js';

/** Parses and validates one profile file's text; `file` only names it in errors. */
export function parseProfile(text: string, file: string): HardwareProfile {
  return parseJsonWith(profileSchema, text, (pointer, reason) => new ProfileError(file, pointer, reason));
}
