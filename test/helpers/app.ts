import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pino } from "pino";
import { Writable } from "node:stream";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/index.js";
import { createAppDeps, type AppDeps } from "../../src/handlers/app-deps.js";
import type { TriagePipelineExtras as TriageExtras } from "../../src/handlers/triage.js";
import { resetDatabase, testDatabase } from "./database.js";

export { API, mockToken } from "./github.js";

let privateKey: string | undefined;
export function testKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

/**
 * Octokit without retries or throttling. Probot passes its own throttle options to every
 * instance, which replace an object given to `defaults`, so the switch-off is applied last.
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

export interface TestApp {
  probot: Probot;
  deps: AppDeps;
  logs: Array<Record<string, unknown>>;
  /** HTTP routes the app added beside the webhook endpoint. */
  routes: HttpHandler[];
}

type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;

/**
 * A Probot instance with the app loaded, no retries or throttling, logs captured, state in
 * this test file's embedded database (emptied first).
 */
export async function buildApp(options: { deps?: AppDeps; extras?: TriageExtras } = {}): Promise<TestApp> {
  const database = await testDatabase();
  await resetDatabase(database);
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const deps = options.deps ?? { ...createAppDeps({ database, appId: 123 }), botLogin: "review-triage[bot]" };
  const probot = new Probot({
    appId: 123,
    privateKey: testKey(),
    secret: "test-secret",
    log: pino({ level: "debug" }, stream),
    Octokit: TestOctokit,
  });
  const routes: HttpHandler[] = [];
  await probot.load(createApp(deps, options.extras ?? {}), { cwd: process.cwd(), addHandler: (h: HttpHandler) => void routes.push(h) });
  return { probot, deps, logs, routes };
}

export function fixture<T = Record<string, unknown>>(event: string, action: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${event}/${action}.json`, import.meta.url), "utf8")) as T;
}

let deliveryCounter = 0;
export function deliveryId(): string {
  deliveryCounter++;
  return `00000000-0000-4000-8000-${String(deliveryCounter).padStart(12, "0")}`;
}
