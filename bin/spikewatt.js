#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has produced dist/, else the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'cli', 'main.js'));
if (!built) {
  const { register } = await import('tsx/esm/api');
  register();
}
const load = (module) => import(pathToFileURL(join(root, built ? 'dist' : 'src', `${module}.${built ? 'js' : 'ts'}`)).href);
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
