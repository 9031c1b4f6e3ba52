import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: root, env: {} });
  return { code, stdout, stderr };
}

describe("review-triage validate", () => {
  it.each(["config/default.yml", ...readdirSync(`${root}/config/examples`).map((f) => `config/examples/${f}`)])(
    "accepts the shipped config %s",
    async (file) => {
      const { code, stdout } = await cli(["validate", file]);
      expect(code).toBe(0);
      expect(stdout).toContain("is valid");
    },
  );

  it("explains every problem of a config with wrong types, with lines", async () => {
    const { code, stderr } = await cli(["validate", "test/fixtures/configs/bad-types.yml"]);
    expect(code).toBe(1);
    expect(stderr).toMatchInlineSnapshot(`
      "test/fixtures/configs/bad-types.yml is invalid (5 problems):
        - reviewers.lead (line 2): expected a list or "codeowners"; found string "alice"
        - reviewers.seniors[1] (line 3): expected a GitHub login (alice) or a team (@org/team-slug); found "not a login!"
        - routing.strategy (line 5): expected one of "least-loaded", "round-robin", "random"; found "fastest"
        - routing.max_load (line 6): expected at least 0; found -1
        - routing.hihg (line 7): expected a known key (did you mean "high"?); found unknown key "hihg"

      See https://github.com/review-triage/review-triage#configuration
      "
    `);
  });

  it("explains wrong values, unknown keys and bad checklist items", async () => {
    const { code, stderr } = await cli(["validate", "test/fixtures/configs/bad-values.yml"]);
    expect(code).toBe(1);
    const lines = stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(lines).toEqual([
      '  - risk.default_impact (line 2): expected one of "low", "medium", "high", "critical"; found "huge"',
      "  - risk.weights.size (line 3): expected at most 1; found 2",
      '  - risk.weights.novelty (line 3): expected a known key (size, files, directories, fix, change_type, test_gap, static_analysis); found unknown key "novelty"',
      "  - risk.impact[0].paths (line 5): expected at least 1 entry; found 0 entries",
      '  - checklists[0].items[0].by (line 9): expected one of "author", "reviewer", "lead"; found "manager"',
      '  - options.labels (line 11): expected a boolean; found string "yes"',
    ]);
  });

  it("names undefined groups referenced by routing and governance, with the likeliest one", async () => {
    const { code, stderr } = await cli(["validate", "test/fixtures/configs/bad-references.yml"]);
    expect(code).toBe(1);
    expect(stderr).toContain('routing.high[0].from (line 5): expected one of the groups under reviewers: lead, seniors (did you mean "lead"?); found "leads"');
    expect(stderr).toContain('governance.lead_group (line 7): expected one of the groups under reviewers: lead, seniors; found "tech-leads"');
  });

  it("reports schema problems and references together, in file order, with suggestions for values", async () => {
    const { code, stderr } = await cli(["validate", "test/fixtures/configs/bad-mixed.yml"]);
    expect(code).toBe(1);
    expect(stderr).toMatchInlineSnapshot(`
      "test/fixtures/configs/bad-mixed.yml is invalid (5 problems):
        - reviewers.seniors[1] (line 3): expected a GitHub login (alice) or a team (@org/team-slug); found "not a login!"
        - routing.high[0].from (line 5): expected one of the groups under reviewers: lead, seniors (did you mean "lead"?); found "leads"
        - routing.medium[0].from (line 6): expected one of the groups under reviewers: lead, seniors (did you mean "seniors"?); found "senoirs"
        - risk.default_impact (line 8): expected one of "low", "medium", "high", "critical" (did you mean "critical"?); found "crtical"
        - governance.lead_group (line 10): expected one of the groups under reviewers: lead, seniors; found "tech-leads"

      See https://github.com/review-triage/review-triage#configuration
      "
    `);
  });

  it("prints warnings for a valid config that cannot work as meant, and exits 0", async () => {
    const { code, stdout, stderr } = await cli(["validate", "test/fixtures/configs/warnings.yml"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatchInlineSnapshot(`
      "test/fixtures/configs/warnings.yml is valid, with 3 warnings:
        - reviewers.qa (line 5): the group is empty, but routing.low[0] requests from it; nobody is requested there
        - routing.high[0].from: group "lead" is not defined under reviewers (did you mean "leads"?), but routing.high[0] and routing.critical[0] request from it; nobody is requested there
        - governance.lead_group: group "lead" is not defined under reviewers (did you mean "leads"?), but governance.approvals requires lead approvals for high and critical risk, so those PRs can never pass
      "
    `);
  });

  it("reports YAML syntax errors with their line", async () => {
    const { code, stderr } = await cli(["validate", "test/fixtures/configs/bad-yaml.yml"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/\(top level\) \(line \d\): expected valid YAML; found Flow sequence/);
  });

  it("exits 2 with a clear message when the file cannot be read", async () => {
    const { code, stderr } = await cli(["validate", "no/such/file.yml"]);
    expect(code).toBe(2);
    expect(stderr).toBe("no/such/file.yml: cannot read the file (no such file)\n");
  });

  it("prints the JSON Schema, identical to the committed file", async () => {
    const { code, stdout } = await cli(["schema"]);
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(`${root}/config/review-triage.schema.json`, "utf8"));
  });

  it("rejects unknown commands with usage and exit 2", async () => {
    const { code, stderr } = await cli(["frobnicate"]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "frobnicate"');
    expect(stderr).toContain("review-triage validate");
  });
});
