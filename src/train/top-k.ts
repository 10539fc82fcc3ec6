/** Top-k correctness of one logits row: the label is among the k largest (ties broken toward lower index). */
export function inTopK(row: ArrayLike<number>, label: number, k: number): boolean {
  const v = row[label]!;
  let better = 0;
  for (let c = 0; c < row.length; c++) if (row[c]! > v || (row[c] === v && c < label)) better++;
  return better < k;
}
