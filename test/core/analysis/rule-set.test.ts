import { builtinRules } from "eslint/use-at-your-own-risk";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { EXCLUDED_RULES, RULE_IDS, RULE_SET } from "../../../src/core/analysis/rule-set.js";

describe("the curated rule set", () => {
  it("names only ESLint core rules that are not deprecated", () => {
    const problems = RULE_IDS.filter((id) => {
      const rule = builtinRules.get(id);
      return !rule || rule.meta?.deprecated;
    });
    expect(problems).toEqual([]);
  });

  it("has one entry per id, sorted and unique, each with a reason", () => {
    expect(Object.keys(RULE_SET).sort()).toEqual([...RULE_IDS]);
    expect([...RULE_IDS].sort()).toEqual([...RULE_IDS]);
    expect(new Set(RULE_IDS).size).toBe(RULE_IDS.length);
    for (const id of RULE_IDS) expect(RULE_SET[id].why.length, id).toBeGreaterThan(10);
  });

  it("keeps the rules it leaves out on purpose out", () => {
    expect(Object.keys(EXCLUDED_RULES).filter((id) => id in RULE_SET)).toEqual([]);
    expect(RULE_IDS).not.toContain("no-undef");
  });
});

describe("analysis.rules in the config schema", () => {
  it("accepts severity overrides of curated rules and defaults to none", () => {
    expect(configSchema.parse({}).analysis).toEqual({ enabled: true, rules: {}, ignore: [] });
    const parsed = configSchema.parse({ analysis: { rules: { "no-unused-vars": "off", "no-cond-assign": "error" } } });
    expect(parsed.analysis.rules).toEqual({ "no-unused-vars": "off", "no-cond-assign": "error" });
  });

  it("rejects a rule outside the set with a message naming the valid ones", () => {
    const result = configSchema.safeParse({ analysis: { rules: { "no-undef": "error", "react/jsx-key": "warn" } } });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path).toEqual(["analysis", "rules"]);
    expect(issue?.message).toBe(`unknown rules "no-undef", "react/jsx-key"; available: ${RULE_IDS.join(", ")}`);
    expect(z.prettifyError(result.error!)).toContain('unknown rules "no-undef", "react/jsx-key"');
  });

  it("rejects a severity that is not off, warn or error", () => {
    const result = configSchema.safeParse({ analysis: { rules: { "no-debugger": 2 } } });
    expect(result.error?.issues[0]?.path).toEqual(["analysis", "rules", "no-debugger"]);
  });
});
