import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelLabel } from '../../src/reports/format.js';
import { zooModel } from '../../src/models/zoo.js';

test('model labels name the newer families and what SDT attends with (SDSA)', () => {
  const sdt = zooModel('sdt-imagenet-8-384').config;
  assert.match(
    modelLabel(sdt, [3, 224, 224], null),
    /^Spike-driven Transformer, ImageNet-family stem, embed 384, depths 8, heads 8, attention sdsa,/,
  );
  const sf = zooModel('spikingformer-cifar10').config;
  assert.match(modelLabel(sf, [3, 32, 32], null), /^Spikingformer, CIFAR-family stem, .*attention ssa,/);
});

test('Max-Former names its depth-wise conv mixers beside its SSA; MS-QKFormer its hyphenated name', () => {
  const mf = zooModel('maxformer-imagenet-10-768').config;
  assert.match(
    modelLabel(mf, [3, 224, 224], null),
    /^Max-Former, ImageNet-family stem, embed 768, depths 10, heads 12, attention dwc7\/dwc5\/ssa,/,
  );
  const ms = zooModel('ms-qkformer-imagenet-10-384').config;
  assert.match(modelLabel(ms, [3, 224, 224], null), /^MS-QKFormer, ImageNet-family stem, .*attention qkta\/qkta\/ssa,/);
});

test('model labels of SDT v2 / v3 name their families and token mixers, not the attention knob', () => {
  assert.match(
    modelLabel(zooModel('sdt3-imagenet-t').config, [3, 224, 224], null),
    /^E-SpikeFormer \(SDT v3\), ImageNet-family stem, .*attention sepconv\/sepconv\/linear-sdsa-int\/linear-sdsa-int,/,
  );
  assert.match(
    modelLabel(zooModel('sdt2-imagenet-8-256').config, [3, 224, 224], null),
    /^Meta-SpikeFormer \(SDT v2\), .*attention sepconv\/sepconv\/linear-sdsa-repconv\/linear-sdsa-repconv,/,
  );
});
