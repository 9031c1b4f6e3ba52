import { afterEach, describe, expect, it } from "vitest";
import { API, CONFIG_URL, RAW } from "../helpers/github.js";
import { file, mockFiles, mockToken, nock, prPayload, REPO_PATH } from "../helpers/scenario.js";

const URGENT_HEAD = "5f0c2b6e8d9a4c1b3e7f60a2d4c8b1e9f3a5d7c2";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * Urgent PRs through the real path (intake → queue → jobs → write queue): their reviewers
 * are requested before the other PRs' of a burst, and their stale requests are escalated
 * sooner, by the clock the escalations read.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];
const CONFIG = `
reviewers:
  seniors: [bob, carol, dave]
routing:
  low: [{ from: seniors, count: 1 }]
  medium: [{ from: seniors, count: 1 }]
  high: [{ from: seniors, count: 1 }]
  critical: [{ from: seniors, count: 1 }]
  respect_busy: false
  max_load: 0
urgency:
  urgent:
    labels: [urgent]
escalation:
  enabled: true
  nudge_after: 24h
  reassign_after: 48h
  working_days: [mon, tue, wed, thu, fri, sat, sun]
`;
const HOUR = 3600 * 1000;

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function errors(t: TestServer) {
  return t.logs.filter((l) => (l.level as number) >= 50);
}

async function rows(t: TestServer, sql: string) {
  return (await t.database.executeSql(sql)).rows;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The queue waits by the database's clock: make the scheduled escalations due now, as the moved clock says they are. */
async function dueNow(t: TestServer) {
  await t.database.executeSql("UPDATE pgboss.job SET start_after = now() WHERE name = 'escalation' AND state < 'active'");
  t.server.queue.notify();
}

/** The first `opened` of PR `n`: its reads and writes, and who it requested. */
function mockOpened(scope: nock.Scope, n: number) {
  mockFiles(scope, FILES, n);
  const out = { requested: [] as string[] };
  scope.post(`${REPO_PATH}/pulls/${n}/requested_reviewers`, (b) => ((out.requested = b.reviewers), true)).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 40 + n });
  scope.post(`${REPO_PATH}/issues/${n}/comments`).reply(201, { id: 500 + n });
  scope.post(`${REPO_PATH}/issues/${n}/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
  return out;
}

function mockFirstReads(scope: nock.Scope) {
  mockToken(scope);
  scope.get((uri) => CONFIG_URL.test(uri)).reply(200, CONFIG, RAW);
  scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: 100 }).reply(200, []);
}

describe("urgent PRs in the write queue", () => {
  it("requests an urgent PR's reviewers before those of normal PRs queued ahead of it", async () => {
    running = await startTestServer();
    const t = running;
    const scope = nock(API);
    mockFirstReads(scope);
    const order: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (const n of [2, 3, 4, 5]) {
      mockFiles(scope, FILES, n);
      const request = scope.post(`${REPO_PATH}/pulls/${n}/requested_reviewers`, () => (order.push(n), true));
      // The first request holds the installation's write lane until the burst is queued behind it.
      if (n === 2) request.reply((_uri, _body, done) => void gate.then(() => done(null, [201, {}])));
      else request.reply(201, {});
      scope.post(`${REPO_PATH}/issues/${n}/comments`).reply(201, { id: 500 + n });
      scope.post(`${REPO_PATH}/issues/${n}/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    }
    scope.post(`${REPO_PATH}/check-runs`).times(4).reply(201, { id: 40 });
    const pending = () => t.server.deps.writes.pending;

    await t.post("pull_request", prPayload({ number: 2, files: FILES }));
    await until(() => order.length === 1, "PR 2's request");
    // Two normal PRs, then an urgent one, each waiting behind PR 2's request.
    await t.post("pull_request", prPayload({ number: 3, files: FILES }));
    await t.post("pull_request", prPayload({ number: 4, files: FILES }));
    await until(() => pending() === 3, "PRs 3 and 4 queued");
    await t.post("pull_request", prPayload({ number: 5, files: FILES, labels: ["urgent"] }));
    await until(() => pending() === 4, "PR 5 queued");
    release();
    await t.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(order).toEqual([2, 5, 3, 4]);
    expect(errors(t)).toEqual([]);
  });
});

