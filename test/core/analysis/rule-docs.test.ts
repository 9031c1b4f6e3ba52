import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULE_DOCS_PATH, renderRuleDocs } from "../../../scripts/write-rule-docs.js";
import { RULE_IDS, RULE_SET } from "../../../src/core/analysis/rule-set.js";

describe("docs/static-analysis.md", () => {
  it("is up to date with the rule set (regenerate: npx tsx scripts/write-rule-docs.ts)", () => {
    expect(readFileSync(RULE_DOCS_PATH, "utf8")).toBe(renderRuleDocs());
  });

  it("lists every rule with its severity and reason, and the bounds", () => {
    const doc = renderRuleDocs();
    for (const id of RULE_IDS) {
      expect(doc).toContain(`| [\`${id}\`](https://eslint.org/docs/latest/rules/${id}) | ${RULE_SET[id].severity} |`);
    }
    expect(doc).toContain("| files per PR | 100 |");
    expect(doc).toContain("| file size | 1 MB |");
    expect(doc).toContain("| time per PR | 10 s |");
  });
});
