/**
 * The logistic link that turns the likelihood (a weighted sum of factors, 0–1) into a
 * probability: P(the change needs a fix within the window) = 1 / (1 + e^−(a + b·sum)).
 *
 * Two parameters fitted by maximum likelihood, unpenalised: with thousands of changes and
 * one covariate there is nothing to shrink, and a penalty would bias the probabilities it is
 * meant to calibrate. Solved by Newton's method (the log-likelihood is concave, so a few
 * steps reach the optimum), halving a step that does not improve it. The slope is not
 * constrained: a history in which the score ranks backwards gets a negative slope, which
 * `--calibrate` then shows rather than hides.
 */
export interface LogisticLink {
  intercept: number;
  slope: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function linkProbability(link: LogisticLink, sum: number): number {
  return sigmoid(link.intercept + link.slope * sum);
}

function logLikelihood(link: LogisticLink, sums: readonly number[], y: readonly number[], weights: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < sums.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, linkProbability(link, sums[i]!)));
    total += weights[i]! * (y[i]! ? Math.log(p) : Math.log(1 - p));
  }
  return total;
}

/**
 * Fit the link on (likelihood sum, needed a fix) pairs. `weights` (default 1 each) let several
 * projects count equally however long their histories are.
 */
export function fitLink(sums: readonly number[], labels: readonly boolean[], weights?: readonly number[]): LogisticLink {
  const n = sums.length;
  if (n === 0 || labels.length !== n || (weights && weights.length !== n)) {
    throw new Error(`fitLink: need one label (and weight) per sum (got ${n} sums, ${labels.length} labels)`);
  }
  const y: number[] = labels.map((l) => (l ? 1 : 0));
  const w = weights ?? new Array<number>(n).fill(1);
  const positives = y.reduce((s: number, v, i) => s + v * w[i]!, 0);
  const total = w.reduce((s, v) => s + v, 0);
  if (positives <= 0 || positives >= total) throw new Error("fitLink: need both changes that needed a fix and changes that did not");
  // Start at the base rate with a flat slope: the best link that ignores the score.
  let link: LogisticLink = { intercept: Math.log(positives / (total - positives)), slope: 0 };
  let current = logLikelihood(link, sums, y, w);
  for (let iteration = 0; iteration < 100; iteration++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 0;
    let h01 = 0;
    let h11 = 0;
    for (let i = 0; i < n; i++) {
      const x = sums[i]!;
      const p = linkProbability(link, x);
      const r = w[i]! * (y[i]! - p);
      const v = w[i]! * p * (1 - p);
      g0 += r;
      g1 += r * x;
      h00 += v;
      h01 += v * x;
      h11 += v * x * x;
    }
    const det = h00 * h11 - h01 * h01;
    // A constant sum leaves the slope undetermined: keep the base rate.
    if (!(det > 1e-12 * Math.max(1, h00 * h11))) break;
    const d0 = (h11 * g0 - h01 * g1) / det;
    const d1 = (h00 * g1 - h01 * g0) / det;
    let step = 1;
    let next: LogisticLink = link;
    let value = current;
    for (let halvings = 0; halvings < 30; halvings++, step /= 2) {
      next = { intercept: link.intercept + step * d0, slope: link.slope + step * d1 };
      value = logLikelihood(next, sums, y, w);
      if (value >= current - 1e-12) break;
    }
    const moved = Math.max(Math.abs(next.intercept - link.intercept), Math.abs(next.slope - link.slope));
    link = next;
    current = value;
    if (moved < 1e-10) break;
  }
  return link;
}
