import type { CommandModule } from 'yargs';
import { InputError } from '../../errors.js';
import { existsSync, rmSync } from 'node:fs';
import { hideBin } from 'yargs/helpers';
import {
  checkOutDir,
  checkpointPathFor,
  DEFAULT_CHECKPOINT_EVERY,
  INITS,
  parseChoice,
  parseShard,
  profileWithRecord,
  renderProfile,
  RunInterrupted,
  writeOutputs,
} from '../../pipeline/index.js';
import { profileSummary } from '../../pipeline/index.js';
import { info, printJson, printText, warn } from '../io.js';
import { overridesFrom, runOptionsFrom, withProfileOptions, type ProfileArgs } from '../options.js';
import { ProgressBar } from '../progress.js';
import { exitCodeOf, resumeCommand, StopSignals } from '../signals.js';

interface Args extends ProfileArgs {
  model?: string | undefined;
  out?: string | undefined;
  json?: boolean | undefined;
  shard?: string | undefined;
  resume?: boolean | undefined;
  checkpointEvery: number;
}

export const profileCommand: CommandModule<object, Args> = {
  command: 'profile',
  describe:
    'Simulate N samples spike by spike, measure accuracy, count ops per layer and time step, ' +
    'price them on hardware profiles, write reports',
  builder: (y) =>
    withProfileOptions(y)
      .option('model', {
        type: 'string',
        describe: 'zoo name (random weights, --seed) or a checkpoint: .safetensors, or official .pth (architecture detected)',
      })
      .option('out', { type: 'string', describe: 'output directory: profile.json, layers.csv, timesteps.csv, report.html, *.png' })
      .option('json', { type: 'boolean', describe: 'print a JSON summary (paths, accuracy, energy per profile) instead of the table' })
      .option('shard', {
        type: 'string',
        describe: 'i/n: profile only slice i (0-based) of n of the samples; its profile.json is a part for spikewatt merge',
      })
      .option('resume', {
        type: 'boolean',
        describe: 'continue from the checkpoint next to --out (DIR.checkpoint.json) where there is one',
      })
      .option('checkpoint-every', {
        type: 'number',
        default: DEFAULT_CHECKPOINT_EVERY,
        describe: 'samples between checkpoint flushes (DIR.checkpoint.json, atomic; removed once the reports are written)',
      })
      .example(
        'spikewatt profile --model checkpoints/fmnist-qkformer.safetensors --dataset fashion-mnist --samples 1000 --shard 0/4 ' +
          '--out parts/0',
        'shard 0 of 4; then: spikewatt merge parts/*/profile.json --out merged/ (docs/scale-out.md)',
      )
      .example(
        'spikewatt profile --model checkpoints/fmnist-qkformer.safetensors --dataset fashion-mnist --samples 200 --out out/',
        'a trained checkpoint on the committed Fashion-MNIST test set',
      )
      .example(
        'spikewatt profile --model qkformer-cifar10 --img-size 16 --embed-dims 64 --num-classes 4 --dataset synthetic --samples 8 ' +
          '--hardware cmos45-fp32,odin,./mine.json --allow-unpriced --out out/',
        'a small random model on synthetic data, three profiles (ODIN prices no MAC: reported as unpriced)',
      )
      .example(
        'spikewatt profile --model checkpoints/fmnist-qkformer.safetensors --hardware loihi --weight-sharing per-core --samples 8 --out out/',
        'the chip model on Loihi: cores per layer, messages, latency per step, throughput, energy with static power',
      )
      .example(
        'spikewatt profile --model qkformer-cifar10 --dataset cifar10:~/data/cifar-10-batches-bin --convention spikformer --out out/',
        'the paper formula instead of exact counts',
      ) as never,
  handler: async (a) => {
    if (!a.model) throw new InputError('give --model (a zoo name or a .safetensors checkpoint)');
    if (Array.isArray(a.model)) throw new InputError('profile takes one --model; spikewatt compare takes several');
    if (!a.out) throw new InputError('give --out DIR');
    const dir = checkOutDir(a.out);
    const shard = a.shard !== undefined ? parseShard(a.shard) : undefined;
    if (!Number.isInteger(a.checkpointEvery) || a.checkpointEvery < 1) {
      throw new InputError(`--checkpoint-every must be a positive integer, got ${a.checkpointEvery}`);
    }
    const checkpoint = checkpointPathFor(dir);
    if (!a.resume && existsSync(checkpoint)) info(`${checkpoint} exists: starting afresh (--resume continues from it)`);
    const bar = new ProgressBar();
    const start = Date.now();
    const signals = new StopSignals();
    let report, record;
    try {
      ({ report, record } = await profileWithRecord({
        ...runOptionsFrom(a, bar.listener),
        model: a.model,
        overrides: overridesFrom(a),
        ...(a.weights !== undefined ? { weights: a.weights } : {}),
        init: parseChoice(a.init, INITS, 'init'),
        ...(shard !== undefined ? { shard } : {}),
        checkpoint,
        checkpointEvery: a.checkpointEvery,
        resume: a.resume ?? false,
        shouldStop: signals.stopped,
      }));
    } catch (e) {
      if (!(e instanceof RunInterrupted) || signals.signal === null) {
        signals.dispose();
        throw e;
      }
      info(
        `stopped by ${signals.signal} after ${e.done} of ${e.total} samples (samples ${e.slice.first}..${e.slice.first + e.done - 1} ` +
          `of ${e.slice.first}..${e.slice.end - 1} done); no report written; state kept in ${checkpoint}`,
      );
      info(`resume with: ${resumeCommand(hideBin(process.argv))}`);
      process.exitCode = exitCodeOf(signals.signal);
      signals.dispose();
      return;
    }
    const seconds = (Date.now() - start) / 1000;
    let files;
    try {
      // NOTE: the handlers stay while the set is written: a signal now lets the swap finish instead of leaving a temporary directory
      files = await renderProfile(report, { record });
      writeOutputs(dir, files);
      rmSync(checkpoint, { force: true });
    } finally {
      signals.dispose();
    }
    for (const e of report.energy) {
      if (!e.unpriced.length) continue;
      warn(`${e.profile} prices no ${e.unpriced.map((u) => u.op).join(', ')}; its total leaves them out (--allow-unpriced is on)`);
    }
    if (a.json) {
      printJson({
        out: dir,
        files: [...files.keys()],
        seconds,
        accuracy: report.accuracy,
        energy: report.energy.map((e) => ({ profile: e.profile, convention: e.convention, totalMj: e.totalMj, unpriced: e.unpriced })),
      });
      return;
    }
    printText(
      `${profileSummary(report)}\nsimulated in ${seconds.toFixed(1)} s; ` + `wrote ${files.size} files to ${dir} (open ${dir}/report.html)`,
    );
  },
};
