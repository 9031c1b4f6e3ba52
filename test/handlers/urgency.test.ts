import { describe, expect, it } from "vitest";
import { buildApp, fixture, type TestApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockReviews, mockToken, nock, prPayload, receive, type PrOptions } from "../helpers/scenario.js";

/**
 * Urgency (`urgency.urgent`) through the real path: decided in the plan from the PR's labels
 * and branches, shown at the top of the comment and the check, re-evaluated when a label comes
 * or goes, and never a way around governance.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CONFIG = `${TEAM_CONFIG}
urgency:
  urgent:
    labels: [Urgent]
    head_branches: ["hotfix/**"]
    base_branches: ["release/*"]
`;
// A change to src/auth/** is high risk here: the lead must approve.
const FILES = [file("src/auth/login.ts", 20)];

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

interface Branches {
  head?: string;
  base?: string;
}

function payload(options: PrOptions & Branches = {}): Json {
  const p = prPayload({ files: FILES, ...options }) as Json;
  if (options.head) p.pull_request.head.ref = options.head;
  if (options.base) p.pull_request.base.ref = options.base;
  return p;
}

/** The first `opened` of the PR: what the app requested, and the comment and check it wrote. */
async function open(app: TestApp, options: PrOptions & Branches = {}) {
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, CONFIG);
  mockFiles(scope, FILES);
  mockOpenPulls(scope, {});
  const out = { requested: {} as Json, check: {} as Json, comment: "" };
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((out.requested = b), true)).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => ((out.check = b), true)).reply(201, { id: 41 });
  scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((out.comment = b.body), true)).reply(201, { id: 555 });
  scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: high", color: "d93f0b" }]);
  await receive(app.probot, "pull_request", payload(options));
  expect(nock.pendingMocks()).toEqual([]);
  expect(errors(app)).toEqual([]);
  return out;
}

/** The first line of the comment after its hidden marker. */
function topLine(comment: string): string {
  return comment.split("\n")[1] ?? "";
}

