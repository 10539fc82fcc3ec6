#!/bin/bash
# Submits a sharded profile run to Slurm: an array of $SHARDS tasks and a merge job that waits for all of them.
#   MODEL=checkpoints/fmnist-qkformer.safetensors DATASET=fashion-mnist SAMPLES=10000 SHARDS=16 WORK=$PWD/run \
#     examples/slurm/submit.sh [extra sbatch options, e.g. --partition=cpu --time=02:00:00]
# Prints the two job ids: ARRAY MERGE. WORK must be on storage every node sees.
set -euo pipefail
: "${MODEL:?set MODEL}" "${DATASET:?set DATASET}" "${SAMPLES:?set SAMPLES}" "${SHARDS:?set SHARDS}" "${WORK:?set WORK}"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/logs" "$WORK/parts"
export MODEL DATASET SAMPLES SHARDS WORK
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" --output="$WORK/logs/shard-%a.log" --export=ALL "$@" "$here/profile-shard.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --output="$WORK/logs/merge.log" --export=ALL "$@" \
  "$here/merge.sbatch")
echo "$array ${merge%%;*}"
