import { describe, expect, it } from "vitest";
import { buildApp, fixture, type TestApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";

/**
 * Hostile author with write access (most org members): check runs belong to a commit, not to
 * a pull request, and branch protection reads the latest "Review Triage" run on the head
 * commit. Two PRs can share a head commit: PR #3 `b2 → main` (a critical change: a lead's
 * approval and two in all) and PR #2 `b1 → base-x`, where `base-x` is a branch the author cut
 * just below the same commit, so its diff is one harmless file. Any writer approves the tiny
 * PR #2; its run on the shared commit concludes success, and being the latest run of that
 * name on the commit it is what branch protection sees for PR #3 too: the critical change
 * merges into main without the approvals it demands.
 *
 * The check on a commit must not pass while another open PR with that head still needs
 * approvals.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const X = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const CRITICAL = [file("src/auth/login.ts", 400), file("src/auth/token.ts", 300)];
const TINY = [file("docs/readme.md", 2)];

interface Run {
  id: number;
  pr: number;
  body: Json;
}

type Deliver = (name: string, payload: Json) => Promise<void>;
const via = (app: TestApp): Deliver => (name, payload) => receive(app.probot, name, payload);

async function open(deliver: Deliver | TestApp, number: number, files: FileSpec[], runs: Run[], id: number, first: boolean) {
  const scope = nock(API);
  if (first) {
    // The installation token, the config and the repository's open PRs are read once.
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockOpenPulls(scope, {}, number);
  }
  mockFiles(scope, files, number);
  scope.post(`${REPO_PATH}/pulls/${number}/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => (runs.push({ id, pr: number, body: b }), true)).reply(201, { id });
  scope.post(`${REPO_PATH}/issues/${number}/comments`).optionally().reply(201, { id: 500 + number });
  scope.post(`${REPO_PATH}/issues/${number}/labels`).optionally().reply(200, [{ name: "risk: x", color: "fbca04" }]);
  await (typeof deliver === "function" ? deliver : via(deliver))("pull_request", prPayload({ number, files, headSha: X }));
}

/** The newest run written, as `checks.listForRef` returns it. */
function newest(runs: Run[]): Json {
  const run = runs.filter((r) => r.id === Math.max(...runs.map((x) => x.id))).at(-1)!;
  return { id: run.id, status: run.body.status, conclusion: run.body.conclusion ?? null, output: { ...run.body.output, annotations_count: 0 }, app: { slug: "review-triage" } };
}

/** A writer, bob, approves the tiny PR #2 on X; the app re-evaluates it. */
async function approveTiny(app: TestApp, runs: Run[]) {
  mockTinyReads(runs);
  await receive(app.probot, "pull_request_review", approval());
}

/** What the app reads and writes to evaluate the tiny PR #2 again, bob's approval given. */
function mockTinyReads(runs: Run[]) {
  const scope = nock(API);
  scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ number: 2, files: TINY, headSha: X, requested: ["bob"] }).pull_request as Json);
  mockFiles(scope, TINY, 2);
  scope
    .get(`${REPO_PATH}/pulls/2/reviews`)
    .query({ per_page: 100 })
    .reply(200, [{ id: 1, user: { login: "bob", type: "User" }, state: "APPROVED", submitted_at: "2026-01-01T00:00:00Z", commit_id: X }]);
  scope.get(`${REPO_PATH}/collaborators/bob/permission`).reply(200, { permission: "write", role_name: "write", user: { login: "bob" } });
  // Whatever the app reads to learn about other PRs on this commit.
  scope.get(`${REPO_PATH}/commits/${X}/pulls`).query(true).optionally().reply(200, [{ number: 2, state: "open" }, { number: 3, state: "open" }]);
  scope.get(`${REPO_PATH}/pulls`).query(true).optionally().reply(200, [prPayload({ number: 2, headSha: X }).pull_request, prPayload({ number: 3, headSha: X }).pull_request]);
  // The newest Review Triage run on X (PR #2's, created last), as GitHub lists it.
  scope.get(`${REPO_PATH}/commits/${X}/check-runs`).query(true).optionally().reply(200, { total_count: 1, check_runs: [newest(runs)] });
  scope.patch(`${REPO_PATH}/check-runs/72`, (b) => (runs.push({ id: 72, pr: 2, body: b }), true)).optionally().reply(200, { id: 72 });
  scope.patch(`${REPO_PATH}/issues/comments/502`).optionally().reply(200, { id: 502 });
  scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: low", color: "fbca04" }]);
}

function approval(): Json {
  const payload = structuredClone(fixture<Json>("pull_request_review", "submitted"));
  payload.pull_request = { ...payload.pull_request, ...(prPayload({ number: 2, files: TINY, headSha: X }).pull_request as Json) };
  payload.review.user = { login: "bob", id: 3, type: "User" };
  payload.review.state = "approved";
  payload.review.commit_id = X;
  payload.sender = { login: "bob", id: 3, type: "User" };
  return payload;
}

describe("a stale closed event on a shared head", () => {
  it("ignores a closed event from before the PR was reopened and pushed to the shared commit", async () => {
    const app = await buildApp();
    const runs: Run[] = [];
    // PR #3 was on W, closed (that event is late), reopened and pushed to X: the app has it open on X.
    await open(app, 3, CRITICAL, runs, 71, true);
    await open(app, 2, TINY, runs, 72, false);
    const W = "2222222222222222222222222222222222222222";
    const closed = prPayload({ number: 3, files: CRITICAL, headSha: W }) as Json;
    closed.action = "closed";
    closed.pull_request = { ...closed.pull_request, state: "closed", closed_at: "2026-01-02T00:00:00Z", merged: false };
    // GitHub: PR #3 is open, on X.
    nock(API).get(`${REPO_PATH}/pulls/3`).optionally().reply(200, prPayload({ number: 3, files: CRITICAL, headSha: X }).pull_request as Json);
    await receive(app.probot, "pull_request", closed);
    await approveTiny(app, runs);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const latest = runs.at(-1)!;
    expect(latest.pr).toBe(2);
    expect(latest.body.conclusion, "the shared check passes while PR #3, open on X, lacks its approvals").not.toBe("success");
  });
});
