import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderJsonSchema } from "../../src/config/json-schema.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { configSchema, defaultConfig } from "../../src/config/schema.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("config schema", () => {
  it("config/default.yml is exactly the schema's defaults", () => {
    const parsed = parseConfig(parse(read("config/default.yml")));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.config).toEqual(defaultConfig());
  });

  it("config/review-triage.schema.json is up to date (run `npm run schema`)", () => {
    expect(read("config/review-triage.schema.json")).toBe(renderJsonSchema());
  });

  it("documents every key of the schema", () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [key, child] of Object.entries(props ?? {})) {
        if (!child.description) missing.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
    };
    walk(JSON.parse(renderJsonSchema()) as Record<string, unknown>, "");
    expect(missing).toEqual([]);
  });

  it("rejects unknown keys at every level instead of dropping them", () => {
    expect(configSchema.safeParse({ routing: { strategy: "random", extra: 1 } }).success).toBe(false);
    expect(configSchema.safeParse({ options: { skip: { drafts: true, forks: true } } }).success).toBe(false);
    expect(configSchema.safeParse({ nonsense: true }).success).toBe(false);
  });

  it("enforces the limits on groups, members and checklist items", () => {
    const groups = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`g${i}`, ["alice"]]));
    expect(parseConfig({ reviewers: groups }).ok).toBe(false);
    expect(parseConfig({ reviewers: { big: Array.from({ length: 201 }, (_, i) => `user${i}`) } }).ok).toBe(false);
    const items = Array.from({ length: 60 }, (_, i) => `item ${i}`);
    expect(parseConfig({ checklists: [{ name: "a", items }, { name: "b", items }] }).ok).toBe(false);
    expect(parseConfig({ risk: { ignore: ["x".repeat(257)] } }).ok).toBe(false);
  });

  it("reports references to undefined groups together with the schema's problems", () => {
    const parsed = parseConfig({ reviewers: { lead: ["alice"] }, routing: { high: [{ from: "leed" }], strategy: "fastest" } });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.path)).toEqual(["routing.strategy", "routing.high[0].from"]);
    expect(parsed.problems[1]!.expected).toBe('one of the groups under reviewers: lead (did you mean "lead"?)');
  });

  it("reads `codeowners` as a group's value or as an entry of its list", () => {
    const parsed = parseConfig({ reviewers: { owners: "codeowners", seniors: ["bob", "codeowners", "@acme/web"] } });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.config.reviewers).toEqual({ owners: ["codeowners"], seniors: ["bob", "codeowners", "@acme/web"] });
    const wrong = parseConfig({ reviewers: { owners: "code-owners" } });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.problems).toEqual([{ path: "reviewers.owners", expected: 'a list or "codeowners" (did you mean "codeowners"?)', found: 'string "code-owners"' }]);
  });

  it("keeps the default approvals of the levels a config leaves out", () => {
    const parsed = parseConfig({ governance: { approvals: { critical: { lead: 2, total: 3 } } } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config.governance.approvals).toEqual({
      critical: { lead: 2, total: 3, fresh: true },
      high: { lead: 1, total: 1, fresh: false },
      medium: { lead: 0, total: 1, fresh: false },
      low: { lead: 0, total: 1, fresh: false },
    });
  });

  it("keeps the level's default for a key a rule leaves out", () => {
    const parsed = parseConfig({ governance: { approvals: { high: { total: 2 }, critical: { lead: 0 }, low: { lead: 1 } } } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.config.governance.approvals).toEqual({
      critical: { lead: 0, total: 2, fresh: true },
      high: { lead: 1, total: 2, fresh: false },
      medium: { lead: 0, total: 1, fresh: false },
      low: { lead: 1, total: 1, fresh: false },
    });
  });
});
