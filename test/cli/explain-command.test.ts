import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createReadOnlyOctokit, WriteRefusedError } from "../../src/cli/explain/create-read-only-octokit.js";
import { runCli } from "../../src/cli/run-cli.js";
import { itemId } from "../../src/core/checklists.js";
import { encodeRecord } from "../../src/core/pr-record.js";
import { API, CONFIG_URL, RAW } from "../helpers/github.js";
import { mockBlobs } from "../helpers/scenario.js";

const REPO = "/repos/acme/widgets";
const SHA = "4f2c1a9e0b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e";

const CONFIG = `reviewers:
  lead: [alice, dave]
  seniors: [bob, carol, "@acme/backend-seniors"]
routing:
  high: [{ from: lead, count: 1 }, { from: seniors, count: 2 }]
  away: [carol]
  respect_busy: false
risk:
  impact:
    - { paths: ["src/payments/**"], impact: critical, reason: "money moves here" }
  # The SPEC's starting weights, bands and matrix, so the plan does not move with calibration.
  weights: { size: 0.55, files: 0.25, directories: 0.1, fix: 0.1, change_type: 0, test_gap: 0, static_analysis: 0 }
  link: { intercept: -5, slope: 10 }
  bands: { medium: 0.1192, high: 0.5, very_high: 0.8808 }
  matrix:
    low: { high: medium, critical: high }
    medium: { high: high }
checklists:
  - name: Security
    when: { paths: ["src/payments/**"] }
    items:
      - Input is validated at the boundary
      - { text: "Threat model updated", required: true, by: lead }
  - name: Docs
    when: { labels: [docs] }
    items: [Docs updated]
`;

const REFUND_TS = `export function refund(amount: number): number {
  if (amount < 0) throw new Error("negative");
  for (let i = 0; i < 3; i--) amount -= 1;
  return amount;
}
`;

function pullRequest(overrides: Record<string, unknown> = {}) {
  return {
    number: 42,
    title: "feat: refunds for card payments",
    state: "open",
    draft: false,
    merged: false,
    html_url: "https://github.com/acme/widgets/pull/42",
    user: { login: "dave", type: "User" },
    head: { sha: SHA, ref: "feature/refunds" },
    base: { ref: "main", repo: { id: 1001, default_branch: "main" } },
    labels: [{ name: "payments" }],
    requested_reviewers: [{ login: "bob" }],
    requested_teams: [],
    additions: 9,
    deletions: 0,
    changed_files: 2,
    ...overrides,
  };
}

const FILES = [
  {
    filename: "src/payments/refund.ts",
    status: "added",
    additions: 5,
    deletions: 0,
    changes: 5,
    patch: `@@ -0,0 +1,5 @@\n${REFUND_TS.trimEnd()
      .split("\n")
      .map((l) => `+${l}`)
      .join("\n")}`,
  },
  { filename: "test/payments/refund.test.ts", status: "added", additions: 4, deletions: 0, changes: 4, patch: "@@ -0,0 +1,4 @@\n+a\n+b\n+c\n+d" },
];

async function cli(args: string[], env: NodeJS.ProcessEnv = { GITHUB_TOKEN: "ghp_test" }) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["explain", ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: process.cwd(), env });
  return { code, stdout, stderr };
}

/** Every request that reached the mocks, so a test can prove nothing but reads was sent. */
let methods: string[] = [];
const record = (req: { method: string; path: string }) => methods.push(`${req.method} ${req.path}`);

beforeEach(() => {
  methods = [];
  nock.emitter.on("no match", record);
});

afterEach(() => {
  nock.emitter.removeListener("no match", record);
});

/** The reads the app makes before routing: the PR, then the config from the default branch. */
function mockPrAndConfig(scope: nock.Scope, config: string | null, pr = pullRequest()) {
  scope.get(`${REPO}/pulls/42`).reply(200, pr);
  if (config === null) {
    scope.get(CONFIG_URL).reply(404, { message: "Not Found" });
    // No file in the repository: Probot's config loader looks in the org's `.github` repository.
    scope.get(/\/repos\/acme\/\.github\/contents\/\.github(%2F|\/)review-triage\.yml/).reply(404, { message: "Not Found" });
  } else {
    scope.get(CONFIG_URL).reply(200, config, RAW);
  }
  return scope;
}

