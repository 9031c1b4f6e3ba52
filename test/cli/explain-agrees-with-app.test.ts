import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { buildApp } from "../helpers/app.js";
import { API, OWNER, REPO, REPO_PATH, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";

/**
 * `review-triage explain` must say what the app does: both run the same gather and plan.
 * Here on a PR the app already governs (a WIP title no longer skips it), with a lead team
 * requested as a team, whose members approve as people — the cases where a separate copy of
 * the pipeline used to disagree.
 */

const CONFIG = `
reviewers:
  lead: ["@${OWNER}/leads"]
  seniors: [bob, carol]
routing:
  request_teams: true
  respect_busy: false
risk:
  impact:
    - { paths: ["src/auth/**"], impact: critical }
`;
const FILES = [file("src/auth/session.ts", 60)];
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("explain and the app", () => {
  it("agree on the level, the reviewers and the check of a governed PR with a lead team", async () => {
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, CONFIG);
    mockFiles(scope, FILES);
    mockOpenPulls(scope, {});
    scope.get(`/orgs/${OWNER}/teams/leads/members`).query({ per_page: 100 }).reply(200, [{ login: "alice" }]);
    let requested: Json = {};
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((requested = b), true)).reply(201, {});
    let check: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 70 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 71 });
    let label = "";
    scope.post(`${REPO_PATH}/issues/2/labels`, (b) => ((label = b.labels[0]), true)).reply(200, [{ name: "risk: high", color: "d93f0b" }]);
    await receive(app.probot, "pull_request", prPayload({ files: FILES }));
    expect(nock.pendingMocks()).toEqual([]);
    expect(requested).toEqual({ reviewers: expect.any(Array), team_reviewers: ["leads"] });

    // The author marks it WIP; the app keeps governing it and its check does not change.
    const edit = nock(API);
    mockFiles(edit, FILES);
    edit.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    const wip = prPayload({ action: "edited", title: "Add session handling (WIP)", files: FILES, changes: { title: { from: "Add session handling" } } });
    const pull = wip.pull_request as Json;
    pull.requested_reviewers = (requested.reviewers as string[]).map((login, i) => ({ login, id: 10 + i }));
    pull.requested_teams = [{ slug: "leads", id: 5 }];
    pull.labels = [{ name: label }];
    await receive(app.probot, "pull_request", wip);
    expect(nock.pendingMocks()).toEqual([]);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    // explain reads the same state from GitHub: the PR, config, files, team, load, reviews and
    // the app's check run (where its record is).
    const cli = nock(API);
    cli.get(`${REPO_PATH}/pulls/2`).reply(200, { ...pull, html_url: `https://github.com/${OWNER}/${REPO}/pull/2` });
    mockConfig(cli, CONFIG);
    mockFiles(cli, FILES);
    cli.get(`/orgs/${OWNER}/teams/leads/members`).query({ per_page: 100 }).reply(200, [{ login: "alice" }]);
    mockOpenPulls(cli, {});
    cli.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    cli
      .get(`${REPO_PATH}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, { total_count: 1, check_runs: [{ id: 70, status: check.status, conclusion: null, output: { ...check.output, annotations_count: 0 } }] });
    let stdout = "";
    expect(label).toBe("risk: high");
    const code = await runCli(["explain", `${OWNER}/${REPO}#2`, "--json", "--no-analysis"], {
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      cwd: process.cwd(),
      env: { GITHUB_TOKEN: "ghp_test", APP_ID: "123" },
    });
    expect(code).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
    const explained = JSON.parse(stdout) as Json;
    expect(explained.skipReason).toBeUndefined();
    expect(`risk: ${explained.risk.level}`).toBe(label);
    expect(explained.check.title).toBe(check.output.title);
    expect(explained.check.status).toBe(check.status);
    // Nobody new: everyone the app requested is already on the PR, the team as a team.
    expect(explained.reviewers.request).toEqual([]);
    expect(explained.reviewers.kept.map((k: Json) => k.login).sort()).toEqual([...(requested.reviewers as string[]), `@${OWNER}/leads`].sort());
    expect(explained.leads).toEqual(["alice"]);
  });

  it("agree that a PR is urgent, and why", async () => {
    const config = `
reviewers:
  seniors: [bob, carol]
routing:
  respect_busy: false
urgency:
  urgent:
    labels: [urgent]
    head_branches: ["hotfix/**"]
`;
    const files = [file("src/session.ts", 30)];
    const app = await buildApp();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, config);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    let requested: Json = {};
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((requested = b), true)).reply(201, {});
    let check: Json = {};
    scope.post(`${REPO_PATH}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 80 });
    let comment = "";
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((comment = b.body), true)).reply(201, { id: 81 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    const opened = prPayload({ files });
    const pull = opened.pull_request as Json;
    pull.head.ref = "hotfix/session";
    await receive(app.probot, "pull_request", opened);
    expect(nock.pendingMocks()).toEqual([]);
    expect(comment.split("\n")[1]).toContain("**🚨 Urgent**: head branch `hotfix/session` matches `hotfix/**`.");
    expect(check.output.summary).toContain("**Urgent**: head branch `hotfix/session` matches `hotfix/**`.");

    const mockExplainReads = (cli: nock.Scope) => {
      const now = { ...pull, requested_reviewers: (requested.reviewers as string[]).map((login, i) => ({ login, id: 10 + i })), labels: [{ name: "risk: medium" }] };
      cli.get(`${REPO_PATH}/pulls/2`).reply(200, { ...now, html_url: `https://github.com/${OWNER}/${REPO}/pull/2` });
      mockConfig(cli, config);
      mockFiles(cli, files);
      mockOpenPulls(cli, {});
      cli.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
      cli
        .get(`${REPO_PATH}/commits/${HEAD}/check-runs`)
        .query(true)
        .reply(200, { total_count: 1, check_runs: [{ id: 80, status: check.status, conclusion: null, output: { ...check.output, annotations_count: 0 } }] });
    };
    const explain = async (json: boolean) => {
      let stdout = "";
      const code = await runCli(["explain", `${OWNER}/${REPO}#2`, ...(json ? ["--json"] : []), "--no-analysis"], {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        cwd: process.cwd(),
        env: { GITHUB_TOKEN: "ghp_test", APP_ID: "123" },
      });
      expect(code).toBe(0);
      expect(nock.pendingMocks()).toEqual([]);
      return stdout;
    };
    mockExplainReads(nock(API));
    const explained = JSON.parse(await explain(true)) as Json;
    expect(explained.urgency).toEqual({ urgent: true, reasons: [{ kind: "head_branch", branch: "hotfix/session", pattern: "hotfix/**" }] });
    expect(explained.check.title).toBe(check.output.title);
    mockExplainReads(nock(API));
    expect(await explain(false)).toContain('Urgent: head branch "hotfix/session" matches "hotfix/**".');
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
