import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const MODEL = 'checkpoints/fmnist-qkformer.safetensors';

/**
 * The contract, from the built package: `import { profile } from 'spikewatt'` resolves to the object the
 * CLI's profile.json holds for the same run, and prints nothing. The package is built into a temporary copy
 * (the repository's own dist/ would switch bin/spikewatt.js to compiled code for every other test).
 */
test('the built package: profile() from "spikewatt" equals the CLI profile.json of the same run, silently', { timeout: 300_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spikewatt-lib-'));
  try {
    const pkg = join(tmp, 'pkg');
    mkdirSync(pkg);
    for (const name of readdirSync(ROOT)) {
      if (name === 'dist' || name === '.git' || name === 'package.json') continue;
      symlinkSync(join(ROOT, name), join(pkg, name));
    }
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    const tscArgs = [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')];
    const build = spawnSync(process.execPath, tscArgs, { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const consumer = join(tmp, 'consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(pkg, join(consumer, 'node_modules', 'spikewatt'));
    const script = join(consumer, 'run.mjs');
    writeFileSync(
      script,
      `import { profile } from 'spikewatt';
const report = await profile({ model: '${MODEL}', dataset: 'fashion-mnist', samples: 4, hardware: ['cmos45-fp32'] });
process.stdout.write(JSON.stringify(report));
`,
    );
    const lib = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(lib.status, 0, lib.stderr);
    assert.equal(lib.stderr, '', 'the library prints nothing');
    assert.deepEqual(readdirSync(consumer).sort(), ['node_modules', 'run.mjs'], 'the library writes no files');
    const out = join(tmp, 'out');
    const cli = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'spikewatt.js'),
        'profile',
        '--model',
        MODEL,
        '--dataset',
        'fashion-mnist',
        '--samples',
        '4',
        '--hardware',
        'cmos45-fp32',
        '--out',
        out,
        '--json',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as { config: { samples: number; command?: string } };
    const fromLib = JSON.parse(lib.stdout) as typeof fromCli;
    assert.equal(fromLib.config.samples, 4);
    // the CLI records its command line; a library call has none
    assert.match(fromCli.config.command ?? '', /^spikewatt profile --model /);
    delete fromCli.config.command;
    assert.deepEqual(fromLib, fromCli);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
