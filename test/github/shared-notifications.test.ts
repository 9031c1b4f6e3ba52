import { createConnection } from "node:net";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Probot } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { AppOctokit } from "../../src/github/app-octokit.js";
import { testKey } from "../helpers/app.js";
import { API, mockToken } from "../helpers/github.js";
import { nock, REPO_PATH } from "../helpers/scenario.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const redisUp = await new Promise<boolean>((resolve) => {
  const url = new URL(REDIS_URL);
  const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
  socket.setTimeout(1000);
  socket.once("connect", () => (socket.destroy(), resolve(true)));
  socket.once("error", () => resolve(false));
  socket.once("timeout", () => (socket.destroy(), resolve(false)));
});
if (!redisUp) console.warn(`shared notification spacing: Redis is not reachable at ${REDIS_URL}; skipped (set TEST_REDIS_URL to run it)`);

/**
 * With REDIS_URL, Probot's throttle keeps its limiters in Redis so that every instance of the
 * app spaces its writes together; the app's own notification limiter (one second between
 * review requests and comments, instead of the plugin's three) must be shared the same way,
 * or two replicas together would notify twice as fast as GitHub allows. Two Probot instances,
 * as two replicas would have, on the same Redis.
 */
describe.skipIf(!redisUp)("notification spacing shared through Redis (REDIS_URL)", () => {
  const admin = redisUp ? new Redis(REDIS_URL) : undefined;
  const instances: Probot[] = [];
  let before = new Set<string>();
  afterAll(async () => {
    // The limiters' keys this test made (Probot's and the app's), nothing else.
    const made = ((await admin?.keys("b_*")) ?? []).filter((k) => !before.has(k));
    if (made.length) await admin?.del(...made);
    admin?.disconnect();
    nock.cleanAll();
  });

  it("counts both replicas' comments in one limiter kept in Redis, the app's own and not the plugin's", async () => {
    before = new Set(await admin!.keys("b_*"));
    expect([...before].filter((k) => k.includes("notifications-"))).toEqual([]);
    const replica = () => new Probot({ appId: 123, privateKey: testKey(), redisConfig: REDIS_URL, log: pino({ level: "silent" }), Octokit: AppOctokit, baseUrl: API });
    instances.push(replica(), replica());
    const scope = nock(API);
    mockToken(scope);
    mockToken(scope);
    scope.post(`${REPO_PATH}/issues/2/comments`).times(2).reply(201, { id: 1 });
    const octokits = await Promise.all(instances.map((p) => p.auth(1)));
    await Promise.all(octokits.map((o, i) => o.rest.issues.createComment({ owner: "Codertocat", repo: "Hello-World", issue_number: 2, body: `from replica ${i}` })));
    expect(scope.isDone()).toBe(true);
    const settings = await admin!.keys("b_review-triage-notifications-*_settings");
    expect(settings).toHaveLength(1);
    // Both comments went through the one limiter in Redis.
    expect(Number(await admin!.hget(settings[0]!, "done"))).toBe(2);
    expect(await admin!.keys("b_octokit-notifications-*")).toEqual([]);
  }, 30_000);
});
