import { FACTOR_NAMES, LEVELS, type FactorName, type Level } from "../../config/schema.js";
import type { ChangeLabel } from "./label-changes.js";
import { rocAuc } from "./roc-auc.js";

/** One first-parent change after scoring and SZZ labelling. */
export interface ScoredChange {
  sha: string;
  /** Committer time, Unix seconds. */
  time: number;
  title: string;
  label: ChangeLabel;
  level: Level;
  /** `scoreRisk`'s 0–100 score (likelihood and impact). */
  score: number;
  /** `scoreRisk`'s likelihood with the weights in use. */
  likelihood: number;
  /** Each factor's capped 0–1 value (what the weights multiply) and its raw measurement. */
  factors: Record<FactorName, { value: number; raw: number }>;
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
  /** Factors that took a single value on every change (their AUC says nothing). */
  constantFactors: FactorName[];
  levels: { level: Level; changes: number; risky: number; shareRisky: number | undefined }[];
}

/** The figures `evaluate` reports, over the changes old enough to be labelled. */
export function summariseEvaluation(all: readonly ScoredChange[]): EvaluationSummary {
  const changes = all.filter((c) => c.label !== "too-recent");
  const labels = changes.map((c) => c.label === "risky");
  const risky = labels.filter(Boolean).length;
  const factors = {} as Record<FactorName, number | undefined>;
  const constantFactors: FactorName[] = [];
  for (const name of FACTOR_NAMES) {
    const raw = changes.map((c) => c.factors[name].raw);
    factors[name] = rocAuc(raw, labels);
    if (raw.every((v) => v === raw[0])) constantFactors.push(name);
  }
  return {
    changes: changes.length,
    risky,
    shareRisky: changes.length ? risky / changes.length : 0,
    auc: {
      likelihood: rocAuc(changes.map((c) => c.likelihood), labels),
      score: rocAuc(changes.map((c) => c.score), labels),
      factors,
    },
    constantFactors,
    levels: LEVELS.map((level) => {
      const inLevel = changes.filter((c) => c.level === level);
      const riskyInLevel = inLevel.filter((c) => c.label === "risky").length;
      return { level, changes: inLevel.length, risky: riskyInLevel, shareRisky: inLevel.length ? riskyInLevel / inLevel.length : undefined };
    }),
  };
}
