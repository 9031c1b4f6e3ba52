/**
 * Replicas benchmark (SPEC §10, reliability): two app processes on one PostgreSQL (and Redis,
 * for Probot's shared write throttling) behind a round-robin "load balancer" take a burst of
 * 50 PRs, and GitHub's redelivery of each webhook reaches the other process. The end state
 * must be that of one process: every PR with its reviewers, one sticky comment, one check run
 * and one risk label, each delivery processed once, no review request made twice.
 *
 *   npx tsx bench/replicas.ts       (REPLICAS_PRS=50; needs PostgreSQL at BENCH_DATABASE_URL,
 *                                    default postgres://postgres@127.0.0.1:5432/test, and Redis
 *                                    at BENCH_REDIS_URL, default redis://127.0.0.1:6379; it says
 *                                    so and exits 0 when they are not there)
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startGitHubStub } from "../test/helpers/github-stub.js";
import { BENCH_CONFIG, OWNER, REPO, deliveryId, percentile, postWebhook, pullRequestPayload, seedPulls, startApp, waitFor, type AppProcess } from "../test/helpers/app-process.js";
import { shipped } from "./support/npm-start-runtime.js";

const PRS = Number(process.env.REPLICAS_PRS ?? 50);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const MB = 1024 * 1024;

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch (error) {
    return `PostgreSQL at ${ADMIN_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
  const { Socket } = await import("node:net");
  const { hostname, port } = new URL(REDIS_URL);
  const redis = await new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2000, () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
    socket.connect(Number(port || 6379), hostname, () => (socket.end(), resolve(true)));
  });
  return redis ? undefined : `Redis at ${REDIS_URL} does not answer`;
}

const missing = await reachable();
if (missing) {
  console.log(`replicas: SKIPPED, ${missing}`);
  process.exit(0);
}

// A database of its own, dropped at the end.
const name = `rt_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();

const stub = await startGitHubStub({ owner: OWNER, repo: REPO, config: BENCH_CONFIG, latencyMs: 20 });
seedPulls(stub, PRS);
const run = `replicas-${Date.now()}`;
const apps: AppProcess[] = [];
let exitCode = 0;
try {
  // The second starts while the first runs migrations: both must come up.
  apps.push(...(await Promise.all([0, 1].map(() => startApp(stub, { databaseUrl, nodeFlags: shipped().nodeFlags, env: { ...shipped().env, REDIS_URL } })))));
  const numbers = Array.from({ length: PRS }, (_, i) => i + 1);
  const acks = await Promise.all(numbers.map((n) => postWebhook(apps[n % 2]!.url, "pull_request", deliveryId(run, n), pullRequestPayload(stub, n))));
  // GitHub's redeliveries, each to the other process, while the burst is being worked.
  await new Promise((r) => setTimeout(r, 2000));
  const again = await Promise.all(numbers.map((n) => postWebhook(apps[(n + 1) % 2]!.url, "pull_request", deliveryId(run, n), pullRequestPayload(stub, n))));
  const allAcks = [...acks, ...again].map((a) => a.ms);
  const started = Date.now();
  const allDone = await waitFor(() => numbers.every((n) => stub.complete(n)), 600_000);
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 3000));

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ state: string; n: string; attempts: string }>("SELECT state, count(*) AS n, sum(attempts) AS attempts FROM deliveries GROUP BY state");
  await db.end();
  const triagedBy = apps.map((a) => a.logs.filter((l) => l.includes('"msg":"PR triaged"')).length);
  const comments = numbers.map((n) => stub.comments.filter((c) => c.issue === n).length);
  const runs = numbers.map((n) => stub.checkRuns.filter((r) => r.headSha === stub.pulls.get(n)!.headSha).length);
  const labels = numbers.map((n) => [...stub.pulls.get(n)!.labels].filter((l) => l.startsWith("risk: ")).length);
  const stored = rows.reduce((s, r) => s + Number(r.n), 0);
  const attempts = rows.reduce((s, r) => s + Number(r.attempts), 0);
  const done = Number(rows.find((r) => r.state === "done")?.n ?? 0);

  console.log(`replicas: 2 processes on PostgreSQL + Redis; ${PRS} PRs opened at once, round-robin, then each redelivered to the other process`);
  console.log(`  ack latency over ${allAcks.length} webhooks: p50 ${percentile(allAcks, 50).toFixed(0)} ms, p99 ${percentile(allAcks, 99).toFixed(0)} ms, max ${Math.max(...allAcks).toFixed(0)} ms (target p99 < 1000 ms); first deliveries answered ${[...new Set(acks.map((a) => a.status))].join("/")}, redeliveries ${[...new Set(again.map((a) => a.status))].join("/")}`);
  console.log(`  deliveries stored: ${stored} (${done} done), processing attempts ${attempts}; PRs triaged by each process: ${triagedBy.join(" + ")} = ${triagedBy.reduce((a, b) => a + b, 0)}`);
  console.log(`  ${allDone ? "all" : "NOT all"} ${PRS} PRs complete ${seconds.toFixed(1)} s after the last redelivery; sticky comments per PR max ${Math.max(...comments)}; check runs per head max ${Math.max(...runs)}; risk labels per PR max ${Math.max(...labels)}; duplicate review requests ${stub.stats.duplicateRequests}; secondary-limit answers ${stub.stats.secondaryLimited}`);
  console.log(`  RSS afterwards: ${apps.map((a, i) => `process ${i + 1} ${((a.rss() ?? 0) / MB).toFixed(0)} MB`).join(", ")}`);
  const pass =
    allDone &&
    stored === PRS &&
    done === PRS &&
    attempts === PRS &&
    Math.max(...comments) === 1 &&
    Math.max(...runs) === 1 &&
    Math.max(...labels) === 1 &&
    stub.stats.duplicateRequests === 0 &&
    percentile(allAcks, 99) < 1000;
  console.log(`  ${pass ? "PASS" : "FAIL"}: the two processes behave as one; each delivery processed once; ack p99 under 1 s`);
  const exits = await Promise.all(apps.map(async (a) => (await a.kill("SIGTERM"), a.exited)));
  console.log(`  SIGTERM: exits ${exits.map((e) => e.code ?? e.signal).join(", ")}`);
} catch (error) {
  console.error(`replicas: the run failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await Promise.all(apps.map((a) => a.kill("SIGKILL")));
  await stub.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
process.exit(exitCode);
