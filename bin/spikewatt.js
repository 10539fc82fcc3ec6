#!/usr/bin/env node
// Runs the TypeScript sources through tsx in a checkout (src/ and the tsx dev dependency present), else the compiled
// JavaScript in dist/ (the installed package ships dist/ and no TypeScript toolchain).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsxInstalled = () => {
  try {
    createRequire(join(root, 'package.json')).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
};
const fromSource = existsSync(join(root, 'src', 'cli', 'main.ts')) && tsxInstalled();
if (!fromSource && !existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('spikewatt: neither src/ with tsx (npm ci) nor a built dist/ (npm run build) is present\n');
  process.exit(2);
}
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
}
const load = (module) => import(pathToFileURL(join(root, fromSource ? 'src' : 'dist', `${module}.${fromSource ? 'ts' : 'js'}`)).href);
const { hideBin } = await import('yargs/helpers');
const args = hideBin(process.argv);
// checks that need no heavy module first (an unusable --out fails in a fraction of a second), then the CLI
const early = (await load('cli/early')).earlyCheck(args);
if (early !== null) {
  process.stderr.write(early);
  process.exitCode = 2;
} else {
  process.exitCode = await (await load('cli/main')).main(args);
}
