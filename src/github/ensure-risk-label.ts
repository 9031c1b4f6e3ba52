import type { Level } from "../config/schema.js";
import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

export const RISK_LABEL_PREFIX = "risk: ";

export const RISK_LABEL_COLORS: Record<Level, string> = {
  low: "0e8a16",
  medium: "fbca04",
  high: "d93f0b",
  critical: "b60205",
};

/** GitHub's colour for a label created implicitly by adding it to an issue. */
const AUTO_CREATED_COLOR = "ededed";

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

/**
 * Apply a label plan. Adding a missing label creates it on the fly without a colour, so when
 * GitHub reports the implicit grey, the label is given its colour: one extra call, once per
 * repository.
 */
export async function ensureRiskLabel(
  octokit: Octokit,
  ref: RepoRef & { issue_number: number },
  level: Level,
  plan: LabelPlan,
): Promise<number> {
  let writes = 0;
  for (const name of plan.remove) {
    try {
      await octokit.rest.issues.removeLabel({ ...ref, name });
      writes++;
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
  }
  if (plan.add) {
    const { data } = await octokit.rest.issues.addLabels({ ...ref, labels: [plan.add] });
    writes++;
    const added = data.find((l) => l.name === plan.add);
    if (added && added.color?.toLowerCase() === AUTO_CREATED_COLOR) {
      await octokit.rest.issues.updateLabel({
        owner: ref.owner,
        repo: ref.repo,
        name: plan.add,
        color: RISK_LABEL_COLORS[level],
        description: `Review Triage: ${level} risk`,
      });
      writes++;
    }
  }
  return writes;
}
