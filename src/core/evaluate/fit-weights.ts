/**
 * Fitting likelihood weights on labelled history (`review-triage evaluate --calibrate`).
 *
 * Method: logistic regression of "later needed a fix" on the capped factor values (the
 * same 0–1 values `scoreRisk` multiplies by its weights), with
 * - an unpenalised intercept, which absorbs the base rate and is then dropped: the
 *   likelihood is a plain weighted sum, and ranking does not depend on a constant;
 * - an L2 penalty `½|w|²` on the summed log-loss (scikit-learn's default, C = 1; a unit
 *   Gaussian prior on each weight), so a factor with little evidence gets a small weight
 *   instead of a large noisy one, and the penalty fades as history grows;
 * - weights constrained to be ≥ 0 (projected gradient): every factor is "more of it is
 *   riskier", and a factor that only helps with a negative sign is noise we would not ship.
 *
 * The problem is convex, so accelerated projected gradient descent (FISTA) with the step
 * 1/L, L the Lipschitz bound of the gradient, converges to the unique optimum; no learning
 * rate to tune. Features are already on 0–1, so no standardisation is needed.
 */

export interface FitOptions {
  /** L2 penalty on the weights (not the intercept), per row of the mean log-loss; default 1/n. */
  lambda?: number;
  maxIterations?: number;
  /** Stop when no weight moves by more than this in an iteration. */
  tolerance?: number;
  /**
   * Weight of each row in the log-loss (default 1 each; they are rescaled to average 1).
   * Fitting on several projects, each project's rows get 1/size, so a long history does
   * not outvote the others.
   */
  rowWeights?: readonly number[];
}

export interface FittedWeights {
  /** One weight per column of `rows`, each ≥ 0. */
  weights: number[];
  intercept: number;
  iterations: number;
  /** Mean log-loss on the fitted rows (without the penalty). */
  logLoss: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function fitWeights(rows: readonly (readonly number[])[], labels: readonly boolean[], options: FitOptions = {}): FittedWeights {
  const n = rows.length;
  if (n === 0 || n !== labels.length) throw new Error(`fitWeights: need as many labels as rows (got ${n} rows, ${labels.length} labels)`);
  const lambda = options.lambda ?? 1 / n;
  const maxIterations = options.maxIterations ?? 20_000;
  const tolerance = options.tolerance ?? 1e-7;
  const k = rows[0]!.length;
  for (const row of rows) {
    if (row.length !== k) throw new Error("fitWeights: every row must have the same number of factors");
  }
  const y = labels.map((l) => (l ? 1 : 0));
  if (options.rowWeights && options.rowWeights.length !== n) throw new Error("fitWeights: need one row weight per row");
  const weightSum = options.rowWeights?.reduce((s, w) => s + w, 0) ?? n;
  const rowWeight = options.rowWeights ? options.rowWeights.map((w) => (w * n) / weightSum) : new Array<number>(n).fill(1);

  // For the mean log-loss, L ≤ ¼·λmax(XᵀWX/n) ≤ ¼·max_i w_i|x_i|² (with the intercept's 1).
  let maxNorm = 0;
  rows.forEach((row, i) => (maxNorm = Math.max(maxNorm, rowWeight[i]! * row.reduce((s, v) => s + v * v, 1))));
  const step = 1 / (0.25 * maxNorm + lambda);

  // Parameters: [intercept, w_1..w_k]; FISTA keeps the current point and a momentum point.
  let current = new Array<number>(k + 1).fill(0);
  let momentum = current.slice();
  let t = 1;
  let iterations = 0;
  const gradient = new Array<number>(k + 1);
  for (; iterations < maxIterations; iterations++) {
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      let z = momentum[0]!;
      for (let j = 0; j < k; j++) z += momentum[j + 1]! * row[j]!;
      const residual = (sigmoid(z) - y[i]!) * rowWeight[i]!;
      gradient[0]! += residual;
      for (let j = 0; j < k; j++) gradient[j + 1]! += residual * row[j]!;
    }
    const next = new Array<number>(k + 1);
    next[0] = momentum[0]! - (step * gradient[0]!) / n;
    for (let j = 1; j <= k; j++) {
      const g = gradient[j]! / n + lambda * momentum[j]!;
      next[j] = Math.max(0, momentum[j]! - step * g);
    }
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    let moved = 0;
    for (let j = 0; j <= k; j++) moved = Math.max(moved, Math.abs(next[j]! - current[j]!));
    momentum = next.map((v, j) => {
      const extrapolated = v + ((t - 1) / tNext) * (v - current[j]!);
      return j === 0 ? extrapolated : Math.max(0, extrapolated);
    });
    current = next;
    t = tNext;
    if (moved < tolerance) {
      iterations++;
      break;
    }
  }

  let loss = 0;
  for (let i = 0; i < n; i++) {
    let z = current[0]!;
    for (let j = 0; j < k; j++) z += current[j + 1]! * rows[i]![j]!;
    const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(z)));
    loss -= rowWeight[i]! * (y[i]! ? Math.log(p) : Math.log(1 - p));
  }
  return { weights: current.slice(1), intercept: current[0]!, iterations, logLoss: loss / n };
}

/**
 * Turn fitted weights into shippable ones: scale to sum 1 (so the likelihood stays on 0–1
 * and the bands keep their meaning), round to multiples of `step`, and put any rounding
 * remainder on the largest weight so the sum stays exactly 1. Scaling never changes the
 * ranking; rounding changes it only slightly, which `--calibrate` reports by scoring the
 * rounded weights, not the raw ones.
 */
export function roundWeights(weights: readonly number[], step = 0.05): number[] {
  const total = weights.reduce((s, w) => s + Math.max(0, w), 0);
  if (total <= 0) return weights.map(() => 0);
  const units = Math.round(1 / step);
  const rounded = weights.map((w) => Math.round((Math.max(0, w) / total) * units));
  const remainder = units - rounded.reduce((s, u) => s + u, 0);
  if (remainder !== 0) {
    let largest = 0;
    for (let i = 1; i < rounded.length; i++) if (rounded[i]! > rounded[largest]!) largest = i;
    rounded[largest] = Math.max(0, rounded[largest]! + remainder);
  }
  // Divide by the unit count rather than multiply by the step: 0.05·11 is 0.55000000000000004.
  return rounded.map((u) => u / units);
}
