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

/** An AUC with its DeLong standard error. */
export interface AucEstimate {
  auc: number;
  /** DeLong standard error (DeLong, DeLong and Clarke-Pearson, Biometrics 1988). */
  se: number;
  positives: number;
  negatives: number;
}

/** Mid-ranks (1-based, ties share their mean rank) of `values`. */
function midRanks(values: readonly number[]): Float64Array {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/**
 * DeLong's structural components of one score: for each positive, the share of negatives it
 * outranks (ties one half), and for each negative, the share of positives that outrank it.
 * Their means are the AUC; their variances give its standard error. Computed from ranks
 * (Sun and Xu, IEEE SPL 2014), so O(n log n) rather than a loop over every pair.
 */
function components(scores: readonly number[], labels: readonly boolean[]): { v10: Float64Array; v01: Float64Array } {
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => (labels[i] ? pos : neg).push(s));
  const all = midRanks(scores);
  const withinPos = midRanks(pos);
  const withinNeg = midRanks(neg);
  const m = pos.length;
  const n = neg.length;
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let p = 0;
  let q = 0;
  scores.forEach((_, i) => {
    // Rank among all minus rank among its own class = how many of the other class rank below.
    if (labels[i]) {
      v10[p] = (all[i]! - withinPos[p]!) / n;
      p++;
    } else {
      v01[q] = 1 - (all[i]! - withinNeg[q]!) / m;
      q++;
    }
  });
  return { v10, v01 };
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample covariance (divisor k − 1); 0 for fewer than two values. */
function covariance(a: Float64Array, b: Float64Array): number {
  if (a.length < 2) return 0;
  const ma = mean(a);
  const mb = mean(b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - ma) * (b[i]! - mb);
  return sum / (a.length - 1);
}

/** The AUC of `scores` with its DeLong standard error; `undefined` with one class only. */
export function rocAucWithSe(scores: readonly number[], labels: readonly boolean[]): AucEstimate | undefined {
  if (scores.length !== labels.length) throw new Error(`rocAucWithSe: ${scores.length} scores but ${labels.length} labels`);
  const { v10, v01 } = components(scores, labels);
  if (v10.length === 0 || v01.length === 0) return undefined;
  const variance = covariance(v10, v10) / v10.length + covariance(v01, v01) / v01.length;
  return { auc: mean(v10), se: Math.sqrt(variance), positives: v10.length, negatives: v01.length };
}

/**
 * The difference between two scores' AUCs on the same changes (`a` − `b`) with its paired
 * DeLong standard error: the two rankings share their changes, so their errors correlate,
 * and the difference is known far better than either SE alone suggests.
 */
export function compareAucs(
  a: readonly number[],
  b: readonly number[],
  labels: readonly boolean[],
): { a: number; b: number; difference: number; se: number } | undefined {
  if (a.length !== labels.length || b.length !== labels.length) throw new Error("compareAucs: every score needs a label");
  const ca = components(a, labels);
  const cb = components(b, labels);
  const m = ca.v10.length;
  const n = ca.v01.length;
  if (m === 0 || n === 0) return undefined;
  const s10 = covariance(ca.v10, ca.v10) + covariance(cb.v10, cb.v10) - 2 * covariance(ca.v10, cb.v10);
  const s01 = covariance(ca.v01, ca.v01) + covariance(cb.v01, cb.v01) - 2 * covariance(ca.v01, cb.v01);
  const aucA = mean(ca.v10);
  const aucB = mean(cb.v10);
  return { a: aucA, b: aucB, difference: aucA - aucB, se: Math.sqrt(Math.max(0, s10 / m + s01 / n)) };
}
