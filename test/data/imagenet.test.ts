import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { openDataset } from '../../src/data/registry.js';

function solidJpeg(w: number, h: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    data[4 * i] = rgb[0];
    data[4 * i + 1] = rgb[1];
    data[4 * i + 2] = rgb[2];
    data[4 * i + 3] = 255;
  }
  return jpeg.encode({ data, width: w, height: h }, 95).data;
}

test('imagenet:PATH reads class folders of JPEGs: sorted labels, resize 256 + centre crop 224, ImageNet normalisation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikewatt-imagenet-'));
  try {
    for (const [cls, rgb] of [
      ['n02', [0, 128, 255]],
      ['n01', [200, 100, 50]],
    ] as const) {
      mkdirSync(join(dir, 'val', cls), { recursive: true });
      writeFileSync(join(dir, 'val', cls, 'a.JPEG'), solidJpeg(300, 200, [...rgb]));
    }
    writeFileSync(join(dir, 'val', 'n01', 'notes.txt'), 'not an image');
    const d = openDataset(`imagenet:${dir}`, { split: 'test' });
    assert.equal(d.length, 2);
    assert.equal(d.numClasses, 2);
    assert.deepEqual(d.sampleShape, [3, 224, 224]);
    const s0 = d.get(0);
    assert.equal(s0.label, 0, 'n01 sorts first');
    assert.equal(s0.x.length, 3 * 224 * 224);
    const mean = [0.485, 0.456, 0.406],
      std = [0.229, 0.224, 0.225],
      rgb = [200, 100, 50];
    for (let c = 0; c < 3; c++) {
      const v = s0.x[c * 224 * 224 + 112 * 224 + 112]!;
      assert.ok(Math.abs(v - (rgb[c]! / 255 - mean[c]!) / std[c]!) < 0.06, `channel ${c}: ${v}`);
    }
    // the model's own size: 288 px crops from a 329 px resize
    const big = openDataset(`imagenet:${dir}/val`, { split: 'test', imageShape: { channels: 3, size: 288 } });
    assert.deepEqual(big.sampleShape, [3, 288, 288]);
    assert.equal(big.get(1).x.length, 3 * 288 * 288);
    assert.throws(() => openDataset(`imagenet:${join(dir, 'missing')}`, { split: 'test' }), /not a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
