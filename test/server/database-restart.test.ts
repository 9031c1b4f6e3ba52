import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { BENCH_CONFIG, OWNER, REPO, deliveryId, postWebhook, pullRequestPayload, seedPulls, startApp, waitFor, type AppProcess } from "../helpers/app-process.js";
import { POSTGRES_URL, postgresAvailable } from "../helpers/engines.js";
import { startGitHubStub, type GitHubStub } from "../helpers/github-stub.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

const hasPostgres = await postgresAvailable();
if (!hasPostgres) console.warn(`database restart: PostgreSQL is not reachable at ${POSTGRES_URL}; skipped (set TEST_DATABASE_URL to run it)`);

/**
 * PostgreSQL restarting under a running app (SPEC §10): every connection is dropped and new
 * ones are refused for a few seconds, in the middle of a burst. The app runs as `npm start`
 * runs it, against a GitHub stub, through a TCP proxy that plays the restart. Whatever was
 * answered 202 must still be finished once the database is back, each PR once, and no PR may
 * be left locked by a job whose bookkeeping failed while the database was away.
 */
describe.skipIf(!hasPostgres)("PostgreSQL restarting mid-burst", () => {
  let stub: GitHubStub | undefined;
  let proxy: TcpProxy | undefined;
  let app: AppProcess | undefined;
  let admin: pg.Client | undefined;
  let name: string | undefined;

  afterEach(async () => {
    await app?.kill("SIGKILL");
    await proxy?.close();
    await stub?.close();
    if (admin && name) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  it("finishes every accepted delivery once the database is back, leaves no PR locked, and writes nothing twice", async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    name = `rt_restart_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const target = new URL(POSTGRES_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const databaseUrl = Object.assign(new URL(POSTGRES_URL), { port: String(proxy.port), pathname: `/${name}` }).toString();
    const direct = Object.assign(new URL(POSTGRES_URL), { pathname: `/${name}` }).toString();

    stub = await startGitHubStub({ owner: OWNER, repo: REPO, config: BENCH_CONFIG, latencyMs: 150 });
    seedPulls(stub, 4);
    app = await startApp(stub, { databaseUrl });
    const run = `restart-${Date.now()}`;
    const acks = await Promise.all([1, 2, 3, 4].map((n) => postWebhook(app!.url, "pull_request", deliveryId(run, n), pullRequestPayload(stub!, n))));
    expect(acks.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    // The restart, as the first PR's last write is answered: its job's database writes that
    // follow (the PR's state, the history, the delivery's and the job's outcome, the PR's
    // lock) fail, as do those of the PRs whose writes come next.
    expect(await waitFor(() => [1, 2, 3, 4].some((n) => stub!.complete(n)), 60_000)).toBe(true);
    proxy.cut();
    await new Promise((r) => setTimeout(r, 4000));
    proxy.restore();

    expect(await waitFor(() => [1, 2, 3, 4].every((n) => stub!.complete(n)), 90_000)).toBe(true);
    const db = new pg.Client({ connectionString: direct });
    await db.connect();
    try {
      const settled = async () => {
        const { rows } = await db.query("SELECT count(*) FILTER (WHERE state <> 'done')::int AS open, (SELECT count(*)::int FROM pr_locks) AS locks FROM deliveries");
        return rows[0] as { open: number; locks: number };
      };
      expect(await waitFor(async () => (await settled()).open === 0, 60_000)).toBe(true);
      // The next event of each PR is processed: no lock was left behind.
      const next = await Promise.all([1, 2, 3, 4].map((n) => postWebhook(app!.url, "pull_request", deliveryId(run, n, "again"), pullRequestPayload(stub!, n, "synchronize"))));
      expect(next.map((a) => a.status)).toEqual([202, 202, 202, 202]);
      expect(await waitFor(async () => (await settled()).open === 0, 60_000)).toBe(true);
      expect(await settled()).toEqual({ open: 0, locks: 0 });
    } finally {
      await db.end();
    }
    for (const n of [1, 2, 3, 4]) {
      expect(stub.comments.filter((c) => c.issue === n)).toHaveLength(1);
      expect(stub.checkRuns.filter((r) => r.headSha === stub!.pulls.get(n)!.headSha)).toHaveLength(1);
    }
    expect(stub.stats.duplicateRequests).toBe(0);
    // Taken over by the process itself, which never stopped.
    expect(app.logs.some((l) => l.includes("took over the work") && /"released":[1-9]/.test(l))).toBe(true);
    await app.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
    app = undefined;
  }, 240_000);
});
