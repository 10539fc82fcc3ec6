import type { CommandModule } from 'yargs';
import { parseChoice, TF_BACKENDS, train, ZOO_NAMES, type TrainProgressEvent } from '../../pipeline/index.js';
import { overridesFrom, withModelOverrides, type OverrideArgs } from '../options.js';

interface Args extends OverrideArgs {
  model: string;
  dataset: string;
  epochs: number;
  'batch-size': number;
  lr: number;
  'min-lr': number;
  warmup: number;
  'weight-decay': number;
  'label-smoothing': number;
  seed: number;
  out: string;
  resume?: string | undefined;
  limit?: number | undefined;
  'eval-samples': number;
  'final-eval-samples': number;
  'crop-pad': number;
  flip: boolean;
  log?: string | undefined;
  backend: string;
  json?: boolean | undefined;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60),
    r = Math.round(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(r).padStart(2, '0')}s`;
}

function bar(frac: number, width = 24): string {
  const n = Math.max(0, Math.min(width, Math.round(frac * width)));
  return `${'#'.repeat(n)}${'.'.repeat(width - n)}`;
}

export const trainCommand: CommandModule<object, Args> = {
  command: 'train',
  describe:
    'Train a zoo model with surrogate gradients (BPTT through the LIF time loop) on the dense tfjs executor; writes a safetensors checkpoint with its config in the metadata',
  builder: (y) =>
    withModelOverrides(y)
      .option('model', { type: 'string', demandOption: true, describe: `zoo base: ${ZOO_NAMES.join(', ')}` })
      .option('dataset', {
        type: 'string',
        default: 'fashion-mnist',
        describe: 'NAME[:PATH] (see `spikewatt datasets`); the train split trains, the test split scores',
      })
      .option('epochs', { type: 'number', default: 3, describe: 'epochs over the (limited) training split' })
      .option('batch-size', {
        type: 'number',
        default: 8,
        describe: 'samples per optimizer step (wasm heap: keep T*B*activations under ~2 GB)',
      })
      .option('lr', { type: 'number', default: 2e-3, describe: 'peak AdamW learning rate' })
      .option('min-lr', { type: 'number', default: 1e-5, describe: 'learning rate at the end of the cosine decay' })
      .option('warmup', { type: 'number', default: 0.1, describe: 'linear warm-up length in epochs (fractions allowed)' })
      .option('weight-decay', { type: 'number', default: 0.01, describe: 'AdamW decoupled weight decay (conv/linear weights only)' })
      .option('label-smoothing', { type: 'number', default: 0.1, describe: 'cross-entropy label smoothing' })
      .option('seed', { type: 'number', default: 0, describe: 'seeds initialisation, shuffling and augmentation' })
      .option('crop-pad', { type: 'number', default: 2, describe: 'random crop after zero padding by this many pixels (0: off)' })
      .option('flip', { type: 'boolean', default: true, describe: 'random horizontal flip (--no-flip: off)' })
      .option('limit', { type: 'number', describe: 'train on the first N training samples only' })
      .option('eval-samples', { type: 'number', default: 500, describe: 'test samples scored after every epoch but the last' })
      .option('final-eval-samples', {
        type: 'number',
        default: 10000,
        describe: 'test samples scored after the last epoch (stored in the checkpoint)',
      })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'checkpoint path (.safetensors); the optimizer state goes to OUT.optim.safetensors',
      })
      .option('resume', {
        type: 'string',
        describe: 'continue from this checkpoint (its config and options win; its .optim.safetensors restores AdamW)',
      })
      .option('log', { type: 'string', describe: 'CSV training log (default OUT.csv): epoch,step,loss,lr,train_acc,test_acc,seconds' })
      .option('backend', {
        type: 'string',
        default: 'auto',
        choices: ['auto', 'wasm', 'cpu'],
        describe: 'tfjs backend (auto: tfjs-node(-gpu) if installed, else wasm)',
      })
      .option('json', { type: 'boolean', describe: 'print the final metadata as JSON' })
      .example(
        'spikewatt train --model qkformer-cifar10 --img-size 28 --in-channels 1 --embed-dims 16 --depths 3 --heads 2 --dataset fashion-mnist --epochs 1 --limit 8000 --out fmnist.safetensors',
        'a small QKFormer on Fashion-MNIST',
      )
      .example('spikewatt train --resume fmnist.safetensors --epochs 2 --out fmnist.safetensors', 'one more epoch') as never,
  handler: async (a) => {
    const draw = trainProgress();
    const r = await train({
      model: a.model,
      overrides: overridesFrom(a),
      dataset: a.dataset,
      epochs: a.epochs,
      batchSize: a['batch-size'],
      lr: a.lr,
      minLr: a['min-lr'],
      warmupEpochs: a.warmup,
      weightDecay: a['weight-decay'],
      labelSmoothing: a['label-smoothing'],
      seed: a.seed,
      cropPad: a['crop-pad'],
      flip: a.flip,
      ...(a.limit !== undefined ? { limit: a.limit } : {}),
      evalSamples: a['eval-samples'],
      finalEvalSamples: a['final-eval-samples'],
      out: a.out,
      ...(a.resume ? { resume: a.resume } : {}),
      ...(a.log !== undefined ? { log: a.log } : {}),
      backend: parseChoice(a.backend, TF_BACKENDS, 'backend'),
      onProgress: draw,
    });
    if (a.json) process.stdout.write(`${JSON.stringify(r.meta, null, 1)}\n`);
    else process.stdout.write(`wrote ${r.out} (${fmtTime(r.seconds)} of training)\n`);
  },
};

/** Training progress on stderr: a step line at most once a second (redrawn in place on a terminal), a line per epoch. */
function trainProgress(): (e: TrainProgressEvent) => void {
  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  return (e) => {
    switch (e.kind) {
      case 'note':
        process.stderr.write(`note: ${e.message}\n`);
        return;
      case 'start': {
        const c = e.config;
        process.stderr.write(
          `training ${e.model} (${c.attention.join(',')}, E=${c.embedDims}, T=${c.timesteps}) on ${e.trainSamples} ${e.dataset} samples, backend ${e.backend}\n`,
        );
        return;
      }
      case 'step': {
        const now = Date.now();
        if (now - lastDraw < 1000 && e.stepInEpoch !== e.stepsPerEpoch) return;
        lastDraw = now;
        const eta = (e.elapsedSeconds / e.stepsDone) * (e.totalSteps - e.stepsDone);
        const line = `epoch ${e.epoch}/${e.epochs} [${bar(e.stepInEpoch / e.stepsPerEpoch)}] ${e.stepInEpoch}/${e.stepsPerEpoch} loss ${e.loss.toFixed(3)} acc ${(100 * e.trainAcc).toFixed(1)}% lr ${e.lr.toExponential(2)} ${((e.stepsDone * e.batchSize) / e.elapsedSeconds).toFixed(1)} img/s ETA ${fmtTime(eta)}`;
        process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
        return;
      }
      case 'epoch': {
        if (tty) process.stderr.write('\n');
        const t = e.test;
        if (t !== null) {
          process.stderr.write(
            `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)} acc ${(100 * e.trainAcc).toFixed(2)}%, test top-1 ${(100 * t.top1).toFixed(2)}% top-5 ${(100 * t.top5).toFixed(2)}% on ${t.samples} samples\n`,
          );
        }
        return;
      }
    }
  };
}
