#!/usr/bin/env bash
# The package as users get it: npm pack, install the tarball into an empty folder (packages from the npm cache when
# there, else the registry; no dev dependencies), then run the installed `npx spikewatt` with no TypeScript toolchain:
# --help, models, cores, a short profile and the demo. The native cores are built at install time from native/*.c
# (no binary in the tarball): with a C compiler `spikewatt cores` must name the variant that runs; then the tarball is
# installed again with no compiler on PATH, which must still install, say why in `cores`, and profile on wasm.
# Prints the tarball and installed sizes (quoted in the README).
# Usage: bash scripts/check-package.sh [--quick]   (--quick: skip the demo, about 30 s of the run)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
work=$(mktemp -d "${TMPDIR:-/tmp}/spikewatt-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "check-package: npm pack" >&2
npm pack --silent --pack-destination "$work" >"$work/pack.log"
tgz=$(ls "$work"/spikewatt-*.tgz)
mkdir "$work/app"
cd "$work/app"
echo '{"name":"spikewatt-package-check","private":true}' >package.json
echo "check-package: npm install $(basename "$tgz")" >&2
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tgz" >/dev/null
[ ! -e node_modules/typescript ] && [ ! -e node_modules/tsx ] || {
  echo "check-package: a TypeScript toolchain was installed with the package" >&2
  exit 1
}
run() {
  echo "check-package: npx spikewatt $*" >&2
  npx --no-install spikewatt "$@"
}
if tar -tzf "$tgz" | grep -q '/build/native'; then
  echo "check-package: the tarball carries a prebuilt native addon" >&2
  exit 1
fi
run --help >/dev/null
run models | grep -q qkformer-cifar10
if command -v cc >/dev/null || command -v gcc >/dev/null || command -v clang >/dev/null; then
  [ -s node_modules/spikewatt/build/native.node ] || { echo "check-package: a C compiler is here but the install built no native addon" >&2; exit 1; }
  run cores | grep -E '^native-f32 .*here: (avx512|avx2|sse2|generic) ' >&2 || { echo "check-package: spikewatt cores names no native variant" >&2; exit 1; }
fi
run profile --model "$(pwd)/node_modules/spikewatt/checkpoints/fmnist-qkformer.safetensors" --dataset fashion-mnist --samples 8 \
  --hardware cmos45-fp32,loihi --out profile-out >/dev/null
for f in profile.json report.html layers.csv; do [ -s "profile-out/$f" ] || { echo "check-package: profile wrote no $f" >&2; exit 1; }; done
# NIR through h5wasm from the installed package: export the demo checkpoint (its attention and max pooling left out)
run nir export --model "$(pwd)/node_modules/spikewatt/checkpoints/fmnist-qkformer.safetensors" --partial demo.nir >/dev/null 2>&1
[ -s demo.nir ] || { echo "check-package: nir export wrote no demo.nir" >&2; exit 1; }
# an optional dependency that is not installed: one line naming what to install, exit 2
set +e
err=$(npx --no-install spikewatt train --model qkformer-cifar10 --epochs 1 --out t.safetensors 2>&1 >/dev/null)
rc=$?
set -e
if [ "$rc" != 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" != 1 ] || ! grep -q 'npm install @tensorflow/tfjs' <<<"$err"; then
  echo "check-package: train without tfjs should fail with one line (exit 2), got exit $rc: $err" >&2
  exit 1
fi
if [ "$quick" = 0 ]; then
  run demo >/dev/null
  [ -s demo-out/report.html ] && [ -s demo-out/compare.html ] || { echo "check-package: the demo wrote no report" >&2; exit 1; }
fi
# no C compiler: only node, npm and a shell on PATH; the install still succeeds and the wasm cores serve
mkdir "$work/nocc" "$work/bin"
for b in node npm npx sh bash env; do ln -s "$(command -v $b)" "$work/bin/$b"; done
(
  cd "$work/nocc"
  echo '{"name":"spikewatt-package-check-nocc","private":true}' >package.json
  echo "check-package: npm install with no C compiler on PATH" >&2
  PATH="$work/bin" npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tgz" >/dev/null
  [ ! -e node_modules/spikewatt/build/native.node ] || { echo "check-package: a native addon appeared with no compiler" >&2; exit 1; }
  grep -q 'no C compiler found' node_modules/spikewatt/build/native.why || { echo "check-package: no reason kept for the missing native cores" >&2; exit 1; }
  PATH="$work/bin" npx --no-install spikewatt cores | grep -E '^native-f32 +unavailable' >&2
  PATH="$work/bin" npx --no-install spikewatt profile --model "$(pwd)/node_modules/spikewatt/checkpoints/fmnist-qkformer.safetensors" \
    --dataset fashion-mnist --samples 4 --out profile-out >/dev/null
  grep -q '"core": *"wasm-f32"' profile-out/profile.json || { echo "check-package: without a compiler the profile did not run on wasm-f32" >&2; exit 1; }
)
tgz_kb=$(du -k "$tgz" | cut -f1)
pkg_kb=$(du -sk node_modules/spikewatt | cut -f1)
all_kb=$(du -sk node_modules | cut -f1)
echo "check-package: ok: tarball ${tgz_kb} KiB, package ${pkg_kb} KiB, installed with dependencies ${all_kb} KiB"
