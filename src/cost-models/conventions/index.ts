import type { Convention, ConventionName } from './table.js';
import { exactConvention } from './exact.js';
import { syopsConvention } from './syops.js';
import { spikformerConvention } from './spikformer.js';

/** Every counting convention: one file plus one line here. */
export const CONVENTIONS = {
  exact: exactConvention,
  syops: syopsConvention,
  spikformer: spikformerConvention,
} satisfies Record<ConventionName, Convention>;

export function isConventionName(s: string): s is ConventionName {
  return Object.prototype.hasOwnProperty.call(CONVENTIONS, s);
}
