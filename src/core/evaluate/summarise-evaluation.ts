import { FACTOR_NAMES, LEVELS, type FactorName, type Level } from "../../config/schema.js";
import type { RiskAssessment } from "../types.js";
import { isLabelled, type ChangeLabel } from "./label-changes.js";
import { compareAucs, rocAuc, rocAucWithSe, type AucEstimate } from "./roc-auc.js";

/** One first-parent change after scoring and SZZ labelling. */
export interface ScoredChange {
  sha: string;
  /** Committer time, Unix seconds. */
  time: number;
  title: string;
  label: ChangeLabel;
  level: Level;
  impact: Level;
  /** `scoreRisk`'s 0–100 score (likelihood and impact). */
  score: number;
  /** `scoreRisk`'s likelihood with the weights in use. */
  likelihood: number;
  /** `scoreRisk`'s probability of a fix within a year (the likelihood through `risk.link`). */
  probability: number;
  /** Each factor's capped 0–1 value (what the weights multiply) and its raw measurement. */
  factors: Record<FactorName, { value: number; raw: number }>;
  /** What `scoreRisk` counted (files, lines, directories, packages…). */
  counts?: RiskAssessment["counts"];
}

export interface EvaluationSummary {
  changes: number;
  risky: number;
  shareRisky: number;
  /** ROC AUC; `undefined` when only one class is present. */
  auc: {
    likelihood: number | undefined;
    score: number | undefined;
    /**
     * Each factor alone, ranked by its raw measurement (lines added, files…): the strongest
     * form of that factor, so "the combined score beats lines added" is not won against a
     * baseline weakened by the cap.
     */
    factors: Record<FactorName, number | undefined>;
  };
  /** The headline AUCs with DeLong standard errors, and the score against lines added alone (paired). */
  estimates: {
    likelihood: AucEstimate | undefined;
    score: AucEstimate | undefined;
    linesAdded: AucEstimate | undefined;
    scoreMinusLinesAdded: { difference: number; se: number } | undefined;
  };
  /** Factors that took a single value on every change (their AUC says nothing). */
  constantFactors: FactorName[];
  levels: { level: Level; changes: number; risky: number; shareRisky: number | undefined }[];
  /**
   * The lead group's share: changes at the levels the default routing sends to the lead
   * (high and critical), and the share of the risky changes among them.
   */
  lead: { changes: number; share: number; risky: number; shareOfRisky: number | undefined };
  /** The probability against what happened, by tenths of the changes ranked by probability. */
  deciles: Decile[];
}

export interface Decile {
  changes: number;
  /** Lowest and highest probability in the tenth. */
  from: number;
  to: number;
  /** Mean predicted probability. */
  predicted: number;
  /** Share that needed a fix. */
  observed: number;
}

/** Levels the default routing sends to the lead group. */
export const LEAD_LEVELS: readonly Level[] = ["high", "critical"];

/**
 * Calibration by tenths: changes sorted by probability, cut into ten groups of (nearly)
 * equal size, each group's mean probability beside its share that needed a fix.
 */
export function calibrationByDecile(changes: readonly Pick<ScoredChange, "probability" | "label">[]): Decile[] {
  const sorted = [...changes].sort((a, b) => a.probability - b.probability);
  const out: Decile[] = [];
  for (let d = 0; d < 10; d++) {
    const group = sorted.slice(Math.round((d * sorted.length) / 10), Math.round(((d + 1) * sorted.length) / 10));
    if (group.length === 0) continue;
    out.push({
      changes: group.length,
      from: group[0]!.probability,
      to: group[group.length - 1]!.probability,
      predicted: group.reduce((sum, c) => sum + c.probability, 0) / group.length,
      observed: group.filter((c) => c.label === "risky").length / group.length,
    });
  }
  return out;
}

/** The figures `evaluate` reports, over the changes old enough to be labelled. */
export function summariseEvaluation(all: readonly ScoredChange[]): EvaluationSummary {
  const changes = all.filter((c) => isLabelled(c.label));
  const labels = changes.map((c) => c.label === "risky");
  const risky = labels.filter(Boolean).length;
  const factors = {} as Record<FactorName, number | undefined>;
  const constantFactors: FactorName[] = [];
  for (const name of FACTOR_NAMES) {
    const raw = changes.map((c) => c.factors[name].raw);
    factors[name] = rocAuc(raw, labels);
    if (raw.every((v) => v === raw[0])) constantFactors.push(name);
  }
  const scores = changes.map((c) => c.score);
  const linesAdded = changes.map((c) => c.factors.size.raw);
  const paired = compareAucs(scores, linesAdded, labels);
  const inLead = changes.filter((c) => LEAD_LEVELS.includes(c.level));
  const riskyInLead = inLead.filter((c) => c.label === "risky").length;
  return {
    changes: changes.length,
    risky,
    shareRisky: changes.length ? risky / changes.length : 0,
    auc: {
      likelihood: rocAuc(changes.map((c) => c.likelihood), labels),
      score: rocAuc(scores, labels),
      factors,
    },
    estimates: {
      likelihood: rocAucWithSe(changes.map((c) => c.likelihood), labels),
      score: rocAucWithSe(scores, labels),
      linesAdded: rocAucWithSe(linesAdded, labels),
      scoreMinusLinesAdded: paired && { difference: paired.difference, se: paired.se },
    },
    constantFactors,
    levels: LEVELS.map((level) => {
      const inLevel = changes.filter((c) => c.level === level);
      const riskyInLevel = inLevel.filter((c) => c.label === "risky").length;
      return { level, changes: inLevel.length, risky: riskyInLevel, shareRisky: inLevel.length ? riskyInLevel / inLevel.length : undefined };
    }),
    lead: {
      changes: inLead.length,
      share: changes.length ? inLead.length / changes.length : 0,
      risky: riskyInLead,
      shareOfRisky: risky ? riskyInLead / risky : undefined,
    },
    deciles: calibrationByDecile(changes),
  };
}
