import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/app.js";
import { API, REPO_PATH, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload } from "../helpers/scenario.js";
import { newDeliveryId, sign, startTestServer, type TestServer } from "../helpers/server.js";
import { DeliveryStore } from "../../src/storage/delivery-store.js";

/**
 * The real path, as `npm start` runs it: signed webhooks over HTTP into the intake, stored,
 * answered, then processed by a job on the queue, with GitHub mocked by nock.
 */

const MEDIUM_FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function errors(t: TestServer) {
  return t.logs.filter((l) => (l.level as number) >= 50);
}

/** The writes of a medium PR opened: one request, one check, one comment, one label. */
function mockOpened(scope: nock.Scope, counts: Record<string, number> = {}) {
  const count = (what: string) => () => ((counts[what] = (counts[what] ?? 0) + 1), true);
  mockToken(scope);
  mockConfig(scope);
  mockFiles(scope, MEDIUM_FILES);
  mockOpenPulls(scope, { bob: 2, dave: 1 });
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, count("requests")).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, count("checks")).reply(201, { id: 77 });
  scope.post(`${REPO_PATH}/issues/2/comments`, count("comments")).reply(201, { id: 555 });
  scope.post(`${REPO_PATH}/issues/2/labels`, count("labels")).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
}

async function deliveryStates(t: TestServer): Promise<string[]> {
  return (await t.database.executeSql("SELECT state FROM deliveries ORDER BY received_at")).rows.map((r) => String(r.state));
}

async function deliveryState(t: TestServer, id: string) {
  return new DeliveryStore(t.database.db).get(id);
}

describe("webhook intake", () => {
  it("answers /healthz (liveness) and /readyz (database and queue)", async () => {
    running = await startTestServer();
    const health = await fetch(`${running.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", version: expect.any(String), inFlight: 0, pendingWrites: 0 });
    const ready = await fetch(`${running.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { database: "ok", queue: "running" } });
  });

  it("stores a signed delivery and answers 202 before any GitHub call, then a job triages the PR", async () => {
    running = await startTestServer();
    const scope = nock(API);
    const order: string[] = [];
    scope.on("request", () => order.push("github"));
    mockOpened(scope);
    const id = newDeliveryId();
    const res = await running.post("pull_request", prPayload({ files: MEDIUM_FILES }), { id });
    order.push("answered");
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "queued" });
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    // The answer did not wait for the work: GitHub was first called after it.
    expect(order[0]).toBe("answered");
    expect(await deliveryState(running, id)).toMatchObject({ state: "done", attempts: 1 });
    expect(errors(running)).toEqual([]);
  });

  it("treats a redelivery of a stored delivery as a no-op, also after a restart", async () => {
    running = await startTestServer();
    mockOpened(nock(API));
    const id = newDeliveryId();
    const payload = prPayload({ files: MEDIUM_FILES });
    expect((await running.post("pull_request", payload, { id })).status).toBe(202);
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    // No mocks now: any GitHub call would fail the delivery.
    const again = await running.post("pull_request", payload, { id });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate" });

    await running.stop();
    running = await startTestServer({ keepData: true });
    const afterRestart = await running.post("pull_request", payload, { id });
    expect(await afterRestart.json()).toEqual({ status: "duplicate" });
    await running.idle();
    expect(errors(running)).toEqual([]);
  });

  it("refuses a wrong signature with 401 and stores nothing", async () => {
    running = await startTestServer();
    const body = JSON.stringify(prPayload({ files: MEDIUM_FILES }));
    const id = newDeliveryId();
    const res = await running.post("pull_request", undefined, { id, body, signature: sign(body, "not-the-secret") });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "signature does not match" });
    expect(await deliveryState(running, id)).toBeUndefined();
    // A body cut short in transit fails the same way.
    const cut = await running.post("pull_request", undefined, { body: body.slice(0, 1000), signature: sign(body) });
    expect(cut.status).toBe(401);
  });

  it("refuses requests without GitHub's headers or with another content type", async () => {
    running = await startTestServer();
    const url = `${running.server.url}/api/github/webhooks`;
    const bare = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toEqual({ error: "missing headers: X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256" });
    const form = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-github-event": "ping", "x-github-delivery": "x", "x-hub-signature-256": sign("payload=%7B%7D") },
      body: "payload=%7B%7D",
    });
    expect(form.status).toBe(415);
    expect((await fetch(url)).status).toBe(405);
  });

  it("refuses a body over 25 MB with 413 before reading it", async () => {
    running = await startTestServer();
    const body = `{"a":"${"x".repeat(25 * 1024 * 1024)}"}`;
    const res = await running.post("pull_request", undefined, { body, signature: sign("{}") });
    expect(res.status).toBe(413);
    expect(running.logs.some((l) => l.msg === "webhook body over 25 MB; refused unread")).toBe(true);
    expect((await fetch(`${running.server.url}/healthz`)).status).toBe(200);
  });

  it("answers truncated JSON with 400, and a malformed payload with one clear line, storing neither", async () => {
    running = await startTestServer();
    const full = JSON.stringify(prPayload({ files: MEDIUM_FILES }));
    const truncated = full.slice(0, Math.floor(full.length / 2));
    const bad = await running.post("pull_request", undefined, { body: truncated });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "body is not valid JSON" });

    const payload = prPayload({ files: MEDIUM_FILES });
    delete payload.pull_request;
    const id = newDeliveryId();
    const res = await running.post("pull_request", payload, { id });
    expect(res.status).toBe(200);
    const line = running.logs.find((l) => l.delivery === id && (l.level as number) >= 40);
    expect(line).toMatchObject({ level: 40, msg: "malformed webhook payload; ignored", missing: "pull_request.number", repo: "Codertocat/Hello-World" });
    expect(JSON.stringify(line)).not.toContain('"sender"');
    expect(await deliveryState(running, id)).toBeUndefined();
  });

  it("answers chatter (an ordinary comment) with 200 and stores nothing, with no GitHub call", async () => {
    running = await startTestServer();
    const payload = structuredClone(fixture<Record<string, any>>("issue_comment", "created")); // eslint-disable-line @typescript-eslint/no-explicit-any
    payload.issue.pull_request = { url: "x" };
    payload.issue.state = "open";
    payload.comment.body = "LGTM, thanks!";
    const id = newDeliveryId();
    const res = await running.post("issue_comment", payload, { id });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ignored", reason: "not a /triage command" });
    expect(await deliveryState(running, id)).toBeUndefined();
  });
});

