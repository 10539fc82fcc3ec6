import type { HeadSumLayer, MaskLayer, TokenSumLayer } from '../../models/spec.js';
import type { EventBuffer } from '../events.js';
import { noteInput, requireEvents, type StepContext, type Value } from './context.js';

/**
 * Q-K attention (QKFormer). QKTA: S[n][h] = sum over the channels c of head h of Q[n][c] (channels grouped
 * contiguously, C/H per head), A_t = LIF_0.5(S), X' = A_t[n][head(c)] AND K[n][c].
 * QKCA (the paper's formula): S[c] = sum over tokens of Q[n][c], A_c = LIF_0.5(S), X' = A_c[c] AND K[n][c].
 *
 * | layer    | op   | count per (sample, t)                                  |
 * |----------|------|--------------------------------------------------------|
 * | headSum  | add  | Q spikes (each adds 1 into its head's token counter)   |
 * | tokenSum | add  | Q spikes (each adds 1 into its channel counter)        |
 * | mask     | mask | K events (each is ANDed with its attention bit)        |
 */
export function runHeadSum(layer: HeadSumLayer, ctx: StepContext, input: Value, out: Float64Array): void {
  noteInput(ctx, input);
  const ev = requireEvents(input, layer.name);
  const heads = layer.heads;
  const inC = ev.size / (layer.out.h * layer.out.w);
  const per = inC / heads;
  out.fill(0);
  let units = 0;
  for (let i = 0; i < ev.count; i++) {
    const a = ev.addr[i]!,
      c = a % inC,
      n = (a - c) / inC;
    out[n * heads + Math.floor(c / per)]! += ev.mult[i]!;
    units += ev.mult[i]!;
  }
  ctx.sink.add(ctx.counts, ctx.t, 'add', units);
}

export function runTokenSum(layer: TokenSumLayer, ctx: StepContext, input: Value, out: Float64Array): void {
  noteInput(ctx, input);
  const ev = requireEvents(input, layer.name);
  const C = layer.out.c;
  out.fill(0);
  let units = 0;
  for (let i = 0; i < ev.count; i++) {
    out[ev.addr[i]! % C]! += ev.mult[i]!;
    units += ev.mult[i]!;
  }
  ctx.sink.add(ctx.counts, ctx.t, 'add', units);
}

/** Size of the attention-bit scratch a mask needs: [n][h] (token mode) or [c] (channel mode). */
export function maskBitsSize(layer: MaskLayer): number {
  return layer.mode === 'token' ? layer.out.h * layer.out.w * layer.heads : layer.out.c;
}

export function runMask(layer: MaskLayer, ctx: StepContext, attn: Value, k: Value, bits: Uint8Array, out: EventBuffer): void {
  noteInput(ctx, k);
  const a = requireEvents(attn, layer.name),
    ek = requireEvents(k, layer.name);
  const C = layer.out.c;
  bits.fill(0);
  for (let i = 0; i < a.count; i++) bits[a.addr[i]!] = 1;
  const per = C / layer.heads;
  out.clear();
  for (let i = 0; i < ek.count; i++) {
    const addr = ek.addr[i]!,
      c = addr % C,
      n = (addr - c) / C;
    const bit = layer.mode === 'token' ? bits[n * layer.heads + Math.floor(c / per)]! : bits[c]!;
    if (bit) out.push(addr, ek.mult[i]!);
  }
  ctx.sink.add(ctx.counts, ctx.t, 'mask', ek.count);
  ctx.counts.outputSpikes[ctx.t]! += out.count;
}
