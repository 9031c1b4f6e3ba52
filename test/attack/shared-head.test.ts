import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, fixture, type TestApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

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
const Y = "1111111111111111111111111111111111111111";
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

describe("two pull requests on one head commit", () => {
  it("does not pass the shared commit's check while the other PR still needs its approvals", async () => {
    const app = await buildApp();
    const runs: Run[] = [];
    await open(app, 3, CRITICAL, runs, 71, true); // b2 → main: critical
    await open(app, 2, TINY, runs, 72, false); // b1 → base-x: one docs file, same head commit

    await approveTiny(app, runs);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    // PR #3 (critical, head X) has no approval at all.
    expect(runs.find((r) => r.pr === 3)?.body.output.title).toContain("lead approval");
    // The newest Review Triage run on X is what branch protection reads for both PRs.
    const newestRun = Math.max(...runs.map((r) => r.id));
    const latest = runs.filter((r) => r.id === newestRun).at(-1)!;
    expect(latest.pr).toBe(2);
    expect(latest.body.conclusion, "the shared commit's check passes while PR #3 on the same head lacks its approvals").not.toBe("success");
    expect(latest.body.status).toBe("in_progress");
    expect(latest.body.output.title).toBe("Needs: #3 approved too (this commit is the head of #2, #3)");
    expect(latest.body.output.summary).toContain("this commit is the head of more than one open pull request (#2, #3)".replace("this", "This"));
    expect(latest.body.output.summary).toContain("or push a distinct commit");
    // PR #3's run (written before #2 shared its head) names the other PR too.
    expect(runs.find((r) => r.pr === 3)?.body.output.summary).not.toContain("Shared head commit");
    expect(runs.filter((r) => r.pr === 2)[0]!.body.output.summary).toContain("Shared head commit");
  });

  it("leaves a PR alone on its own head commit: the approval passes its check", async () => {
    const app = await buildApp();
    const runs: Run[] = [];
    await open(app, 2, TINY, runs, 72, true);
    await approveTiny(app, runs);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const latest = runs.at(-1)!;
    expect(latest).toMatchObject({ id: 72, pr: 2 });
    expect(latest.body.conclusion).toBe("success");
    expect(latest.body.output.summary).not.toContain("Shared head commit");
  });

  it("passes the check once the other PR on the commit is closed", async () => {
    const app = await buildApp();
    const runs: Run[] = [];
    await open(app, 3, CRITICAL, runs, 71, true);
    await open(app, 2, TINY, runs, 72, false);
    await approveTiny(app, runs);
    expect(runs.at(-1)!.body.conclusion).not.toBe("success");

    // PR #3 is closed: it no longer shares the commit's check.
    const closed = prPayload({ number: 3, files: CRITICAL, headSha: X }) as Json;
    closed.action = "closed";
    closed.pull_request = { ...closed.pull_request, state: "closed", closed_at: "2026-01-02T00:00:00Z", merged: false };
    // On a shared head the close is checked with GitHub.
    nock(API).get(`${REPO_PATH}/pulls/3`).reply(200, closed.pull_request);
    await receive(app.probot, "pull_request", closed);

    await approveTiny(app, runs);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const latest = runs.at(-1)!;
    expect(latest).toMatchObject({ id: 72, pr: 2 });
    expect(latest.body.conclusion).toBe("success");
    expect(latest.body.output.summary).not.toContain("Shared head commit");
  });

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

/** Whatever a synchronize triage of the critical PR #3 reads and writes (runs on Y or X). */
function mockCriticalSync(runs: Run[]) {
  const s = nock(API);
  mockFiles(s, CRITICAL, 3);
  s.get(`${REPO_PATH}/pulls/3/reviews`).query(true).optionally().reply(200, []);
  s.get(/\/commits\/[0-9a-f]+\/check-runs/).query(true).optionally().reply(200, { total_count: 0, check_runs: [] });
  s.post(`${REPO_PATH}/check-runs`, (b) => (runs.push({ id: 71, pr: 3, body: b }), true)).optionally().reply(201, { id: 71 });
  s.patch(/\/check-runs\/\d+$/, (b) => (runs.push({ id: 71, pr: 3, body: b }), true)).optionally().reply(200, { id: 71 });
  s.patch(/\/issues\/comments\/\d+$/).optionally().reply(200, { id: 503 });
  s.post(`${REPO_PATH}/issues/3/comments`).optionally().reply(201, { id: 503 });
  s.post(`${REPO_PATH}/issues/3/labels`).optionally().reply(200, [{ name: "risk: critical", color: "b60205" }]);
  s.post(`${REPO_PATH}/pulls/3/requested_reviewers`).optionally().reply(201, {});
  s.get(`${REPO_PATH}/pulls/3`).optionally().reply(200, prPayload({ number: 3, files: CRITICAL, headSha: X }).pull_request as Json);
}

describe("two pull requests on one head commit: two pushes delivered the other way round", () => {
  it("does not pass the shared commit's check while the critical PR, back on that commit, lacks its approvals", async () => {
    const app = await buildApp();
    const runs: Run[] = [];
    await open(app, 3, CRITICAL, runs, 71, true); // critical, head X
    await open(app, 2, TINY, runs, 72, false); // tiny, head X

    // The author force-pushes #3 to Y and straight back to X. GitHub sends both synchronize
    // events; the second (Y→X) arrives first, the first (X→Y) last. On GitHub #3 is on X.
    const back = prPayload({ number: 3, files: CRITICAL, headSha: X, action: "synchronize" }) as Json;
    back.before = Y;
    back.after = X;
    const away = prPayload({ number: 3, files: CRITICAL, headSha: Y, action: "synchronize" }) as Json;
    away.before = X;
    away.after = Y;
    // Both pushes within one second: the payloads carry the same updated_at.
    back.pull_request.updated_at = away.pull_request.updated_at = "2019-05-15T15:30:00Z";
    mockCriticalSync(runs);
    await receive(app.probot, "pull_request", back);
    mockCriticalSync(runs);
    await receive(app.probot, "pull_request", away);

    expect(app.logs.filter((l) => (l.level as number) >= 40)).toEqual([]);
    nock.cleanAll();
    // Any writer approves the one-line docs PR #2.
    await approveTiny(app, runs);
    const onX = runs.filter((r) => r.pr === 2).at(-1)!;
    expect(onX.body.conclusion, "the check on X (head of the critical PR #3 on GitHub) passes on #2's approval alone").not.toBe("success");
  });
});

describe("two pull requests on one head commit, with the job queue", () => {
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    nock.cleanAll();
  });

  /** PRs #3 (critical) and #2 (tiny) on X, through the server; #2 approved, the shared check waiting for #3. */
  async function approvedBesideCritical() {
    running = await startTestServer();
    const deliver: Deliver = async (name, payload) => {
      await running!.post(name, payload);
      await running!.idle();
    };
    const runs: Run[] = [];
    await open(deliver, 3, CRITICAL, runs, 71, true);
    await open(deliver, 2, TINY, runs, 72, false);
    mockTinyReads(runs);
    await deliver("pull_request_review", approval());
    expect(runs.at(-1)!.body.conclusion).not.toBe("success");
    return { deliver, runs };
  }

  it("checks the other PR again when one is closed: its approval passes the shared commit's check with no further event", async () => {
    const { runs } = await approvedBesideCritical();

    // PR #3 is closed. Nothing more happens on PR #2, whose approval now suffices.
    mockTinyReads(runs);
    const closed = prPayload({ number: 3, files: CRITICAL, headSha: X }) as Json;
    closed.action = "closed";
    closed.pull_request = { ...closed.pull_request, state: "closed", closed_at: new Date().toISOString(), merged: false };
    nock(API).get(`${REPO_PATH}/pulls/3`).reply(200, closed.pull_request);
    const closeId = randomUUID();
    await running!.post("pull_request", closed, { id: closeId });
    await running!.idle();
    expect(running!.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const latest = runs.at(-1)!;
    expect(latest).toMatchObject({ id: 72, pr: 2 });
    expect(latest.body.conclusion).toBe("success");
    // Once: a redelivery of the close queues no second check.
    const before = runs.length;
    await running!.post("pull_request", closed, { id: closeId });
    await running!.idle();
    expect(runs.length).toBe(before);
  }, 60_000);

  it("ignores a closed event that comes after the PR's reopening: the shared check still waits for it", async () => {
    const { runs } = await approvedBesideCritical();
    const before = runs.length;
    // Closed and reopened at once; the closed event is delivered last. On GitHub PR #3 is open.
    const closed = prPayload({ number: 3, files: CRITICAL, headSha: X }) as Json;
    closed.action = "closed";
    closed.pull_request = { ...closed.pull_request, state: "closed", closed_at: new Date().toISOString(), merged: false };
    nock(API).get(`${REPO_PATH}/pulls/3`).reply(200, prPayload({ number: 3, files: CRITICAL, headSha: X }).pull_request as Json);
    await running!.post("pull_request", closed);
    await running!.idle();
    expect(running!.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(runs.length).toBe(before);
    expect(runs.at(-1)!.body.conclusion).not.toBe("success");
    expect(await running!.database.executeSql("SELECT state FROM pull_requests WHERE number = 3")).toMatchObject({ rows: [{ state: "open" }] });
  }, 60_000);

  it("queues one re-check per PR and commit while one waits: a burst of closes on one commit does not queue one per pair", async () => {
    running = await startTestServer();
    const enqueue = running.server.deps.enqueue!;
    const prefix = `recheck:1296269:2:${X}:`;
    // One waiting already (stored, its job not yet run).
    await running.database.executeSql(`INSERT INTO deliveries (id, event, payload, state) VALUES ($1, 'check_run', '{}', 'queued')`, [`${prefix}first`]);
    expect(await enqueue({ id: `${prefix}second`, unlessQueued: prefix, event: "check_run", action: "rerequested", body: "{}" })).toBe("duplicate");
    await running.database.executeSql(`DELETE FROM deliveries WHERE id = $1`, [`${prefix}first`]);
    expect(await running.database.executeSql(`SELECT id FROM deliveries WHERE id LIKE $1`, [`${prefix}%`])).toMatchObject({ rows: [] });
  }, 60_000);

  it("checks the other PR again when one is pushed to a new head commit", async () => {
    const { deliver, runs } = await approvedBesideCritical();

    // PR #3 gets a commit of its own: it no longer has X as its head.
    const Y = "1111111111111111111111111111111111111111";
    mockTinyReads(runs);
    const pushed = nock(API);
    mockFiles(pushed, CRITICAL, 3);
    pushed.get(`${REPO_PATH}/pulls/3/reviews`).query(true).optionally().reply(200, []);
    pushed.get(`${REPO_PATH}/commits/${Y}/check-runs`).query(true).optionally().reply(200, { total_count: 0, check_runs: [] });
    pushed.post(`${REPO_PATH}/check-runs`, (b) => (runs.push({ id: 73, pr: 3, body: b }), true)).reply(201, { id: 73 });
    pushed.patch(`${REPO_PATH}/issues/comments/503`).optionally().reply(200, { id: 503 });
    pushed.post(`${REPO_PATH}/issues/3/labels`).optionally().reply(200, [{ name: "risk: critical", color: "b60205" }]);
    pushed.post(`${REPO_PATH}/pulls/3/requested_reviewers`).optionally().reply(201, {});
    const sync = prPayload({ number: 3, files: CRITICAL, headSha: Y, action: "synchronize" }) as Json;
    sync.before = X;
    sync.after = Y;
    await deliver("pull_request", sync);
    expect(running!.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const onX = runs.filter((r) => r.id === 72).at(-1)!;
    expect(onX.pr).toBe(2);
    expect(onX.body.conclusion).toBe("success");
  }, 60_000);
});

