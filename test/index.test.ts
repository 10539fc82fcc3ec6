import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as api from '../src/index.js';

/**
 * The public API, name by name (src/index.ts). A name added here is a decision about what users may depend on:
 * internals are imported from their own files by tests, bench and examples that need them.
 */
const VALUES = [
  // the jobs
  'profile',
  'compare',
  'evaluate',
  'infer',
  'train',
  'convert',
  'inspect',
  // the run record and its pricing
  'simulateRun',
  'priceRecord',
  'readRecordFile',
  'mergeRecords',
  // the registries users extend
  'CORE_NAMES',
  'CONVENTION_NAMES',
  'DATASET_NAMES',
  'ZOO_NAMES',
  'listProfiles',
  'loadProfiles',
  'InputError',
];

const TYPES = [
  'ProfileOptions',
  'ProfileReport',
  'CompareOptions',
  'CompareReport',
  'EvaluateOptions',
  'Evaluation',
  'InferOptions',
  'InferResult',
  'TrainOptions',
  'TrainResult',
  'ConvertOptions',
  'ConvertResult',
  'InspectOptions',
  'InspectResult',
  'OnProgress',
  'RunRecord',
  'HardwareProfile',
];

/** The names of `export type { ... }` lists in the source (types leave no trace at run time). */
function typeExports(source: string): string[] {
  return [...source.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
}

test('src/index.ts exports exactly the listed values', () => {
  assert.deepEqual(Object.keys(api).sort(), [...VALUES].sort());
});

test('src/index.ts exports exactly the listed types, and at most 40 names in all', () => {
  const source = readFileSync(fileURLToPath(new URL('../src/index.ts', import.meta.url)), 'utf8');
  assert.deepEqual(typeExports(source).sort(), [...TYPES].sort());
  assert.doesNotMatch(source, /export \*/, 'no wholesale re-export: every public name is listed');
  assert.ok(VALUES.length + TYPES.length <= 40, `${VALUES.length + TYPES.length} public names`);
});

test('the jobs are functions and the registries name what the CLI offers', () => {
  for (const job of [api.profile, api.compare, api.evaluate, api.infer, api.train, api.convert, api.inspect])
    assert.equal(typeof job, 'function');
  assert.ok(api.CORE_NAMES.includes('reference'));
  assert.ok(api.CONVENTION_NAMES.includes('exact'));
  assert.ok(api.DATASET_NAMES.includes('fashion-mnist'));
  assert.ok(api.ZOO_NAMES.includes('qkformer-cifar10'));
  assert.ok(api.listProfiles().includes('cmos45-fp32'));
  assert.equal(api.loadProfiles(['odin'])[0]!.name, 'odin');
  assert.ok(new api.InputError('x') instanceof Error);
});
