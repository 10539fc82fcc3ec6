import type { z } from 'zod';

/**
 * The one reader of JSON files checked by a zod schema (hardware profiles, profile.json). Errors name the first
 * problem as a JSON pointer and a reason, through `fail` (each file kind has its error class):
 *  - `/`, `invalid JSON (...)` for text that does not parse;
 *  - `/ops/ac`, `unknown key 'x'` or `missing (expected number)` or zod's message, with `(and N more issues)`.
 * `precheck` sees the parsed value before the schema (e.g. a schemaVersion test with its own message).
 * NOTE: a leaf like src/errors.ts: every layer may import it; it imports only zod's types.
 */
export function parseJsonWith<S extends z.ZodType>(
  schema: S,
  text: string,
  fail: (pointer: string, reason: string) => Error,
  precheck?: (raw: unknown) => void,
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw fail('/', `invalid JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  precheck?.(raw);
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  let pointer = jsonPointer(issue.path);
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    pointer = jsonPointer([...issue.path, issue.keys[0]!]);
    reason = `unknown key '${issue.keys[0]}'`;
  } else if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
    reason = `missing (expected ${issue.expected})`;
  }
  const more = r.error.issues.length - 1;
  throw fail(pointer, more > 0 ? `${reason} (and ${more} more issue${more > 1 ? 's' : ''})` : reason);
}

/** RFC 6901 JSON pointer of a path. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '/';
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
