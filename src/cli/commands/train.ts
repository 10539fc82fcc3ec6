import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { openDataset } from '../../data/registry.js';
import type { Dataset } from '../../data/dataset.js';
import { checkCheckpoint } from '../../models/weights.js';
import { buildModel, isZooName, ZOO_NAMES } from '../../models/zoo.js';
import { readSafetensors, writeSafetensors } from '../../models/formats/safetensors.js';
import type { ModelSpec } from '../../models/spec.js';
import type { TensorMap } from '../../models/tensor.js';
import { AdamW } from '../../train/adamw.js';
import { initTf } from '../../train/backend.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointMeta } from '../../train/checkpoint.js';
import { DenseModel, trainingInit } from '../../train/dense.js';
import { evaluateDense } from '../../train/evaluate.js';
import { trainEpochs, type TrainOptions } from '../../train/trainer.js';
import { InputError } from '../../errors.js';
import { withModelOverrides, zooSpec, type OverrideArgs } from '../options.js';

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

/** Writes a file through a temporary name, so a crash never leaves a partial output. */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function openSplit(spec: string, split: 'train' | 'test', timesteps: number, limit?: number): Dataset {
  try {
    return openDataset(spec, { split, timesteps, ...(limit !== undefined ? { limit } : {}) });
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
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
    const backend = await initTf({ prefer: a.backend as 'auto' | 'wasm' | 'cpu' });
    let spec: ModelSpec,
      weights: TensorMap,
      startEpoch = 0,
      trainSecondsBefore = 0,
      zoo = a.model;
    const opt = new AdamW();
    if (a.resume) {
      if (!existsSync(a.resume)) throw new InputError(`--resume ${a.resume}: no such file`);
      const { tensors, meta } = decodeCheckpoint(readFileSync(a.resume), a.resume);
      if (!meta) throw new InputError(`--resume ${a.resume}: not a spikewatt training checkpoint (no metadata)`);
      zoo = meta.zoo;
      spec = buildModel(zoo, meta.config);
      checkCheckpoint(spec, tensors, a.resume);
      weights = tensors;
      startEpoch = meta.epochsDone;
      trainSecondsBefore = meta.trainSeconds;
      const optPath = `${a.resume}.optim.safetensors`;
      if (existsSync(optPath)) {
        const o = readSafetensors(readFileSync(optPath), optPath);
        opt.load(Number(o.metadata.step ?? meta.optimizerSteps), o.tensors);
      } else process.stderr.write(`note: ${optPath} not found; AdamW restarts with zero moments\n`);
    } else {
      if (!isZooName(a.model)) throw new InputError(`unknown model '${a.model}' (known: ${ZOO_NAMES.join(', ')})`);
      spec = zooSpec(a.model, a);
      weights = trainingInit(spec, a.seed);
    }
    if (startEpoch >= a.epochs) throw new InputError(`the checkpoint already has ${startEpoch} epochs; give --epochs larger than that`);
    const posInt = (v: number, n: string) => {
      if (!Number.isInteger(v) || v < 1) throw new InputError(`--${n} must be a positive integer, got ${v}`);
    };
    posInt(a.epochs, 'epochs');
    posInt(a['batch-size'], 'batch-size');
    if (a.limit !== undefined) posInt(a.limit, 'limit');
    const T = spec.config.timesteps;
    const trainSet = openSplit(a.dataset, 'train', T, a.limit);
    const testSet = openSplit(a.dataset, 'test', T);
    const want =
      spec.config.input === 'dvs'
        ? [T, spec.inputShape.c, spec.inputShape.h, spec.inputShape.w]
        : [spec.inputShape.c, spec.inputShape.h, spec.inputShape.w];
    if (trainSet.sampleShape.join('x') !== want.join('x')) {
      throw new InputError(
        `dataset samples are ${trainSet.sampleShape.join('x')} but the model takes ${want.join('x')} (use --img-size / --in-channels)`,
      );
    }
    if (trainSet.numClasses > spec.config.numClasses)
      throw new InputError(`dataset has ${trainSet.numClasses} classes, model only ${spec.config.numClasses} (--num-classes)`);
    const opts: TrainOptions = {
      epochs: a.epochs,
      batchSize: a['batch-size'],
      lr: a.lr,
      minLr: a['min-lr'],
      warmupEpochs: a.warmup,
      weightDecay: a['weight-decay'],
      labelSmoothing: a['label-smoothing'],
      seed: a.seed,
      augment: { cropPad: spec.config.input === 'static' ? a['crop-pad'] : 0, flip: spec.config.input === 'static' && a.flip },
    };
    const model = new DenseModel(spec, weights);
    const logPath = a.log ?? `${a.out}.csv`;
    if (!a.resume || !existsSync(logPath)) writeFileSync(logPath, 'epoch,step,loss,lr,train_acc,test_acc,seconds\n');
    const t0 = Date.now();
    const secs = () => trainSecondsBefore + (Date.now() - t0) / 1000;
    const totalSteps = (a.epochs - startEpoch) * Math.floor(trainSet.length / opts.batchSize);
    let stepsDone = 0,
      lastDraw = 0,
      last = { top1: null as number | null, top5: null as number | null, samples: 0 };
    const tty = process.stderr.isTTY;
    process.stderr.write(
      `training ${spec.name} (${spec.config.attention.join(',')}, E=${spec.config.embedDims}, T=${T}) on ${trainSet.length} ${trainSet.name} samples, backend ${backend}\n`,
    );
    const save = (epochsDone: number) => {
      const meta: CheckpointMeta = {
        format: 'spikewatt-checkpoint',
        version: 1,
        zoo,
        config: spec.config,
        dataset: { name: trainSet.name, source: trainSet.source, trainSamples: trainSet.length, normalization: trainSet.normalization },
        epochsDone,
        epochs: a.epochs,
        optimizerSteps: opt.step,
        train: {
          batchSize: opts.batchSize,
          lr: opts.lr,
          minLr: opts.minLr,
          warmupEpochs: opts.warmupEpochs,
          weightDecay: opts.weightDecay,
          labelSmoothing: opts.labelSmoothing,
          seed: opts.seed,
          cropPad: opts.augment.cropPad,
          flip: opts.augment.flip,
        },
        testTop1: last.top1,
        testTop5: last.top5,
        testSamples: last.samples,
        trainSeconds: Math.round(secs()),
        backend,
      };
      writeAtomic(a.out, encodeCheckpoint(model.toTensorMap(), meta));
      const st = opt.state();
      writeAtomic(
        `${a.out}.optim.safetensors`,
        writeSafetensors(new Map([...st.tensors].map(([k, t]) => [k, { ...t, dtype: 'F32' as const }])), { step: String(st.step) }),
      );
      return meta;
    };
    let meta: CheckpointMeta | null = null;
    trainEpochs(model, trainSet, opts, startEpoch, opt, {
      onStep: (s) => {
        stepsDone++;
        const now = Date.now();
        if (now - lastDraw < 1000 && s.stepInEpoch !== s.stepsPerEpoch) return;
        lastDraw = now;
        const el = (now - t0) / 1000;
        const eta = (el / stepsDone) * (totalSteps - stepsDone);
        const line = `epoch ${s.epoch + 1}/${a.epochs} [${bar(s.stepInEpoch / s.stepsPerEpoch)}] ${s.stepInEpoch}/${s.stepsPerEpoch} loss ${s.loss.toFixed(3)} acc ${(100 * s.trainAcc).toFixed(1)}% lr ${s.lr.toExponential(2)} ${((stepsDone * opts.batchSize) / el).toFixed(1)} img/s ETA ${fmtTime(eta)}`;
        process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
      },
      onEpoch: (e) => {
        if (tty) process.stderr.write('\n');
        const final = e.epoch === a.epochs;
        const n = final ? a['final-eval-samples'] : a['eval-samples'];
        if (n > 0) {
          const r = evaluateDense(model, testSet, n, 32);
          last = { top1: r.top1, top5: r.top5, samples: r.samples };
          process.stderr.write(
            `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)} acc ${(100 * e.trainAcc).toFixed(2)}%, test top-1 ${(100 * r.top1).toFixed(2)}% top-5 ${(100 * r.top5).toFixed(2)}% on ${r.samples} samples\n`,
          );
        }
        appendFileSync(
          logPath,
          `${e.epoch},${e.step},${e.loss.toFixed(6)},${e.lr.toExponential(6)},${e.trainAcc.toFixed(6)},${n > 0 && last.top1 !== null ? last.top1.toFixed(6) : ''},${secs().toFixed(1)}\n`,
        );
        meta = save(e.epoch);
      },
    });
    if (a.json && meta) process.stdout.write(`${JSON.stringify(meta, null, 1)}\n`);
    else process.stdout.write(`wrote ${a.out} (${fmtTime(secs())} of training)\n`);
  },
};
