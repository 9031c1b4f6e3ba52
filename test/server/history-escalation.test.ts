import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/app.js";
import { CONFIG, FILES, WEEK_AHEAD, dueNow, mockEscalationReads, mockNudge, mockOpened, rows } from "../helpers/escalation-scenario.js";
import { API, CONFIG_URL, RAW } from "../helpers/github.js";
import { mockFiles, mockToken, nock, prPayload, REPO_PATH } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * History and stale-review escalation through the real path (intake → queue → jobs), with
 * the clock the escalations read moved forward instead of waiting a day.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function errors(t: TestServer) {
  return t.logs.filter((l) => (l.level as number) >= 50);
}

describe("history", () => {
  it("records the PR, its triage, the app's request with why, the review and the merge", async () => {
    running = await startTestServer();
    const opened = mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    const reviewer = opened.requested[0]!;
    expect(await rows(running, "SELECT repo, number, author, state FROM pull_requests")).toEqual([{ repo: "Codertocat/Hello-World", number: 2, author: "erin", state: "open" }]);
    expect(await rows(running, "SELECT level, scored_level FROM triage_results")).toEqual([{ level: "medium", scored_level: "medium" }]);
    const [request] = await rows(running, "SELECT reviewer, by_app, group_name, reason, reviewed_at FROM review_requests");
    expect(request).toMatchObject({ reviewer, by_app: true, group_name: "seniors", reason: expect.stringContaining("seniors: least loaded"), reviewed_at: null });

    // The review (given after the request) answers it; closing records the merge.
    const reviewedAt = new Date(Date.now() + 60_000).toISOString();
    const review = structuredClone(fixture<Json>("pull_request_review", "submitted"));
    review.pull_request = { ...review.pull_request, ...(prPayload({ files: FILES }).pull_request as Json) };
    review.review = { ...review.review, id: 9001, user: { login: reviewer, type: "User" }, state: "approved", commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", submitted_at: reviewedAt };
    review.sender = { login: reviewer, type: "User" };
    const reads = nock(API);
    reads.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: FILES, requested: [], labels: ["risk: medium"] }).pull_request as Json);
    mockFiles(reads, FILES);
    reads.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, [{ id: 9001, user: { login: reviewer, type: "User" }, state: "APPROVED", submitted_at: reviewedAt, commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }]);
    reads.get(`${REPO_PATH}/collaborators/${reviewer}/permission`).reply(200, { permission: "write", role_name: "write" });
    reads.patch(`${REPO_PATH}/check-runs/41`).reply(200, { id: 41 });
    reads.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
    await running.post("pull_request_review", review);
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(await rows(running, "SELECT reviewer, state FROM reviews")).toEqual([{ reviewer, state: "APPROVED" }]);
    expect((await rows(running, "SELECT reviewed_at FROM review_requests"))[0]!.reviewed_at).not.toBeNull();

    const closed = prPayload({ action: "opened", files: FILES }) as Json;
    closed.action = "closed";
    Object.assign(closed.pull_request, { state: "closed", merged: true, merged_at: "2026-01-03T00:00:00Z", closed_at: "2026-01-03T00:00:00Z" });
    await running.post("pull_request", closed);
    await running.idle();
    expect(await rows(running, "SELECT state FROM pull_requests")).toEqual([{ state: "merged" }]);
    expect(errors(running)).toEqual([]);
  });

  it("counts review load across the installation's repositories from the history", async () => {
    running = await startTestServer();
    // Another repository of the same installation, where bob and carol already have requests.
    const other = prPayload({ number: 7, files: FILES }) as Json;
    other.repository = { ...other.repository, id: 999, name: "other", full_name: "Codertocat/other" };
    other.pull_request.base.repo = { ...other.pull_request.base.repo, id: 999, name: "other", full_name: "Codertocat/other" };
    const first = nock(API);
    mockToken(first);
    first.get((uri) => uri.startsWith("/repos/Codertocat/other/contents/")).reply(200, CONFIG, RAW);
    first.get("/repos/Codertocat/other/pulls/7/files").query({ per_page: 100 }).reply(200, FILES.map((f) => ({ ...f, changes: f.additions, status: "added", patch: "@@ -0,0 +1 @@\n+x" })));
    first.get("/repos/Codertocat/other/pulls").query({ state: "open", per_page: 100 }).reply(200, [
      { number: 1, requested_reviewers: [{ login: "bob" }, { login: "carol" }], requested_teams: [] },
      { number: 3, requested_reviewers: [{ login: "bob" }, { login: "carol" }], requested_teams: [] },
    ]);
    first.post("/repos/Codertocat/other/pulls/7/requested_reviewers").reply(201, {});
    first.post("/repos/Codertocat/other/check-runs").reply(201, { id: 1 });
    first.post("/repos/Codertocat/other/issues/7/comments").reply(201, { id: 2 });
    first.post("/repos/Codertocat/other/issues/7/labels").reply(200, []);
    await running.post("pull_request", other);
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);

    // In this repository nobody has a request; across the installation bob and carol have two
    // each and dave one (PR 7 there went to him).
    // (The installation's token is still valid: no second exchange.)
    const opened = mockOpened(nock(API), [], false);
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(opened.requested).toEqual(["dave"]);
    expect(errors(running)).toEqual([]);
  });
});

