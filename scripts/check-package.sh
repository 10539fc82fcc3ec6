#!/usr/bin/env bash
# The package as users get it: npm pack, install the tarball into an empty folder (packages from the npm cache when
# there, else the registry; no dev dependencies), then run the installed `npx spikewatt` with no TypeScript toolchain:
# --help, models, a short profile and the demo. Prints the tarball and installed sizes (quoted in the README).
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
run --help >/dev/null
run models | grep -q qkformer-cifar10
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
tgz_kb=$(du -k "$tgz" | cut -f1)
pkg_kb=$(du -sk node_modules/spikewatt | cut -f1)
all_kb=$(du -sk node_modules | cut -f1)
echo "check-package: ok: tarball ${tgz_kb} KiB, package ${pkg_kb} KiB, installed with dependencies ${all_kb} KiB"
