/**
 * Top-k accuracy from logits. The rank of the true class is the number of classes scoring strictly higher
 * plus those tying with it at a lower index (a deterministic tie break); top-k counts rank < k.
 */
export interface Accuracy {
  samples: number;
  top1: number;
  /** Only when the model has more than 5 classes (else top-5 is trivially 1). */
  top5: number | null;
  correctTop1: number;
  correctTop5: number | null;
}

export function labelRank(logits: ArrayLike<number>, label: number): number {
  const v = logits[label];
  if (v === undefined) throw new RangeError(`label ${label} outside the ${logits.length} logits`);
  let rank = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]!;
    if (x > v || (x === v && i < label)) rank++;
  }
  return rank;
}

export function accuracy(logits: readonly ArrayLike<number>[], labels: readonly number[]): Accuracy {
  if (logits.length !== labels.length) throw new Error(`${logits.length} logits rows for ${labels.length} labels`);
  if (logits.length === 0) throw new Error('accuracy of zero samples');
  const classes = logits[0]!.length;
  let c1 = 0,
    c5 = 0;
  logits.forEach((l, i) => {
    const r = labelRank(l, labels[i]!);
    if (r < 1) c1++;
    if (r < 5) c5++;
  });
  const n = logits.length,
    five = classes > 5;
  return { samples: n, top1: c1 / n, top5: five ? c5 / n : null, correctTop1: c1, correctTop5: five ? c5 : null };
}
