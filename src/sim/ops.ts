/**
 * The closed operation vocabulary. Every count spikewatt produces is an integer number of one of these.
 *
 * | kind           | one unit is                                                                    |
 * |----------------|--------------------------------------------------------------------------------|
 * | ac             | one accumulate of a weight (or integer) triggered by one unit spike            |
 * | mac            | one multiply-accumulate of a real-valued input                                 |
 * | neuronUpdate   | one LIF charge + threshold + reset of one neuron at one step                   |
 * | spike          | one emitted unit spike                                                         |
 * | cmp            | one comparison (max pooling)                                                   |
 * | add            | one elementwise add of non-weight values (residual sums, bias, merges)         |
 * | mask           | one AND / select (Q-K attention masks)                                         |
 * | memRead        | one 32-bit word read from on-chip memory (weights per event, membrane, events) |
 * | memWrite       | one 32-bit word written to on-chip memory (membrane, events)                   |
 */
export const OP_KINDS = ['ac', 'mac', 'neuronUpdate', 'spike', 'cmp', 'add', 'mask', 'memRead', 'memWrite'] as const;
export type OpKind = (typeof OP_KINDS)[number];
export const NUM_OP_KINDS = OP_KINDS.length;

/** Index of an op kind in per-layer count arrays (stable: the order of OP_KINDS). */
export function opIndex(kind: OpKind): number {
  switch (kind) {
    case 'ac':
      return 0;
    case 'mac':
      return 1;
    case 'neuronUpdate':
      return 2;
    case 'spike':
      return 3;
    case 'cmp':
      return 4;
    case 'add':
      return 5;
    case 'mask':
      return 6;
    case 'memRead':
      return 7;
    case 'memWrite':
      return 8;
    default:
      return assertNever(kind);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${String(x)}`);
}

export function isOpKind(s: string): s is OpKind {
  return (OP_KINDS as readonly string[]).includes(s);
}
