import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture, samplesOf } from '../../helpers/fixtures.js';
import { foldWeights } from '../../../src/models/fold.js';
import { simulate } from '../../../src/sim/schedule/time-major.js';
import { ReferenceCore } from '../../../src/sim/cores/reference.js';
import { WasmCore, wasmUnavailableReason } from '../../../src/sim/cores/wasm.js';

/**
 * The wasm core's paths that the big fixtures may not reach: SEW multiplicities without premultiplied tables
 * (a zero table budget forces the multiply path) must still give the reference core's exact doubles.
 */
test('wasm core without premultiplied tables: logits bit-identical to the reference core', (t) => {
  const why = wasmUnavailableReason();
  if (why) {
    t.skip(why);
    return;
  }
  const f = loadFixture('qkformer-imagenet_e64_d4_T2_s32');
  const folded = foldWeights(f.spec, f.weights),
    xs = samplesOf(f.input);
  const ref = simulate(f.spec, folded, xs, { core: new ReferenceCore() });
  const got = simulate(f.spec, folded, xs, { core: new WasmCore({ tableBudgetBytes: 0 }) });
  assert.deepEqual(got.logits, ref.logits);
  assert.deepEqual([...got.sink.spikesPerSample], [...ref.sink.spikesPerSample]);
});
