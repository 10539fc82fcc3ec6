import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Checks that `out` can be created (its parent exists and is a directory, it is not a file); its absolute path. */
export function checkOutDir(out: string): string {
  const dir = resolve(out);
  const parent = dirname(dir);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new InputError(`--out ${out}: parent directory ${parent} does not exist`);
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`--out ${out} exists and is not a directory`);
  return dir;
}

/**
 * Writes rendered files into DIR without ever leaving a partial DIR: a new DIR is filled as a temporary
 * sibling and renamed into place; an existing DIR gets each file written to a temporary name and renamed.
 */
export function writeOutputs(dir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  if (!existsSync(dir)) {
    const tmp = mkdtempSync(join(dirname(dir), `.${basename(dir)}.tmp-`));
    try {
      chmodSync(tmp, 0o755);
      for (const [name, data] of files) writeFileSync(join(tmp, name), data);
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return;
  }
  for (const [name, data] of files) {
    const target = join(dir, name), tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  }
}
