/**
 * CI guard, run by `npm run lint`: no function in src/ is longer than FUNCTION_LINE_CAP lines (from its first line to
 * its closing brace, nested functions included), except the named EXCEPTIONS, each with the reason it stays long.
 * A function is a declaration, a method, a constructor, an accessor, a function expression or an arrow function;
 * it is named `file:name` (a method `file:Class.method`, an unnamed function `file:<anonymous>@line`).
 * Exit 1 with one line per function over the cap; an exception that no longer applies is a note to remove it (not a
 * failure, so that shortening a function never breaks the build of someone who did not write the list).
 */
import ts from 'typescript';
import { isMainModule, srcFiles } from './src-files.js';

export const FUNCTION_LINE_CAP = 80;

/** Functions allowed past the cap, by `file:name`, with the reason. Shrink it; do not grow it without a reason. */
export const EXCEPTIONS: Readonly<Record<string, string>> = {
  'src/models/formats/pickle.ts:construct': 'one switch over the torch classes a checkpoint may hold, a case each',
  'src/models/formats/torch-checkpoint.ts:extract': 'one walk of the pickled state_dict with its error per malformed case',
  'src/models/formats/zip.ts:openZip': 'one pass over the zip end record and central directory, each field checked where read',
  'src/pipeline/calibrate.ts:calibrateInit': 'one loop of calibration rounds sharing its running statistics',
  'src/sim/cores/webgpu/device-worker.ts:serve': "the device worker's message loop, one case per request kind",
  'src/sim/primitives/ssa.ts:runSsaProduct': 'the SSA products with their op counts in one place, as the official order of sums',
  'src/sim/schedule/layer-major.ts:simulateLayerMajor': 'the layer-major loop nest kept whole, to read against the time-major one',
  'src/sim/schedule/parallel.ts:runInWorkers': 'the worker message protocol in one closure (send, receive, stop, fail)',
  'src/reports/compare-html.ts:renderCompareHtml': 'one HTML template, section after section',
  'src/reports/profile-html.ts:renderProfileHtml': 'one HTML template, section after section',
  'src/reports/profile-report.ts:profileEnergy': 'in rework with the run record (issue 18 part 1)',
  'src/cost-models/price.ts:priceTable': 'in rework with the run record (issue 18 part 1)',
  'src/pipeline/resume.ts:runSlice': 'in rework with the run record (issue 18 part 1)',
  'src/pipeline/simulate.ts:simulateRun': 'in rework with the run record (issue 18 part 1)',
};

export interface FunctionSpan {
  name: string;
  line: number;
  lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const own = (n: ts.Node): string | null => {
    if (
      (ts.isFunctionDeclaration(n) ||
        ts.isMethodDeclaration(n) ||
        ts.isGetAccessor(n) ||
        ts.isSetAccessor(n) ||
        ts.isFunctionExpression(n)) &&
      n.name
    )
      return n.name.getText(sf);
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    // an arrow or function expression takes the name it is bound to: `const f = () => ...`, `{ f: () => ... }`
    const p = n.parent;
    if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && ts.isIdentifier(p.name))
      return p.name.text;
    return null;
  };
  const base = own(node);
  if (base === null) return `<anonymous>@${line}`;
  const cls = node.parent && ts.isClassLike(node.parent) ? node.parent.name?.getText(sf) : undefined;
  return cls ? `${cls}.${base}` : base;
}

/** Every function of one source text, with its length in lines. */
export function functionSpans(fileName: string, text: string): FunctionSpan[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ name: nameOf(node, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** One problem per function over the cap that is not an exception, and one note per exception that no longer applies. */
export function checkFunctionLengths(
  files: readonly { path: string; text: string }[],
  cap: number = FUNCTION_LINE_CAP,
  exceptions: Readonly<Record<string, string>> = EXCEPTIONS,
): { problems: string[]; stale: string[] } {
  const problems: string[] = [];
  const stale: string[] = [];
  const long = new Set<string>();
  for (const f of files) {
    for (const s of functionSpans(f.path, f.text)) {
      if (s.lines <= cap) continue;
      const key = `${f.path}:${s.name}`;
      long.add(key);
      if (!(key in exceptions)) problems.push(`${f.path}:${s.line}: ${s.name} is ${s.lines} lines, over the cap of ${cap}`);
    }
  }
  for (const key of Object.keys(exceptions)) {
    if (!long.has(key)) stale.push(`${key}: listed as an exception but not over the cap of ${cap} (or gone): remove it from EXCEPTIONS`);
  }
  return { problems, stale };
}

if (isMainModule(import.meta.url)) {
  const files = srcFiles();
  const { problems, stale } = checkFunctionLengths(files);
  for (const p of stale) process.stdout.write(`check-function-length: note: ${p}\n`);
  for (const p of problems) process.stderr.write(`check-function-length: ${p}\n`);
  if (problems.length) process.exit(1);
  const n = Object.keys(EXCEPTIONS).length;
  process.stdout.write(
    `check-function-length: ${files.length} files, every function within ${FUNCTION_LINE_CAP} lines (${n} named exceptions)\n`,
  );
}
