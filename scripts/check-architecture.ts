/**
 * CI guard of the design (docs: README "Where things go", DESIGN.md §2), run by `npm run lint` (part of `npm test`):
 *  1. imports point one way: models <- sim <- record <- cost-models <- reports <- pipeline <- cli; data and train depend on
 *     models (train also on data); only pipeline and cli use data/train; nothing below cli imports cli.
 *     src/errors.ts and src/json.ts are leaves every layer may import; src/index.ts (the public API) anything but cli.
 *  2. src/sim stays readable in one sitting: at most SIM_LINE_CAP lines of TypeScript.
 * Exit 1 with one line per violation.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/sim held 1,608 lines (the wasm core included) when the cap was set: about 600 lines of headroom for the fast core. */
// 2,200 at the pipeline split; raised with the wasm and WebGPU cores, worker threads and the calibrated init
// (2,900 lines), then by Prettier's layout (3,560).
export const SIM_LINE_CAP = 3800;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

type Layer = 'models' | 'sim' | 'record' | 'cost-models' | 'reports' | 'pipeline' | 'cli' | 'data' | 'train' | 'errors' | 'json' | 'index';

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  errors: [],
  json: [],
  models: ['errors', 'json'],
  sim: ['models', 'errors', 'json'],
  record: ['sim', 'models', 'errors', 'json'],
  'cost-models': ['record', 'sim', 'models', 'errors', 'json'],
  reports: ['cost-models', 'record', 'sim', 'models', 'errors', 'json'],
  data: ['models', 'errors', 'json'],
  train: ['data', 'models', 'errors', 'json'],
  pipeline: ['reports', 'cost-models', 'record', 'sim', 'models', 'data', 'train', 'errors', 'json'],
  cli: ['pipeline', 'reports', 'cost-models', 'sim', 'models', 'data', 'train', 'errors', 'json'],
  index: ['pipeline', 'reports', 'cost-models', 'record', 'sim', 'models', 'data', 'train', 'errors', 'json'],
};

function layerOf(file: string): Layer | null {
  const rel = relative(SRC, file).split(sep);
  if (rel[0] === '..' || rel.length === 0) return null;
  if (rel.length === 1) return ({ 'errors.ts': 'errors', 'json.ts': 'json', 'index.ts': 'index' } as const)[rel[0] as string] ?? null;
  const top = rel[0] as Layer;
  return top in ALLOWED ? top : null;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of static imports, re-exports, side-effect and dynamic imports. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const fromClause = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/.source;
  const sideEffect = /(?:^|[\s;])import\s*['"]([^'"]+)['"]/.source;
  const dynamic = /import\(\s*['"]([^'"]+)['"]\s*\)/.source;
  const re = new RegExp(`${fromClause}|${sideEffect}|${dynamic}`, 'gm');
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec !== undefined && spec.startsWith('.')) out.push(spec);
  }
  return out;
}

export function checkImports(files: readonly string[], read: (f: string) => string): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    if (from === null) {
      problems.push(`${relative(ROOT, file)}: not in a known layer (${Object.keys(ALLOWED).join(', ')})`);
      continue;
    }
    for (const spec of importsOf(read(file))) {
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (to === null) {
        problems.push(`${relative(ROOT, file)}: imports ${spec}, outside src/`);
        continue;
      }
      if (to !== from && !ALLOWED[from].includes(to)) {
        problems.push(
          `${relative(ROOT, file)}: ${from} must not import ${to} (${spec}); ` +
            'direction: models <- sim <- cost-models <- reports <- pipeline <- cli',
        );
      }
    }
  }
  return problems;
}

export function simLines(files: readonly string[], read: (f: string) => string): number {
  return files.filter((f) => layerOf(f) === 'sim').reduce((n, f) => n + read(f).split('\n').length - (read(f).endsWith('\n') ? 1 : 0), 0);
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const files = tsFiles(SRC);
  const read = (f: string) => readFileSync(f, 'utf8');
  const problems = checkImports(files, read);
  const lines = simLines(files, read);
  if (lines > SIM_LINE_CAP) problems.push(`src/sim holds ${lines} lines, over its cap of ${SIM_LINE_CAP} (scripts/check-architecture.ts)`);
  for (const p of problems) process.stderr.write(`check-architecture: ${p}\n`);
  if (problems.length) process.exit(1);
  process.stdout.write(`check-architecture: ${files.length} files follow the import direction; src/sim ${lines} / ${SIM_LINE_CAP} lines\n`);
}