describe("urgency", () => {
  it("makes a PR urgent by label (any case), says so at the top of the comment and in the check", async () => {
    const app = await buildApp();
    const out = await open(app, { labels: ["urgent"] });
    expect(topLine(out.comment)).toBe("> **🚨 Urgent**: label `urgent`. Reviewers are requested first and nudged sooner; the approvals are those of its risk level.");
    expect(out.check.output.summary.split("\n")[0]).toBe("**Urgent**: label `urgent`.");
    expect(out.requested).toEqual({ reviewers: ["alice"], team_reviewers: [] });
  });

  it("makes a PR urgent by head branch, escaping the branch name the author chose", async () => {
    const app = await buildApp();
    const out = await open(app, { head: "hotfix/`x`<img src=x>@alice" });
    expect(topLine(out.comment)).toBe("> **🚨 Urgent**: head branch ``hotfix/`x`<img src=x>@alice`` matches `hotfix/**`. Reviewers are requested first and nudged sooner; the approvals are those of its risk level.");
    expect(out.check.output.summary).toContain("**Urgent**: head branch ``hotfix/`x`<img src=x>@alice`` matches `hotfix/**`.");
  });

  it("makes a PR urgent by base branch, and lists every reason that matched", async () => {
    const app = await buildApp();
    const out = await open(app, { base: "release/2.1", head: "hotfix/login", labels: ["URGENT"] });
    expect(topLine(out.comment)).toContain("**🚨 Urgent**: label `URGENT`; head branch `hotfix/login` matches `hotfix/**`; base branch `release/2.1` matches `release/*`.");
  });

  it("leaves a PR that matches nothing as it was: no urgent line anywhere", async () => {
    const app = await buildApp();
    // `release/*` does not reach below one level; `hotfix` alone is not under `hotfix/`.
    const out = await open(app, { base: "release/2.1/rc", head: "hotfix", labels: ["later"] });
    expect(out.comment).not.toContain("Urgent");
    expect(topLine(out.comment)).toMatch(/^### Review Triage: /);
    expect(out.check.output.summary).not.toContain("Urgent");
  });

  it("re-evaluates urgency when a label is added or removed", async () => {
    const app = await buildApp();
    const first = await open(app);
    expect(first.comment).not.toContain("Urgent");

    const labeled = nock(API);
    mockFiles(labeled, FILES);
    mockReviews(labeled, []);
    let comment = "";
    let check: Json = {};
    labeled.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((comment = b.body), true)).reply(200, { id: 555 });
    labeled.patch(`${REPO_PATH}/check-runs/41`, (b) => ((check = b), true)).reply(200, { id: 41 });
    await receive(app.probot, "pull_request", payload({ action: "labeled", label: "urgent", labels: ["risk: high", "urgent"], requested: ["alice"] }));
    expect(nock.pendingMocks()).toEqual([]);
    expect(topLine(comment)).toContain("**🚨 Urgent**: label `urgent`.");
    expect(check.output.summary).toContain("**Urgent**: label `urgent`.");

    const unlabeled = nock(API);
    mockFiles(unlabeled, FILES);
    mockReviews(unlabeled, []);
    unlabeled.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((comment = b.body), true)).reply(200, { id: 555 });
    unlabeled.patch(`${REPO_PATH}/check-runs/41`, (b) => ((check = b), true)).reply(200, { id: 41 });
    await receive(app.probot, "pull_request", payload({ action: "unlabeled", label: "urgent", labels: ["risk: high"], requested: ["alice"] }));
    expect(nock.pendingMocks()).toEqual([]);
    expect(comment).not.toContain("Urgent");
    expect(check.output.summary).not.toContain("Urgent");
    expect(errors(app)).toEqual([]);
  });

  it("never lowers governance: an urgent PR needs the same approvals as the same PR not urgent", async () => {
    const seen: Array<{ urgent: boolean; checks: Json[] }> = [];
    for (const urgent of [false, true]) {
      const app = await buildApp();
      const branches: PrOptions & Branches = urgent ? { labels: ["urgent"], head: "hotfix/login", base: "release/2" } : {};
      const out = await open(app, branches);
      expect(out.comment.includes("🚨 Urgent")).toBe(urgent);
      const checks: Json[] = [out.check];
      // A senior approves, then the lead: only the lead's approval makes the check pass.
      const labels = [...(branches.labels ?? []), "risk: high"];
      for (const [reviewer, reviews] of [
        ["bob", [{ login: "bob", state: "APPROVED" }]],
        ["alice", [{ login: "bob", state: "APPROVED" }, { login: "alice", state: "APPROVED" }]],
      ] as const) {
        const scope = nock(API);
        const pull = payload({ ...branches, labels, requested: reviewer === "bob" ? ["alice"] : [] }).pull_request as Json;
        scope.get(`${REPO_PATH}/pulls/2`).reply(200, pull);
        mockFiles(scope, FILES);
        mockReviews(scope, [...reviews]);
        for (const r of reviews) {
          if (!scope.pendingMocks().some((m) => m.includes(`/collaborators/${r.login}/`))) {
            scope.get(`${REPO_PATH}/collaborators/${r.login}/permission`).reply(200, { permission: "write", role_name: "write", user: { login: r.login } });
          }
        }
        let check: Json = {};
        scope.patch(`${REPO_PATH}/check-runs/41`, (b) => ((check = b), true)).reply(200, { id: 41 });
        scope.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
        const review = structuredClone(fixture<Json>("pull_request_review", "submitted"));
        review.pull_request = { ...review.pull_request, ...pull };
        review.review = { ...review.review, user: { login: reviewer, id: 3, type: "User" }, state: "approved" };
        review.sender = { login: reviewer, id: 3, type: "User" };
        await receive(app.probot, "pull_request_review", review);
        expect(nock.pendingMocks()).toEqual([]);
        nock.cleanAll();
        checks.push(check);
      }
      expect(errors(app)).toEqual([]);
      seen.push({ urgent, checks });
    }
    const [normal, urgent] = seen.map((s) => s.checks.map((c) => ({ status: c.status, conclusion: c.conclusion, title: c.output.title })));
    expect(urgent).toEqual(normal);
    expect(normal).toEqual([
      { status: "in_progress", conclusion: undefined, title: "Needs: 1 lead approval (alice)" },
      { status: "in_progress", conclusion: undefined, title: "Needs: 1 lead approval (alice)" },
      { status: "completed", conclusion: "success", title: "Ready: high risk, approvals and checklists complete" },
    ]);
  });
});
