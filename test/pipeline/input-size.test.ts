import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../src/models/formats/safetensors.js';
import { infer, profile, type ProgressEvent } from '../../src/pipeline/index.js';
import { FIXTURE_ROOT, loadFixture } from '../helpers/fixtures.js';
import { stateDict, torchSave } from '../helpers/torch-save.js';

const NAME = 'qkformer-dvs128_e64_T2_s32';
const DIR = join(FIXTURE_ROOT, NAME);

test('an official-layout DVS checkpoint on 32x32 frames runs with no size flag: the input decides, spike for spike', async () => {
  const f = loadFixture(NAME);
  const events: ProgressEvent[] = [];
  const r = await infer({
    weights: join(DIR, 'weights.safetensors'),
    input: join(DIR, 'input.safetensors'),
    // no imgSize: the weights do not fix it (the published default is 128)
    overrides: { timesteps: 2 },
    batchCoupling: 'official',
    core: 'reference',
    onProgress: (e) => events.push(e),
  });
  for (const [m, s] of Object.entries(f.spikes)) assert.deepEqual(r.spikes[m]!.perSamplePerT, s.spikes_per_sample_per_t, m);
  r.logits.forEach((row, b) => row.forEach((v, k) => assert.ok(Math.abs(v - f.logits.logits[b]![k]!) <= 1e-4 * Math.max(1, Math.abs(v)))));
  const notes = events.map((e) => (e.kind === 'note' ? e.message : ''));
  assert.ok(
    notes.some((n) => /image size 32 from the input .*published default is 128/.test(n)),
    notes.join(' | '),
  );
});

test("profile: the dataset's 32x32 frames decide the DVS checkpoint's image size, and the report says so", async () => {
  const report = await profile({
    model: join(DIR, 'weights.safetensors'),
    dataset: 'fashion-mnist-dvs',
    samples: 2,
    overrides: { timesteps: 2 },
    hardware: ['cmos45-fp32'],
    workers: 1,
  });
  assert.deepEqual(report.model.inputShape, [2, 2, 32, 32]);
  assert.ok(report.config.notes?.some((n) => n.startsWith('image size 32 from the input')));
});

test('the same checkpoint as an official .pth (torch.save zip, {model: state_dict}) runs with no size flag too', async () => {
  const f = loadFixture(NAME);
  const st = readSafetensors(readFileSync(join(DIR, 'weights.safetensors')), 'weights.safetensors');
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-pth-'));
  try {
    const pth = join(tmp, 'checkpoint_max.pth');
    writeFileSync(pth, torchSave({ model: stateDict(st.tensors), epoch: 1 }));
    const r = await infer({
      weights: pth,
      input: join(DIR, 'input.safetensors'),
      overrides: { timesteps: 2 },
      batchCoupling: 'official',
      core: 'reference',
    });
    for (const [m, s] of Object.entries(f.spikes)) assert.deepEqual(r.spikes[m]!.perSamplePerT, s.spikes_per_sample_per_t, m);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
