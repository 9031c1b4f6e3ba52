import type { Level } from "../config/schema.js";
import { RISK_LABEL_COLORS, type LabelPlan } from "../core/risk-label.js";
import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

/** GitHub's colour for a label created implicitly by adding it to an issue. */
const AUTO_CREATED_COLOR = "ededed";

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

export { isRiskLabel, planRiskLabel, riskLabel, RISK_LABEL_PREFIX, type LabelPlan } from "../core/risk-label.js";
