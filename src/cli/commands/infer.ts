import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { foldWeights } from '../../models/fold.js';
import { readSafetensors } from '../../models/formats/safetensors.js';
import { runSamples, defaultWorkers } from '../../sim/parallel.js';
import { GpuModeUnavailableError } from '../../sim/cores/gpujs/modes.js';
import { BATCH_COUPLINGS, parseBatchCoupling, parseCore } from '../../pipeline/index.js';
import { CORES, CORE_NAMES, defaultCoreName } from '../../sim/cores/index.js';
import { layerTotals } from '../../sim/counts.js';
import { OP_KINDS } from '../../sim/ops.js';
import { InputError } from '../../errors.js';
import { withEnergyOptions, withModelOverrides, type EnergyArgs, type OverrideArgs } from '../options.js';
import { checkZooName, cliCheckpointModel, readCheckpointFile } from '../checkpoint-model.js';
import { summarizeDetection } from '../../models/detect/detect.js';
import { energySection } from '../energy.js';

interface Args extends OverrideArgs, EnergyArgs {
  model?: string | undefined;
  weights: string;
  input: string;
  batchCoupling: string;
  core: string;
  workers: number;
  gpuMode?: string | undefined;
  json?: boolean | undefined;
}

export function readTensorFile(path: string, what: string) {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return readSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

export const inferCommand: CommandModule<object, Args> = {
  command: 'infer',
  describe: 'Run a model spike by spike on given weights and input tensors; print logits, spikes per LIF module and ops per layer',
  builder: (y) =>
    withEnergyOptions(withModelOverrides(y))
      .option('model', {
        type: 'string',
        describe: 'zoo name (see `spikewatt models`), with size overrides as in `models`; default: read from the weights',
      })
      .option('weights', {
        type: 'string',
        demandOption: true,
        describe:
          'safetensors or official PyTorch checkpoint keyed by official state_dict names (BN folded at load); keys and shapes give the model',
      })
      .option('input', {
        type: 'string',
        demandOption: true,
        describe: 'safetensors with tensor `input`: [B,C,H,W] float32 (static) or [B,T,C,H,W] (DVS)',
      })
      .option('batch-coupling', {
        type: 'string',
        default: 'independent',
        choices: [...BATCH_COUPLINGS],
        describe: "'official' reproduces the QKFormer SSA proj_lif running over T*B",
      })
      .option('core', {
        type: 'string',
        default: defaultCoreName('exact'),
        describe: `compute core: ${CORE_NAMES.join(', ')} (default: the one bit-identical to reference)`,
      })
      .option('workers', {
        type: 'number',
        default: defaultWorkers(),
        describe: 'worker threads over samples (independent coupling); results do not depend on it',
      })
      .option('gpu-mode', { type: 'string', describe: 'gpujs core mode: auto | headlessgl | webasm | cpu' })
      .option('json', { type: 'boolean', describe: 'print one JSON object: logits, spikes, layers (and totals/energy with --hardware)' })
      .example(
        'spikewatt infer --model qkformer-cifar10 --embed-dims 64 --depths 3 -T 2 --img-size 16 --weights w.safetensors --input x.safetensors --batch-coupling official --json',
        '',
      ) as never,
  handler: async (a) => {
    checkZooName(a.model);
    const w = readCheckpointFile(a.weights, undefined, 'weights');
    const { spec, detection } = cliCheckpointModel(w, a, a.model);
    // stderr, so that --json output stays one object.
    if (detection !== null && a.model === undefined) process.stderr.write(`spikewatt: note: ${summarizeDetection(detection, a.weights)}\n`);
    const inp = readTensorFile(a.input, 'input').tensors.get('input');
    if (!inp) throw new InputError(`${a.input} has no tensor named 'input'`);
    const T = spec.config.timesteps,
      s = spec.inputShape;
    const want = spec.config.input === 'dvs' ? [T, s.c, s.h, s.w] : [s.c, s.h, s.w];
    if (inp.shape.length !== want.length + 1 || want.some((d, i) => inp.shape[i + 1] !== d)) {
      throw new InputError(`input shape [${inp.shape.join(',')}] does not fit ${spec.name}: expected [B,${want.join(',')}]`);
    }
    const B = inp.shape[0]!,
      per = inp.data.length / B;
    const data = Float32Array.from(inp.data);
    const inputs = Array.from({ length: B }, (_, b) => data.subarray(b * per, (b + 1) * per));
    const coreName = parseCore(a.core),
      coreOptions = a.gpuMode ? { gpuMode: a.gpuMode } : {};
    let core;
    // NOTE: the gpujs core refuses a mode this machine lacks; that is the user's choice of mode, not a bug.
    try {
      core = CORES[coreName](coreOptions);
    } catch (e) {
      if (e instanceof GpuModeUnavailableError) throw new InputError(e.message);
      throw e;
    }
    core.dispose();
    const coupling = parseBatchCoupling(a.batchCoupling);
    // official coupling: the whole input is one batch (its samples share the SSA proj_lif membrane)
    const res = await runSamples(spec, foldWeights(spec, w.tensors), B, (i) => inputs[i]!, {
      core: coreName,
      coreOptions,
      batchCoupling: coupling,
      batchSize: coupling === 'official' ? B : 1,
      workers: a.workers,
    });
    const { logits } = res;
    const counts = res.sink.counts;
    const spikes: Record<string, { perT: number[]; perSamplePerT: number[][] }> = {};
    for (const [name, rows] of res.sink.spikesPerSample) {
      spikes[name] = { perT: Array.from({ length: T }, (_, t) => rows.reduce((acc, r) => acc + r[t]!, 0)), perSamplePerT: rows };
    }
    const layers: Record<string, Record<string, number>> = {};
    for (const lc of counts.layers) {
      const tot = layerTotals(lc);
      layers[lc.name] = Object.fromEntries(OP_KINDS.filter((k) => tot[k] !== 0).map((k) => [k, tot[k]]));
    }
    const energy = energySection(a, counts, spec);
    if (a.json) {
      process.stdout.write(`${JSON.stringify({ logits: logits.map((l) => Array.from(l)), spikes, layers, ...energy })}\n`);
      return;
    }
    const out: string[] = [];
    out.push(`${spec.name}: ${B} sample(s), T=${T}, core ${core.name}, batch coupling ${a.batchCoupling}`);
    logits.forEach((l, b) => {
      const arr = Array.from(l);
      const top = arr.indexOf(Math.max(...arr));
      out.push(`  sample ${b}: predicted class ${top}  logits [${arr.map((v) => v.toFixed(4)).join(', ')}]`);
    });
    out.push('  spikes per LIF module (all samples, per t):');
    for (const [name, s] of Object.entries(spikes)) out.push(`    ${name.padEnd(36)} ${s.perT.join(' ')}`);
    const totals = Object.fromEntries(OP_KINDS.map((k) => [k, counts.layers.reduce((acc, lc) => acc + (layers[lc.name]![k] ?? 0), 0) / B]));
    out.push(`  ops per image: ${OP_KINDS.map((k) => `${k} ${Math.round(totals[k]!).toLocaleString('en-US')}`).join(', ')}`);
    if (energy.energy)
      for (const [p, e] of Object.entries(energy.energy)) out.push(`  energy on ${p}: ${e.totalMj.toPrecision(4)} mJ per image`);
    process.stdout.write(`${out.join('\n')}\n`);
  },
};
