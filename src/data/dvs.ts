/**
 * A DVS dataset over an index of event sources: each sample's events are read on demand and integrated into
 * `[T, 2, H/f, W/f]` event-count frames (see frames.ts). Nothing is cached but the last file read, so large
 * datasets cost one sample's memory.
 */
import { checkIndex, DatasetError, type Dataset, type DvsFraming, type Split } from './dataset.js';
import { framedSize, integrateByNumber, type EventStream } from './frames.js';

/** The official QKFormer DVS recipes use T = 16 frames. */
export const DEFAULT_DVS_TIMESTEPS = 16;

export interface DvsItem {
  label: number;
  /** Names the sample in errors (file, and window for gesture files). */
  what: string;
  events(): EventStream;
}

export interface DvsDatasetOptions {
  name: string;
  source: string;
  split: Split;
  numClasses: number;
  classNames?: readonly string[];
  sensorWidth: number;
  sensorHeight: number;
  timesteps: number;
  downsample: number;
}

export function dvsDataset(items: readonly DvsItem[], o: DvsDatasetOptions): Dataset {
  const { h, w } = framedSize({ width: o.sensorWidth, height: o.sensorHeight }, o.downsample);
  if (!Number.isInteger(o.timesteps) || o.timesteps < 1) throw new DatasetError(`timesteps must be a positive integer, got ${o.timesteps}`);
  const framing: DvsFraming = {
    timesteps: o.timesteps,
    splitBy: 'number',
    sensorHeight: o.sensorHeight,
    sensorWidth: o.sensorWidth,
    downsample: o.downsample,
  };
  return Object.freeze({
    name: o.name,
    source: o.source,
    split: o.split,
    kind: 'dvs' as const,
    numClasses: o.numClasses,
    ...(o.classNames ? { classNames: o.classNames } : {}),
    sampleShape: [o.timesteps, 2, h, w],
    normalization: { kind: 'none' as const },
    framing,
    length: items.length,
    get(i: number) {
      checkIndex(i, items.length, o.name);
      const it = items[i]!;
      return { x: integrateByNumber(it.events(), o.timesteps, o.downsample, it.what), label: it.label };
    },
  });
}

/** Memoises the most recent file parse (gesture files hold ~11 samples each, read in a row). */
export function lastFileCache<T>(parse: (path: string) => T): (path: string) => T {
  let key: string | undefined, value: T | undefined;
  return (path) => {
    if (key !== path) {
      value = parse(path);
      key = path;
    }
    return value as T;
  };
}
