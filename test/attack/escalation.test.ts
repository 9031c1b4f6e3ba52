import { afterEach, describe, expect, it } from "vitest";

/**
 * Stale-review escalation against a hostile or unlucky world, through the real path (intake,
 * queue, jobs) with the clock the escalations read moved forward: a draft at the due time, a
 * review whose event the app never got, an old request event delivered late, a comment that
 * imitates the app's nudge, an old review dismissed after a re-request.
 */
import { configSchema } from "../../src/config/schema.js";
import { schedulePendingEscalations } from "../../src/handlers/schedule-pending-escalations.js";
import { CONFIG, FILES, WEEK_AHEAD, dueNow, mockOpened, rows } from "../helpers/escalation-scenario.js";
import { API, CONFIG_URL, RAW } from "../helpers/github.js";
import { fixture } from "../helpers/app.js";
import { nock, prPayload, REPO_PATH } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ESCALATION = configSchema.parse({ escalation: { enabled: true, nudge_after: "24h", reassign_after: "48h", working_days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] } }).escalation;
let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  nock.cleanAll();
});
/** Everything an escalation job may read or write, recorded. */
function mockEscalation(scope: nock.Scope, requested: string[], reviews: Json[] = [], comments: Json[] = []) {
  const seen = { replies: [] as string[], requested: [] as string[][] };
  scope.get((uri) => CONFIG_URL.test(uri)).optionally().times(5).reply(200, CONFIG, RAW);
  scope.get(`${REPO_PATH}/pulls/2`).times(4).optionally().reply(200, prPayload({ files: FILES, requested, labels: ["risk: medium"] }).pull_request as Json);
  scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).times(4).optionally().reply(200, FILES.map((f) => ({ sha: "abc", filename: f.filename, status: "added", additions: f.additions, deletions: 0, changes: f.additions })));
  scope.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).times(4).optionally().reply(200, reviews);
  scope.get(`${REPO_PATH}/issues/2/comments`).query({ per_page: 100 }).times(4).optionally().reply(200, comments);
  scope.post(`${REPO_PATH}/issues/2/comments`, (b) => (seen.replies.push(b.body), true)).times(4).optionally().reply(201, { id: 600 });
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => (seen.requested.push(b.reviewers), true)).times(4).optionally().reply(201, {});
  scope.patch(`${REPO_PATH}/issues/comments/555`).times(4).optionally().reply(200, { id: 555 });
  scope.patch(`${REPO_PATH}/check-runs/41`).times(4).optionally().reply(200, { id: 41 });
  scope.get(/\/collaborators\/.*\/permission/).times(4).optionally().reply(200, { permission: "write", role_name: "write" });
  return seen;
}
async function openPr(t: TestServer) {
  const opened = mockOpened(nock(API));
  await t.post("pull_request", prPayload({ files: FILES }));
  await t.idle();
  return opened.requested[0]!;
}
async function target(t: TestServer) {
  const [r] = await rows(t, "SELECT repo_id::text AS repo_id, number FROM review_requests LIMIT 1");
  return { repoId: Number(r!.repo_id), number: r!.number as number, owner: "Codertocat", repo: "Hello-World", installationId: 1 };
}
/** What pg-boss's maintenance does 12 h after a job completed (its archive). */
async function archiveCompleted(t: TestServer) {
  const cols = "id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after, started_on, singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output";
  await t.database.executeSql(`WITH a AS (DELETE FROM pgboss.job WHERE name = 'escalation' AND state = 'completed' RETURNING *) INSERT INTO pgboss.archive (${cols}) SELECT ${cols} FROM a`);
}


describe("escalation: a return to draft", () => {
  it("cancels the steps due meanwhile, and the wait starts again when the PR is ready, whatever pg-boss has archived", async () => {
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    running = await startTestServer({ clock });
    const first = await openPr(running);
    expect(first).toBeTruthy();
    // A draft when both steps come due: both jobs read the PR, GitHub shows a draft, and they
    // end there: no reply, no request.
    await running.database.executeSql("UPDATE pull_requests SET draft = true, ready_since = NULL");
    const draft = nock(API);
    draft.get((uri) => CONFIG_URL.test(uri)).optionally().times(2).reply(200, CONFIG, RAW);
    draft.get(`${REPO_PATH}/pulls/2`).times(2).reply(200, { ...(prPayload({ files: FILES, requested: [first], labels: ["risk: medium"] }).pull_request as Json), draft: true });
    offset = WEEK_AHEAD;
    await dueNow(running);
    await running.idle(30_000);
    expect(draft.isDone()).toBe(true);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);

    // Ready again (as the triage of ready_for_review records it), and scheduled again, also
    // after pg-boss archived the finished jobs: the steps wait a full day from now.
    await running.database.executeSql("UPDATE pull_requests SET draft = false, ready_since = $1", [clock()]);
    await archiveCompleted(running);
    const pr = await target(running);
    await schedulePendingEscalations(running.server.deps, pr, ESCALATION, false);
    await schedulePendingEscalations(running.server.deps, pr, ESCALATION, false);
    const waiting = await rows(running, "SELECT data->>'kind' AS kind, (data->>'due')::timestamptz AS due FROM pgboss.job WHERE name = 'escalation' AND state < 'active' ORDER BY 1");
    expect(waiting.map((j) => j.kind)).toEqual(["nudge", "reassign"]);
    expect(waiting.map((j) => Math.round(((j.due as Date).getTime() - clock().getTime()) / 3_600_000))).toEqual([24, 48]);
    // Nothing is due now: no job runs, nothing is asked of GitHub (no mocks).
    await running.idle(30_000);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);
  }, 120_000);
});