describe("jobs", () => {
  it("retries a delivery that met a GitHub 5xx, and ends with one comment, one check and one label", async () => {
    running = await startTestServer();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 77 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(502, { message: "Bad Gateway" });
    // The retry reads the PR as it is now and finds what the first attempt wrote.
    const retry = nock(API);
    const writes: string[] = [];
    retry.on("request", (req: { method: string; path: string }) => req.method !== "GET" && writes.push(`${req.method} ${req.path.split("?")[0]}`));
    retry.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: MEDIUM_FILES, requested: ["carol"] }).pull_request as object);
    mockFiles(retry, MEDIUM_FILES);
    retry.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).reply(200, []);
    retry.post(`${REPO_PATH}/issues/2/labels`, { labels: ["risk: medium"] }).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    const id = newDeliveryId();
    await running.post("pull_request", prPayload({ files: MEDIUM_FILES }), { id });
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    // Only the label, which failed, was written again: no second comment, check or request.
    expect(writes).toEqual([`POST ${REPO_PATH}/issues/2/labels`]);
    expect(await deliveryState(running, id)).toMatchObject({ state: "done", attempts: 2 });
    expect(running.logs.some((l) => l.msg === "delivery failed; it will be retried" && l.delivery === id)).toBe(true);
    // A failure that a retry mended is a warning, not an error: the operator's error alerts
    // fire for what was given up.
    expect(running.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it("keeps a delivery that cannot succeed (a 404) as failed with its error, without retrying", async () => {
    running = await startTestServer();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(404, { message: "Not Found" });
    const id = newDeliveryId();
    await running.post("pull_request", prPayload({ files: MEDIUM_FILES }), { id });
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    const stored = await deliveryState(running, id);
    expect(stored).toMatchObject({ state: "failed", attempts: 1 });
    expect(stored?.lastError).toContain("Not Found");
    expect(running.logs.find((l) => l.msg === "delivery failed and cannot succeed by retrying; kept as failed")).toMatchObject({ delivery: id, level: 50 });
  });

  it("keeps a delivery that fails on every attempt as failed, after the retries", async () => {
    running = await startTestServer({ queue: { retry: { limit: 1, delaySeconds: 0, backoff: false } } });
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(503, { message: "Service Unavailable" });
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, prPayload({ files: MEDIUM_FILES }).pull_request as object);
    scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(503, { message: "Service Unavailable" });
    const id = newDeliveryId();
    await running.post("pull_request", prPayload({ files: MEDIUM_FILES }), { id });
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    expect(await deliveryState(running, id)).toMatchObject({ state: "failed", attempts: 2, lastError: expect.stringContaining("Service Unavailable") });
    expect(running.logs.filter((l) => (l.level as number) >= 50).map((l) => l.msg)).toEqual(["delivery failed on every attempt; kept as failed"]);
  });

  it("processes deliveries of the same PR one at a time, and different PRs side by side", async () => {
    running = await startTestServer();
    const spans: Record<string, { start: number; end: number }> = {};
    const scope = nock(API).persist();
    let t = 0;
    const tick = () => ++t;
    scope.post(/\/app\/installations\/\d+\/access_tokens/).reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
    scope.get(/\/contents\/\.github(%2F|\/)review-triage\.yml/).reply(200, "reviewers:\n  seniors: [bob, carol]\nrouting:\n  respect_busy: false\n", { "content-type": "text/plain" });
    for (const n of [2, 3]) {
      scope
        .get(`${REPO_PATH}/pulls/${n}/files`)
        .query({ per_page: 100 })
        .delay(150)
        .reply(200, function () {
          const key = `${n}:${String(this.req.headers["x-github-delivery"])}`;
          spans[key] = { start: tick(), end: 0 };
          return [{ filename: "docs/a.md", status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+a" }];
        });
      scope.get(`${REPO_PATH}/pulls/${n}/reviews`).query({ per_page: 100 }).reply(200, []);
      scope.get(`${REPO_PATH}/issues/${n}/comments`).query({ per_page: 100 }).reply(200, []);
      scope.get(new RegExp(`${REPO_PATH}/commits/.*/check-runs`)).reply(200, { total_count: 0, check_runs: [] });
      scope.post(`${REPO_PATH}/pulls/${n}/requested_reviewers`).reply(201, {});
      scope.post(`${REPO_PATH}/issues/${n}/comments`).reply(201, function () {
        for (const [k, span] of Object.entries(spans)) if (k.startsWith(`${n}:`) && !span.end) span.end = tick();
        return { id: 1000 + n };
      });
      scope.patch(/\/issues\/comments\/\d+/).reply(200, {});
      scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 500 + n });
      scope.patch(/\/check-runs\/\d+/).reply(200, {});
      scope.post(`${REPO_PATH}/issues/${n}/labels`).reply(200, [{ name: "risk: low", color: "0e8a16" }]);
    }
    scope.get(`${REPO_PATH}/pulls`).query(true).reply(200, []);
    const sends = [
      running.post("pull_request", prPayload({ number: 2, files: [file("docs/a.md", 1)] })),
      running.post("pull_request", prPayload({ number: 2, action: "labeled", label: "docs", files: [file("docs/a.md", 1)] })),
      running.post("pull_request", prPayload({ number: 3, files: [file("docs/a.md", 1)] })),
    ];
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual([202, 202, 202]);
    await running.idle();
    nock.cleanAll();
    const pr2 = Object.entries(spans).filter(([k]) => k.startsWith("2:")).map(([, s]) => s).sort((a, b) => a.start - b.start);
    expect(pr2).toHaveLength(2);
    // The second delivery of PR 2 started only after the first had written its comment.
    expect(pr2[1]!.start).toBeGreaterThan(pr2[0]!.end);
    expect(errors(running)).toEqual([]);
  });
});

