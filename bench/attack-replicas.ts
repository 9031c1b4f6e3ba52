/**
 * Attack: two replicas on PostgreSQL + Redis take a burst round-robin; one is killed -9 mid-burst
 * (no restart). The survivor must finish every PR within ~1 minute (dead-instance takeover) plus
 * throttle time, with no duplicate.   ATTACK_PRS=16 npx tsx bench/attack-replicas.ts
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { startGitHubStub } from "../test/helpers/github-stub.js";
import { BENCH_CONFIG, OWNER, REPO, deliveryId, postWebhook, pullRequestPayload, seedPulls, startApp, waitFor, type AppProcess } from "./support/app-process.js";

const PRS = Number(process.env.ATTACK_PRS ?? 16);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const name = `rt_attack_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
const stub = await startGitHubStub({ owner: OWNER, repo: REPO, config: BENCH_CONFIG, latencyMs: 30 });
seedPulls(stub, PRS);
const run = `attack-rep-${Date.now()}`;
const numbers = Array.from({ length: PRS }, (_, i) => i + 1);
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);
const state = () => `complete ${numbers.filter((n) => stub.complete(n)).length}/${PRS}, writes ${stub.stats.writes}, dupReq ${stub.stats.duplicateRequests}`;
const apps: AppProcess[] = [];
let exitCode = 0;
try {
  apps.push(...(await Promise.all([0, 1].map(() => startApp(stub, { databaseUrl, env: { REDIS_URL } })))));
  const acks = await Promise.all(numbers.map((n) => postWebhook(apps[n % 2]!.url, "pull_request", deliveryId(run, n), pullRequestPayload(stub, n))));
  log(`acks ${[...new Set(acks.map((a) => a.status))].join("/")}; ${state()}`);
  await waitFor(() => stub.stats.reviewerRequestTimes.length >= 3, 60_000);
  await apps[0]!.kill("SIGKILL");
  const killedAt = Date.now();
  log(`SIGKILL replica 1: ${state()}`);
  const done = await waitFor(() => numbers.every((n) => stub.complete(n)), 240_000);
  log(`survivor: ${done ? "ALL complete" : "NOT all complete"} ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; ${state()}`);
  await new Promise((r) => setTimeout(r, 3000));
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query("SELECT state, count(*)::int AS n, sum(attempts)::int AS attempts FROM deliveries GROUP BY state");
  await db.end();
  const comments = numbers.map((n) => stub.comments.filter((c) => c.issue === n).length);
  const runs = numbers.map((n) => stub.checkRuns.filter((r) => r.headSha === stub.pulls.get(n)!.headSha).length);
  log(`deliveries ${JSON.stringify(rows)}; comments/PR max ${Math.max(...comments)}; runs/head max ${Math.max(...runs)}; dupReq ${stub.stats.duplicateRequests}; incomplete ${numbers.filter((n) => !stub.complete(n)).join(",") || "none"}`);
  const errs = apps[1]!.logs.filter((l) => /"level":(50|60)/.test(l));
  log(`survivor errors: ${errs.length}${errs.length ? "\n  " + errs.slice(0, 3).join("\n  ").slice(0, 1500) : ""}`);
  await apps[1]!.kill("SIGTERM");
  const exit = await apps[1]!.exited;
  log(`survivor SIGTERM exit ${exit.code ?? exit.signal}`);
  writeFileSync("/tmp/attack-replicas.log", [...apps[0]!.logs, "---- survivor ----", ...apps[1]!.logs].join("\n"));
  if (!done || stub.stats.duplicateRequests) exitCode = 1;
} catch (error) {
  console.error(`attack-replicas failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await Promise.all(apps.map((a) => a.kill("SIGKILL")));
  await stub.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
process.exit(exitCode);
