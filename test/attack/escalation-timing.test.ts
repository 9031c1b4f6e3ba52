import { afterEach, describe, expect, it } from "vitest";

/**
 * The PR's state and its requests against an author who times their moves: closing and
 * reopening around the due time, a command delivered after the merge, a reviewer removed and
 * requested again within GitHub's one-second resolution, a PR's state events of one second
 * delivered in the other order. Through the real path, against a
 * GitHub that keeps the PR's state.
 */
import { fixture } from "../helpers/app.js";
import { CONFIG, FILES, WEEK_AHEAD, dueNow, rows } from "../helpers/escalation-scenario.js";
import { nock, prPayload } from "../helpers/scenario.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { statefulGitHub } from "../helpers/stateful-github.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  nock.cleanAll();
});

describe("escalation and history: closing and reopening around the due time", () => {
  it("does not dodge the escalation: the still-pending request is nudged once the PR is open again", async () => {
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    running = await startTestServer({ clock });
    const gh = statefulGitHub(CONFIG);
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = gh.requests[0]![0]!;
    // The author closes the PR; while it is closed the steps come due and find nothing to do.
    const closed = prPayload({ files: FILES, requested: [first] }) as Json;
    closed.action = "closed";
    closed.pull_request.state = "closed";
    closed.pull_request.closed_at = new Date().toISOString();
    gh.state = "closed";
    await running.post("pull_request", closed);
    await running.idle();
    offset = WEEK_AHEAD;
    await dueNow(running);
    await running.idle(60_000);
    expect(await rows(running, "SELECT count(*)::int AS n FROM escalations")).toEqual([{ n: 0 }]);
    // Reopened at once: the request is still pending on GitHub, a week old.
    gh.state = "open";
    const reopened = prPayload({ files: FILES, requested: [first] }) as Json;
    reopened.action = "reopened";
    await running.post("pull_request", reopened);
    await running.idle(60_000);
    // The reopen was triaged: the PR is open again in the history, its request still pending.
    expect(await rows(running, "SELECT state FROM pull_requests")).toEqual([{ state: "open" }]);
    expect(await rows(running, "SELECT count(*)::int AS n FROM review_requests WHERE removed_at IS NULL AND reviewed_at IS NULL")).toEqual([{ n: 1 }]);
    // Whatever the wait after a reopen (at once, or a full nudge_after again), the step is queued again.
    const waiting = await rows(running, "SELECT data->>'kind' AS kind FROM pgboss.job WHERE name = 'escalation' AND state < 'active' ORDER BY 1");
    expect(waiting.map((j) => j.kind)).toEqual(["nudge", "reassign"]);
    offset = 3 * WEEK_AHEAD;
    await dueNow(running);
    await running.idle(60_000);
    expect(gh.posts.filter((b) => b.includes(`@${first}, a reminder`))).toHaveLength(1);
  }, 120_000);
});

describe("escalation and history: a /triage command delivered after the merge", () => {
  it("does not bring the merged PR back as open in the history (people report, load, queue)", async () => {
    running = await startTestServer();
    const gh = statefulGitHub(CONFIG);
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    // The author comments `/triage rerun` and merges at once; GitHub delivers the merge first.
    gh.merged = true;
    const closed = prPayload({ files: FILES, requested: [...gh.requested] }) as Json;
    closed.action = "closed";
    Object.assign(closed.pull_request, { state: "closed", merged: true, merged_at: new Date().toISOString(), closed_at: new Date().toISOString() });
    await running.post("pull_request", closed);
    await running.idle();
    expect(await rows(running, "SELECT state FROM pull_requests")).toEqual([{ state: "merged" }]);
    const comment = structuredClone(fixture<Json>("issue_comment", "created"));
    Object.assign(comment.issue, { number: 2, state: "open", pull_request: { url: "x" } });
    Object.assign(comment.comment, { id: 777, body: "/triage rerun", user: { login: "erin", id: 2, type: "User" } });
    comment.sender = { login: "erin", id: 2, type: "User" };
    await running.post("issue_comment", comment);
    await running.idle();
    const after = await rows(running, "SELECT state, closed_at IS NOT NULL AS closed FROM pull_requests");
    const load = await running.server.deps.history.openRequestLoad(1);
    expect(after).toEqual([{ state: "merged", closed: true }]);
    expect([...load]).toEqual([]);
  }, 120_000);
});

/** The author's request (or its removal) of `login`, stamped with the whole second `second`, as GitHub sends it. */
function sameSecondEvent(action: string, login: string, second: string): Json {
  const e = prPayload({ files: FILES, requested: action === "review_requested" ? [login] : [] }) as Json;
  e.action = action;
  e.pull_request.updated_at = second;
  e.requested_reviewer = { login, id: 77, type: "User" };
  e.sender = { login: "erin", id: 5, type: "User" };
  return e;
}

