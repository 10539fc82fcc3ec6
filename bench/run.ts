/**
 * Benchmark: synaptic events per second and samples per second of the compute cores on the zoo models, with seeded
 * random weights and seeded inputs. Writes bench/results/cores.json (or --out).
 *
 *   npm run bench                                  every mode available here, default sample counts
 *   npm run bench -- --modes webasm,cpu --samples 4
 *   xvfb-run -a npm run bench -- --modes headlessgl   (needs the `gl` add-on, see docs/gpu.md)
 *
 * A synaptic event is one `ac` (one weight accumulated by one unit spike) plus one `mac` of the dense first conv.
 * The first sample of a gpujs run includes kernel compilation; compile time is reported apart and subtracted
 * from the steady-state rates.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import { zooModel, type ZooName } from '../src/models/zoo.js';
import { mulberry32, randomWeights } from '../src/models/weights.js';
import { foldWeights } from '../src/models/fold.js';
import type { ModelSpec } from '../src/models/spec.js';
import { simulate } from '../src/sim/simulate.js';
import { perImageTotals } from '../src/sim/counts.js';
import { ReferenceCore } from '../src/sim/cores/reference.js';
import { GpujsCore } from '../src/sim/cores/gpujs.js';
import { GPU_MODES, probeModes, type GpuMode } from '../src/sim/cores/gpujs/modes.js';

const { values } = parseArgs({
  options: {
    modes: { type: 'string' },
    samples: { type: 'string' },
    'dvs-samples': { type: 'string' },
    out: { type: 'string' },
    'no-reference': { type: 'boolean' },
  },
});

const probe = probeModes();
const modes: GpuMode[] = values.modes
  ? values.modes.split(',').map((m) => {
    const p = probe.find((x) => x.mode === m);
    if (!p) { console.error(`bench: unknown mode '${m}' (use ${GPU_MODES.join(', ')})`); process.exit(2); }
    if (!p.available) { console.error(`bench: mode '${m}' is not available here: ${p.why}`); process.exit(2); }
    return p.mode;
  })
  : probe.filter((p) => p.available).map((p) => p.mode);

const MODELS: { name: ZooName; samples: number }[] = [
  { name: 'qkformer-cifar10', samples: Number(values.samples ?? 2) },
  { name: 'qkformer-cifar10dvs', samples: Number(values['dvs-samples'] ?? 1) },
];

/** Static images: values ~U(-1, 1) like normalised pixels; DVS: sparse event counts (5% of pixels, 1-2 events). */
function inputs(spec: ModelSpec, count: number, seed: number): Float32Array[] {
  const r = mulberry32(seed);
  const s = spec.inputShape;
  const dvs = spec.config.input === 'dvs';
  const n = (dvs ? spec.config.timesteps : 1) * s.c * s.h * s.w;
  return Array.from({ length: count }, () => new Float32Array(n).map(() => (dvs ? (r() < 0.05 ? 1 + Math.floor(r() * 2) : 0) : 2 * r() - 1)));
}

interface Row {
  model: string; core: string; mode: string; samples: number; timesteps: number;
  wallMs: number; compileMs: number; synapticEventsPerSample: number;
  samplesPerSecond: number; synapticEventsPerSecond: number; coreRunMs: number | null; coreHostMs: number | null;
}

const rows: Row[] = [];
for (const m of MODELS) {
  const spec = zooModel(m.name);
  const folded = foldWeights(spec, randomWeights(spec, { seed: 1 }));
  const xs = inputs(spec, m.samples, 2);
  const runs: { core: string; mode: string; make: () => ReferenceCore | GpujsCore }[] = [];
  if (!values['no-reference']) runs.push({ core: 'reference', mode: '-', make: () => new ReferenceCore() });
  for (const mode of modes) runs.push({ core: 'gpujs', mode, make: () => new GpujsCore({ mode }) });
  let logits0: Float64Array | null = null;
  for (const r of runs) {
    const core = r.make();
    const t0 = performance.now();
    const res = simulate(spec, folded, xs, { core });
    const wallMs = performance.now() - t0;
    const st = core instanceof GpujsCore ? core.stats() : null;
    core.dispose();
    const tot = perImageTotals(res.sink.counts);
    const syn = tot.ac + tot.mac;
    const steadyMs = wallMs - (st?.compileMs ?? 0);
    const row: Row = {
      model: m.name, core: r.core, mode: r.mode, samples: m.samples, timesteps: spec.config.timesteps,
      wallMs: Math.round(wallMs), compileMs: Math.round(st?.compileMs ?? 0), synapticEventsPerSample: syn,
      samplesPerSecond: +(m.samples / (steadyMs / 1000)).toFixed(4),
      synapticEventsPerSecond: Math.round(syn * m.samples / (steadyMs / 1000)),
      coreRunMs: st ? Math.round(st.runMs) : null, coreHostMs: st ? Math.round(st.hostMs) : null,
    };
    // Same counts on every core is the contract; logits agree to float32 rounding.
    const l0 = res.logits[0]!;
    if (logits0) {
      let d = 0;
      for (let i = 0; i < l0.length; i++) d = Math.max(d, Math.abs(l0[i]! - logits0[i]!));
      console.log(`  max |logit - reference| = ${d.toExponential(2)}`);
    } else logits0 = l0;
    rows.push(row);
    console.log(`${row.model} ${row.core}${r.mode === '-' ? '' : `/${r.mode}`}: ${row.samples} samples in ${row.wallMs} ms (compile ${row.compileMs} ms), ` +
      `${row.samplesPerSecond} samples/s, ${(row.synapticEventsPerSecond / 1e6).toFixed(1)} M synaptic events/s`);
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const out = values.out ?? join(here, 'results', 'cores.json');
mkdirSync(dirname(out), { recursive: true });
const doc = {
  benchmark: 'cores', node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown',
  modesProbed: probe, weights: 'randomWeights seed 1', inputs: 'seeded (mulberry32 2)', rows,
};
writeFileSync(`${out}.tmp`, `${JSON.stringify(doc, null, 1)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`wrote ${out}`);
