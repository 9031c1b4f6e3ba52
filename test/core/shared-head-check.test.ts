import { describe, expect, it } from "vitest";
import { checkPasses, sharedHeadCheck } from "../../src/core/plan-triage.js";
import type { CheckRunSpec } from "../../src/core/render-check.js";

const ready: CheckRunSpec = { status: "completed", conclusion: "success", title: "Ready: low risk, approvals and checklists complete", summary: "**low** risk" };
const waiting: CheckRunSpec = { status: "in_progress", title: "Needs: 1 approval", summary: "**low** risk" };

describe("the check on a head commit shared by several open PRs", () => {
  it("is the PR's own check when no other open PR has its head", () => {
    expect(sharedHeadCheck(ready, 2, [])).toEqual(ready);
    expect(sharedHeadCheck(ready, 2, undefined)).toEqual(ready);
  });

  it("waits, naming the PRs, while another one is not approved", () => {
    const check = sharedHeadCheck(ready, 2, [{ number: 3, satisfied: false }, { number: 1, satisfied: true }]);
    expect(checkPasses(check)).toBe(false);
    expect(check).toMatchObject({ status: "in_progress", title: "Needs: #3 approved too (this commit is the head of #1, #2, #3)" });
    expect(check.conclusion).toBeUndefined();
    expect(check.summary).toContain("This commit is the head of more than one open pull request (#1, #2, #3)");
    expect(check.summary).toContain("Not yet approved: #3.");
    expect(check.summary.endsWith(ready.summary)).toBe(true);
  });

  it("passes when every one of them is approved", () => {
    const check = sharedHeadCheck(ready, 2, [{ number: 3, satisfied: true }]);
    expect(check).toMatchObject({ status: "completed", conclusion: "success", title: ready.title });
    expect(check.summary).toContain("(#2, #3): every one of them is approved");
  });

  it("keeps a PR's own unmet governance as it is, and says the commit is shared", () => {
    const check = sharedHeadCheck(waiting, 3, [{ number: 2, satisfied: true }]);
    expect(check).toMatchObject({ status: "in_progress", title: waiting.title });
    expect(check.summary).toContain("Shared head commit");
    // A broken config in the PR stays a failure.
    const failed = sharedHeadCheck({ ...ready, conclusion: "failure" }, 3, [{ number: 2, satisfied: true }]);
    expect(failed.conclusion).toBe("failure");
  });

  it("counts a skipped or neutral conclusion as passing, for the PR's own standing", () => {
    expect(checkPasses({ ...ready, conclusion: "skipped" })).toBe(true);
    expect(checkPasses({ ...ready, conclusion: "neutral" })).toBe(true);
    expect(checkPasses({ ...ready, conclusion: "action_required" })).toBe(false);
    expect(checkPasses(waiting)).toBe(false);
    expect(checkPasses(sharedHeadCheck({ ...ready, conclusion: "skipped" }, 2, [{ number: 3, satisfied: false }]))).toBe(false);
  });
});
