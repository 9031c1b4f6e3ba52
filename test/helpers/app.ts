import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { Writable } from "node:stream";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/index.js";
import { createAppDeps, type AppDeps } from "../../src/handlers/app-deps.js";
import type { TriageExtras } from "../../src/handlers/triage-extras.js";

export { API, mockToken } from "./github.js";

let privateKey: string | undefined;
function testKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

export interface TestApp {
  probot: Probot;
  deps: AppDeps;
  logs: Array<Record<string, unknown>>;
}

/** A Probot instance with the app loaded, no retries or throttling, logs captured. */
export function buildApp(options: { deps?: AppDeps; extras?: TriageExtras } = {}): TestApp {
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const deps = options.deps ?? createAppDeps({ appId: 123 });
  const probot = new Probot({
    appId: 123,
    privateKey: testKey(),
    secret: "test-secret",
    log: pino({ level: "debug" }, stream),
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  void probot.load(createApp(deps, options.extras ?? {}));
  return { probot, deps, logs };
}

export function fixture<T = Record<string, unknown>>(event: string, action: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${event}/${action}.json`, import.meta.url), "utf8")) as T;
}

let deliveryCounter = 0;
export function deliveryId(): string {
  deliveryCounter++;
  return `00000000-0000-4000-8000-${String(deliveryCounter).padStart(12, "0")}`;
}
