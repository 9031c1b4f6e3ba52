import { describe, expect, it } from "vitest";
import { configSchema, type ConfigInput } from "../../src/config/schema.js";
import { decideUrgency } from "../../src/core/decide-urgency.js";

const urgency = (input: NonNullable<ConfigInput["urgency"]>) => configSchema.parse({ urgency: input }).urgency;
const pr = (labels: string[], headRef = "feature/x", baseRef = "main") => ({ labels, headRef, baseRef });

describe("decideUrgency", () => {
  it("finds nothing urgent under the defaults, whatever the PR says", () => {
    const config = configSchema.parse({}).urgency;
    expect(decideUrgency(config, pr(["urgent", "hotfix"], "hotfix/now", "release/1"))).toEqual({ urgent: false, reasons: [] });
  });

  it("matches labels case-insensitively and reports the label as the PR spells it", () => {
    const config = urgency({ urgent: { labels: ["P0", "urgent"] } });
    expect(decideUrgency(config, pr(["Urgent"]))).toEqual({ urgent: true, reasons: [{ kind: "label", label: "Urgent" }] });
    expect(decideUrgency(config, pr(["urgently"])).urgent).toBe(false);
  });

  it("matches branch globs like path globs, naming the first pattern that matched", () => {
    const config = urgency({ urgent: { head_branches: ["hotfix/*", "hotfix/**"], base_branches: ["release/*"] } });
    expect(decideUrgency(config, pr([], "hotfix/a/b")).reasons).toEqual([{ kind: "head_branch", branch: "hotfix/a/b", pattern: "hotfix/**" }]);
    expect(decideUrgency(config, pr([], "hotfix/a")).reasons).toEqual([{ kind: "head_branch", branch: "hotfix/a", pattern: "hotfix/*" }]);
    expect(decideUrgency(config, pr([], "my-hotfix/a")).urgent).toBe(false);
    // Branch names are case-sensitive in git.
    expect(decideUrgency(config, pr([], "HOTFIX/a")).urgent).toBe(false);
    expect(decideUrgency(config, pr([], "x", "release/2.0")).reasons).toEqual([{ kind: "base_branch", branch: "release/2.0", pattern: "release/*" }]);
    expect(decideUrgency(config, pr([], "x", "release/2.0/rc")).urgent).toBe(false);
  });

  it("ignores a pattern that expands to too many alternatives instead of hanging", () => {
    const config = urgency({ urgent: { head_branches: ["{a,b}".repeat(40)] } });
    expect(decideUrgency(config, pr([], "a".repeat(40))).urgent).toBe(false);
  });
});

describe("urgency config", () => {
  it("rejects unknown keys, empty and over-long patterns", () => {
    expect(configSchema.safeParse({ urgency: { urgent: { branches: ["x"] } } }).success).toBe(false);
    expect(configSchema.safeParse({ urgency: { normal: {} } }).success).toBe(false);
    expect(configSchema.safeParse({ urgency: { urgent: { head_branches: [""] } } }).success).toBe(false);
    expect(configSchema.safeParse({ urgency: { urgent: { base_branches: ["x".repeat(257)] } } }).success).toBe(false);
  });

  it("counts branch patterns against the limit on patterns in the whole file", () => {
    const many = Array.from({ length: 300 }, (_, i) => `b${i}/**`);
    const result = configSchema.safeParse({ urgency: { urgent: { head_branches: many, base_branches: many } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/at most 500 path patterns/);
  });

  it("rejects an urgent nudge slower than the normal one", () => {
    const result = configSchema.safeParse({ escalation: { nudge_after: "4h", urgent_nudge_after: "8h", reassign_after: "8h" } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["escalation.urgent_nudge_after"]);
    expect(configSchema.safeParse({ escalation: { nudge_after: "4h", urgent_nudge_after: "4h", reassign_after: "8h" } }).success).toBe(true);
  });
});