describe("shutdown", () => {
  it("on stop, takes no new jobs, finishes the one in flight within the grace period and answers webhooks meanwhile", async () => {
    running = await startTestServer();
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, async () => {
      await held;
      return {};
    });
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 77 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);
    const id = newDeliveryId();
    await running.post("pull_request", prPayload({ files: MEDIUM_FILES }), { id });
    await expect.poll(() => running!.server.queue.inFlight, { timeout: 10_000 }).toBe(1);
    const stopping = running.server.stop({ graceMs: 20_000 });
    // Still answering while draining: a new delivery is stored for later, not processed here.
    const later = newDeliveryId();
    const res = await running.post("pull_request", prPayload({ number: 3, files: MEDIUM_FILES }), { id: later });
    expect(res.status).toBe(202);
    expect((await fetch(`${running.server.url}/readyz`)).status).toBe(503);
    release();
    await stopping;
    expect(nock.pendingMocks()).toEqual([]);
    expect(await deliveryState(running, id)).toMatchObject({ state: "done" });
    expect(await deliveryState(running, later)).toMatchObject({ state: "queued", attempts: 0 });
    running = undefined;
  });
});

describe("start-up", () => {
  it("refuses to start in production without WEBHOOK_SECRET, with a clear message and a non-zero exit", async () => {
    const { spawn } = await import("node:child_process");
    const { testKey } = await import("../helpers/app.js");
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      env: { PATH: process.env.PATH, NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: testKey(), DATA_DIR: "memory://", LOG_FORMAT: "json" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.stderr.on("data", (d) => (out += String(d)));
    const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
    expect(code).toBe(78);
    expect(out).toContain("cannot start: WEBHOOK_SECRET is not set");
  });
});

describe("metrics", () => {
  it("serves Prometheus metrics behind METRICS_TOKEN, counting deliveries, GitHub requests, triages and the queue", async () => {
    running = await startTestServer({ env: { METRICS_TOKEN: "s3cret" } });
    mockOpened(nock(API));
    await running.post("pull_request", prPayload({ files: MEDIUM_FILES }));
    await running.idle();
    expect(nock.pendingMocks()).toEqual([]);
    const url = `${running.server.url}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const res = await fetch(url, { headers: { authorization: "Bearer s3cret" } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/review_triage_deliveries_received_total\{event="pull_request",intake="queued"\} [1-9]/);
    expect(body).toMatch(/review_triage_deliveries_processed_total\{event="pull_request",outcome="done"\} [1-9]/);
    expect(body).toMatch(/review_triage_github_requests_total\{method="POST",status="201"\} [1-9]/);
    expect(body).toMatch(/review_triage_prs_triaged_total\{level="medium"\} [1-9]/);
    expect(body).toMatch(/review_triage_queue_depth\{queue="delivery"\} 0/);
    expect(body).toMatch(/review_triage_job_duration_seconds_count\{queue="delivery"\} [1-9]/);

    // The same PR triaged again at the same level (a push): not one more PR.
    const triaged = async () => Number(/review_triage_prs_triaged_total\{level="medium"\} (\d+)/.exec(await (await fetch(url, { headers: { authorization: "Bearer s3cret" } })).text())?.[1]);
    const before = await triaged();
    const again = nock(API);
    mockConfig(again);
    mockFiles(again, MEDIUM_FILES);
    again.get(`${REPO_PATH}/pulls/2/reviews`).query({ per_page: 100 }).optionally().reply(200, []);
    again.patch(`${REPO_PATH}/check-runs/77`).optionally().reply(200, { id: 77 });
    again.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
    await running.post("pull_request", prPayload({ action: "synchronize", files: MEDIUM_FILES, requested: ["dave"], labels: ["risk: medium"] }));
    await running.idle();
    nock.cleanAll();
    expect(await deliveryStates(running)).toEqual(["done", "done"]);
    expect(await triaged()).toBe(before);
  });
});
