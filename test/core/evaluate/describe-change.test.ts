import { describe, expect, it } from "vitest";
import { describeChange } from "../../../src/core/evaluate/describe-change.js";
import type { FileDiff } from "../../../src/core/evaluate/parse-git-log.js";

const files = [
  { additions: 10, deletions: 2 },
  { additions: 5, deletions: 0 },
] as FileDiff[];

describe("describeChange", () => {
  it("reads a GitHub merge commit as its pull request: number, branch and the title from the body", () => {
    expect(describeChange({ subject: "Merge pull request #42 from alice/fix/empty-body", body: "\nHandle empty bodies\n\nMore text", files })).toEqual({
      number: 42,
      title: "Handle empty bodies",
      headRef: "fix/empty-body",
      labels: [],
      additions: 15,
      deletions: 2,
      changedFiles: 2,
    });
  });

  it("reads a squash merge's number and a plain commit's subject", () => {
    expect(describeChange({ subject: "feat: streams (#77)", body: "", files })).toMatchObject({ number: 77, title: "feat: streams (#77)", headRef: "" });
    expect(describeChange({ subject: "Tidy up", body: "", files: [] })).toMatchObject({ number: 0, title: "Tidy up", headRef: "", changedFiles: 0 });
    expect(describeChange({ subject: "Merge branch 'hotfix-1'", body: "", files })).toMatchObject({ headRef: "hotfix-1" });
  });
});
