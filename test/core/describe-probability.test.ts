import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { describeProbability } from "../../src/core/describe-probability.js";
import { renderExplanation } from "../../src/core/render-explanation.js";
import { renderStickyComment } from "../../src/core/render-comment.js";
import { scoreRisk } from "../../src/core/score-risk.js";

describe("describeProbability", () => {
  it("states the probability as how often such changes needed a fix, and where that was measured", () => {
    expect(describeProbability({ probability: 0.3812, calibratedOn: "calibration projects" })).toBe(
      "Changes like this needed a fix within a year in 38 % of cases across the calibration projects.",
    );
    expect(describeProbability({ probability: 0.004, calibratedOn: "risk.link" })).toBe(
      "Changes like this needed a fix within a year in under 1 % of cases in the history this repository's `risk.link` was fitted on.",
    );
  });

  it("appears in the sticky comment, next to the likelihood, and in the explanation", () => {
    const assessment = scoreRisk({
      files: [{ filename: "src/a.ts", status: "modified", additions: 40, deletions: 2 }],
      pr: { number: 3, title: "feat: a", headRef: "a", labels: [], additions: 0, deletions: 0, changedFiles: 0 },
      config: configSchema.parse({}).risk,
    });
    const sentence = describeProbability(assessment.likelihood);
    const choice = { picks: [], kept: [], skipped: [], notes: [] };
    const comment = renderStickyComment({ assessment, choice, configSource: "defaults" });
    const lines = comment.split("\n");
    expect(lines[lines.findIndex((l) => l.startsWith("Likelihood **")) + 1]).toBe(sentence);
    expect(renderExplanation(assessment, choice)).toContain(sentence);
  });
});