describe("escalation and history: remove and re-request a reviewer within one second", () => {
  it("keeps the request that is pending on GitHub: it counts as load and is escalated (human_requests)", async () => {
    running = await startTestServer();
    const gh = statefulGitHub(CONFIG.replace("working_days:", "human_requests: true\n  working_days:"));
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = gh.requests[0]![0]!;
    // GitHub's updated_at has whole seconds: both events carry the same one.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000).toISOString().replace(".000Z", "Z");
    const ev = (action: string) => sameSecondEvent(action, first, second);
    gh.requested.delete(first);
    await running.post("pull_request", ev("review_request_removed"));
    await running.idle();
    gh.requested.add(first);
    await running.post("pull_request", ev("review_requested"));
    await running.idle();
    const pending = await rows(running, "SELECT reviewer, requested_by FROM review_requests WHERE removed_at IS NULL AND reviewed_at IS NULL");
    const load = await running.server.deps.history.openRequestLoad(1);
    expect(pending).toEqual([{ reviewer: first, requested_by: "erin" }]);
    expect(load.get(first)).toBe(1);
  }, 120_000);

  it("keeps the app's request when the two events come the other way round: GitHub still shows it, so it stays pending, counted and escalated", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const gh = statefulGitHub(CONFIG);
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = gh.requests[0]![0]!;
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000).toISOString().replace(".000Z", "Z");
    const ev = (action: string) => sameSecondEvent(action, first, second);
    // On GitHub: removed, then requested again, in one second. Delivered: the request first.
    await running.post("pull_request", ev("review_requested"));
    await running.idle();
    await running.post("pull_request", ev("review_request_removed"));
    await running.idle();
    expect(await rows(running, "SELECT reviewer, by_app FROM review_requests WHERE removed_at IS NULL AND reviewed_at IS NULL")).toEqual([{ reviewer: first, by_app: true }]);
    expect((await running.server.deps.history.openRequestLoad(1)).get(first)).toBe(1);
    offset = WEEK_AHEAD;
    await dueNow(running);
    await running.idle(60_000);
    expect(gh.posts.filter((b) => b.includes(`@${first}, a reminder`))).toHaveLength(1);
  }, 120_000);
});

function event(action: string, requested: string[], updatedAt: string, patch: Json = {}): Json {
  const e = prPayload({ files: FILES, requested, action: action as never, draft: action === "converted_to_draft" }) as Json;
  e.action = action;
  Object.assign(e.pull_request, { updated_at: updatedAt, ...patch });
  return e;
}

/**
 * Opens the PR, delivers the state events `events` makes for its reviewer (each stamped with
 * the same next whole second), and lets a week pass with every due step run.
 */
async function afterEventsOfOneSecond(events: (reviewer: string, second: string) => Json[]) {
  let offset = 0;
  running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
  const gh = statefulGitHub(CONFIG);
  await running.post("pull_request", prPayload({ files: FILES }));
  await running.idle();
  const first = gh.requests[0]![0]!;
  const second = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000).toISOString().replace(".000Z", "Z");
  for (const e of events(first, second)) {
    await running.post("pull_request", e);
    await running.idle();
  }
  offset = WEEK_AHEAD;
  await dueNow(running);
  await running.idle(60_000);
  // Both steps are overdue by then, and either may run first; one of them acts.
  expect(await rows(running, "SELECT count(*)::int AS n FROM escalations WHERE done_at IS NOT NULL")).not.toEqual([{ n: 0 }]);
  expect(gh.posts.filter((b) => b.includes(`@${first}, a reminder`)).length).toBeLessThanOrEqual(1);
}

describe("escalation and history: a PR's state events delivered out of order (same second, or late)", () => {
  it("draft then ready within one second, the draft event arriving last: the request on a ready PR is still escalated", async () => {
    // The author toggles draft and back within one second; GitHub's deliveries of the two
    // events come in the other order (GitHub does not promise an order). On GitHub the PR is ready.
    await afterEventsOfOneSecond((first, second) => [event("ready_for_review", [first], second), event("converted_to_draft", [first], second)]);
  }, 120_000);

  it("a late closed event (delivered after the reopen) does not cancel the escalations of the open PR", async () => {
    // Closed and reopened at once; the reopen is delivered first.
    await afterEventsOfOneSecond((first, second) => [event("reopened", [first], second), event("closed", [first], second, { state: "closed", closed_at: second })]);
  }, 120_000);
});

describe("escalation and history: the author removes the app's pick and requests them again", () => {
  it("keeps it the app's request: it is still escalated (without human_requests)", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const gh = statefulGitHub(CONFIG);
    await running.post("pull_request", prPayload({ files: FILES }));
    await running.idle();
    const first = gh.requests[0]![0]!;
    const ev = (action: string, requested: string[]): Json => {
      const e = prPayload({ files: FILES, requested }) as Json;
      e.action = action;
      e.pull_request.updated_at = new Date(Date.now() + 2000).toISOString();
      e.requested_reviewer = { login: first, id: 77, type: "User" };
      // The PR's author (prPayload's default).
      e.sender = { login: "erin", id: 5, type: "User" };
      return e;
    };
    gh.requested.delete(first);
    await running.post("pull_request", ev("review_request_removed", []));
    await running.idle();
    gh.requested.add(first);
    await running.post("pull_request", ev("review_requested", [first]));
    await running.idle();
    expect(await rows(running, "SELECT by_app FROM review_requests WHERE removed_at IS NULL")).toEqual([{ by_app: true }]);
    offset = WEEK_AHEAD;
    await dueNow(running);
    await running.idle(60_000);
    expect(gh.posts.filter((b) => b.includes(`@${first}, a reminder`))).toHaveLength(1);
  }, 120_000);
});
