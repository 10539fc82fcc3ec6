import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../../src/models/formats/safetensors.js';
import { zooModel, type ZooName } from '../../src/models/zoo.js';
import type { ModelSpec } from '../../src/models/spec.js';
import type { TensorMap } from '../../src/models/tensor.js';

export const FIXTURE_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'fixtures', 'official');
/** The full-size fixture: the published CIFAR10 HST-4-384, T=4 model at 23 % firing. */
export const FULL_FIXTURE_ROOT = join(FIXTURE_ROOT, '..', 'official-full');
export const FULL_FIXTURE = 'qkformer-cifar10_e384_d4_T4_s32';

export interface OfficialFixture {
  dir: string;
  name: string;
  spec: ModelSpec;
  manifest: { config: Record<string, number>; state_dict: { key: string; shape: number[] }[]; param_count: number; variant: string };
  weights: TensorMap;
  input: { shape: number[]; data: Float32Array };
  logits: { logits: number[][]; logits_batch1: number[][] };
  spikes: Record<string, { spikes_per_t: number[]; spikes_per_sample_per_t: number[][]; spikes_per_sample_per_t_batch1_runs: number[][] }>;
  ops: {
    own: { layers: Record<string, Record<string, unknown>> };
    syops: { layers: Record<string, Record<string, number>>; total_ACs_per_image: number; total_MACs_per_image: number };
  };
}

const ZOO_BY_VARIANT: Record<string, ZooName> = {
  cifar10: 'qkformer-cifar10',
  'cifar10-dvs': 'qkformer-cifar10dvs',
  'dvs128-gesture': 'qkformer-dvs128',
  imagenet: 'qkformer-imagenet-10-384',
  'spikformer-cifar10': 'spikformer-cifar10',
};

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_ROOT)
    .filter((d) => !d.endsWith('.md'))
    .sort();
}

export function loadFixture(name: string, root = FIXTURE_ROOT): OfficialFixture {
  const dir = join(root, name);
  const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
  const manifest = json('manifest.json') as OfficialFixture['manifest'] & { effective_num_heads_per_stage: number[] };
  const c = manifest.config;
  const zoo = ZOO_BY_VARIANT[manifest.variant];
  if (!zoo) throw new Error(`fixture ${name}: unknown variant ${manifest.variant}`);
  const spec = zooModel(zoo, {
    embedDims: c.embed_dims!,
    depths: c.depths!,
    timesteps: c.T!,
    imgSize: c.img_size!,
    inChannels: c.in_channels!,
    numClasses: c.num_classes!,
    mlpRatio: c.mlp_ratio!,
    heads: manifest.effective_num_heads_per_stage[0]!,
  });
  const weights = readSafetensors(new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))), 'weights').tensors;
  const inp = readSafetensors(new Uint8Array(readFileSync(join(dir, 'input.safetensors'))), 'input').tensors.get('input')!;
  return {
    dir,
    name,
    spec,
    manifest,
    weights,
    input: { shape: inp.shape, data: Float32Array.from(inp.data) },
    logits: json('logits.json') as OfficialFixture['logits'],
    spikes: (json('spikes.json') as { modules: OfficialFixture['spikes'] }).modules,
    ops: json('ops.json') as OfficialFixture['ops'],
  };
}

/** Splits a batched input tensor into per-sample arrays. */
export function samplesOf(input: { shape: number[]; data: Float32Array }): Float32Array[] {
  const B = input.shape[0]!;
  const per = input.data.length / B;
  return Array.from({ length: B }, (_, b) => input.data.subarray(b * per, (b + 1) * per));
}
