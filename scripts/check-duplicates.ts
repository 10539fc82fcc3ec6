/**
 * CI guard, run by `npm run lint`: repeated blocks in src/. Each file becomes a list of code lines, each line its
 * tokens with names, strings and numbers replaced by their kind (so a block copied and renamed still matches, and
 * formatting never matters); comments, import lines and lines of punctuation alone are passed over. Two places
 * that share MIN_LINES or more consecutive such lines are a run; the runs of one pair of files (or of one file with
 * itself) are one pair. A run that stands in more than MAX_PLACES places is too common to be a copy (the shape of an
 * exhaustive switch) and is left out, and so is a window of mostly thin lines (names, literals and punctuation only:
 * data rows, interface fields). Exit 1 above PAIR_CAP pairs, listing them; `--list` lists them anyway, `--min-lines N`
 * looks for shorter or longer runs. The reviewers' `duplicates` tool counts runs of 6 lines and more.
 */
import ts from 'typescript';
import { isMainModule, srcFiles } from './src-files.js';

export const MIN_LINES = 8;
export const PAIR_CAP = 12;
export const MAX_PLACES = 8;

export interface SourceText {
  path: string;
  text: string;
}

/** A code line: its normalised tokens and its 1-based line number in the file. */
interface CodeLine {
  key: string;
  line: number;
  /** Names, literals, type keywords and punctuation only: a data row or a field, not logic. */
  thin: boolean;
}

const THIN_TOKENS = new Set([
  '$id',
  '$str',
  '$num',
  ':',
  ',',
  ';',
  '.',
  '?',
  '|',
  '&',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '<',
  '>',
  '=>',
  'readonly',
]);
const TYPE_KEYWORDS = new Set(['string', 'number', 'boolean', 'bigint', 'null', 'undefined', 'true', 'false', 'void', 'never', 'unknown']);
const isThin = (tokens: readonly string[]) => tokens.every((t) => THIN_TOKENS.has(t) || TYPE_KEYWORDS.has(t));

export interface DuplicatePair {
  a: string;
  b: string;
  /** The longest run: first and last line on each side. */
  aLines: [number, number];
  bLines: [number, number];
  /** Code lines of the longest run, and how many runs the pair shares. */
  length: number;
  runs: number;
}

const PUNCTUATION_ONLY = /^[\s{}()[\];,.]*$/;

/** The file's code lines, normalised. */
export function codeLines(path: string, text: string): CodeLine[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const skip = new Set<number>();
  for (const st of sf.statements) {
    const isImport = ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st);
    const isReExport = ts.isExportDeclaration(st) && st.moduleSpecifier !== undefined;
    if (!isImport && !isReExport) continue;
    const from = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line;
    const to = sf.getLineAndCharacterOfPosition(st.getEnd()).line;
    for (let l = from; l <= to; l++) skip.add(l);
  }
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const byLine = new Map<number, string[]>();
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    const line = sf.getLineAndCharacterOfPosition(scanner.getTokenStart()).line;
    if (skip.has(line)) continue;
    const tokens = byLine.get(line) ?? [];
    tokens.push(tokenKind(k, scanner.getTokenText()));
    byLine.set(line, tokens);
  }
  return [...byLine.entries()]
    .map(([line, tokens]) => ({ key: tokens.join(' '), line: line + 1, thin: isThin(tokens) }))
    .filter((l) => !PUNCTUATION_ONLY.test(l.key));
}

/** A token as the comparison sees it: keywords, operators and punctuation as written, names and literals by kind. */
function tokenKind(k: ts.SyntaxKind, text: string): string {
  if (k === ts.SyntaxKind.Identifier || k === ts.SyntaxKind.PrivateIdentifier) return '$id';
  if (k === ts.SyntaxKind.StringLiteral || k === ts.SyntaxKind.NoSubstitutionTemplateLiteral || k === ts.SyntaxKind.TemplateHead)
    return '$str';
  if (k === ts.SyntaxKind.TemplateMiddle || k === ts.SyntaxKind.TemplateTail) return '$str';
  if (k === ts.SyntaxKind.NumericLiteral || k === ts.SyntaxKind.BigIntLiteral) return '$num';
  return text;
}

