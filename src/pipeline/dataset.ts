import { InputError, firstLine } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { openDataset, type OpenOptions } from '../data/registry.js';
import type { ModelSpec } from '../models/spec.js';

/**
 * Opens a data set the user named. Its loaders fail with a DatasetError (an InputError) on what the user pointed at
 * (a missing file, a truncated archive, a T the set cannot be framed with), and their messages can carry a
 * multi-line listing: the first line says it. Any other error is a bug and keeps its class and stack.
 */
export function openUserDataset(spec: string, opts: OpenOptions): Dataset {
  try {
    return openDataset(spec, opts);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(firstLine(e));
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The test split of `dataset` (`NAME[:PATH]`), first `samples` samples, checked against the model's input
 * shape and class count. `note` hears what is worth telling a user (a set smaller than asked).
 */
export function openModelDataset(
  spec: ModelSpec,
  dataset: string,
  samples: number,
  seed: number,
  note: (msg: string) => void = () => {},
): Dataset {
  const cfg = spec.config;
  const d = openUserDataset(dataset, {
    split: 'test',
    limit: samples,
    seed,
    ...(cfg.input === 'dvs' ? { timesteps: cfg.timesteps } : {}),
    // NOTE: synthetic images take the model's own shape (an ImageNet-family model gets 3x224x224)
    imageShape: { channels: spec.inputShape.c, size: spec.inputShape.h },
  });
  const s = spec.inputShape;
  const want = cfg.input === 'dvs' ? [cfg.timesteps, s.c, s.h, s.w] : [s.c, s.h, s.w];
  if (!sameShape(d.sampleShape, want)) {
    const [c, h] = d.kind === 'dvs' ? [d.sampleShape[1], d.sampleShape[2]] : [d.sampleShape[0], d.sampleShape[1]];
    throw new InputError(
      `dataset ${d.name} gives ${d.kind} samples ${d.sampleShape.join('x')}, ` +
        `model ${spec.name} takes ${cfg.input} ${want.join('x')}` +
        (d.kind === cfg.input ? ` (for a zoo model try --img-size ${h} --in-channels ${c} --num-classes ${d.numClasses})` : ''),
    );
  }
  if (d.numClasses > cfg.numClasses) {
    throw new InputError(`dataset ${d.name} has ${d.numClasses} classes, model ${spec.name} only ${cfg.numClasses} outputs`);
  }
  if (d.length < samples) note(`${d.name} has ${d.length} test samples; simulating all of them`);
  return d;
}
