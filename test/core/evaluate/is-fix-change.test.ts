import { describe, expect, it } from "vitest";
import { isFixChange } from "../../../src/core/evaluate/is-fix-change.js";

const change = (title: string, headRef = "") => isFixChange({ title, headRef });

describe("isFixChange", () => {
  it("recognises fixes, bugs, hotfixes, regressions and reverts in the title", () => {
    for (const title of [
      "fix: handle empty body",
      "fix(router): trailing slash",
      "Fixed crash on empty input",
      "Fixes #123: wrong status",
      "Fix: `no-var` autofix (fixes #21213)",
      "bugfix for res.redirect",
      "Hotfix: headers",
      "Address regression in 4.2",
      'Revert "feat: stream bodies"',
    ]) {
      expect(change(title), title).toBe(true);
    }
  });

  it("reads the head branch of a merged pull request", () => {
    expect(change("Handle empty bodies", "fix/empty-body")).toBe(true);
    expect(change("Handle empty bodies", "bug_1234")).toBe(true);
  });

  it("does not count features, words that merely contain 'fix', or text-only fixes", () => {
    for (const title of ["feat: add prefix option", "Use suffixes in names", "docs: debugging guide", "fix typo in README", "Fix spelling of 'receive'"]) {
      expect(change(title), title).toBe(false);
    }
  });
});
