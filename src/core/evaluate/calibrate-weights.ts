import { FACTOR_NAMES, type FactorName } from "../../config/schema.js";
import { fitWeights, roundWeights } from "./fit-weights.js";
import { rocAuc } from "./roc-auc.js";
import type { ScoredChange } from "./summarise-evaluation.js";

export type Weights = Record<FactorName, number>;

export interface Calibration {
  /** Oldest share of the labelled changes, used for fitting. */
  train: { changes: number; risky: number; from: number; to: number };
  /** The later changes, never seen by the fit: every AUC below is measured here. */
  heldOut: { changes: number; risky: number; from: number; to: number };
  /** Raw fitted weights (before scaling and rounding) and the intercept. */
  fitted: { weights: Weights; intercept: number; iterations: number };
  /** Fitted weights scaled to sum 1 and rounded to 0.05: the config snippet. */
  rounded: Weights;
  heldOutAuc: {
    rounded: number | undefined;
    fitted: number | undefined;
    /** The weights in use (config or defaults). */
    current: number | undefined;
    /** Lines added alone, raw (uncapped): the baseline to beat. */
    linesAdded: number | undefined;
  };
}

/** The history cannot support a fit (e.g. no risky change in its older part). */
export class CalibrationError extends Error {
  override name = "CalibrationError";
}

export interface CalibrateOptions {
  /** Share of the (time-ordered) labelled changes used for fitting; the rest is held out. */
  trainShare?: number;
  lambda?: number;
}

/** A likelihood as `scoreRisk` forms it: the weighted sum of capped factor values. */
export function weightedLikelihood(change: Pick<ScoredChange, "factors">, weights: Partial<Weights>): number {
  let sum = 0;
  for (const name of FACTOR_NAMES) sum += (weights[name] ?? 0) * change.factors[name].value;
  return sum;
}

/**
 * Fit likelihood weights on the older part of the labelled history and measure them on the
 * newer part. The split is by time, not random: the question a project asks is "would
 * weights fitted on our past have ranked our next changes well?", and a random split would
 * let the fit peek at the same period (same people, same hot files) it is tested on.
 */
export function calibrateWeights(all: readonly ScoredChange[], current: Partial<Weights>, options: CalibrateOptions = {}): Calibration {
  const trainShare = options.trainShare ?? 0.7;
  const changes = all.filter((c) => c.label !== "too-recent").sort((a, b) => a.time - b.time);
  const cut = Math.round(changes.length * trainShare);
  const train = changes.slice(0, cut);
  const test = changes.slice(cut);
  const isRisky = (c: ScoredChange): boolean => c.label === "risky";
  const trainLabels = train.map(isRisky);
  const testLabels = test.map(isRisky);
  if (!trainLabels.includes(true) || !trainLabels.includes(false)) {
    throw new CalibrationError("cannot calibrate: the older part of the history has no risky change, or no clean one");
  }

  const fit = fitWeights(
    train.map((c) => FACTOR_NAMES.map((name) => c.factors[name].value)),
    trainLabels,
    options.lambda === undefined ? {} : { lambda: options.lambda },
  );
  const asWeights = (values: readonly number[]): Weights =>
    Object.fromEntries(FACTOR_NAMES.map((name, i) => [name, values[i] ?? 0])) as Weights;
  const fitted = asWeights(fit.weights);
  const rounded = asWeights(roundWeights(fit.weights));
  const aucWith = (weights: Partial<Weights>): number | undefined =>
    rocAuc(test.map((c) => weightedLikelihood(c, weights)), testLabels);
  const span = (list: ScoredChange[]) => ({
    changes: list.length,
    risky: list.filter(isRisky).length,
    from: list[0]?.time ?? 0,
    to: list[list.length - 1]?.time ?? 0,
  });
  return {
    train: span(train),
    heldOut: span(test),
    fitted: { weights: fitted, intercept: fit.intercept, iterations: fit.iterations },
    rounded,
    heldOutAuc: {
      rounded: aucWith(rounded),
      fitted: aucWith(fitted),
      current: aucWith(current),
      linesAdded: rocAuc(test.map((c) => c.factors.size.raw), testLabels),
    },
  };
}