describe("escalation: GitHub's word over the history's", () => {
  const approved = (login: string) => [{ id: 9001, user: { login, type: "User" }, state: "APPROVED", submitted_at: new Date().toISOString(), commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }];

  it("does not nudge a reviewer who reviewed while the app was away, and stops counting the request", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const first = await openPr(running);
    // The review's webhook never came; on GitHub the reviewer is no longer requested.
    offset = WEEK_AHEAD;
    const seen = mockEscalation(nock(API), [], approved(first));
    await dueNow(running);
    await running.idle(60_000);
    expect(seen.replies).toEqual([]);
    expect(seen.requested).toEqual([]);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);
    expect(await rows(running, "SELECT removed_by FROM review_requests")).toEqual([{ removed_by: "github" }]);
  }, 120_000);

  it("does not escalate an answered request brought back by an old review_requested event", async () => {
    running = await startTestServer();
    const first = await openPr(running);
    await running.database.executeSql("UPDATE review_requests SET reviewed_at = now()");
    // Yesterday's failed deliveries redelivered: the app's request for the reviewer, three days old.
    const event = prPayload({ files: FILES, requested: [first], labels: ["risk: medium"] }) as Json;
    event.action = "review_requested";
    event.requested_reviewer = { login: first, id: 77, type: "User" };
    event.sender = { login: "review-triage[bot]", type: "Bot" };
    event.pull_request.updated_at = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const seen = mockEscalation(nock(API), [], approved(first));
    await running.post("pull_request", event);
    await running.idle(60_000);
    expect(seen.replies).toEqual([]);
    expect(seen.requested).toEqual([]);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);
  }, 120_000);
});

describe("escalation: a review from before the request", () => {
  it("does not answer the request when it is dismissed (or edited, or its event comes late): the request is still escalated and counted", async () => {
    running = await startTestServer();
    const first = await openPr(running);
    const [req] = await rows(running, "SELECT requested_at FROM review_requests");
    // The author dismisses the reviewer's review of three days before the app requested them.
    const old = new Date((req!.requested_at as Date).getTime() - 3 * 86_400_000).toISOString();
    const event = structuredClone(fixture<Json>("pull_request_review", "submitted"));
    event.action = "dismissed";
    event.pull_request = { ...event.pull_request, ...(prPayload({ files: FILES }).pull_request as Json) };
    event.review = { ...event.review, id: 9001, user: { login: first, type: "User" }, state: "dismissed", submitted_at: old };
    event.sender = { login: "erin", type: "User" };
    mockEscalation(nock(API), [first], [{ id: 9001, user: { login: first, type: "User" }, state: "DISMISSED", submitted_at: old, commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }]);
    await running.post("pull_request_review", event);
    await running.idle(60_000);
    expect(await rows(running, "SELECT reviewed_at FROM review_requests")).toEqual([{ reviewed_at: null }]);
    expect(await rows(running, "SELECT state FROM reviews")).toEqual([{ state: "DISMISSED" }]);
    // A review given after the request still answers it.
    const later = structuredClone(event);
    later.action = "submitted";
    later.review = { ...event.review, id: 9002, state: "approved", submitted_at: new Date().toISOString() };
    mockEscalation(nock(API), [], [{ id: 9002, user: { login: first, type: "User" }, state: "APPROVED", submitted_at: later.review.submitted_at, commit_id: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" }]);
    await running.post("pull_request_review", later);
    await running.idle(60_000);
    const [answered] = await rows(running, "SELECT reviewed_at FROM review_requests");
    expect(answered!.reviewed_at).toBeInstanceOf(Date);
  }, 120_000);
});

describe("escalation: a comment imitating the app's nudge", () => {
  it("does not count as the nudge: the reviewer is still reminded", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const first = await openPr(running);
    const [req] = await rows(running, "SELECT id::text AS id FROM review_requests");
    // Any commenter can guess the request's id and paste the marker.
    const forged = [{ id: 1, user: { login: "mallory", type: "User" }, body: `<!-- review-triage:nudge:${req!.id} -->\nlgtm soon` }];
    await running.database.executeSql("DELETE FROM pgboss.job WHERE name = 'escalation' AND data->>'kind' = 'reassign'");
    offset = 30 * 3600 * 1000;
    const seen = mockEscalation(nock(API), [first], [], forged);
    await dueNow(running);
    await running.idle(60_000);
    expect(seen.replies.filter((r) => r.includes(`@${first}, a reminder`))).toHaveLength(1);
    expect(await rows(running, "SELECT kind, done_at IS NOT NULL AS done FROM escalations")).toEqual([{ kind: "nudge", done: true }]);
  }, 120_000);
});
