import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { configWarnings, listConfigWarnings } from "../../src/config/config-warnings.js";
import { configSchema, type ConfigInput } from "../../src/config/schema.js";

const warn = (input: ConfigInput) => listConfigWarnings(configSchema.parse(input));
const paths = (input: ConfigInput) => warn(input).map((w) => w.path);

const team: ConfigInput = { reviewers: { lead: ["alice"], seniors: ["bob", "carol", "dave"] } };

describe("configWarnings", () => {
  it("has nothing to say about a config whose groups, routing and approvals fit", () => {
    expect(warn(team)).toEqual([]);
    const regulated = parse(readFileSync(new URL("../../config/examples/regulated.yml", import.meta.url), "utf8")) as ConfigInput;
    expect(warn(regulated)).toEqual([]);
  });

  it("warns when the lead group does not exist while approvals need leads, suggesting the likely name", () => {
    const warnings = warn({ reviewers: { leads: ["alice"], seniors: ["bob"] } });
    expect(warnings).toContainEqual({
      path: "governance.lead_group",
      message:
        'group "lead" is not defined under reviewers (did you mean "leads"?), but governance.approvals requires lead approvals for high and critical risk, so those PRs can never pass',
    });
  });

  it("says nothing about a missing lead group when no level needs lead approvals", () => {
    const input: ConfigInput = {
      reviewers: { seniors: ["bob", "carol"] },
      routing: { critical: [{ from: "seniors" }], high: [{ from: "seniors" }] },
      governance: { approvals: { critical: { lead: 0 }, high: { lead: 0 } } },
    };
    expect(warn(input)).toEqual([]);
  });

  it("warns about an empty lead group", () => {
    expect(warn({ reviewers: { lead: [], seniors: ["bob", "carol"] } })).toContainEqual({
      path: "reviewers.lead",
      message: "the lead group is empty, but governance.approvals requires lead approvals for high and critical risk, so those PRs can never pass",
    });
  });

  it("warns about approvals no one can give: more leads or more approvals than the groups have", () => {
    const warnings = warn({ ...team, governance: { approvals: { critical: { lead: 2, total: 5 } } } });
    expect(warnings).toEqual([
      { path: "governance.approvals.critical.lead", message: "requires 2 lead approvals, but lead has 1 member, so critical-risk PRs can never pass" },
      {
        path: "governance.approvals.critical.total",
        message: "requires 5 approvals, but the reviewer groups have 4 people in all; the rest must come from others with write access, or critical-risk PRs never pass",
      },
    ]);
  });

  it("counts a person in two groups once", () => {
    expect(paths({ reviewers: { lead: ["alice"], seniors: ["alice"] }, governance: { approvals: { critical: { total: 2 } } } })).toEqual([
      "governance.approvals.critical.total",
    ]);
  });

  it("does not size groups with teams or CODEOWNERS, whose members only GitHub knows", () => {
    expect(warn({ reviewers: { lead: ["@acme/leads"], seniors: ["bob"] }, governance: { approvals: { critical: { lead: 3, total: 9 } } } })).toEqual([]);
    expect(warn({ reviewers: { lead: ["alice"], seniors: "codeowners" }, governance: { approvals: { critical: { total: 9 } } } })).toEqual([]);
  });

  it("warns once per empty or undefined group that routing requests from, naming each step", () => {
    const warnings = warn({
      reviewers: { lead: ["alice"], seniors: [], qa: ["erin"] },
      routing: { low: [{ from: "seniors" }], medium: [{ from: "seniors" }, { from: "testers" }] },
    });
    expect(warnings).toEqual([
      { path: "reviewers.seniors", message: "the group is empty, but routing.low[0], routing.medium[0] and routing.critical[1] request from it; nobody is requested there" },
      { path: "routing.medium[1].from", message: 'group "testers" is not defined under reviewers (lead, seniors, qa), but routing.medium[1] requests from it; nobody is requested there' },
    ]);
  });

  it("warns when a step asks for more people than its group has", () => {
    expect(warn({ ...team, routing: { critical: [{ from: "lead", count: 2 }] } })).toContainEqual({
      path: "routing.critical[0].count",
      message: "asks for 2 reviewers from lead, which has 1 member; the rest come from the other groups",
    });
  });

  it("says once that nobody is requested when no groups are defined (the built-in defaults)", () => {
    expect(configWarnings(configSchema.parse({}))).toEqual([
      "reviewers: no reviewer groups are defined, so nobody is requested (routing asks for seniors, lead)",
      'governance.lead_group: no group "lead" is defined, but governance.approvals requires lead approvals for high and critical risk, so those PRs can never pass',
    ]);
  });

  it("warns about required items only a missing lead group could tick", () => {
    const warnings = warn({
      reviewers: { seniors: ["bob", "carol"] },
      routing: { critical: [{ from: "seniors" }], high: [{ from: "seniors" }] },
      governance: { approvals: { critical: { lead: 0 }, high: { lead: 0 } } },
      checklists: [{ name: "Security", items: ["Optional", { text: "Threat model", required: true, by: "lead" }, { text: "Not required", by: "lead" }] }],
    });
    expect(warnings).toEqual([
      {
        path: "checklists[0].items[1].by",
        message: 'only a lead may tick this required item, but the lead group "lead" is not defined, so the check can never pass where the checklist applies',
      },
    ]);
  });
});
