import {
  chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { renderCompareFiles } from '../reports/compare-files.js';
import type { CompareReport } from '../reports/compare.js';
import { renderProfileFiles } from '../reports/profile-files.js';
import type { ProfileReport } from '../reports/schema.js';

/** Files of an output directory: name -> contents. */
export type OutputFiles = Map<string, string | Uint8Array>;

/** This package's version (package.json sits two levels up from src/pipeline and dist/pipeline). */
export function spikewattVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

let chartJs: string | null = null;

/** The text of chart.js's UMD build, inlined into the HTML reports (read once). */
export function chartJsSource(): string {
  if (chartJs === null) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
  }
  return chartJs;
}

/** Every file of a profile directory (profile.json, CSVs, report.html, PNGs), rendered, nothing written. */
export function renderProfile(report: ProfileReport, o: { json?: boolean } = {}): Promise<OutputFiles> {
  return renderProfileFiles(report, chartJsSource(), o);
}

/** Every file of a compare directory (compare.json, compare.html, PNGs), rendered, nothing written. */
export function renderCompare(report: CompareReport): OutputFiles {
  return renderCompareFiles(report, chartJsSource());
}

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
    try { return statSync(p).isDirectory() ? 'dir' : 'other'; } catch { return 'none'; }
  };
  const k = kind(dir);
  if (k === 'other') throw new InputError(`--out ${out} exists and is not a directory`);
  if (k === 'dir') {
    let names: string[];
    try { names = readdirSync(dir); } catch (e) { throw new InputError(`--out ${out}: cannot list it (${errCode(e)})`); }
    const foreign = names.find((n) => !REPORT_FILE.test(n) || kind(join(dir, n)) !== 'other');
    if (foreign !== undefined) {
      throw new InputError(`--out ${out} holds ${foreign}, which is not a report file; the new report set replaces the directory `
        + 'whole, so give a new or empty directory, or one that holds only an earlier report set');
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

/**
 * Writes a report set as one unit: every file goes into a temporary sibling of DIR, which then takes DIR's
 * place (an earlier DIR is moved aside first and removed after), so DIR never holds a part of a set or stale
 * files of an earlier run next to new ones. On any failure the temporary directory is removed and an earlier
 * DIR is put back. `keep` names files of an earlier DIR that the new set carries over.
 */
export function writeOutputs(dir: string, files: ReadonlyMap<string, string | Uint8Array>, o: { keep?: readonly string[] } = {}): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(dir)}.tmp-`));
  const aside = `${tmp}-previous`;
  let moved = false;
  try {
    chmodSync(tmp, 0o755);
    for (const [name, data] of files) {
      if (name !== basename(name) || name.startsWith('.')) throw new Error(`report file name ${name} is not a plain file name`);
      writeFileSync(join(tmp, name), data);
    }
    // files of the earlier set that stay (report re-rendering in place keeps the profile.json it read)
    for (const name of o.keep ?? []) {
      if (!files.has(name) && existsSync(join(dir, name))) copyFileSync(join(dir, name), join(tmp, name));
    }
    if (existsSync(dir)) { renameSync(dir, aside); moved = true; }
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (moved && !existsSync(dir)) renameSync(aside, dir);
    throw e;
  }
  if (moved) rmSync(aside, { recursive: true, force: true });
}
