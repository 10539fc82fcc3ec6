import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { openUserDataset } from './dataset.js';
import { readSafetensors, writeSafetensors } from '../models/formats/safetensors.js';
import type { ModelSpec } from '../models/spec.js';
import type { TensorMap } from '../models/tensor.js';
import { checkCheckpoint } from '../models/weights.js';
import { buildModel, type ConfigOverrides } from '../models/zoo.js';
import type { AdamW } from '../train/adamw.js';
import type { TfBackendName } from '../train/backend.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointMeta } from '../train/checkpoint.js';
import type { DenseModel } from '../train/dense.js';
import type { TrainOptions as TrainerOptions } from '../train/trainer.js';
import { loadDenseEngine, type DenseEngine } from './dense-engine.js';
import { zooSpec } from './catalog.js';
import { parseChoice } from './choices.js';
import { TF_BACKENDS, type TfBackend } from './evaluate.js';

/** What a training checkpoint states in its metadata (config, dataset, epochs, options, test accuracy). */
export type TrainedCheckpoint = CheckpointMeta;

/** The options of `train`. Every field but `out` (and `model` when not resuming) has a default. */
export interface TrainOptions {
  /** Zoo base name; ignored with `resume` (the checkpoint's own model wins). */
  model?: string;
  /** Size overrides of the zoo model. */
  overrides?: ConfigOverrides;
  /** `NAME[:PATH]`: the train split trains, the test split scores. Default `fashion-mnist`. */
  dataset?: string;
  /** Epochs in all (a resumed run continues up to this number); default 3. */
  epochs?: number;
  /** Samples per optimizer step; default 8. */
  batchSize?: number;
  /** Peak AdamW learning rate (default 2e-3), decayed on a cosine to `minLr` (default 1e-5) after `warmupEpochs` (0.1). */
  lr?: number;
  minLr?: number;
  warmupEpochs?: number;
  /** Decoupled weight decay of conv/linear weights; default 0.01. */
  weightDecay?: number;
  /** Cross-entropy label smoothing; default 0.1. */
  labelSmoothing?: number;
  /** Seeds initialisation, shuffling and augmentation; default 0. */
  seed?: number;
  /** Random crop after zero padding by this many pixels (static images; 0 off); default 2. */
  cropPad?: number;
  /** Random horizontal flip (static images); default true. */
  flip?: boolean;
  /** Train on the first N training samples only. */
  limit?: number;
  /** Test samples scored after every epoch but the last (default 500), and after the last (default 10000). */
  evalSamples?: number;
  finalEvalSamples?: number;
  /** The checkpoint to write (.safetensors); the optimizer state goes to `OUT.optim.safetensors`. Both replaced atomically. */
  out: string;
  /** Continue from this checkpoint: its config and options win, its `.optim.safetensors` restores AdamW. */
  resume?: string;
  /** CSV training log; default `OUT.csv`: epoch,step,loss,lr,train_acc,test_acc,seconds. */
  log?: string;
  /** tfjs backend: auto (tfjs-node(-gpu) when installed, else wasm), wasm, cpu. */
  backend?: TfBackend;
  onProgress?: (e: TrainProgressEvent) => void;
}

/** What `train` tells its caller while it runs; the CLI prints each on stderr. */
export type TrainProgressEvent =
  | { kind: 'note'; message: string }
  | {
      kind: 'start';
      model: string;
      config: ModelSpec['config'];
      trainSamples: number;
      dataset: string;
      backend: TfBackendName;
    }
  | {
      kind: 'step';
      /** 1-based epoch of `epochs`. */
      epoch: number;
      epochs: number;
      stepInEpoch: number;
      stepsPerEpoch: number;
      loss: number;
      trainAcc: number;
      lr: number;
      /** Optimizer steps of this session, of `totalSteps`, over `elapsedSeconds`. */
      stepsDone: number;
      totalSteps: number;
      batchSize: number;
      elapsedSeconds: number;
    }
  | {
      kind: 'epoch';
      /** Epochs done. */
      epoch: number;
      loss: number;
      trainAcc: number;
      /** The test score after this epoch, or null when no test samples were asked for. */
      test: { top1: number; top5: number; samples: number } | null;
    };

export interface TrainResult {
  /** The checkpoint written. */
  out: string;
  /** Its metadata (as `spikewatt inspect` and `profile` read it back). */
  meta: TrainedCheckpoint;
  /** Training seconds, the resumed run's earlier ones included. */
  seconds: number;
}

/** Writes a file through a temporary name, so that a crash never leaves a partial output. */
function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function openSplit(spec: string, split: 'train' | 'test', timesteps: number, limit?: number): Dataset {
  return openUserDataset(spec, { split, timesteps, ...(limit !== undefined ? { limit } : {}) });
}

function posInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`--${name} must be a positive integer, got ${v}`);
}

interface Start {
  spec: ModelSpec;
  weights: TensorMap;
  zoo: string;
  startEpoch: number;
  trainSecondsBefore: number;
}

/** The model to train: a resumed checkpoint (with its AdamW state restored into `opt`) or a fresh zoo model. */
function startFrom(o: TrainOptions, opt: AdamW, trainingInit: DenseEngine['trainingInit']): Start {
  if (o.resume === undefined) {
    if (o.model === undefined) throw new InputError('give a zoo --model to train (or --resume a checkpoint)');
    const spec = zooSpec(o.model, o.overrides ?? {});
    return { spec, weights: trainingInit(spec, o.seed ?? 0), zoo: o.model, startEpoch: 0, trainSecondsBefore: 0 };
  }
  if (!existsSync(o.resume)) throw new InputError(`--resume ${o.resume}: no such file`);
  const { tensors, meta } = decodeCheckpoint(readFileSync(o.resume), o.resume);
  if (!meta) throw new InputError(`--resume ${o.resume}: not a spikewatt training checkpoint (no metadata)`);
  const spec = buildModel(meta.zoo, meta.config);
  checkCheckpoint(spec, tensors, o.resume);
  const optPath = `${o.resume}.optim.safetensors`;
  if (existsSync(optPath)) {
    const st = readSafetensors(readFileSync(optPath), optPath);
    opt.load(Number(st.metadata.step ?? meta.optimizerSteps), st.tensors);
  } else o.onProgress?.({ kind: 'note', message: `${optPath} not found; AdamW restarts with zero moments` });
  return { spec, weights: tensors, zoo: meta.zoo, startEpoch: meta.epochsDone, trainSecondsBefore: meta.trainSeconds };
}

/** The samples of `d` must be what the model takes. */
function checkFits(spec: ModelSpec, d: Dataset): void {
  const s = spec.inputShape,
    T = spec.config.timesteps;
  const want = spec.config.input === 'dvs' ? [T, s.c, s.h, s.w] : [s.c, s.h, s.w];
  if (d.sampleShape.join('x') !== want.join('x')) {
    throw new InputError(
      `dataset samples are ${d.sampleShape.join('x')} but the model takes ${want.join('x')} (use --img-size / --in-channels)`,
    );
  }
  if (d.numClasses > spec.config.numClasses) {
    throw new InputError(`dataset has ${d.numClasses} classes, model only ${spec.config.numClasses} (--num-classes)`);
  }
}

