import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFunctionLengths, functionSpans } from '../../scripts/check-function-length.js';

const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');

test('function spans: declarations, methods, bound arrows and anonymous functions, by name and length', () => {
  const text = [
    'export function top(): number {', // 1
    '  let x = 0;',
    body(3),
    '  return x;',
    '}',
    'class K {',
    '  m(): void {',
    '    [1].forEach(() => {',
    '      void 0;',
    '    });',
    '  }',
    '}',
    'const arrow = (a: number) => a + 1;',
  ].join('\n');
  assert.deepEqual(
    functionSpans('f.ts', text).map((s) => [s.name, s.line, s.lines]),
    [
      ['top', 1, 7],
      ['K.m', 9, 5],
      ['<anonymous>@10', 10, 3],
      ['arrow', 15, 1],
    ],
  );
});

test('a function over the cap is a problem unless excepted; an exception that no longer applies is a note', () => {
  const files = [
    { path: 'src/a.ts', text: `function long(): void {\n  let x = 0;\n${body(10)}\n}\nfunction short(): void {}\n` },
    { path: 'src/b.ts', text: `export const alsoLong = () => {\n  let x = 0;\n${body(10)}\n};\n` },
  ];
  assert.deepEqual(checkFunctionLengths(files, 8, {}), {
    problems: ['src/a.ts:1: long is 13 lines, over the cap of 8', 'src/b.ts:1: alsoLong is 13 lines, over the cap of 8'],
    stale: [],
  });
  assert.deepEqual(checkFunctionLengths(files, 8, { 'src/a.ts:long': 'a reason', 'src/b.ts:alsoLong': 'a reason' }), {
    problems: [],
    stale: [],
  });
  assert.deepEqual(checkFunctionLengths(files, 20, { 'src/a.ts:short': 'stale' }), {
    problems: [],
    stale: ['src/a.ts:short: listed as an exception but not over the cap of 20 (or gone): remove it from EXCEPTIONS'],
  });
});
