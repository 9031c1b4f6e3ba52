import type { RiskAssessment } from "./types.js";

/**
 * The likelihood as a lead can state it: how often changes with this likelihood needed a fix
 * within a year where the link was fitted. A frequency, not a verdict on this change.
 */
export function describeProbability(likelihood: Pick<RiskAssessment["likelihood"], "probability" | "calibratedOn">): string {
  const percent = Math.round(likelihood.probability * 100);
  const share = percent < 1 ? "under 1 %" : `${percent} %`;
  const where =
    likelihood.calibratedOn === "calibration projects"
      ? "across the calibration projects"
      : "in the history this repository's `risk.link` was fitted on";
  return `Changes like this needed a fix within a year in ${share} of cases ${where}.`;
}
