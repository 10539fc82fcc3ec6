/**
 * spikewatt as a library: profile a checkpoint and print the energy of each block.
 *
 *   node --import tsx examples/profile-blocks.ts [checkpoint.safetensors] [samples] [hardware,...]
 *
 * In your own project, `npm install spikewatt` and import from 'spikewatt' instead of '../src/index.js'.
 */
import { profile, type ProfileReport } from '../src/index.js';

const [model = 'checkpoints/fmnist-qkformer.safetensors', samples = '4', hardware = 'cmos45-fp32'] = process.argv.slice(2);

// allowUnpriced: a chip that prices no MAC (Loihi) reports them as unpriced instead of failing.
const report: ProfileReport = await profile({
  model,
  dataset: 'fashion-mnist',
  samples: Number(samples),
  hardware: hardware.split(','),
  allowUnpriced: true,
});

/** A block is the layer name up to its block index: `stage2.1.tssa.q_lif` -> `stage2.1`, `patch_embed1.proj_conv` -> `patch_embed1`. */
const blockOf = (layer: string) =>
  layer
    .split('.')
    .slice(0, /^stage\d/.test(layer) ? 2 : 1)
    .join('.');

console.log(`${report.model.name}: top-1 ${(100 * report.accuracy.top1).toFixed(1)}% on ${report.accuracy.samples} samples`);
for (const e of report.energy) {
  const perBlock = new Map<string, number>();
  for (const l of e.layers) {
    const pj = l.perStep.reduce((s, x) => s + x.totalPj, 0);
    perBlock.set(blockOf(l.name), (perBlock.get(blockOf(l.name)) ?? 0) + pj);
  }
  const unpriced = e.unpriced.length ? ` (not priced: ${e.unpriced.map((u) => u.op).join(', ')})` : '';
  console.log(`\n${e.profile} (${e.convention}): ${(e.totalMj * 1e3).toFixed(3)} uJ per inference${unpriced}`);
  for (const [block, pj] of perBlock) {
    const share = (100 * pj) / (e.totalMj * 1e9);
    console.log(`  ${block.padEnd(14)} ${(pj / 1e6).toFixed(4).padStart(10)} uJ  ${share.toFixed(1).padStart(5)}%`);
  }
}
