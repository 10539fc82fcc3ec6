import { InputError } from '../errors.js';
import type { Detection } from '../models/detect/detect.js';
import type { ConfigOverrides } from '../models/zoo.js';
import { openUserDataset } from './dataset.js';
import { resolveModel, type ModelOptions, type ResolvedModel } from './model.js';

/**
 * The image size the input decides. QKFormer's DVS and ImageNet weights do not fix it (convolutions and pooling take
 * any size; only Spikformer DVS's unused pos_embed fixes its patch grid), so the official code runs a checkpoint on
 * whatever size it is fed. When detection took the size from the zoo's published default or the training args (no --img-size, nothing
 * binding in the weights) and the input's square frames are of another size, that size wins, as the official code
 * would run; returns the overrides to rebuild with and the note saying so, or null when nothing changes.
 */
export function sizeFromInput(
  detection: Detection | null,
  overrides: ConfigOverrides,
  sampleShape: readonly number[],
  what: string,
): { overrides: ConfigOverrides; note: string } | null {
  const origin = detection?.provenance.imgSize.origin;
  // the training args state the size trained at, not a size the weights need: only weights and flags bind
  if (detection === null || overrides.imgSize !== undefined || origin === 'weights' || origin === 'flag') return null;
  const [h, w] = sampleShape.slice(-2);
  if (h === undefined || w === undefined || h === detection.config.imgSize) return null;
  if (h !== w) throw new InputError(`${what}: frames of ${h}x${w}; spikewatt's models take square frames`);
  return {
    overrides: { ...overrides, imgSize: h },
    note: `image size ${h} from the input (the weights do not fix it; the published default is ${detection.config.imgSize})`,
  };
}

/**
 * `profile`: the dataset's frames decide a size the weights do not fix. Opens one test sample (synthetic sets and
 * ImageNet take the model's own size, so only fixed-size data such as DVS recordings can differ) and rebuilds the
 * model at that size; the note says so.
 */
export function fitToDataset(
  model: ResolvedModel,
  modelArg: string,
  o: ModelOptions,
  dataset: string,
): { model: ResolvedModel; note: string } | null {
  if (model.detection === undefined) return null;
  const spec = model.spec;
  const d = openUserDataset(dataset, {
    split: 'test',
    limit: 1,
    seed: o.seed ?? 0,
    ...(spec.config.input === 'dvs' ? { timesteps: spec.config.timesteps } : {}),
    imageShape: { channels: spec.inputShape.c, size: spec.inputShape.h },
  });
  const fit = sizeFromInput(model.detection, o.overrides ?? {}, d.sampleShape, dataset);
  if (fit === null) return null;
  return { model: resolveModel(modelArg, { ...o, overrides: fit.overrides }), note: fit.note };
}
