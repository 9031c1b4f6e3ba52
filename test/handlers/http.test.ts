import { createHmac, generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAppDeps, type AppDeps } from "../../src/handlers/app-deps.js";
import { createApp } from "../../src/index.js";
import { TestOctokit } from "../helpers/app.js";
import { API, REPO_PATH, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload } from "../helpers/scenario.js";

/**
 * The real HTTP path: Probot's `Server` with the app loaded, as `npm start` runs it, called
 * with fetch(). Webhooks go through signature verification and JSON parsing before any
 * handler; GitHub is mocked with nock as in the handler tests.
 */

const SECRET = "http-test-secret";
const WEBHOOK_PATH = "/api/github/webhooks";
const MEDIUM_FILES = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

let deliveryCount = 0;
function newDeliveryId(): string {
  deliveryCount++;
  return `11111111-0000-4000-8000-${String(deliveryCount).padStart(12, "0")}`;
}

interface Running {
  server: Server;
  base: string;
  deps: AppDeps;
  logs: Array<Record<string, unknown>>;
  /** Requests nock had no mock for: with net connect off, any GitHub call the test did not expect. */
  unmatched: string[];
}

let running: Running;
let onNoMatch: ((req: { method?: string; path?: string; href?: string }) => void) | undefined;

beforeEach(async () => {
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const deps = createAppDeps({ appId: 123 });
  const server = new Server({
    Probot: Probot.defaults({ appId: 123, privateKey, secret: SECRET, Octokit: TestOctokit }),
    log: pino({ level: "debug" }, stream),
    // Server turns a numeric 0 into its default 3000 (`options.port || 3000`); the string
    // "0" survives that and still asks the OS for a free port.
    port: "0" as unknown as number,
    host: "127.0.0.1",
  });
  await server.load(createApp(deps, {}));
  await server.start();
  const unmatched: string[] = [];
  // Calls to this local server pass through nock too (allowed in test/setup.ts) and also
  // count as "no match"; only GitHub calls matter here.
  onNoMatch = (req) => {
    const where = req.href ?? req.path ?? "";
    if (!where.startsWith("http://127.0.0.1")) unmatched.push(`${req.method ?? "?"} ${where}`);
  };
  nock.emitter.on("no match", onNoMatch);
  running = { server, base: `http://127.0.0.1:${server.port}`, deps, logs, unmatched };
});

afterEach(async () => {
  if (onNoMatch) nock.emitter.removeListener("no match", onNoMatch);
  await running.server.stop();
});

function postWebhook(event: string, body: string, options: { id?: string; signature?: string } = {}): Promise<Response> {
  return fetch(`${running.base}${WEBHOOK_PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": options.id ?? newDeliveryId(),
      "x-hub-signature-256": options.signature ?? sign(body),
    },
    body,
  });
}

/** The webhook answer can come before the last write (Probot answers 202 after 9 s); wait, bounded. */
async function waitForMocks(timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (nock.pendingMocks().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function errorLogs(): Array<Record<string, unknown>> {
  return running.logs.filter((l) => (l.level as number) >= 50);
}

async function expectHealthy(): Promise<void> {
  const res = await fetch(`${running.base}/healthz`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(await res.json()).toMatchObject({ status: "ok" });
}

describe("HTTP server", () => {
  it("answers /healthz with 200 and a JSON status", async () => {
    await expectHealthy();
    const body = (await (await fetch(`${running.base}/healthz`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", version: expect.any(String), inFlight: 0, pendingWrites: 0 });
  });

  it("triages a correctly signed pull_request.opened delivered over HTTP", async () => {
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope);
    mockFiles(scope, MEDIUM_FILES);
    mockOpenPulls(scope, { bob: 2, dave: 1 });
    let reviewBody: unknown;
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((reviewBody = b), true)).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 77 });
    scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: medium", color: "fbca04" }]);

    const id = newDeliveryId();
    const res = await postWebhook("pull_request", JSON.stringify(prPayload({ files: MEDIUM_FILES })), { id });

    expect([200, 202]).toContain(res.status);
    await waitForMocks();
    expect(nock.pendingMocks()).toEqual([]);
    expect(reviewBody).toEqual({ reviewers: ["carol"], team_reviewers: [] });
    expect(running.deps.deliveries.has(id)).toBe(true);
    expect(running.unmatched).toEqual([]);
    expect(errorLogs()).toEqual([]);
  });

  it("rejects a delivery with a wrong signature before the app sees it, with no GitHub call", async () => {
    const body = JSON.stringify(prPayload({ files: MEDIUM_FILES }));
    const id = newDeliveryId();

    const res = await postWebhook("pull_request", body, { id, signature: sign(body, "not-the-secret") });

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).toContain("signature does not match");
    // The app records every delivery it handles; this one never reached it.
    expect(running.deps.deliveries.has(id)).toBe(false);
    expect(running.unmatched).toEqual([]);
    expect(running.logs.some((l) => l.msg === "handler failed")).toBe(false);
    await expectHealthy();
  });

  it("answers a truncated JSON body with 400, logs why, and stays up", async () => {
    const full = JSON.stringify(prPayload({ files: MEDIUM_FILES }));
    const truncated = full.slice(0, Math.floor(full.length / 2));
    const id = newDeliveryId();

    // Signed as sent, so it passes verification and fails at parsing.
    const res = await postWebhook("pull_request", truncated, { id });

    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Invalid JSON");
    expect(errorLogs().some((l) => String(l.msg).includes("Invalid JSON"))).toBe(true);
    expect(running.deps.deliveries.has(id)).toBe(false);
    expect(running.unmatched).toEqual([]);
    await expectHealthy();
  });

  it("answers a body cut short in transit (signature of the whole body) with 400 and stays up", async () => {
    const full = JSON.stringify(prPayload({ files: MEDIUM_FILES }));
    const id = newDeliveryId();

    const res = await postWebhook("pull_request", full.slice(0, 1000), { id, signature: sign(full) });

    expect(res.status).toBe(400);
    expect(errorLogs().some((l) => String(l.msg).includes("signature does not match"))).toBe(true);
    expect(running.deps.deliveries.has(id)).toBe(false);
    await expectHealthy();
  });

  it("logs a signed but malformed payload (no pull_request) with its delivery id, makes no call, and stays up", async () => {
    const payload = prPayload({ files: MEDIUM_FILES });
    delete payload.pull_request;
    const id = newDeliveryId();

    const res = await postWebhook("pull_request", JSON.stringify(payload), { id });

    // The app turns it away itself, so Probot answers as for any handled event.
    expect(res.status).toBe(200);
    const line = running.logs.find((l) => l.delivery === id && (l.level as number) >= 40);
    expect(line).toMatchObject({ level: 40, msg: "malformed webhook payload; ignored", missing: "pull_request.number", event: "pull_request", repo: "Codertocat/Hello-World" });
    // The line names the delivery and what is missing; it never carries the payload itself.
    expect(JSON.stringify(line)).not.toContain('"sender"');
    expect(running.logs.some((l) => l.msg === "handler failed")).toBe(false);
    expect(running.unmatched).toEqual([]);
    await expectHealthy();
  });
});
