import type { Level } from "../config/schema.js";

export const RISK_LABEL_PREFIX = "risk: ";

export const RISK_LABEL_COLORS: Record<Level, string> = {
  low: "0e8a16",
  medium: "fbca04",
  high: "d93f0b",
  critical: "b60205",
};

export function riskLabel(level: Level): string {
  return `${RISK_LABEL_PREFIX}${level}`;
}

export function isRiskLabel(name: string): boolean {
  return name.toLowerCase().startsWith(RISK_LABEL_PREFIX);
}

export interface LabelPlan {
  add?: string;
  remove: string[];
}

/** What to change so the PR carries exactly one risk label, the current one. */
export function planRiskLabel(current: readonly string[], level: Level): LabelPlan {
  const wanted = riskLabel(level);
  const remove = current.filter((n) => isRiskLabel(n) && n !== wanted);
  return current.includes(wanted) ? { remove } : { add: wanted, remove };
}
