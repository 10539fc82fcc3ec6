#!/usr/bin/env bash
# The Slurm example for real: installs Debian's slurm-wlm and munge (as root), starts a one-node cluster on
# 127.0.0.1 (munged, slurmctld, slurmd), submits examples/slurm on the demo checkpoint, waits for the array and
# the dependent merge job, and checks the merged report against the unsharded run. CI calls it (.ci/run).
#   SAMPLES=24 SHARDS=3 scripts/slurm-local.sh
# Exit 0: the merged counts equal the unsharded ones. It stops every daemon it started on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SAMPLES=${SAMPLES:-24}
SHARDS=${SHARDS:-3}
MODEL=checkpoints/fmnist-qkformer.safetensors
DATASET=fashion-mnist
say() { echo "slurm-local: $*" >&2; }

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then say "needs slurm-wlm and munge (apt-get as root)"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  install() { apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }
  install || { apt-get update -qq && install; }
fi

run=$(mktemp -d /tmp/spikewatt-slurm.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() {
  local code=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$code" != 0 ]; then
    say "failed; logs:"
    for f in "$run"/log/*.log "$run"/work/logs/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 30 "$f"; }; done >&2
  fi
  rm -rf "$run"
  exit "$code"
}
trap cleanup EXIT
mkdir -p "$run/log" "$run/spool/ctld" "$run/spool/d" "$run/munge" "$run/work"

# munge: a fresh key of our own, its socket under $run (nothing of the host's munge is touched)
dd if=/dev/urandom of="$run/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$run/munge/munge.key"
sock="$run/munge/munge.socket"
munged --force --foreground --key-file="$run/munge/munge.key" --socket="$sock" --pid-file="$run/munge/munged.pid" \
  --log-file="$run/log/munged.log" --seed-file="$run/munge/seed" > "$run/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { say "munged did not start"; exit 1; }

cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
cat > "$run/slurm.conf" <<CONF
ClusterName=spikewatt-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$run/spool/ctld
SlurmdSpoolDir=$run/spool/d
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$run/log/slurmctld.log
SlurmdLogFile=$run/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$run/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" > "$run/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N localhost -f "$SLURM_CONF" > "$run/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n1 || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.3
done
case "$state" in idle*|mix*|alloc*) say "one-node cluster up ($cpus CPUs): node localhost is $state" ;;
  *) say "the node did not come up (state '${state:-none}')"; exit 1 ;; esac

# the example as a user submits it, the CLI from this checkout
export SPIKEWATT="node $root/bin/spikewatt.js" MODEL DATASET SAMPLES SHARDS WORK="$run/work" PROFILE_ARGS="--batch-size 2"
start=$(date +%s)
read -r array merge < <(examples/slurm/submit.sh --chdir="$root")
say "submitted array $array ($SHARDS shards of $SAMPLES samples) and merge job $merge (afterok)"
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ] && break
  sleep 1
done
[ -z "$(squeue -h -j "$array,$merge" -o %i 2>/dev/null)" ] || { say "jobs still queued after 10 minutes"; exit 1; }
elapsed=$(( $(date +%s) - start ))
mstate=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n1)
[ "$mstate" = COMPLETED ] || { say "merge job $merge ended $mstate"; exit 1; }
for ((i = 0; i < SHARDS; i++)); do
  s=$(sed -n 's/.*simulated in \([0-9.]*\) s.*/\1/p' "$run/work/logs/shard-$i.log" | tail -n1)
  say "shard $i/$SHARDS: simulated in ${s:-?} s (samples $(node -e "const p=require('$run/work/parts/$i/profile.json').shard;
    console.log(p.first + '..' + (p.end - 1))"))"
done
say "array + merge: ${elapsed} s wall, submission to merged report"

node bin/spikewatt.js profile --model "$MODEL" --dataset "$DATASET" --samples "$SAMPLES" --batch-size 2 --out "$run/whole" > /dev/null 2>&1
node -e "
const fs = require('fs');
const fail = (m) => { console.error('slurm-local: ' + m); process.exit(1); };
const read = (d) => {
  const r = JSON.parse(fs.readFileSync(d + '/profile.json', 'utf8'));
  delete r.config.command;
  return JSON.stringify(r);
};
if (read('$run/work/merged') !== read('$run/whole')) fail('merged profile.json differs from the unsharded run');
for (const f of ['layers.csv', 'timesteps.csv']) {
  if (!fs.readFileSync('$run/work/merged/' + f).equals(fs.readFileSync('$run/whole/' + f))) fail(f + ' differs');
}"
say "merged report equals the unsharded run (profile.json but its command line; layers.csv and timesteps.csv byte for byte)"
