import { FACTOR_NAMES, type FactorName } from "../../config/schema.js";
import { fitLink, linkProbability, type LogisticLink } from "./fit-link.js";
import { fitWeights, roundWeights } from "./fit-weights.js";
import { isLabelled } from "./label-changes.js";
import { rocAuc } from "./roc-auc.js";
import { calibrationByDecile, type Decile, type ScoredChange } from "./summarise-evaluation.js";

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
  /** The logistic link fitted on the older part with the rounded weights, rounded for the snippet. */
  link: LogisticLink;
  /** Share of the older part that needed a fix. */
  baseRate: number;
  /** Bands set from that base rate as the defaults are set from theirs (BAND_MULTIPLES). */
  bands: Bands;
  /** The link's probability against what happened on the held-out part, by tenths. */
  heldOutDeciles: Decile[];
  heldOutAuc: {
    rounded: number | undefined;
    fitted: number | undefined;
    /** The weights in use (config or defaults). */
    current: number | undefined;
    /** Lines added alone, raw (uncapped): the baseline to beat. */
    linesAdded: number | undefined;
  };
}

export interface Bands {
  medium: number;
  high: number;
  very_high: number;
}

/**
 * Band cut points as multiples of the base rate (the share of changes that needed a fix):
 * medium from the base rate, high from 2.5 times it, very high from 3.5 times it. A change
 * is high when changes like it needed a fix at least 2.5 times as often as the average
 * change: a statement a lead can make, which means the same on any history. 2.5 is the
 * smallest multiple, in steps of ¼, that kept every calibration project's lead group (high
 * and critical) within a quarter of the changes with at least 2.1 times that share of the
 * risky ones, a margin over the 2 required (docs/risk-model.md).
 */
export const BAND_MULTIPLES: Readonly<Bands> = { medium: 1, high: 2.5, very_high: 3.5 };

/** Bands for a base rate, rounded to 0.005 and kept strictly rising and within (0, 1). */
export function bandsForBaseRate(baseRate: number): Bands {
  const round = (p: number): number => Math.min(0.99, Math.max(0.005, Math.round(p * 200) / 200));
  const medium = round(baseRate * BAND_MULTIPLES.medium);
  const high = Math.max(round(baseRate * BAND_MULTIPLES.high), medium + 0.005);
  const veryHigh = Math.max(round(baseRate * BAND_MULTIPLES.very_high), high + 0.005);
  return { medium, high: Math.round(high * 1000) / 1000, very_high: Math.round(veryHigh * 1000) / 1000 };
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
  const changes = all.filter((c) => isLabelled(c.label)).sort((a, b) => a.time - b.time);
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
  const trainSums = train.map((c) => weightedLikelihood(c, rounded));
  const fittedLink = fitLink(trainSums, trainLabels);
  const link = { intercept: Math.round(fittedLink.intercept * 1000) / 1000, slope: Math.round(fittedLink.slope * 1000) / 1000 };
  const baseRate = trainLabels.filter(Boolean).length / trainLabels.length;
  const heldOutDeciles = calibrationByDecile(
    test.map((c) => ({ label: c.label, probability: linkProbability(link, weightedLikelihood(c, rounded)) })),
  );
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
    link,
    baseRate,
    bands: bandsForBaseRate(baseRate),
    heldOutDeciles,
    heldOutAuc: {
      rounded: aucWith(rounded),
      fitted: aucWith(fitted),
      current: aucWith(current),
      linesAdded: rocAuc(test.map((c) => c.factors.size.raw), testLabels),
    },
  };
}
