import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { renderCompareFiles } from '../reports/compare-files.js';
import type { CompareReport } from '../reports/compare.js';
import { renderProfileFiles } from '../reports/profile-files.js';
import type { ProfileReport } from '../reports/schema.js';
import { predictionsCsv } from '../reports/predictions-csv.js';
import { recordJson } from '../record/file.js';
import type { RunRecord } from '../record/record.js';

// NOTE: in its own leaf module, so that the CLI can check --out before it loads anything heavy
export { checkOutDir } from './out-dir.js';

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

/**
 * Every file of a profile directory (profile.json, CSVs, report.html, PNGs), rendered, nothing written; with the
 * run record also counts.json (the record) and predictions.csv.
 */
export async function renderProfile(report: ProfileReport, o: { json?: boolean; record?: RunRecord } = {}): Promise<OutputFiles> {
  const files: OutputFiles = await renderProfileFiles(report, chartJsSource(), o.json !== undefined ? { json: o.json } : {});
  if (o.record) {
    files.set('counts.json', recordJson(o.record));
    files.set('predictions.csv', predictionsCsv(o.record));
  }
  return files;
}

/** The files of a profile directory that hold the run itself (kept when only the renderings are redone). */
export const RECORD_FILES = ['counts.json', 'predictions.csv'] as const;

/** Every file of a compare directory (compare.json, compare.html, PNGs), rendered, nothing written. */
export function renderCompare(report: CompareReport): OutputFiles {
  return renderCompareFiles(report, chartJsSource());
}

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
    if (existsSync(dir)) {
      try {
        renameSync(dir, aside);
        moved = true;
      } catch (e) {
        // NOTE: a mount point (a volume mounted at DIR) cannot be renamed: its files are replaced one by one instead
        if (!['EBUSY', 'EXDEV'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
        replaceFiles(dir, tmp);
        return;
      }
    }
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (moved && !existsSync(dir)) renameSync(aside, dir);
    throw e;
  }
  if (moved) rmSync(aside, { recursive: true, force: true });
}

/**
 * The files of `tmp` in place of those of `dir` (which holds report files only, as checkOutDir saw), then `tmp`
 * removed. Copied, not renamed: `dir` is another file system (a mount point).
 */
function replaceFiles(dir: string, tmp: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
  for (const name of readdirSync(tmp)) copyFileSync(join(tmp, name), join(dir, name));
  rmSync(tmp, { recursive: true, force: true });
}
