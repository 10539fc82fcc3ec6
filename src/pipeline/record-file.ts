import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { parseRecord } from '../record/file.js';
import type { RunRecord } from '../record/record.js';

/**
 * The counts.json a user means by `path`: the file itself, the one in a directory, or the one beside a
 * profile.json (a profile directory holds both). Null when there is none.
 */
export function recordFileOf(path: string): string | null {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return null;
  }
  if (isDir) {
    const f = join(path, 'counts.json');
    return existsSync(f) ? f : null;
  }
  if (/(^|\/)profile\.json$/.test(path)) {
    const f = join(dirname(path), 'counts.json');
    return existsSync(f) ? f : null;
  }
  return path;
}

/** Reads a run record (see `recordFileOf` for what `path` may be); errors name the file and the problem. */
export function readRecordFile(path: string): { file: string; record: RunRecord } {
  const file = recordFileOf(path);
  if (file === null) {
    throw new InputError(
      `${path}: no run record (counts.json) ${/profile\.json$/.test(path) ? 'beside it' : 'there'}; profile writes one into its --out directory`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return { file, record: parseRecord(text, file) };
}
