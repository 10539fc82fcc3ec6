import type { CommandModule } from 'yargs';
import {
  BATCH_COUPLINGS,
  CORE_NAMES,
  defaultCoreName,
  defaultWorkers,
  infer,
  OP_KINDS,
  parseBatchCoupling,
  parseCore,
} from '../../pipeline/index.js';
import { energyOptionsFrom, overridesFrom, withEnergyOptions, withModelOverrides, type EnergyArgs, type OverrideArgs } from '../options.js';
import { printJson, printText } from '../io.js';
import { ProgressBar } from '../progress.js';

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
    // notes go to stderr, so that --json output stays one object
    const r = await infer({
      weights: a.weights,
      input: a.input,
      ...(a.model !== undefined ? { model: a.model } : {}),
      overrides: overridesFrom(a),
      batchCoupling: parseBatchCoupling(a.batchCoupling),
      core: parseCore(a.core),
      ...(a.gpuMode ? { gpuMode: a.gpuMode } : {}),
      workers: a.workers,
      ...energyOptionsFrom(a),
      onProgress: new ProgressBar().listener,
    });
    const priced =
      r.convention === undefined ? {} : { convention: r.convention, totals: r.totals, ...(r.energy ? { energy: r.energy } : {}) };
    if (a.json) {
      printJson({ logits: r.logits, spikes: r.spikes, layers: r.layers, ...priced }, 0);
      return;
    }
    const out: string[] = [];
    out.push(`${r.model}: ${r.samples} sample(s), T=${r.timesteps}, core ${r.core}, batch coupling ${r.batchCoupling}`);
    r.logits.forEach((arr, b) => {
      const top = arr.indexOf(Math.max(...arr));
      out.push(`  sample ${b}: predicted class ${top}  logits [${arr.map((v) => v.toFixed(4)).join(', ')}]`);
    });
    out.push('  spikes per LIF module (all samples, per t):');
    for (const [name, s] of Object.entries(r.spikes)) out.push(`    ${name.padEnd(36)} ${s.perT.join(' ')}`);
    const layers = Object.values(r.layers);
    const perImage = (k: (typeof OP_KINDS)[number]) => layers.reduce((acc, l) => acc + (l[k] ?? 0), 0) / r.samples;
    out.push(`  ops per image: ${OP_KINDS.map((k) => `${k} ${Math.round(perImage(k)).toLocaleString('en-US')}`).join(', ')}`);
    for (const [p, e] of Object.entries(r.energy ?? {})) out.push(`  energy on ${p}: ${e.totalMj.toPrecision(4)} mJ per image`);
    printText(out.join('\n'));
  },
};
