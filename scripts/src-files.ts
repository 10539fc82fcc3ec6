import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (scripts/ sits one level below it). */
export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Every .ts file below `dir`, depth first. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The TypeScript of src/ as the guards read it: repository-relative paths with '/', sorted, and their text. */
export function srcFiles(): { path: string; text: string }[] {
  return tsFiles(join(ROOT, 'src'))
    .sort()
    .map((p) => ({ path: relative(ROOT, p).split(sep).join('/'), text: readFileSync(p, 'utf8') }));
}

/** True when `metaUrl` is the module node was started with. */
export const isMainModule = (metaUrl: string): boolean =>
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(metaUrl);
