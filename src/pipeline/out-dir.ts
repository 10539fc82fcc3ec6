import { mkdtempSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';

/** Files a report set consists of: an existing --out holding only these may be replaced by a new set. */
const REPORT_FILE = /\.(json|csv|html|png)$/i;

/**
 * Checks, before any simulation, that `out` can take a report set: it is not a file, the nearest existing
 * ancestor is a directory we can create entries in (probed by creating one, since permission bits say
 * nothing to root or on a read-only mount), and an existing `out` holds only report files, since the new set
 * replaces it whole. Returns the absolute path. Errors are one-line InputErrors.
 */
export function checkOutDir(out: string): string {
  const dir = resolve(out);
  const kind = (p: string): 'dir' | 'other' | 'none' => {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'other';
    } catch {
      return 'none';
    }
  };
  const k = kind(dir);
  if (k === 'other') throw new InputError(`--out ${out} exists and is not a directory`);
  if (k === 'dir') {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new InputError(`--out ${out}: cannot list it (${errCode(e)})`);
    }
    const foreign = names.find((n) => !REPORT_FILE.test(n) || kind(join(dir, n)) !== 'other');
    if (foreign !== undefined) {
      throw new InputError(
        `--out ${out} holds ${foreign}, which is not a report file; the new report set replaces the directory ` +
          'whole, so give a new or empty directory, or one that holds only an earlier report set',
      );
    }
  }
  let ancestor = dirname(dir);
  while (kind(ancestor) === 'none' && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  if (kind(ancestor) !== 'dir') throw new InputError(`--out ${out}: ${ancestor} is not a directory`);
  try {
    rmdirSync(mkdtempSync(join(ancestor, `.${basename(dir)}.tmp-`)));
  } catch (e) {
    throw new InputError(`--out ${out}: cannot create files in ${ancestor} (${errCode(e)})`);
  }
  return dir;
}

const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);
