import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeLines, findDuplicates, formatPair } from '../../scripts/check-duplicates.js';

/** A block of logic; `v` renames its variables, `extra` adds a statement after it. */
function block(v: string, extra = ''): string {
  return [
    `export function f${v}(xs: number[], limit: number): number {`,
    `  let ${v}Total = 0;`,
    `  for (const ${v} of xs) {`,
    `    if (${v} < 0) throw new Error('negative');`,
    `    ${v}Total += ${v} * 2;`,
    `    if (${v}Total > limit) break;`,
    `  }`,
    `  const ${v}Mean = ${v}Total / Math.max(1, xs.length);`,
    `  console.log(${v}Mean);`,
    `  return ${v}Mean + ${v}Total;`,
    `}`,
    extra,
  ].join('\n');
}

test('a block copied with other names, spacing and comments is one pair; its lines are named on both sides', () => {
  // other spacing and comments on the lines (line breaks are Prettier's, so they are the same in this tree)
  const reformatted = block('b').replace('let bTotal = 0;', 'let   bTotal=0 ; // start').replace('return bMean', '/* out */ return bMean');
  const pairs = findDuplicates(
    [
      { path: 'src/a.ts', text: `import { x } from './x.js';\n// a comment\n${block('a')}` },
      { path: 'src/b.ts', text: `/** doc */\n${reformatted}` },
      { path: 'src/c.ts', text: 'export const table = { a: 1, b: 2 };\n' },
    ],
    8,
  );
  assert.equal(pairs.length, 1);
  const p = pairs[0]!;
  assert.equal(p.a, 'src/a.ts');
  assert.equal(p.b, 'src/b.ts');
  assert.deepEqual(p.aLines, [3, 12]);
  assert.equal(p.length, 9);
  assert.match(formatPair(p), /^src\/a\.ts:3-12 ~ src\/b\.ts:2-11 \(9 lines\)$/);
});

test('shorter runs, overlapping windows of one block, tables of data rows and too common shapes are not pairs', () => {
  const rows = Array.from({ length: 12 }, (_, i) => `  k${i}: 'v${i}',`).join('\n');
  const files = [
    { path: 'src/t1.ts', text: `export const A = {\n${rows}\n};\n` },
    { path: 'src/t2.ts', text: `export const B = {\n${rows}\n};\n` },
    // one long repetitive block overlaps itself, never a pair with itself at a shift under the window
    { path: 'src/r.ts', text: Array.from({ length: 12 }, (_, i) => `x = f(x, ${i});`).join('\n') },
  ];
  assert.deepEqual(findDuplicates(files, 8).map(formatPair), []);
  assert.equal(
    findDuplicates(
      [
        { path: 'a.ts', text: block('a') },
        { path: 'b.ts', text: block('b') },
      ],
      12,
    ).length,
    0,
  );
  // the same block in ten files: a shape that common is left out
  const many = Array.from({ length: 10 }, (_, i) => ({ path: `m${i}.ts`, text: block(`v${i}`) }));
  assert.equal(findDuplicates(many, 8, 8).length, 0);
  assert.equal(findDuplicates(many.slice(0, 3), 8, 8).length, 3);
});

test('code lines pass over imports, comments and punctuation alone', () => {
  const lines = codeLines('x.ts', "import {\n  a,\n} from './a.js';\n// c\n/* d */\nconst x = a(1);\n});\n");
  assert.deepEqual(
    lines.map((l) => [l.line, l.key]),
    [[6, 'const $id = $id ( $num ) ;']],
  );
});
