#!/usr/bin/env node
// Builds build/kernels.wasm from assembly/kernels.ts with the AssemblyScript compiler from the npm registry.
// Runs on `npm ci` (the prepare script) and before the demo, tests and benchmark; skips when up to date.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'assembly', 'kernels.ts');
const out = join(root, 'build', 'kernels.wasm');
const stamp = `${out}.sha256`;
const hash = createHash('sha256').update(readFileSync(src)).digest('hex');
if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && statSync(out).size > 0) process.exit(0);
let asc;
try {
  asc = await import('assemblyscript/asc');
} catch {
  console.error('build-wasm: the AssemblyScript compiler is not installed (npm ci installs it); the wasm core stays unavailable');
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const { error, stderr } = await asc.main([src, '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '-o', `${out}.tmp`]);
if (error) {
  console.error(`build-wasm: ${error.message}\n${stderr.toString()}`);
  process.exit(1);
}
const { renameSync } = await import('node:fs');
renameSync(`${out}.tmp`, out);
writeFileSync(stamp, hash);
console.log(`build-wasm: wrote ${out}`);