describe("urgent PRs in stale-review escalation", () => {
  it("nudges an urgent PR after a quarter of nudge_after and reassigns it after a quarter of reassign_after, working time, while a normal PR waits", async () => {
    let offset = 0;
    running = await startTestServer({ clock: () => new Date(Date.now() + offset) });
    const t = running;
    const first = nock(API);
    mockFirstReads(first);
    const normal = mockOpened(first, 2);
    const urgent = mockOpened(first, 3);
    await t.post("pull_request", prPayload({ number: 2, files: FILES }));
    await t.idle();
    // A head of its own: two PRs on one commit share its check (and wait for each other).
    await t.post("pull_request", prPayload({ number: 3, files: FILES, labels: ["urgent"], headSha: URGENT_HEAD }));
    await t.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(normal.requested).toHaveLength(1);
    expect(urgent.requested).toHaveLength(1);

    // What the escalation jobs read when they run: each PR as it is now (the urgent one still labelled).
    const reads = nock(API).persist();
    reads.get((uri) => CONFIG_URL.test(uri)).optionally().reply(200, CONFIG, RAW);
    reads.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ number: 2, files: FILES, requested: normal.requested, labels: ["risk: medium"] }).pull_request as Json);
    reads.get(`${REPO_PATH}/pulls/3`).reply(200, prPayload({ number: 3, files: FILES, requested: urgent.requested, labels: ["urgent", "risk: medium"], headSha: URGENT_HEAD }).pull_request as Json);
    mockFiles(reads, FILES, 3);
    reads.get(`${REPO_PATH}/pulls/3/reviews`).query({ per_page: 100 }).reply(200, []);
    reads.get(`${REPO_PATH}/issues/3/comments`).query({ per_page: 100 }).reply(200, []);
    // Nothing is mocked for writes on the normal PR: one would fail the test (test/setup.ts).
    const writes = nock(API);
    let reply = "";
    writes.post(`${REPO_PATH}/issues/3/comments`, (b) => ((reply = b.body), true)).reply(201, { id: 600 });
    let sticky = "";
    writes.patch(`${REPO_PATH}/issues/comments/503`, (b) => ((sticky = b.body), true)).reply(200, { id: 503 });
    writes.patch(`${REPO_PATH}/check-runs/43`).optionally().reply(200, { id: 43 });

    // 7 hours on: past the urgent nudge (6 h), before its reassignment (12 h) and the normal nudge (24 h).
    offset = 7 * HOUR;
    await dueNow(t);
    await t.idle(60_000);
    expect(reply).toContain(`@${urgent.requested[0]}, a reminder: your review of this urgent pull request was requested 6 h of working time ago`);
    expect(sticky).toContain("**🚨 Urgent**: label `urgent`.");
    expect(sticky).toContain(`Nudged @\u200b${urgent.requested[0]}: no review after 6 h of working time.`);
    expect(await rows(t, "SELECT e.kind, r.number FROM escalations e JOIN review_requests r ON r.id = e.request_id ORDER BY e.kind")).toEqual([{ kind: "nudge", number: 3 }]);
    expect(writes.pendingMocks().filter((m) => !m.includes("check-runs"))).toEqual([]);

    // 13 hours on: the urgent PR's request goes to the next senior as well; the normal PR still waits.
    let second: string[] = [];
    writes.post(`${REPO_PATH}/pulls/3/requested_reviewers`, (b) => ((second = b.reviewers), true)).reply(201, {});
    writes.patch(`${REPO_PATH}/issues/comments/503`, (b) => ((sticky = b.body), true)).reply(200, { id: 503 });
    writes.patch(`${REPO_PATH}/check-runs/43`).optionally().reply(200, { id: 43 });
    offset = 13 * HOUR;
    await dueNow(t);
    await t.idle(60_000);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(urgent.requested[0]);
    expect(sticky).toContain(`Reassigned: @\u200b${urgent.requested[0]} had not reviewed after 12 h of working time`);
    expect(await rows(t, "SELECT e.kind, r.number FROM escalations e JOIN review_requests r ON r.id = e.request_id ORDER BY e.kind")).toEqual([
      { kind: "nudge", number: 3 },
      { kind: "reassign", number: 3 },
    ]);
    expect(errors(t)).toEqual([]);
  });

  it("brings a request's escalation forward when its PR becomes urgent", async () => {
    running = await startTestServer();
    const t = running;
    const first = nock(API);
    mockFirstReads(first);
    const opened = mockOpened(first, 2);
    await t.post("pull_request", prPayload({ number: 2, files: FILES }));
    await t.idle();
    expect(nock.pendingMocks()).toEqual([]);
    const scheduled = "SELECT data->>'kind' AS kind, round(extract(epoch FROM start_after - created_on) / 3600) AS hours FROM pgboss.job WHERE name = 'escalation' AND (data->>'urgent')::boolean IS TRUE ORDER BY 1";
    expect(await rows(t, scheduled)).toEqual([]);

    const labeled = nock(API);
    mockFiles(labeled, FILES, 2);
    labeled.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    labeled.patch(`${REPO_PATH}/issues/comments/502`).reply(200, { id: 502 });
    labeled.patch(`${REPO_PATH}/check-runs/42`).reply(200, { id: 42 });
    await t.post("pull_request", prPayload({ action: "labeled", number: 2, files: FILES, label: "urgent", labels: ["urgent", "risk: medium"], requested: opened.requested }));
    await t.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(await rows(t, scheduled)).toEqual([
      { kind: "nudge", hours: "6" },
      { kind: "reassign", hours: "12" },
    ]);
    expect(errors(t)).toEqual([]);
  });
});