describe("history kept true to GitHub", () => {
  /** A re-run of the triage on a push: nothing new to write. */
  function mockRerun(scope: nock.Scope) {
    scope.get((uri) => CONFIG_URL.test(uri)).optionally().reply(200, CONFIG, RAW);
    mockFiles(scope, FILES);
    scope.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).optionally().reply(200, []);
    scope.patch(`${REPO_PATH}/check-runs/41`).optionally().reply(200, { id: 41 });
    scope.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  }
  const push = (updatedAt: Date, requested: string[]) => {
    const event = prPayload({ action: "synchronize", files: FILES, requested, labels: ["risk: medium"] }) as Json;
    event.pull_request.updated_at = updatedAt.toISOString();
    return event;
  };

  it("retires a pending request the PR no longer had when GitHub last updated it, and only one made before then", async () => {
    running = await startTestServer();
    const opened = mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const reviewer = opened.requested[0]!;
    const pending = async () => rows(running!, "SELECT reviewer, removed_by FROM review_requests");

    // A push whose PR was last updated before the request: it says nothing about the request.
    mockRerun(nock(API));
    await running.post("pull_request", push(new Date(Date.now() - 3_600_000), []));
    await running.idle();
    nock.cleanAll();
    expect(await pending()).toEqual([{ reviewer, removed_by: null }]);

    // A later one without the reviewer: the review (or withdrawal) event never came.
    mockRerun(nock(API));
    await running.post("pull_request", push(new Date(Date.now() + 60_000), []));
    await running.idle();
    nock.cleanAll();
    expect(await pending()).toEqual([{ reviewer, removed_by: "github" }]);
    expect(errors(running)).toEqual([]);
  });
});

