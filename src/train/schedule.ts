/**
 * Learning rate at optimizer step `step` (0-based) of `total`: linear warm-up from lr/warmup... to lr over
 * `warmup` steps, then cosine decay to `minLr`:
 *   lr(s) = lr * (s + 1) / warmup                                       for s < warmup
 *   lr(s) = minLr + (lr - minLr) * (1 + cos(pi * (s - warmup) / (total - warmup))) / 2   after
 */
export interface CosineSchedule {
  lr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

export function cosineLr(s: CosineSchedule, step: number): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const p = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + ((s.lr - s.minLr) * (1 + Math.cos(Math.PI * p))) / 2;
}
