#!/usr/bin/env bash
# The command-line round trip: profile a checkpoint once, re-render its reports from profile.json, then re-price
# its run record (counts.json) on other chips (no second simulation), including the custom profile in this folder.
#
#   examples/profile-report-reprice.sh [OUT_DIR] [SAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-examples-out}"
samples="${2:-8}"
spikewatt() { node bin/spikewatt.js "$@"; }
rm -rf "$out"
mkdir -p "$out"

spikewatt profile --model checkpoints/fmnist-qkformer.safetensors --dataset fashion-mnist --samples "$samples" \
  --hardware cmos45-fp32 --out "$out/run"
spikewatt report "$out/run/profile.json" --out "$out/rendered"
spikewatt report "$out/run/counts.json" --hardware cmos45-fp32,loihi,truenorth,examples/my-chip.json --allow-unpriced --out "$out/repriced"
ls "$out/run" "$out/repriced"
