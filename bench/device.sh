#!/usr/bin/env bash
# The GPU check, one script (docs/gpu.md): on a machine with a GPU and a Vulkan driver, from the repository root:
#
#   bash bench/device.sh                       # node from PATH
#   SPIKEWATT_NODE=/opt/node/bin/node bash bench/device.sh
#
# Needs no network: node_modules (with webgpu's prebuilt Dawn add-on) must be in the tree. Steps: probe the adapter,
# run the webgpu tests (conformance suite, official fixtures, kernel tests), then bench/device.ts (full-size fixture
# on the GPU path, the qkformer-cifar10 4-384 T=4 benchmark against the wasm CPU core) which writes
# bench/results/device-<date>-<adapter>.json. Without an adapter it still runs the CPU part and writes a results
# file marked no-gpu-rehearsal (not to be committed). Exit 0 unless the script could not run; a test failure is
# recorded in the results file, not turned into an exit status, so the measurements still come back.
# Options (environment): SPIKEWATT_NODE (node binary), DEVICE_SAMPLES, DEVICE_RUNS, DEVICE_OUT (results folder).
set -u
cd "$(dirname "$0")/.."
NODE="${SPIKEWATT_NODE:-$(command -v node || true)}"
if [ -z "$NODE" ] || ! [ -x "$NODE" ]; then
  echo "device.sh: no node binary: put Node >= 20 on PATH or set SPIKEWATT_NODE=/path/to/node" >&2
  exit 2
fi
major="$("$NODE" -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then echo "device.sh: node $("$NODE" -v) is too old (needs >= 20)" >&2; exit 2; fi
for m in tsx webgpu gpu.js; do
  if ! [ -d "node_modules/$m" ]; then echo "device.sh: node_modules/$m is missing: run npm ci where there is network, then carry the tree" >&2; exit 2; fi
done
# the wasm CPU core's kernels (AssemblyScript from node_modules; no network)
"$NODE" scripts/build-wasm.mjs >/dev/null || { echo "device.sh: could not build the wasm kernels (scripts/build-wasm.mjs)" >&2; exit 2; }
# A Vulkan loader carried in the tree (bench/vendor/libvulkan.so.1) is used when the system has none.
if [ -f bench/vendor/libvulkan.so.1 ] && ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  export LD_LIBRARY_PATH="$PWD/bench/vendor${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
OUT="${DEVICE_OUT:-bench/results}"
mkdir -p "$OUT"
LOG="$(mktemp -t spikewatt-device-tests.XXXXXX)"
echo "== node $("$NODE" -v), $(nproc) CPUs; GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'nvidia-smi not found')"
echo "== adapter"
"$NODE" --import tsx src/cli/main.ts cores 2>/dev/null | grep -E '^webgpu|^wasm ' || echo "(spikewatt cores failed)"
echo "== webgpu tests (conformance, official fixtures, kernels) -> $LOG"
"$NODE" --import tsx --test --test-reporter=tap --test-name-pattern='webgpu' \
  test/sim/conformance.test.ts test/sim/fidelity.test.ts test/sim/cores/webgpu.test.ts test/sim/cores/layer-major.test.ts > "$LOG" 2>&1
grep -E '^# (tests|pass|fail|skipped) ' "$LOG" || tail -20 "$LOG"
echo "== full-size fixture and benchmark"
"$NODE" --import tsx bench/device.ts --tests-log "$LOG" --out "$OUT" ${DEVICE_SAMPLES:+--samples "$DEVICE_SAMPLES"} ${DEVICE_RUNS:+--runs "$DEVICE_RUNS"}
rc=$?
cp "$LOG" "$OUT/device-tests-latest.tap" 2>/dev/null || true
exit $rc
