import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfile } from '../../src/cost-models/profile-schema.js';
import { builtinProfilePath } from '../../src/cost-models/profiles.js';
import type { Dataset } from '../../src/data/dataset.js';
import { InputError } from '../../src/errors.js';
import { foldWeights } from '../../src/models/fold.js';
import { readSafetensors, writeSafetensors } from '../../src/models/formats/safetensors.js';
import { profile, resolveModel, runSlice } from '../../src/pipeline/index.js';
import { OP_KINDS } from '../../src/sim/ops.js';

const DEMO = 'checkpoints/fmnist-qkformer.safetensors';

test('a NaN or Inf weight is an InputError naming the tensor and where', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-nan-'));
  try {
    const file = readSafetensors(readFileSync(DEMO), DEMO);
    const key = [...file.tensors.keys()].find((k) => k.endsWith('proj_conv.weight'))!;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const t = file.tensors.get(key)!;
      const data = Float32Array.from(t.data);
      data[5] = bad;
      const path = join(tmp, 'bad.safetensors');
      writeFileSync(path, writeSafetensors(new Map([...file.tensors, [key, { ...t, data }]]), file.metadata));
      await assert.rejects(
        profile({ model: path, dataset: 'fashion-mnist', samples: 1 }),
        (e: unknown) => e instanceof InputError && e.message.includes(`tensor ${key} holds ${bad} at flat index 5`),
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a NaN or Inf input is an InputError naming the sample and element', async () => {
  const model = resolveModel(DEMO);
  const n = model.spec.inputShape.c * model.spec.inputShape.h * model.spec.inputShape.w;
  for (const workers of [1, 2]) {
    const data: Dataset = {
      name: 'fake',
      source: 'test',
      split: 'test',
      kind: 'static',
      numClasses: 10,
      sampleShape: [1, 28, 28],
      normalization: { kind: 'none' } as never,
      length: 8,
      get: (i) => ({ x: Float32Array.from({ length: n }, (_, j) => (i === 5 && j === 3 ? Number.NaN : 0.1)), label: 0 }),
    };
    await assert.rejects(
      runSlice(
        model.spec,
        foldWeights(model.spec, model.tensors),
        data,
        8,
        {
          core: 'reference',
          batchCoupling: 'independent',
          batchSize: 2,
          workers,
          fingerprint: {
            model: 'm',
            weightsSha256: '',
            dataset: 'fake',
            seed: 0,
            samples: 8,
            core: 'reference',
            batchCoupling: 'independent',
            batchSize: 2,
            timesteps: model.spec.config.timesteps,
          },
        },
        {},
        () => {},
      ),
      /fake: sample 5 holds NaN at input element 3/,
    );
  }
});

test('a hardware profile with an infinite price is an error naming the key', () => {
  const text = readFileSync(builtinProfilePath('cmos45-fp32'), 'utf8').replace('"energyPj": 4.6', '"energyPj": 1e999');
  assert.throws(
    () => parseProfile(text, 'inf.json'),
    (e: unknown) => e instanceof InputError && /inf\.json.*\/ops\/mac\/energyPj/.test(e.message),
  );
});

test('every energy total equals the sum of its parts (op kinds, layers x steps, and the profile total)', async () => {
  const r = await profile({
    model: DEMO,
    dataset: 'fashion-mnist',
    samples: 4,
    hardware: ['cmos45-fp32', 'loihi', 'cmos7'],
    allowUnpriced: true,
    conventions: ['exact', 'syops'],
  });
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
  assert.equal(r.energy.length, 6, 'three profiles x two conventions');
  for (const e of r.energy) {
    const what = `${e.profile}/${e.convention}`;
    let byKind = 0,
      layers = 0;
    for (const k of OP_KINDS) byKind += e.byOpKindPj[k];
    close(byKind * 1e-9, e.totalMj, `${what}: sum of op kinds`);
    const perKind = Object.fromEntries(OP_KINDS.map((k) => [k, 0]));
    for (const l of e.layers) {
      for (const s of l.perStep) {
        let step = 0;
        for (const k of OP_KINDS) {
          step += s.byOpKindPj[k];
          perKind[k]! += s.byOpKindPj[k];
        }
        close(step, s.totalPj, `${what}: ${l.name} t=${s.t}`);
        layers += s.totalPj;
      }
    }
    close(layers * 1e-9, e.totalMj, `${what}: sum of layers x steps`);
    for (const k of OP_KINDS) close(perKind[k]!, e.byOpKindPj[k], `${what}: ${k} over layers x steps`);
  }
});