describe("stale-review escalation", () => {
  it("nudges once, then requests the next candidate of the group, each exactly once", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const opened = mockOpened(nock(API));
    // The jobs wait for their time: the clock has not moved yet.
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    const first = opened.requested[0]!;
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);

    // A week later (by the clock the jobs read), both steps are due.
    offset = WEEK_AHEAD;
    // The installation's token from the first event is still valid.
    const nudge = nock(API);
    nudge.get((uri) => CONFIG_URL.test(uri)).reply(200, CONFIG, RAW);
    mockEscalationReads(nudge, [first]);
    nudge.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).reply(200, []);
    let reply = "";
    nudge.post(`${REPO_PATH}/issues/2/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 600 });
    let sticky = "";
    nudge.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((sticky = b.body), true)).reply(200, { id: 555 });
    nudge.patch(`${REPO_PATH}/check-runs/41`).optionally().reply(200, { id: 41 });
    // The reassignment: the next senior is requested as well.
    nudge.get((uri) => CONFIG_URL.test(uri)).optionally().reply(200, CONFIG, RAW);
    mockEscalationReads(nudge, [first]);
    let second: string[] = [];
    nudge.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((second = b.reviewers), true)).reply(201, {});
    nudge.patch(`${REPO_PATH}/issues/comments/555`, (b) => ((sticky = b.body), true)).reply(200, { id: 555 });
    nudge.patch(`${REPO_PATH}/check-runs/41`).optionally().reply(200, { id: 41 });
    await dueNow(running);
    await running.idle(60_000);
    nock.abortPendingRequests();
    expect(reply).toContain(`@${first}, a reminder: your review of this pull request was requested 1 day of working time ago`);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);
    expect(sticky).toContain("Reassigned: @\u200b" + first);
    const done = await rows(running, "SELECT kind, done_at IS NOT NULL AS done FROM escalations ORDER BY kind");
    expect(done).toEqual([
      { kind: "nudge", done: true },
      { kind: "reassign", done: true },
    ]);
    nock.cleanAll();

    // The same jobs again (a redelivery, a second replica's copy, a retry after a crash): nothing more happens.
    const jobs = await rows(running, "SELECT data FROM pgboss.job WHERE name = 'escalation' AND state = 'completed' AND data->>'requestId' = (SELECT min(id)::text FROM review_requests)");
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) await running.server.queue.send("escalation", job.data as object);
    await running.idle(60_000);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 2 }]);
    expect(errors(running)).toEqual([]);
  });

  it("does nothing once the reviewer has reviewed", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const opened = mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const reviewer = opened.requested[0]!;
    await running.database.executeSql("UPDATE review_requests SET reviewed_at = now()");
    offset = WEEK_AHEAD;
    await dueNow(running);
    // No mocks: an escalation that acted would call GitHub.
    await running.idle(30_000);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);
    expect(reviewer).toBeTruthy();
    expect(errors(running)).toEqual([]);
  });
});

describe("scheduling escalations", () => {
  const escalationJobs = async (t: TestServer) =>
    (await rows(t, "SELECT data->>'kind' AS kind, data->>'requestId' AS request, expire_in FROM pgboss.job WHERE name = 'escalation' ORDER BY 1, 2")) as Array<{ kind: string; request: string; expire_in: unknown }>;

  /** GitHub's event for a review request, made by `sender`. */
  function requestEvent(reviewer: string, sender: { login: string; type: string }, requested: string[]) {
    const event = prPayload({ files: FILES, requested, labels: ["risk: medium"] }) as Json;
    event.action = "review_requested";
    event.requested_reviewer = { login: reviewer, id: 77, type: "User" };
    event.sender = sender;
    // GitHub stamps the PR as updated by the request: the request's time.
    event.pull_request.updated_at = new Date().toISOString();
    return event;
  }

  it("schedules the app's request first seen as GitHub's event (its run died before recording it) once, and nudges it when due", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const opened = mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = opened.requested[0]!;
    expect((await escalationJobs(running)).map((j) => j.kind)).toEqual(["nudge", "reassign"]);
    // What a run killed between GitHub's answer and the history's write leaves: the request is
    // on GitHub, neither recorded nor scheduled.
    await running.database.executeSql("DELETE FROM pgboss.job WHERE name = 'escalation'");
    await running.database.executeSql("DELETE FROM review_requests");

    // GitHub's event for the app's request, delivered twice (a redelivery): one request, two jobs.
    for (let i = 0; i < 2; i++) {
      await running.post("pull_request", requestEvent(first, { login: "review-triage[bot]", type: "Bot" }, [first]));
      await running.idle();
    }
    expect(await rows(running, "SELECT reviewer, by_app FROM review_requests")).toEqual([{ reviewer: first, by_app: true }]);
    const jobs = await escalationJobs(running);
    expect(jobs.map((j) => j.kind)).toEqual(["nudge", "reassign"]);
    // A killed process's escalation is run again after 15 minutes, not pg-boss's 6 hours.
    expect(jobs.map((j) => j.expire_in)).toEqual([{ minutes: 15 }, { minutes: 15 }]);

    // A later triage of the PR schedules the same steps again: still the same two jobs.
    const again = nock(API);
    again.get((uri) => CONFIG_URL.test(uri)).optionally().reply(200, CONFIG, RAW);
    mockFiles(again, FILES);
    again.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).optionally().reply(200, []);
    again.patch(`${REPO_PATH}/check-runs/41`).optionally().reply(200, { id: 41 });
    again.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
    const edited = prPayload({ action: "synchronize", files: FILES, requested: [first], labels: ["risk: medium"] }) as Json;
    await running.post("pull_request", edited);
    await running.idle();
    nock.cleanAll();
    expect((await escalationJobs(running)).map((j) => j.kind)).toEqual(["nudge", "reassign"]);

    // 30 hours on: the nudge is due (the reassignment, at 48 h, waits).
    offset = 30 * 3_600_000;
    const nudge = mockNudge(nock(API), [first]);
    await dueNow(running);
    await running.idle(60_000);
    nock.abortPendingRequests();
    nock.cleanAll();
    expect(nudge.reply).toContain(`@${first}, a reminder`);
    expect(await rows(running, "SELECT kind, done_at IS NOT NULL AS done FROM escalations")).toEqual([{ kind: "nudge", done: true }]);
    expect(errors(running)).toEqual([]);
  });

  it("takes no other bot's request for the app's, also before the app has learnt its bot account", async () => {
    // GitHub cannot tell the app who it is yet (the start-up read of GET /app fails).
    nock(API).get("/app").optionally().times(5).reply(500, { message: "unavailable" });
    running = await startTestServer({ botLogin: null });
    const opened = mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = opened.requested[0]!;
    // A workflow the PR's author controls requests a reviewer of their choosing.
    await running.post("pull_request", requestEvent("zoe", { login: "github-actions[bot]", type: "Bot" }, [first, "zoe"]));
    await running.idle();
    expect(await rows(running, "SELECT reviewer, by_app FROM review_requests ORDER BY id")).toEqual([
      { reviewer: first, by_app: true },
      { reviewer: "zoe", by_app: false },
    ]);
    // Only the app's own request is escalated.
    const [own] = await rows(running, `SELECT id::text AS id FROM review_requests WHERE reviewer = '${first}'`);
    expect((await escalationJobs(running)).map((j) => [j.request, j.kind])).toEqual([
      [own!.id, "nudge"],
      [own!.id, "reassign"],
    ]);
  });

  it("schedules a person's request only with human_requests, and then nudges its reviewer", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const opened = mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = opened.requested[0]!;
    const human = { login: "hank", type: "User" };

    // Off (the default): the person's request is recorded, and not scheduled.
    await running.post("pull_request", requestEvent("zoe", human, [first, "zoe"]));
    await running.idle();
    expect(await rows(running, "SELECT reviewer, by_app, requested_by FROM review_requests ORDER BY id")).toEqual([
      { reviewer: first, by_app: true, requested_by: "review-triage[bot]" },
      { reviewer: "zoe", by_app: false, requested_by: "hank" },
    ]);
    expect((await escalationJobs(running)).map((j) => j.kind)).toEqual(["nudge", "reassign"]);

    // On: the next request event schedules it (the config, changed on GitHub, is read again).
    running.server.deps.configs.invalidate("codertocat/hello-world");
    const withHumans = CONFIG.replace("escalation:\n", "escalation:\n  human_requests: true\n");
    const config = nock(API);
    config.get((uri) => CONFIG_URL.test(uri)).reply(200, withHumans, RAW);
    await running.post("pull_request", requestEvent("yuri", human, [first, "zoe", "yuri"]));
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    const [zoe] = await rows(running, "SELECT id::text AS id FROM review_requests WHERE reviewer = 'zoe'");
    const jobs = await escalationJobs(running);
    expect(jobs).toHaveLength(6);
    expect(jobs.filter((j) => j.request === zoe!.id).map((j) => j.kind)).toEqual(["nudge", "reassign"]);

    // Only zoe's request is left pending when the nudges come due: she is reminded.
    await running.database.executeSql("UPDATE review_requests SET reviewed_at = now() WHERE reviewer <> 'zoe'");
    offset = 30 * 3_600_000;
    const nudge = mockNudge(nock(API), [first, "zoe", "yuri"], withHumans);
    nock(API).get(`${REPO_PATH}/collaborators/zoe/permission`).optionally().reply(200, { permission: "write", role_name: "write" });
    await dueNow(running);
    await running.idle(60_000);
    nock.abortPendingRequests();
    nock.cleanAll();
    expect(nudge.reply).toContain("@zoe, a reminder");
    expect(await rows(running, "SELECT reviewer, kind FROM escalations")).toEqual([{ reviewer: "zoe", kind: "nudge" }]);
    expect(errors(running)).toEqual([]);
  });
});
