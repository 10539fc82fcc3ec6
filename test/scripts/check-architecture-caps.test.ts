import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capOf, checkLineCaps, LINE_CAPS, SIM_LINE_CAP, type LineCap } from '../../scripts/check-architecture.js';

const SRC = resolve(fileURLToPath(new URL('../../src/', import.meta.url)));

test('line caps: each file counts once, in its longest scope; a scope over its cap is one problem naming it', () => {
  const lines = (n: number) => 'x;\n'.repeat(n);
  const files: Record<string, string> = {
    [join(SRC, 'sim/ops.ts')]: lines(5),
    [join(SRC, 'sim/primitives/lif.ts')]: lines(4),
    [join(SRC, 'sim/cores/fast.ts')]: lines(3),
    [join(SRC, 'sim/cores/fast/kernels.ts')]: lines(2),
    [join(SRC, 'sim/cores/faster.ts')]: lines(7),
    [join(SRC, 'models/spec.ts')]: lines(100),
  };
  const caps: LineCap[] = [
    {
      scope: 'sim',
      history: [
        [100, 'first'],
        [20, 'back down'],
      ],
    },
    { scope: 'sim/cores/fast', history: [[4, 'its own cap']] },
  ];
  const r = checkLineCaps(Object.keys(files), (f) => files[f]!, caps);
  // sim/cores/faster.ts is not under the scope sim/cores/fast: it counts in sim
  assert.deepEqual(
    [...r.lines],
    [
      ['sim', 16],
      ['sim/cores/fast', 5],
    ],
  );
  assert.deepEqual(r.problems, ['src/sim/cores/fast holds 5 lines, over its cap of 4 (LINE_CAPS, scripts/check-architecture.ts)']);
});

test('the src/sim cap is back at its first value, and every cap is the last entry of a history with reasons', () => {
  assert.equal(SIM_LINE_CAP, 2000);
  for (const c of LINE_CAPS) {
    assert.ok(c.history.length > 0, c.scope);
    assert.equal(capOf(c), c.history[c.history.length - 1]![0]);
    for (const [n, why] of c.history) assert.ok(n > 0 && why.length > 10, `${c.scope}: ${n} ${why}`);
  }
});
