/**
 * DVS128 Gesture (IBM): AEDAT 3.1 recordings `userNN_<lighting>.aedat`, each with `userNN_<lighting>_labels.csv`
 * giving the gesture windows. One sample per CSV row: the events with `start <= t < end` (as spikingjelly's
 * `split_aedat_files_to_np`), label = class - 1.
 *
 * The path is the `DvsGesture` directory (or its parent), or one `.aedat` file (all its gestures, whatever the
 * split). The split follows `trials_to_train.txt` / `trials_to_test.txt` when present, else the official
 * one by user: users 1..23 train, 24..29 test. Samples are ordered by trial file, then CSV row.
 *
 * Label order: `natural` (default) is class - 1. `spikingjelly` is the index a torchvision DatasetFolder gives
 * spikingjelly's class folders `0..10` sorted as strings ('0','1','10','2',...), which is what a model trained
 * through spikingjelly's `DVS128Gesture` (e.g. the official QKFormer checkpoint) predicts. [uncertain: check
 * the label order against the checkpoint you evaluate]
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DatasetError, pathKind, readBytes, type Dataset, type Split } from './dataset.js';
import { parseAedat3, parseGestureLabels, type GestureWindow } from './aedat3.js';
import { dvsDataset, lastFileCache, type DvsItem } from './dvs.js';
import { selectTimeWindow } from './frames.js';

export const DVS128_GESTURE_CLASSES = [
  'hand clapping',
  'right hand wave',
  'left hand wave',
  'right arm clockwise',
  'right arm counter-clockwise',
  'left arm clockwise',
  'left arm counter-clockwise',
  'arm roll',
  'air drums',
  'air guitar',
  'other gestures',
] as const;

export type GestureLabelOrder = 'natural' | 'spikingjelly';

/** Natural label (class - 1) -> the label spikingjelly's string-sorted class folders give it. */
export function spikingjellyGestureLabel(natural: number): number {
  const folders = Array.from({ length: 11 }, (_, k) => String(k)).sort();
  return folders.indexOf(String(natural));
}

export interface Dvs128Options {
  split: Split;
  timesteps: number;
  downsample?: number;
  labelOrder?: GestureLabelOrder;
}

function readLines(path: string): string[] {
  return readBytes(path)
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The `.aedat` files of a split, in order. */
export function gestureTrials(path: string, split: Split): string[] {
  switch (pathKind(path)) {
    case 'missing':
      throw new DatasetError(`${path}: no such file or directory`);
    case 'file':
      if (!path.endsWith('.aedat')) throw new DatasetError(`${path}: expected a DvsGesture directory or an .aedat file`);
      return [path];
    case 'dir': {
      const dir =
        existsSync(join(path, 'DvsGesture')) && !readdirSync(path).some((f) => f.endsWith('.aedat')) ? join(path, 'DvsGesture') : path;
      const list = join(dir, split === 'train' ? 'trials_to_train.txt' : 'trials_to_test.txt');
      let names: string[];
      if (existsSync(list)) {
        names = readLines(list);
      } else {
        names = readdirSync(dir)
          .filter((f) => /^user\d+_.*\.aedat$/.test(f))
          .sort()
          .filter((f) => {
            const user = Number(/^user(\d+)_/.exec(f)![1]);
            return split === 'train' ? user <= 23 : user >= 24;
          });
      }
      if (names.length === 0) throw new DatasetError(`${dir}: no DVS128 Gesture .aedat files for the ${split} split`);
      return names.map((n) => join(dir, n));
    }
  }
}

export function labelsPathFor(aedat: string): string {
  return aedat.replace(/\.aedat$/, '_labels.csv');
}

export function loadDvs128Gesture(path: string, o: Dvs128Options): Dataset {
  const order = o.labelOrder ?? 'natural';
  const parse = lastFileCache((f: string) => parseAedat3(readBytes(f), f));
  const items: DvsItem[] = [];
  for (const aedat of gestureTrials(path, o.split)) {
    const csv = labelsPathFor(aedat);
    const windows: GestureWindow[] = parseGestureLabels(readBytes(csv).toString('utf8'), csv);
    windows.forEach((g, row) => {
      items.push({
        label: order === 'natural' ? g.label : spikingjellyGestureLabel(g.label),
        what: `${basename(aedat)} gesture ${row + 1}`,
        events: () => selectTimeWindow(parse(aedat), g.startUs, g.endUs),
      });
    });
  }
  const classNames =
    order === 'natural'
      ? DVS128_GESTURE_CLASSES
      : DVS128_GESTURE_CLASSES.map(
          (_, k) => DVS128_GESTURE_CLASSES[Array.from({ length: 11 }, (_, n) => n).find((n) => spikingjellyGestureLabel(n) === k)!]!,
        );
  return dvsDataset(items, {
    name: 'dvs128',
    source: path,
    split: o.split,
    numClasses: 11,
    classNames,
    sensorWidth: 128,
    sensorHeight: 128,
    timesteps: o.timesteps,
    downsample: o.downsample ?? 1,
  });
}
