/**
 * Area under the ROC curve of `scores` for the positive `labels`, computed as the
 * Mann–Whitney U statistic: the probability that a random positive scores higher than a
 * random negative, ties counting one half. Tied scores get their mid-rank, which matters
 * here: factors such as `fix` or `files` take few distinct values, and counting ties as
 * wins or losses would move their AUC far from what a coin flip between tied changes gives.
 *
 * Returns `undefined` when either class is empty (the AUC is not defined).
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | undefined {
  if (scores.length !== labels.length) {
    throw new Error(`rocAuc: ${scores.length} scores but ${labels.length} labels`);
  }
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    // Ranks are 1-based; the tie group i..j shares the mean of ranks i+1..j+1.
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