/**
 * The reads that follow, in the app's order. `groups: false` for a config that names no
 * reviewers (the defaults): then there are no teams to expand and no load to count.
 */
function mockTriageReads(scope: nock.Scope, options: { groups?: boolean; checkRuns?: unknown[]; content?: boolean } = {}) {
  scope.get(`${REPO}/pulls/42/files`).query({ per_page: 100 }).reply(200, FILES);
  if (options.content !== false) {
    mockBlobs(scope, { "src/payments/refund.ts": REFUND_TS });
  }
  if (options.groups !== false) {
    scope.get("/orgs/acme/teams/backend-seniors/members").query({ per_page: 100 }).reply(200, [{ login: "frank" }]);
    scope
      .get(`${REPO}/pulls`)
      .query({ state: "open", per_page: 100 })
      .reply(200, [
        { number: 42, requested_reviewers: [{ login: "bob" }] },
        { number: 7, requested_reviewers: [{ login: "alice" }, { login: "frank" }] },
        { number: 8, requested_reviewers: [{ login: "frank" }] },
      ]);
  }
  scope
    .get(`${REPO}/pulls/42/reviews`)
    .query({ per_page: 100 })
    .reply(200, [{ user: { login: "bob" }, state: "APPROVED", submitted_at: "2024-05-01T10:00:00Z", commit_id: SHA }]);
  // An approval counts only from someone with write access, as the app checks it.
  scope.get(`${REPO}/collaborators/bob/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "bob" } });
  scope
    .get(`${REPO}/commits/${SHA}/check-runs`)
    .query({ check_name: "Review Triage", filter: "latest" })
    .reply(200, { total_count: (options.checkRuns ?? []).length, check_runs: options.checkRuns ?? [] });
  return scope;
}

describe("review-triage explain", () => {
  it("prints what the app would do, reading only", async () => {
    const ticked = itemId("Security", "Input is validated at the boundary");
    const checkRun = {
      id: 9,
      status: "in_progress",
      conclusion: null,
      output: {
        title: "Needs: 1 lead approval (alice)",
        summary: "…",
        text: encodeRecord({ ticks: { [ticked]: { by: "dave", at: "2024-05-01T09:00:00Z" } } }),
        annotations_count: 0,
      },
    };
    const scope = mockTriageReads(mockPrAndConfig(nock(API), CONFIG), { checkRuns: [checkRun] });
    scope.on("request", (req: { method: string; path: string }) => record(req));

    const { code, stdout, stderr } = await cli(["acme/widgets#42"]);

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(methods.length).toBeGreaterThan(0);
    // The one POST is the GraphQL query for the changed files' contents.
    expect(methods.filter((m) => !m.startsWith("GET "))).toEqual(["POST /graphql"]);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe('acme/widgets#42: "feat: refunds for card payments" by @dave');
    expect(stdout).toContain("Config: acme/widgets:.github/review-triage.yml (default branch)");
    expect(stdout).toMatch(/^Risk: HIGH \(score \d+\/100\)$/m);
    expect(stdout).toContain("critical  src/payments/refund.ts");
    expect(stdout).toContain("money moves here");
    // The author is a lead, so the other lead is requested; bob, already requested and
    // approving, fills one seniors place; carol is away, so frank (from the team) fills the other.
    expect(lines).toContain("Reviewers the app would request now");
    expect(stdout).toMatch(/^ {2}@alice +lead: least loaded \(1 open review request\)$/m);
    expect(stdout).toMatch(/^ {2}@frank +seniors: least loaded \(2 open review requests\)$/m);
    expect(stdout).toMatch(/^ {2}@bob +seniors: already reviewed this PR$/m);
    expect(stdout).toContain("  dave (lead): is the author");
    expect(stdout).toContain("  carol (seniors): is away");
    expect(stdout).toContain("  Security (applies: src/payments/refund.ts changed)");
    expect(stdout).toContain("    [x] Input is validated at the boundary (to be ticked by the author, @dave) — ticked by @dave at 2024-05-01T09:00:00Z");
    expect(stdout).toContain("    [ ] Threat model updated (required; to be ticked by a lead: @alice, @dave)");
    expect(stdout).not.toContain("Docs updated");
    expect(stdout).toContain("Approvals: 1 of 1 (lead 0 of 1); approved by @bob");
    expect(stdout).toContain('Check run "Review Triage": in progress — "Needs: 1 lead approval (alice), 1 required checklist item"');
    expect(stdout).toContain('Label: would add "risk: high"');
    expect(stdout).toContain("Static analysis: 1 error on changed lines");
    expect(stdout).toContain("  src/payments/refund.ts:3  for-direction (error)");
    expect(lines.at(-2)).toBe(`Nothing was written. (${methods.length} GitHub API requests, all reads.)`);
  });

  it("prints the same result as JSON", async () => {
    mockTriageReads(mockPrAndConfig(nock(API), CONFIG));
    const { code, stdout } = await cli(["https://github.com/acme/widgets/pull/42/files", "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      pullRequest: { owner: "acme", repo: "widgets", number: 42, author: "dave" },
      config: { valid: true, source: "file" },
      risk: { level: "high" },
      reviewers: { mode: "request", request: [{ login: "alice", group: "lead" }, { login: "frank", group: "seniors" }], kept: [{ login: "bob" }] },
      approvals: { satisfied: false, missing: ["1 lead approval (alice)"] },
      checklistStatus: { missing: ["Security: Threat model updated (by a lead)"], total: 1 },
      check: { status: "in_progress" },
      label: { add: "risk: high", remove: [] },
      staticAnalysis: { errors: 1 },
      written: false,
    });
    expect(result.requests.filter((r: string) => !r.startsWith("GET "))).toEqual(["POST /graphql"]);
  });

  it("says when the built-in defaults apply", async () => {
    const scope = mockPrAndConfig(nock(API), null);
    // The defaults name no reviewers: no team or load reads, and no reviewer can be picked.
    mockTriageReads(scope, { groups: false });
    const { code, stdout } = await cli(["acme/widgets#42"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Config: no .github/review-triage.yml in acme/widgets or acme/.github, so the built-in defaults apply.");
    expect(stdout).toContain("Checklists: none apply");
    expect(stdout).toContain("Nothing was written.");
  });

  it("prints the problems of an invalid config and exits 1", async () => {
    mockPrAndConfig(nock(API), "reviewers:\n  lead: alice\nrouting:\n  hihg: []\n");
    const { code, stdout } = await cli(["acme/widgets#42"]);
    expect(code).toBe(1);
    expect(stdout).toContain("The app would not triage this PR: .github/review-triage.yml is invalid (2 problems).");
    expect(stdout).toContain('  - reviewers.lead: expected a list or "codeowners"; found string "alice"');
    expect(stdout).toContain('  - routing.hihg: expected a known key (did you mean "high"?); found unknown key "hihg"');
    expect(stdout).toContain("Nothing was written. (2 GitHub API requests, all reads.)");
  });

  it("follows _extends to the org's defaults, as the app does", async () => {
    const scope = nock(API)
      .get(`${REPO}/pulls/42`)
      .reply(200, pullRequest())
      .get(CONFIG_URL)
      .reply(200, "_extends: .github\nrouting:\n  away: [carol]\n", RAW)
      .get(/\/repos\/acme\/\.github\/contents\/\.github(%2F|\/)review-triage\.yml/)
      .reply(200, CONFIG.replace("  away: [carol]\n", "  away: [frank]\n"), RAW);
    mockTriageReads(scope);
    const { code, stdout } = await cli(["acme/widgets#42", "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.config).toEqual({
      valid: true,
      source: "file",
      files: ["acme/widgets:.github/review-triage.yml", "acme/.github:.github/review-triage.yml"],
    });
    // The repository's own `away` replaces the org's list: carol is away, frank is not.
    expect(result.reviewers.skipped).toContainEqual({ login: "carol", group: "seniors", reason: "is away" });
    expect(result.reviewers.request.map((p: { login: string }) => p.login)).toEqual(["alice", "frank"]);
  });

  it("says what the app does with a draft, and still explains it", async () => {
    const scope = mockPrAndConfig(nock(API), null, pullRequest({ draft: true }));
    mockTriageReads(scope, { groups: false, content: false });
    const { code, stdout } = await cli(["acme/widgets#42", "--no-analysis"]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'The app skips this PR now because it is a draft; it will be triaged when marked ready for review (its check run would conclude "skipped").',
    );
    expect(stdout).toMatch(/^Risk: [A-Z]+ \(score \d+\/100\)$/m);
  });

  it("explains all but the ticks when the token cannot read checks", async () => {
    const scope = mockPrAndConfig(nock(API), null);
    scope.get(`${REPO}/pulls/42/files`).query({ per_page: 100 }).reply(200, FILES);
    scope.get(`${REPO}/pulls/42/reviews`).query({ per_page: 100 }).reply(200, []);
    scope
      .get(`${REPO}/commits/${SHA}/check-runs`)
      .query(true)
      .reply(403, { message: "Resource not accessible by personal access token" });
    const { code, stdout } = await cli(["acme/widgets#42", "--no-analysis"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Could not read the Review Triage check run (403), so checklist ticks and overrides recorded by the app are not shown.");
  });

  it("refuses to send anything but a read", async () => {
    const { octokit, requests } = createReadOnlyOctokit({ token: "ghp_test", baseUrl: API, warn: () => {} });
    await expect(octokit.rest.issues.createComment({ owner: "acme", repo: "widgets", issue_number: 42, body: "hi" })).rejects.toBeInstanceOf(
      WriteRefusedError,
    );
    expect(requests).toEqual([]);
  });

  it("sends GraphQL queries but refuses a mutation", async () => {
    const { octokit, requests } = createReadOnlyOctokit({ token: "ghp_test", baseUrl: API, warn: () => {} });
    nock(API).post("/graphql").reply(200, { data: { viewer: { login: "dave" } } });
    await expect(octokit.graphql("query { viewer { login } }")).resolves.toEqual({ viewer: { login: "dave" } });
    await expect(octokit.graphql('mutation { addStar(input: { starrableId: "x" }) { clientMutationId } }')).rejects.toBeInstanceOf(WriteRefusedError);
    await expect(octokit.graphql("query a { viewer { login } } mutation b { x }")).rejects.toBeInstanceOf(WriteRefusedError);
    expect(requests).toEqual(["POST /graphql"]);
  });

  it("finds the API of GitHub Enterprise Server from a pasted PR URL", async () => {
    nock("https://ghe.example.com/api/v3").get(`${REPO}/pulls/42`).reply(401, { message: "Bad credentials" });
    const { code, stderr } = await cli(["https://ghe.example.com/acme/widgets/pull/42"]);
    expect(code).toBe(2);
    expect(stderr).toContain("GITHUB_TOKEN was rejected by https://ghe.example.com/api/v3 (401 Bad credentials)");
  });

  it("says the app leaves closed PRs alone", async () => {
    const scope = mockPrAndConfig(nock(API), null, pullRequest({ state: "closed", merged: true }));
    mockTriageReads(scope, { groups: false, content: false });
    const { code, stdout } = await cli(["acme/widgets#42", "--no-analysis"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe('acme/widgets#42: "feat: refunds for card payments" by @dave [merged]');
    expect(stdout).toContain("This PR is merged: the app no longer acts on it.");
  });

  it("refuses a PR URL on another host than GITHUB_API_URL", async () => {
    const { code, stderr } = await cli(["https://github.com/acme/widgets/pull/42"], { GITHUB_TOKEN: "ghp_test", GITHUB_API_URL: "https://ghe.example.com/api/v3" });
    expect(code).toBe(2);
    expect(stderr).toContain("the pull request URL is on github.com but GITHUB_API_URL points at ghe.example.com");
  });

  it("gives the problems of an invalid config as JSON too", async () => {
    mockPrAndConfig(nock(API), "reviewers:\n  lead: alice\n");
    const { code, stdout } = await cli(["acme/widgets#42", "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      config: { valid: false, files: ["acme/widgets:.github/review-triage.yml"], problems: [{ path: "reviewers.lead", expected: 'a list or "codeowners"' }] },
      written: false,
    });
  });

  it("needs GITHUB_TOKEN", async () => {
    const { code, stderr } = await cli(["acme/widgets#42"], {});
    expect(code).toBe(2);
    expect(stderr).toBe("review-triage explain: GITHUB_TOKEN is not set: create a token that can read acme/widgets and export it as GITHUB_TOKEN\n");
  });

  it("says when the PR is not found or not visible", async () => {
    nock(API).get(`${REPO}/pulls/42`).reply(404, { message: "Not Found" });
    const { code, stderr } = await cli(["acme/widgets#42"]);
    expect(code).toBe(2);
    expect(stderr).toContain("review-triage explain: acme/widgets#42 not found, or the token cannot see it");
  });

  it("says when the token is rejected", async () => {
    nock(API).get(`${REPO}/pulls/42`).reply(401, { message: "Bad credentials" });
    const { code, stderr } = await cli(["acme/widgets#42"]);
    expect(code).toBe(2);
    expect(stderr).toContain("GITHUB_TOKEN was rejected by https://api.github.com (401 Bad credentials)");
  });

  it("says which access the token lacks", async () => {
    nock(API)
      .get(`${REPO}/pulls/42`)
      .reply(200, pullRequest())
      .get(CONFIG_URL)
      .reply(403, { message: "Resource not accessible by personal access token" });
    const { code, stderr } = await cli(["acme/widgets#42"]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      "review-triage explain: the token lacks access to .github/review-triage.yml on the default branch of acme/widgets " +
        "(403: Resource not accessible by personal access token); a fine-grained token needs Contents: read on acme/widgets, " +
        "a classic token the repo scope (for a private repository)\n",
    );
  });

  it("talks to GitHub Enterprise Server through GITHUB_API_URL", async () => {
    const ghe = nock("https://ghe.example.com/api/v3");
    mockPrAndConfig(ghe, null, pullRequest({ html_url: "https://ghe.example.com/acme/widgets/pull/42" }));
    mockTriageReads(ghe, { groups: false, content: false });
    const { code, stdout } = await cli(["acme/widgets#42", "--no-analysis"], { GITHUB_TOKEN: "ghp_test", GITHUB_API_URL: "https://ghe.example.com/api/v3/" });
    expect(code).toBe(0);
    expect(stdout).toContain("https://ghe.example.com/acme/widgets/pull/42");
    expect(stdout).toContain("Static analysis: not run (--no-analysis); the app runs it");
  });

  it.each([["acme/widgets"], ["acme/widgets#0"], ["acme/../x#1"], ["http://github.com/acme/widgets/pull/1"], ["acme/widgets#1 --frobnicate"]])(
    "rejects %s with the usage",
    async (arg) => {
      const { code, stderr } = await cli(arg.split(" "));
      expect(code).toBe(2);
      expect(stderr).toContain("Usage: review-triage explain");
    },
  );

  it("prints help, which says it reads GitHub and takes no --repo", async () => {
    const { code, stdout } = await cli(["--help"], {});
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: review-triage explain <owner/repo#N");
    expect(stdout).toContain("It reads GitHub, never a local clone,\nso there is no --repo option");
  });

  it("refuses --repo with the reason rather than as an unknown option", async () => {
    const { code, stderr } = await cli(["acme/widgets#42", "--repo", "."], {});
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      "review-triage explain: --repo does not apply: explain reads the pull request from GitHub, not a local clone; name it as owner/repo#N",
    );
  });
});
