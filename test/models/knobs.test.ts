import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flagText, KNOB_NAMES, knobFlagsLine, MODEL_KNOBS, overrideValue } from '../../src/models/knobs.js';
import { applyOverrides, ConfigError, validateConfig, ZOO } from '../../src/models/zoo.js';
import { CONFIG_FIELDS, label } from '../../src/models/detect/detect.js';

test('the knob table names every overridable config field once, with a flag, a description and a default', () => {
  assert.deepEqual(CONFIG_FIELDS, ['family', ...KNOB_NAMES]);
  const flags = KNOB_NAMES.map((k) => MODEL_KNOBS[k].flag);
  assert.equal(new Set(flags).size, flags.length);
  for (const k of KNOB_NAMES) {
    const knob = MODEL_KNOBS[k];
    assert.match(knob.flag, /^--[a-z][a-z-]+$/, k);
    assert.ok(knob.description.length > 10 && knob.default.length > 0, k);
    assert.ok(k in ZOO['qkformer-cifar10'], `${k} is a ModelConfig field`);
  }
  // only T may differ from a checkpoint's stored config
  assert.deepEqual(
    KNOB_NAMES.filter((k) => MODEL_KNOBS[k].checkpointMayOverride),
    ['timesteps'],
  );
  assert.equal(label('imgSize'), 'img size');
  assert.equal(label('family'), 'family');
});

test('flags as messages quote them, and override values per stage', () => {
  assert.equal(flagText('embedDims', 64), '--embed-dims 64');
  assert.equal(flagText('timesteps', 2), '-T 2');
  assert.equal(flagText('attention', ['qkta', 'ssa']), '--attention qkta,ssa');
  assert.equal(flagText('speds', false), '--no-speds');
  assert.equal(flagText('speds', true), '--speds');
  assert.deepEqual(overrideValue('heads', { heads: 4 }, 3), [4, 4, 4]);
  assert.deepEqual(overrideValue('attention', { attention: ['ssa'] }, 2), ['ssa', 'ssa']);
  assert.equal(overrideValue('attention', { attention: ['ssa', 'qkta'] }, 3), null);
  assert.equal(overrideValue('mlpRatio', { mlpRatio: 2.5 }, 3), 2.5);
});

test('validation reads its bounds and names from the table', () => {
  const base = ZOO['qkformer-cifar10'];
  for (const k of ['embedDims', 'depths', 'timesteps', 'imgSize', 'inChannels', 'numClasses'] as const) {
    const { max, noun } = MODEL_KNOBS[k];
    assert.throws(
      () => validateConfig({ ...base, [k]: max + 1 }),
      (e: Error) => e instanceof ConfigError && e.message === `${noun} ${max + 1} is beyond what spikewatt builds (at most ${max})`,
    );
  }
  assert.throws(
    () => validateConfig({ ...base, heads: [8, 0, 8] }),
    /^ConfigError: heads must be a positive integer, got 0$|heads must be a positive integer, got 0/,
  );
  assert.throws(() => validateConfig({ ...base, mlpRatio: MODEL_KNOBS.mlpRatio.max * 2 }), /mlp ratio must be in \(0, 256\]/);
  assert.throws(() => applyOverrides(base, { attention: ['qkta', 'ssa'] }), /--attention needs 1 or 3 kinds for qkformer-cifar, got 2/);
  assert.deepEqual(applyOverrides(base, { heads: 4, attention: ['ssa'], speds: false }), {
    ...base,
    heads: [4, 4, 4],
    attention: ['ssa', 'ssa', 'ssa'],
    speds: false,
  });
});

test("the README's size overrides are the table's flags", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  assert.ok(readme.includes(`Size overrides (every model-taking command): \`${knobFlagsLine()}\``), knobFlagsLine());
});
