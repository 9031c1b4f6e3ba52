import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import type { AppOctokit } from "../../src/github/app-octokit.js";
import type { TriagePipelineExtras } from "../../src/handlers/triage.js";
import type { JobQueueOptions } from "../../src/queue/job-queue.js";
import { DeliveryStore } from "../../src/storage/delivery-store.js";
import type { Database } from "../../src/storage/open-database.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { TestOctokit, testKey } from "./app.js";
import { resetDatabase, testDatabase } from "./database.js";

export const SECRET = "server-test-secret";
export const WEBHOOK_PATH = "/api/github/webhooks";

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface TestServer {
  server: RunningServer;
  database: Database;
  logs: Array<Record<string, unknown>>;
  /** POST a signed webhook, as GitHub does. */
  post(event: string, payload: unknown, options?: { id?: string; signature?: string; body?: string }): Promise<Response>;
  /** Wait until every stored delivery is done or failed and no job runs (nor any due escalation waits). */
  idle(timeoutMs?: number): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

let counter = 0;
export function newDeliveryId(): string {
  counter++;
  return `22222222-0000-4000-8000-${String(counter).padStart(12, "0")}`;
}

/**
 * The app as `npm start` runs it (webhook intake, job queue, workers, recovery), on this test
 * file's embedded database, listening on a free port, with GitHub mocked by nock.
 */
export async function startTestServer(
  options: { extras?: TriagePipelineExtras; queue?: JobQueueOptions; env?: NodeJS.ProcessEnv; keepData?: boolean; clock?: () => Date; /** null: the app has not learnt its bot account. */ botLogin?: string | null } = {},
): Promise<TestServer> {
  const database = await testDatabase();
  if (!options.keepData) await resetDatabase(database);
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = await startServer({
    env: { APP_ID: "123", PRIVATE_KEY: testKey(), WEBHOOK_SECRET: SECRET, PORT: "0", HOST: "127.0.0.1", WORKER_CONCURRENCY: "10", ...options.env },
    log: pino({ level: "debug" }, stream),
    Octokit: TestOctokit as unknown as typeof AppOctokit,
    database,
    extras: options.extras ?? {},
    queue: { pollMs: 50, retry: { limit: 3, delaySeconds: 1, backoff: false }, ...options.queue },
    ...(options.botLogin === null ? {} : { botLogin: options.botLogin ?? "review-triage[bot]" }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const post = (event: string, payload: unknown, o: { id?: string; signature?: string; body?: string } = {}) => {
    const body = o.body ?? JSON.stringify(payload);
    return fetch(`${server.url}${WEBHOOK_PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": o.id ?? newDeliveryId(),
        "x-hub-signature-256": o.signature ?? sign(body),
      },
      body,
    });
  };
  const deliveries = new DeliveryStore(database.db);
  const idle = async (timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const counts = await deliveries.counts();
      // Escalations put back for a moment (their PR was busy) count as still to run.
      const escalations = await server.queue.depth("escalation", 10);
      const busy = (counts.queued ?? 0) + (counts.processing ?? 0) + escalations.due + escalations.active;
      if (busy === 0 && server.queue.inFlight === 0) return;
      if (Date.now() > until) throw new Error(`deliveries still busy after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { server, database, logs, post, idle, stop: (graceMs = 5000) => server.stop({ graceMs }) };
}
