import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadProfile, memoryWordEnergyPj, MemoryModelError } from '../../src/cost-models/index.js';

const fp32 = loadProfile('cmos45-fp32', (p) => readFileSync(p, 'utf8'));
const int8 = loadProfile('cmos45-int8', (p) => readFileSync(p, 'utf8'));
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

test('Horowitz SRAM per 32-bit word: half a 64-bit access at the published capacities', () => {
  const m = fp32.memory!;
  close(memoryWordEnergyPj(m, 8192), 5);
  close(memoryWordEnergyPj(m, 32768), 10);
  close(memoryWordEnergyPj(m, 1048576), 50);
});

test('between points: linear in log2(capacity)', () => {
  const m = fp32.memory!;
  // 16 KB is halfway between 8 KB and 32 KB in log2: (5 + 10) / 2
  close(memoryWordEnergyPj(m, 16384), 7.5);
  // 256 KB: log2 = 18, between 15 (32 KB) and 20 (1 MB): 10 + (50 - 10) * 3/5 = 34
  close(memoryWordEnergyPj(m, 262144), 34);
});

test('below the smallest point: the smallest point; above the largest: banked or off-chip', () => {
  const m = fp32.memory!;
  close(memoryWordEnergyPj(m, 100), 5);
  close(memoryWordEnergyPj(m, 64 * 1048576), 50);
  close(memoryWordEnergyPj(m, 64 * 1048576, 'offChip'), 650);
  close(memoryWordEnergyPj(m, 1048576, 'offChip'), 50);
  assert.throws(() => memoryWordEnergyPj({ ...m, offChip: undefined } as never, 2 * 1048576, 'offChip'), MemoryModelError);
});

test('word width scales the per-word energy (int8: an eighth of a 64-bit access)', () => {
  close(memoryWordEnergyPj(int8.memory!, 8192), 1.25);
  close(memoryWordEnergyPj(int8.memory!, 1048576), 12.5);
});