/** The pairs of places that share `minLines` or more consecutive code lines. */
export function findDuplicates(
  files: readonly SourceText[],
  minLines: number = MIN_LINES,
  maxPlaces: number = MAX_PLACES,
): DuplicatePair[] {
  const lines = files.map((f) => codeLines(f.path, f.text));
  // every window of minLines code lines, by its content
  const windows = new Map<string, [number, number][]>();
  lines.forEach((ls, fi) => {
    for (let i = 0; i + minLines <= ls.length; i++) {
      // a window of mostly data rows or fields is a table, not repeated logic
      if (ls.slice(i, i + minLines).filter((l) => !l.thin).length * 2 < minLines) continue;
      const key = ls
        .slice(i, i + minLines)
        .map((l) => l.key)
        .join('\n');
      const at = windows.get(key) ?? [];
      at.push([fi, i]);
      windows.set(key, at);
    }
  });
  const pairs = new Map<string, DuplicatePair>();
  const seen = new Set<string>();
  for (const at of windows.values()) {
    if (at.length < 2 || at.length > maxPlaces) continue;
    for (let x = 0; x < at.length; x++)
      for (let y = x + 1; y < at.length; y++) {
        const [fa, ia] = at[x]!;
        const [fb, ib] = at[y]!;
        if (fa === fb && Math.abs(ia - ib) < minLines) continue; // a block overlapping itself
        // extend back to the start of the run, so each run is counted once
        let s = 0;
        while (
          ia - s > 0 &&
          ib - s > 0 &&
          lines[fa]![ia - s - 1]!.key === lines[fb]![ib - s - 1]!.key &&
          !(fa === fb && ia - s - 1 <= ib - s - 1 - minLines + 0 && false)
        )
          s++;
        const runKey = `${fa}:${ia - s}:${fb}:${ib - s}`;
        if (seen.has(runKey)) continue;
        seen.add(runKey);
        let n = s + minLines;
        while (
          ia - s + n < lines[fa]!.length &&
          ib - s + n < lines[fb]!.length &&
          lines[fa]![ia - s + n]!.key === lines[fb]![ib - s + n]!.key
        )
          n++;
        const la = lines[fa]!,
          lb = lines[fb]!;
        const pairKey = `${fa}:${fb}`;
        const run = {
          aLines: [la[ia - s]!.line, la[ia - s + n - 1]!.line] as [number, number],
          bLines: [lb[ib - s]!.line, lb[ib - s + n - 1]!.line] as [number, number],
        };
        const p = pairs.get(pairKey);
        if (!p) pairs.set(pairKey, { a: files[fa]!.path, b: files[fb]!.path, ...run, length: n, runs: 1 });
        else {
          p.runs++;
          if (n > p.length) Object.assign(p, run, { length: n });
        }
      }
  }
  return [...pairs.values()].sort((p, q) => q.length - p.length || p.a.localeCompare(q.a) || p.b.localeCompare(q.b));
}

export function formatPair(p: DuplicatePair): string {
  const more = p.runs > 1 ? ` (+${p.runs - 1} more runs)` : '';
  return `${p.a}:${p.aLines[0]}-${p.aLines[1]} ~ ${p.b}:${p.bLines[0]}-${p.bLines[1]} (${p.length} lines)${more}`;
}

if (isMainModule(import.meta.url)) {
  const files = srcFiles();
  const at = process.argv.indexOf('--min-lines');
  const minLines = at > 0 ? Number(process.argv[at + 1]) : MIN_LINES;
  const pairs = findDuplicates(files, minLines);
  const verbose = process.argv.includes('--list');
  const over = pairs.length > PAIR_CAP;
  if (verbose || over) for (const p of pairs) (over ? process.stderr : process.stdout).write(`check-duplicates: ${formatPair(p)}\n`);
  if (over) {
    process.stderr.write(
      `check-duplicates: ${pairs.length} pairs of repeated blocks (${minLines}+ code lines) in src/, over the cap of ${PAIR_CAP}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(
    `check-duplicates: ${pairs.length} / ${PAIR_CAP} pairs of repeated blocks (${minLines}+ code lines) in ${files.length} files\n`,
  );
}
