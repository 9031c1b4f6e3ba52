import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { renderRiskText } from "../../src/core/render-risk-text.js";
import { scoreRisk } from "../../src/core/score-risk.js";
import type { ChangedFile } from "../../src/core/types.js";

const config = configSchema.parse({
  risk: {
    impact: [{ paths: ["src/auth/**"], impact: "critical", reason: "identity" }],
    weights: { size: 0.55, files: 0.25, directories: 0.1, fix: 0.1, change_type: 0, test_gap: 0, static_analysis: 0 },
  },
}).risk;

function file(filename: string, additions: number): ChangedFile {
  return { filename, status: "modified", additions, deletions: 1 };
}

describe("renderRiskText", () => {
  it("explains level, factors, impact, focus files and counts in plain text", () => {
    const assessment = scoreRisk({
      files: [file("src/auth/session.ts", 120), file("src/ui/a.ts", 10), file("README.md", 5)],
      pr: { number: 1, title: "fix: session expiry", headRef: "fix/session", labels: [], additions: 0, deletions: 0, changedFiles: 0 },
      config,
    });
    const text = renderRiskText(assessment);
    expect(text).toContain(`Risk: ${assessment.level.toUpperCase()} (score ${assessment.score}/100)`);
    expect(text).toContain(`× impact critical → ${assessment.level}`);
    expect(text).toContain('Critical impact from src/auth/session.ts: matches "src/auth/**" — identity.');
    expect(text).toMatch(/\n {2}fix +1\.00 {3}0\.10 {4}0\.100 {4}The title says "fix"/);
    expect(text).toContain("  critical  src/auth/session.ts  matches \"src/auth/**\" — identity");
    expect(text).toContain("  1. src/auth/session.ts — critical impact:");
    // The README's lines are not code, so they are not counted as added code.
    expect(text).toContain("Counted: 3 files (2 source, 0 test, 0 ignored), 130 lines of code added, 3 deleted, 3 directories.");
    expect(text).toContain(`Changes like this needed a fix within a year in ${Math.round(assessment.likelihood.probability * 100)} % of cases across the calibration projects.`);
    expect(text).not.toContain("Notes");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("summarises impact matches beyond the limit and lists notes", () => {
    const files = Array.from({ length: 14 }, (_, i) => file(i < 2 ? `docs/p${i}.md` : `src/m/f${i}.ts`, 1));
    const assessment = scoreRisk({
      files,
      pr: { number: 1, title: "x", headRef: "x", labels: [], additions: 0, deletions: 0, changedFiles: 4000 },
      config,
    });
    const text = renderRiskText(assessment, { maxMatches: 5 });
    expect(text).toContain("  … and 9 more files (7 medium, 2 low)");
    expect(text).toMatch(/\nNotes\n {2}- GitHub listed 14 files/);
  });
});
