import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkImports, importsOf, simLines } from '../../scripts/check-architecture.js';

const SRC = resolve(fileURLToPath(new URL('../../src/', import.meta.url)));

test('the architecture guard flags an import against the direction and passes the allowed ones', () => {
  const files: Record<string, string> = {
    [join(SRC, 'models/a.ts')]: "import { x } from '../sim/ops.js';\nimport { InputError } from '../errors.js';\n",
    [join(SRC, 'sim/b.ts')]: "import type { ModelSpec } from '../models/spec.js';\nexport { y } from './c.js';\n",
    [join(SRC, 'reports/c.ts')]: "const m = await import('../cli/main.js');\n",
    [join(SRC, 'data/d.ts')]: "import '../train/side-effect.js';\n",
    [join(SRC, 'pipeline/e.ts')]: "import { train } from '../train/trainer.js';\nimport { openDataset } from '../data/registry.js';\n",
  };
  const problems = checkImports(Object.keys(files), (f) => files[f]!);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /src\/models\/a\.ts: models must not import sim/);
  assert.match(problems[1]!, /src\/reports\/c\.ts: reports must not import cli/);
  assert.match(problems[2]!, /src\/data\/d\.ts: data must not import train/);
  assert.deepEqual(importsOf("import a, { b } from './x.js';\nexport * from '../y.js';\nimport 'z';"), ['./x.js', '../y.js']);
  assert.equal(
    simLines([join(SRC, 'sim/b.ts'), join(SRC, 'models/a.ts')], (f) => files[f]!),
    2,
  );
});

test('the command line imports only the pipeline (and errors, json, itself)', () => {
  const files: Record<string, string> = {
    [join(SRC, 'cli/commands/a.ts')]:
      "import { infer } from '../../pipeline/index.js';\nimport { InputError } from '../../errors.js';\nimport { printJson } from '../io.js';\n",
    [join(SRC, 'cli/commands/b.ts')]:
      "import { zooModel } from '../../models/zoo.js';\nimport type { OpCounts } from '../../sim/counts.js';\n",
    [join(SRC, 'cli/c.ts')]:
      "import { profileSummary } from '../reports/summary.js';\nexport { openDataset } from '../data/registry.js';\n",
  };
  const problems = checkImports(Object.keys(files), (f) => files[f]!);
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems[0]!, /src\/cli\/commands\/b\.ts: cli must not import models/);
  assert.match(problems[1]!, /src\/cli\/commands\/b\.ts: cli must not import sim/);
  assert.match(problems[2]!, /src\/cli\/c\.ts: cli must not import reports/);
  assert.match(problems[3]!, /src\/cli\/c\.ts: cli must not import data/);
});
