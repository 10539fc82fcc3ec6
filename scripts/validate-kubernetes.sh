#!/usr/bin/env bash
# Offline validation of examples/kubernetes (no cluster): kubectl decodes each manifest on the client.
#  - `kubectl label --local` reads it as plain objects (YAML syntax, apiVersion/kind);
#  - `kubectl set env --local` decodes the Jobs into their typed Go structs (a field of the wrong type fails),
#    and comparing the two finds fields the typed decoding dropped, i.e. names Kubernetes does not know;
#  - then what the example relies on: Indexed completion, the shard from JOB_COMPLETION_INDEX, one shared claim.
# Installs Debian's kubectl (package kubernetes-client) when there is none. CI calls it (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v kubectl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
  else
    echo "validate-kubernetes: no kubectl (Debian: apt-get install kubernetes-client)" >&2; exit 1
  fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in examples/kubernetes/*.yaml; do
  name=$(basename "$f" .yaml)
  kubectl label --local --dry-run=client -o json -f "$f" spikewatt-validate=1 > "$tmp/$name.plain.json"
  if grep -q '"kind": "Job"' "$tmp/$name.plain.json"; then
    kubectl set env --local --dry-run=client -o json -f "$f" SPIKEWATT_VALIDATE=1 > "$tmp/$name.typed.json"
  fi
done
node - "$tmp" <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const fail = (m) => { console.error(`validate-kubernetes: ${m}`); process.exit(1); };
const read = (n) => JSON.parse(fs.readFileSync(`${dir}/${n}`, 'utf8'));
// every leaf of the plain object must survive the typed decoding (the added label and env aside)
const leaves = (v, p = '') => (v && typeof v === 'object'
  ? Object.entries(v).flatMap(([k, x]) => leaves(x, `${p}/${k}`)) : [[p, JSON.stringify(v)]]);
const objs = {};
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.plain.json'))) {
  const name = f.replace('.plain.json', ''), plain = read(f);
  objs[name] = plain;
  if (!fs.existsSync(`${dir}/${name}.typed.json`)) continue;
  const typed = new Map(leaves(read(`${name}.typed.json`)));
  for (const [p, v] of leaves(plain)) {
    if (p.endsWith('/spikewatt-validate')) continue;
    if (!typed.has(p)) fail(`${name}.yaml: ${p} is not a field Kubernetes knows (dropped by the typed decoding)`);
    if (typed.get(p) !== v) fail(`${name}.yaml: ${p} is ${typed.get(p)} once decoded, not ${v}`);
  }
}
const shards = objs['profile-shards'], merge = objs.merge, pvc = objs.volume;
if (!shards || !merge || !pvc) fail('expected profile-shards.yaml, merge.yaml and volume.yaml');
if (shards.spec.completionMode !== 'Indexed') fail('the shards Job must be completionMode: Indexed');
const c = shards.spec.template.spec.containers[0];
const line = [...c.command, ...c.args].join(' ');
if (!line.includes('--shard "$JOB_COMPLETION_INDEX/$SHARDS"')) fail('the shard must come from JOB_COMPLETION_INDEX');
const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
if (Number(env.SHARDS) !== shards.spec.completions) fail(`SHARDS ${env.SHARDS} but completions ${shards.spec.completions}`);
for (const [n, job] of [['profile-shards', shards], ['merge', merge]]) {
  const claims = job.spec.template.spec.volumes.map((v) => v.persistentVolumeClaim?.claimName);
  if (!claims.includes(pvc.metadata.name)) fail(`${n}.yaml does not mount the claim ${pvc.metadata.name}`);
}
console.error(`validate-kubernetes: ${Object.keys(objs).length} manifests decode with kubectl and fit together (Indexed Job of `
  + `${shards.spec.completions} shards, merge Job, claim ${pvc.metadata.name})`);
JS
