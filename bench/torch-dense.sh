#!/usr/bin/env bash
# The dense PyTorch forward of the official QKFormer code on the bench's full-size workload (bench/torch-dense.py):
#
#   bash bench/torch-dense.sh [--runs 5] [--images 16] [--warmup 4] [--threads 2]
#
# Needs python3 with torch (Debian's python3-torch; installed with apt-get when this runs as root and it is absent,
# saying so) and a git clone of zhouchenlin2096/QKFormer: QKFORMER_REPO=/path/to/clone, else a clone made once into
# ${XDG_CACHE_HOME:-~/.cache}/spikewatt/QKFormer (saying so). The repository has no licence, so spikewatt does not
# ship its code. On success: one JSON line on stdout. Where torch or the official code is absent: one line on stderr
# saying what, exit 3 (the bench then leaves the ratio out).
set -u
cd "$(dirname "$0")/.."
PY="${SPIKEWATT_PYTHON:-python3}"
has_torch() { command -v "$PY" >/dev/null 2>&1 && "$PY" -c 'import torch' >/dev/null 2>&1; }
if ! has_torch && [ "$PY" = python3 ] && [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then
  PY=/usr/bin/python3
fi
if ! has_torch; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "torch-dense: python3 has no torch: installing Debian's python3-torch (apt-get)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch; } >/dev/null 2>&1
    PY=/usr/bin/python3
  fi
  has_torch || { echo "torch-dense: no python3 with torch here (Debian: apt-get install python3-torch): dense PyTorch reference not measured" >&2; exit 3; }
fi
REPO="${QKFORMER_REPO:-}"
if [ -z "$REPO" ]; then
  REPO="${XDG_CACHE_HOME:-$HOME/.cache}/spikewatt/QKFormer"
  if ! [ -e "$REPO" ]; then
    echo "torch-dense: QKFORMER_REPO unset: cloning https://github.com/zhouchenlin2096/QKFormer into $REPO" >&2
    mkdir -p "$(dirname "$REPO")"
    timeout 120 git clone --quiet --bare https://github.com/zhouchenlin2096/QKFormer "$REPO" >/dev/null 2>&1 || rm -rf "$REPO"
  fi
fi
gitdir="$REPO"
[ -d "$REPO/.git" ] && gitdir="$REPO/.git"
if ! git --git-dir "$gitdir" cat-file -e c2a00e8e54538e76f5954614a60c1d53824bbee9:cifar10/model.py 2>/dev/null; then
  echo "torch-dense: no official QKFormer code at c2a00e8 (set QKFORMER_REPO to a clone of zhouchenlin2096/QKFormer): dense PyTorch reference not measured" >&2
  exit 3
fi
exec "$PY" bench/torch-dense.py "$REPO" test/fixtures/official-full/qkformer-cifar10_e384_d4_T4_s32/weights.safetensors "$@"
