import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { infer, type ProgressEvent } from '../../src/pipeline/index.js';
import { FIXTURE_ROOT, loadFixture } from '../helpers/fixtures.js';

const NAME = 'qkformer-dvs128_e64_T2_s32';
const DIR = join(FIXTURE_ROOT, NAME);

test('infer as a library: the official fixture spike for spike, the detection heard as a note', async () => {
  const f = loadFixture(NAME);
  const events: ProgressEvent[] = [];
  const r = await infer({
    weights: join(DIR, 'weights.safetensors'),
    input: join(DIR, 'input.safetensors'),
    overrides: { timesteps: 2, imgSize: 32 },
    batchCoupling: 'official',
    core: 'reference',
    onProgress: (e) => events.push(e),
  });
  assert.equal(r.model, 'qkformer-dvs128');
  assert.deepEqual([r.samples, r.timesteps, r.batchCoupling], [f.input.shape[0], 2, 'official']);
  for (const [m, s] of Object.entries(f.spikes)) {
    assert.deepEqual(r.spikes[m]!.perT, s.spikes_per_t, m);
    assert.deepEqual(r.spikes[m]!.perSamplePerT, s.spikes_per_sample_per_t, m);
  }
  r.logits.forEach((row, b) => row.forEach((v, k) => assert.ok(Math.abs(v - f.logits.logits[b]![k]!) <= 1e-4 * Math.max(1, Math.abs(v)))));
  assert.equal(r.layers['stage1.0.tssa.attn_lif']!.neuronUpdate, 2 * 2 * 16 * 16);
  assert.equal(r.convention, undefined, 'not priced unless asked');
  assert.equal(events.length, 1);
  assert.match(events[0]!.kind === 'note' ? events[0]!.message : '', /model qkformer-dvs128 read from the weights/);
});

test('infer priced: ops per image under the convention and energy per profile; bad input is an InputError before simulating', async () => {
  const r = await infer({
    weights: join(DIR, 'weights.safetensors'),
    input: join(DIR, 'input.safetensors'),
    model: 'qkformer-dvs128',
    overrides: { embedDims: 64, timesteps: 2, imgSize: 32 },
    batchCoupling: 'official',
    hardware: ['odin'],
    allowUnpriced: true,
  });
  assert.equal(r.convention, 'exact');
  const acPerImage = Object.values(r.layers).reduce((s, l) => s + (l.ac ?? 0), 0) / r.samples;
  assert.ok(Math.abs(r.totals!.ac! - acPerImage) <= 1e-9 * acPerImage);
  assert.ok(r.energy!.odin!.totalMj > 0);
  await assert.rejects(infer({ weights: 'w.safetensors', input: 'x.safetensors', model: 'resnet' }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(e.message, /unknown model 'resnet'/);
    return true;
  });
  await assert.rejects(
    infer({ weights: join(DIR, 'weights.safetensors'), input: join(DIR, 'input.safetensors'), core: 'x' as never }),
    /unknown core 'x'/,
  );
});
