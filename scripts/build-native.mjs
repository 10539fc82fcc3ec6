#!/usr/bin/env node
// Builds build/native.node (the `native` and `native-f32` cores) from native/*.c with the system's C compiler and
// Node's own Node-API headers: no node-gyp, no download, no prebuilt binary. Runs on `npm ci` (the prepare script)
// and before the demo, tests and benchmark; skips when up to date. The gather kernels are compiled once per x86-64
// instruction set (AVX-512, AVX2, SSE2; elsewhere once for the compiler's default target) and chosen at run time.
// Where no compiler or no headers are found it says so in one line, writes the reason to build/native.why (which
// `spikewatt cores` prints) and exits 0: the wasm cores stay the default.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'native');
// --out DIR builds elsewhere (the tests check the no-compiler path without touching build/)
const outAt = process.argv.indexOf('--out');
const buildDir = outAt > 0 && process.argv[outAt + 1] ? process.argv[outAt + 1] : join(root, 'build');
const out = join(buildDir, 'native.node');
const why = join(buildDir, 'native.why');
const stamp = `${out}.sha256`;

/** x86-64: one object per instruction set (name, vector bytes, flags); elsewhere the compiler's default target. */
const VARIANTS =
  process.arch === 'x64'
    ? [
        ['avx512', 64, ['-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl']],
        ['avx2', 32, ['-mavx2']],
        ['sse2', 16, ['-msse2']],
      ]
    : [['generic', 16, []]];
// -ffp-contract=off: no fused multiply-add, so float64 sums are the reference core's doubles (checked below)
const CFLAGS = ['-O3', '-std=gnu11', '-fPIC', '-ffp-contract=off', '-fno-fast-math', '-fvisibility=hidden', '-Wall'];

/** One line, the reason kept for `spikewatt cores`, and no stale addon left to load: exit 0, the wasm cores serve. */
function giveUp(reason) {
  mkdirSync(buildDir, { recursive: true });
  for (const f of [out, stamp, `${out}.tmp`]) rmSync(f, { force: true });
  writeFileSync(why, `${reason}\n`);
  console.error(`build-native: ${reason}; the native cores stay unavailable and the wasm cores remain the default`);
  process.exit(0);
}

function compiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return { cc, version: r.stdout.split('\n')[0] };
  }
  return null;
}

function headers() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    join(root, 'node_modules', 'node-api-headers', 'include'),
  ];
  return candidates.find((d) => existsSync(join(d, 'node_api.h'))) ?? null;
}

const cc = compiler();
if (!cc) giveUp('no C compiler found (tried $CC, cc, gcc, clang)');
const include = headers();
if (!include) giveUp("no Node-API headers found (node_api.h in Node's include/node, /usr/include/node or the node-api-headers package)");

const sources = ['gather.c', 'addon.c'].map((f) => join(srcDir, f));
const hash = createHash('sha256');
for (const f of sources) hash.update(readFileSync(f));
hash.update(`${cc.version}\n${include}\n${process.arch}\n${CFLAGS.join(' ')}\n${readFileSync(fileURLToPath(import.meta.url))}`);
const digest = hash.digest('hex');
if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest && statSync(out).size > 0) process.exit(0);

const objDir = join(buildDir, 'native-obj');
mkdirSync(objDir, { recursive: true });
const run = (args) => {
  const r = spawnSync(cc.cc, args, { encoding: 'utf8' });
  if (r.status !== 0) giveUp(`${cc.cc} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(0, 3).join(' | ')}`);
};
const objects = VARIANTS.map(([isa, bytes, flags]) => {
  const o = join(objDir, `gather-${isa}.o`);
  run([...CFLAGS, ...flags, `-DISA=${isa}`, `-DVBYTES=${bytes}`, '-c', sources[0], '-o', o]);
  return o;
});
const addonObj = join(objDir, 'addon.o');
run([...CFLAGS, `-I${include}`, ...(process.arch === 'x64' ? ['-DSPIKEWATT_X86'] : []), '-c', sources[1], '-o', addonObj]);
run(['-shared', '-o', `${out}.tmp`, addonObj, ...objects]);

// the bit-identity of `native` rests on no fused multiply-add in the kernels: check the machine code where objdump is
const dis = spawnSync('objdump', ['-d', `${out}.tmp`], { encoding: 'utf8', maxBuffer: 1 << 26 });
if (dis.status === 0 && /\bv?fn?m(add|sub)[0-9]{3}[sp][sd]\b/.test(dis.stdout)) {
  rmSync(`${out}.tmp`, { force: true });
  giveUp('the compiler emitted fused multiply-adds despite -ffp-contract=off');
}
renameSync(`${out}.tmp`, out);
rmSync(why, { force: true });
rmSync(objDir, { recursive: true, force: true });
writeFileSync(stamp, digest);
console.log(`build-native: wrote ${out} (${cc.version}; ${VARIANTS.map((v) => v[0]).join(', ')})`);
