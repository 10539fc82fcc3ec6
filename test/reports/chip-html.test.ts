import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chipCharts } from '../../src/reports/chip-charts.js';
import { chipCompareSection, chipCompareSummary, compareChips } from '../../src/reports/chip-compare.js';
import { chipSection } from '../../src/reports/chip-html.js';
import { chipSummary } from '../../src/reports/chip-summary.js';
import { renderProfileHtml } from '../../src/reports/profile-html.js';
import { parseProfileReport, profileReportJson } from '../../src/reports/schema.js';
import { profileSummary } from '../../src/reports/summary.js';
import { chartJsText, tinyReport } from './tiny-report.js';

const report = tinyReport();
const loihi = report.energy.find((e) => e.profile === 'loihi')!;

test('profile.json carries the chip model of a profile with an architecture, and reads back', () => {
  assert.equal(report.energy.find((e) => e.profile === 'cmos45-fp32')!.chip, undefined);
  const chip = loihi.chip;
  assert.ok(chip?.mapped);
  assert.equal(chip.weightSharing, 'none');
  assert.ok(chip.cores >= chip.layers.length && chip.chips >= 1);
  assert.equal(chip.steps.length, report.timesteps);
  const back = parseProfileReport(profileReportJson(report), 'profile.json');
  assert.deepEqual(back.energy.find((e) => e.profile === 'loihi')!.chip, JSON.parse(JSON.stringify(chip)));
});

test('report.html: the chip section, its notes and its three charts', () => {
  const html = renderProfileHtml(report, chartJsText());
  assert.match(html, /<h2>Chip model<\/h2>/);
  assert.match(html, /Cores per layer/);
  assert.match(html, /processor time not estimated/);
  for (const id of ['chip-energy-split', 'chip-latency-loihi', 'chip-load-loihi']) assert.match(html, new RegExp(`<canvas id="${id}"`));
  assert.deepEqual(
    chipCharts(report).map((c) => c.id),
    ['chip-energy-split', 'chip-latency-loihi', 'chip-load-loihi'],
  );
  const section = chipSection(report);
  assert.ok(section.includes('synapse memory') && section.includes('binding'));
});

test('the terminal summary gives cores, chips, latency, throughput and the energy split with static', () => {
  const line = chipSummary(report);
  assert.match(
    line,
    /^chip loihi \(weight sharing none\): \d[\d,]* cores, 1 chip\(s\); step [\d.]+ µs, image [\d.]+ m?s, [\d,.]+ images\/s/,
  );
  assert.match(line, /energy [\d.]+ [µm]?J: synapse .*, neuron .*, network .*, processor .*, static [\d.]+ [µnm]?J/);
  assert.ok(profileSummary(report).includes(line));
});

test('compare: a variant carries its chip rows; the table and section show them', () => {
  const rows = compareChips(report);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.profile, 'loihi');
  const variants = [{ label: 'a', chip: rows }];
  assert.match(chipCompareSummary(variants), /^chip loihi:\nmodel\s+cores\s+chips/);
  assert.match(chipCompareSection(variants), /<h2>On the chip<\/h2>/);
  assert.equal(chipCompareSummary([{ label: 'b' }]), '');
});
