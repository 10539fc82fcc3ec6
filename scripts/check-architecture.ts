/**
 * CI guard of the design (docs: README "Where things go", DESIGN.md §2), run by `npm run lint` (part of `npm test`):
 *  1. imports point one way: models <- sim <- record <- cost-models <- reports <- pipeline <- cli; data and train depend on
 *     models (train also on data); only pipeline uses data/train; cli imports only pipeline (and the two leaves);
 *     nothing below cli imports cli.
 *     src/errors.ts and src/json.ts are leaves every layer may import; src/index.ts (the public API) anything but cli.
 *  2. line caps (LINE_CAPS): src/sim stays readable in one sitting, and each accelerated core has a cap of its own.
 * Exit 1 with one line per violation.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A line cap (tinygrad's sz.py): the TypeScript files under src/<scope> (a folder, or a file without its `.ts`, with
 * its folder of the same name), less those of a longer scope, hold at most the last value of `history`. Raising a cap
 * is a new history entry whose reason is a line of the change's note, in a commit of its own.
 */
export interface LineCap {
  scope: string;
  history: readonly (readonly [lines: number, why: string])[];
}

export const LINE_CAPS: readonly LineCap[] = [
  {
    scope: 'sim',
    history: [
      [2000, 'set at 1,608 lines (the wasm core included): about 600 lines of headroom for the fast core'],
      [2200, 'the pipeline split'],
      [3000, 'the wasm and WebGPU cores, worker threads and the calibrated init (2,900 lines)'],
      [3800, "Prettier's layout (3,560 lines)"],
      [2000, 'the simulator proper (1,928 lines): the accelerated cores capped on their own, the calibrated init in src/pipeline'],
      [2200, 'the primitives of the next families (general LIF, membrane shortcut, spike AND, spike-fed head): 2,125 lines'],
      [2000, 'the schedulers capped on their own (src/sim/schedule, 617 lines): ops, events, counts, primitives, 1,508 lines'],
    ],
  },
  {
    scope: 'sim/schedule',
    history: [
      [650, 'the schedulers (time-major, layer-major, samples over worker threads), split from the src/sim cap at 617 lines'],
      [720, 'workers started before the model is known (prestart, init request) and weights in shared memory: 684 lines'],
    ],
  },
  { scope: 'sim/cores/wasm', history: [[430, 'the WebAssembly core, split from the src/sim cap at 401 lines']] },
  {
    scope: 'sim/cores/native',
    history: [
      [200, 'the native (C through Node-API) core, its own cap from its first commit at 156 lines'],
      [230, 'the SSA product and a conv with its LIF in one call (206 lines)'],
    ],
  },
  { scope: 'sim/cores/gpujs', history: [[520, 'the gpu.js core and its kernels and modes, split from the src/sim cap at 491 lines']] },
  {
    scope: 'sim/cores/webgpu',
    history: [[700, 'the WebGPU core, its shaders and device worker, split from the src/sim cap at 666 lines']],
  },
];

/** The cap a scope holds now: the last value of its history. */
export const capOf = (c: LineCap): number => c.history[c.history.length - 1]?.[0] ?? 0;

/** src/sim's cap (the simulator proper). */
export const SIM_LINE_CAP = capOf(LINE_CAPS[0]!);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

type Layer =
  'models' | 'sim' | 'record' | 'cost-models' | 'chip' | 'reports' | 'pipeline' | 'cli' | 'data' | 'train' | 'errors' | 'json' | 'index';

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  errors: [],
  json: [],
  models: ['errors', 'json'],
  sim: ['models', 'errors', 'json'],
  record: ['sim', 'models', 'errors', 'json'],
  'cost-models': ['record', 'sim', 'models', 'errors', 'json'],
  chip: ['cost-models', 'record', 'sim', 'models', 'errors', 'json'],
  reports: ['chip', 'cost-models', 'record', 'sim', 'models', 'errors', 'json'],
  data: ['models', 'errors', 'json'],
  train: ['data', 'models', 'errors', 'json'],
  pipeline: ['reports', 'chip', 'cost-models', 'record', 'sim', 'models', 'data', 'train', 'errors', 'json'],
  // the command line sees one layer: the pipeline re-exports what its commands name (registries, renderers, types)
  cli: ['pipeline', 'errors', 'json'],
  index: ['pipeline', 'reports', 'chip', 'cost-models', 'record', 'sim', 'models', 'data', 'train', 'errors', 'json'],
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

/** The longest scope of `caps` that holds `file`, or null. */
function scopeOf(file: string, caps: readonly LineCap[]): LineCap | null {
  const rel = relative(SRC, file).split(sep).join('/');
  const holds = (c: LineCap) => rel === `${c.scope}.ts` || rel.startsWith(`${c.scope}/`);
  return caps.filter(holds).sort((a, b) => b.scope.length - a.scope.length)[0] ?? null;
}

/** Lines per scope, and one problem per scope over its cap. */
export function checkLineCaps(
  files: readonly string[],
  read: (f: string) => string,
  caps: readonly LineCap[] = LINE_CAPS,
): { lines: Map<string, number>; problems: string[] } {
  const lines = new Map<string, number>(caps.map((c) => [c.scope, 0]));
  for (const f of files) {
    const c = scopeOf(f, caps);
    const text = read(f);
    if (c) lines.set(c.scope, lines.get(c.scope)! + text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
  }
  const problems = caps
    .filter((c) => lines.get(c.scope)! > capOf(c))
    .map((c) => `src/${c.scope} holds ${lines.get(c.scope)} lines, over its cap of ${capOf(c)} (LINE_CAPS, scripts/check-architecture.ts)`);
  return { lines, problems };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const files = tsFiles(SRC);
  const read = (f: string) => readFileSync(f, 'utf8');
  const problems = checkImports(files, read);
  const caps = checkLineCaps(files, read);
  problems.push(...caps.problems);
  for (const p of problems) process.stderr.write(`check-architecture: ${p}\n`);
  if (problems.length) process.exit(1);
  process.stdout.write(
    `check-architecture: ${files.length} files follow the import direction; ${LINE_CAPS.map((c) => `src/${c.scope} ${caps.lines.get(c.scope)} / ${capOf(c)}`).join(', ')} lines\n`,
  );
}