/**
 * Surrogate-gradient BPTT training of a zoo model on the dense tfjs executor. After every epoch it scores the test
 * split, appends a row to the CSV log and writes the checkpoint (config and run in its metadata) and the optimizer
 * state, each atomically; those three paths are the only files written. Errors caused by the input are InputErrors.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const tf = await loadDenseEngine('train');
  const backend = await tf.initTf({ prefer: parseChoice(o.backend ?? 'auto', TF_BACKENDS, 'backend') });
  const opt = new tf.AdamW();
  const { spec, weights, zoo, startEpoch, trainSecondsBefore } = startFrom(o, opt, tf.trainingInit);
  const epochs = o.epochs ?? 3,
    evalSamples = o.evalSamples ?? 500,
    finalEvalSamples = o.finalEvalSamples ?? 10000;
  if (startEpoch >= epochs) throw new InputError(`the checkpoint already has ${startEpoch} epochs; give --epochs larger than that`);
  posInt(epochs, 'epochs');
  posInt(o.batchSize ?? 8, 'batch-size');
  if (o.limit !== undefined) posInt(o.limit, 'limit');
  const T = spec.config.timesteps;
  const dataset = o.dataset ?? 'fashion-mnist';
  const trainSet = openSplit(dataset, 'train', T, o.limit);
  const testSet = openSplit(dataset, 'test', T);
  checkFits(spec, trainSet);
  const opts = trainerOptions(o, spec, epochs);
  const model = new tf.DenseModel(spec, weights);
  const logPath = o.log ?? `${o.out}.csv`;
  if (!o.resume || !existsSync(logPath)) writeFileSync(logPath, 'epoch,step,loss,lr,train_acc,test_acc,seconds\n');
  const t0 = Date.now();
  const secs = () => trainSecondsBefore + (Date.now() - t0) / 1000;
  const totalSteps = (epochs - startEpoch) * Math.floor(trainSet.length / opts.batchSize);
  const emit = o.onProgress ?? (() => {});
  emit({ kind: 'start', model: spec.name, config: spec.config, trainSamples: trainSet.length, dataset: trainSet.name, backend });
  let stepsDone = 0,
    test: TestScore | null = null;
  // NOTE: set inside the epoch callback; a holder, because the compiler does not see a callback assign a local
  const saved: { meta: TrainedCheckpoint | null } = { meta: null };
  tf.trainEpochs(model, trainSet, opts, startEpoch, opt, {
    onStep: (s) => {
      stepsDone++;
      const { stepInEpoch, stepsPerEpoch, loss, trainAcc, lr } = s;
      const elapsedSeconds = (Date.now() - t0) / 1000;
      const batchSize = opts.batchSize;
      emit({
        kind: 'step',
        epoch: s.epoch + 1,
        epochs,
        stepInEpoch,
        stepsPerEpoch,
        loss,
        trainAcc,
        lr,
        stepsDone,
        totalSteps,
        batchSize,
        elapsedSeconds,
      });
    },
    onEpoch: (e) => {
      const n = e.epoch === epochs ? finalEvalSamples : evalSamples;
      const scored = n > 0 ? tf.evaluateDense(model, testSet, n, 32) : null;
      // the checkpoint keeps the last score taken (an epoch scored on no samples keeps the one before)
      if (scored !== null) test = { top1: scored.top1, top5: scored.top5, samples: scored.samples };
      emit({ kind: 'epoch', epoch: e.epoch, loss: e.loss, trainAcc: e.trainAcc, test: scored === null ? null : test });
      const testAcc = scored !== null && test !== null ? test.top1.toFixed(6) : '';
      appendFileSync(
        logPath,
        `${e.epoch},${e.step},${e.loss.toFixed(6)},${e.lr.toExponential(6)},${e.trainAcc.toFixed(6)},${testAcc},${secs().toFixed(1)}\n`,
      );
      const meta = checkpointMeta({ zoo, spec, trainSet, epochsDone: e.epoch, epochs, opt, opts, test, seconds: secs(), backend });
      saveCheckpoint(o.out, model, opt, meta);
      saved.meta = meta;
    },
  });
  if (saved.meta === null) throw new Error('training ran no epoch');
  return { out: o.out, meta: saved.meta, seconds: secs() };
}

interface TestScore {
  top1: number;
  top5: number;
  samples: number;
}

/** The trainer's options: the job's, defaults filled; augmentation only for static images. */
function trainerOptions(o: TrainOptions, spec: ModelSpec, epochs: number): TrainerOptions {
  const isStatic = spec.config.input === 'static';
  return {
    epochs,
    batchSize: o.batchSize ?? 8,
    lr: o.lr ?? 2e-3,
    minLr: o.minLr ?? 1e-5,
    warmupEpochs: o.warmupEpochs ?? 0.1,
    weightDecay: o.weightDecay ?? 0.01,
    labelSmoothing: o.labelSmoothing ?? 0.1,
    seed: o.seed ?? 0,
    augment: { cropPad: isStatic ? (o.cropPad ?? 2) : 0, flip: isStatic && (o.flip ?? true) },
  };
}

interface MetaParts {
  zoo: string;
  spec: ModelSpec;
  trainSet: Dataset;
  epochsDone: number;
  epochs: number;
  opt: AdamW;
  opts: TrainerOptions;
  test: TestScore | null;
  seconds: number;
  backend: TfBackendName;
}

/** What the checkpoint states: the model, the data it saw, the options, the last test score. */
function checkpointMeta(p: MetaParts): TrainedCheckpoint {
  const { opts, trainSet: d } = p;
  return {
    format: 'spikewatt-checkpoint',
    version: 1,
    zoo: p.zoo,
    config: p.spec.config,
    dataset: { name: d.name, source: d.source, trainSamples: d.length, normalization: d.normalization },
    epochsDone: p.epochsDone,
    epochs: p.epochs,
    optimizerSteps: p.opt.step,
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
    testTop1: p.test?.top1 ?? null,
    testTop5: p.test?.top5 ?? null,
    testSamples: p.test?.samples ?? 0,
    trainSeconds: Math.round(p.seconds),
    backend: p.backend,
  };
}

/** The checkpoint and, beside it, the optimizer state (AdamW moments as float32), each replaced atomically. */
function saveCheckpoint(out: string, model: DenseModel, opt: AdamW, meta: TrainedCheckpoint): void {
  writeAtomic(out, encodeCheckpoint(model.toTensorMap(), meta));
  const st = opt.state();
  const moments = new Map([...st.tensors].map(([k, t]) => [k, { ...t, dtype: 'F32' as const }]));
  writeAtomic(`${out}.optim.safetensors`, writeSafetensors(moments, { step: String(st.step) }));
}
