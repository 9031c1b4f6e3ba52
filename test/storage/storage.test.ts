import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JobQueue } from "../../src/queue/job-queue.js";
import { DELIVERY_QUEUE } from "../../src/queue/process-delivery.js";
import { recoverWork } from "../../src/queue/recover-work.js";
import { ESCALATION_QUEUE } from "../../src/queue/schedule-escalations.js";
import { DeliveryStore } from "../../src/storage/delivery-store.js";
import { HistoryStore } from "../../src/storage/history-store.js";
import { migrateToLatest, MIGRATIONS } from "../../src/storage/migrations.js";
import { REPORT_FACTS_VERSION } from "../../src/storage/report-facts.js";
import { openDatabase, type Database } from "../../src/storage/open-database.js";
import { PrStateStore } from "../../src/storage/pr-state-store.js";
import { RefusedReviewerStore } from "../../src/storage/refused-reviewer-store.js";
import { DEAD_AFTER_MS, WorkerRegistry } from "../../src/storage/worker-registry.js";
import { EMBEDDED, POSTGRES, POSTGRES_URL, postgresAvailable, type Engine } from "../helpers/engines.js";

/**
 * The storage layer, run on both engines with the same migrations and the same queries:
 * the embedded database (always) and PostgreSQL (when one answers at TEST_DATABASE_URL, by
 * default the local one; otherwise this half is skipped and says so).
 */

const hasPostgres = await postgresAvailable();
if (!hasPostgres) console.warn(`storage suite: PostgreSQL is not reachable at ${POSTGRES_URL}; its half is skipped (set TEST_DATABASE_URL to run it)`);

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function suite(engine: Engine) {
  let database: Database;
  beforeAll(async () => {
    database = await engine.open();
  });
  afterAll(async () => {
    await engine.drop(database);
  });

  it("migrates to the newest schema once, and again is a no-op", async () => {
    const again = await migrateToLatest(database.db as never, database.schema);
    expect(again).toEqual([]);
    const { rows } = await database.executeSql(`SELECT name FROM ${database.schema === "public" ? "" : `${database.schema}.`}kysely_migration ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS).sort());
  });

  it("keeps each pull request's report facts up to date from its history, whatever arrives first", async () => {
    const history = new HistoryStore(database.db);
    const pr = { repoId: 9101, number: 1 };
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
    const triage = (missing: string[], rules: Record<string, number>, minutes: number) =>
      history.recordTriage({ ...pr, headSha: `h${minutes}`, level: "high", scoredLevel: "high", score: 80, likelihood: 0.6, factors: {}, checklistMissing: missing, analysisRules: rules, files: ["a.ts"], approvalsMet: minutes > 5, at: at(minutes) });
    // Its history seen before the pull request itself was recorded (it is recorded last).
    await history.recordRequest({ ...pr, reviewer: "bob", requestedBy: "review-triage[bot]", byApp: true, group: "lead", at: at(1) });
    await history.recordReview({ ...pr, id: 91011, reviewer: "bob", state: "CHANGES_REQUESTED", submittedAt: at(2) });
    await history.recordReview({ ...pr, id: 91012, reviewer: "alice", state: "COMMENTED", submittedAt: at(3) });
    await history.recordReview({ ...pr, id: 91013, reviewer: "renovate[bot]", state: "APPROVED", submittedAt: at(3) });
    await history.recordReview({ ...pr, id: 91014, reviewer: "bob", state: "APPROVED", submittedAt: at(4) });
    await history.recordReview({ ...pr, id: 91015, reviewer: "carol", state: "CHANGES_REQUESTED", submittedAt: at(5) });
    await history.recordRequest({ ...pr, reviewer: "dave", requestedBy: "lead-person", byApp: false, at: at(5) });
    await triage(["Rollback plan"], { "no-eval": 2 }, 5);
    await triage([], { "no-eval": 1, eqeqeq: 3 }, 6);
    await history.upsertPullRequest({ ...pr, repo: "o/facts", author: "alice", title: "t", state: "open", draft: false, openedAt: at(0) });
    const facts = () =>
      database.db
        .selectFrom("pull_requests")
        .select(["rounds", "reviewed", "first_requested_at", "first_review_at", "first_approval_at", "app_groups", "approvals_met", "checklist_missing", "analysis_rules", sql<string>`xmin::text`.as("version")])
        .where("repo_id", "=", "9101")
        .where("number", "=", 1)
        .executeTakeFirstOrThrow();
    const row = await facts();
    expect(row).toMatchObject({
      // bob's changes request came before the first approval by someone else (the bot's counts
      // as an approval, the author's own review as nothing); carol's came after it.
      rounds: 1,
      reviewed: true,
      first_requested_at: at(1),
      first_review_at: at(2),
      // The first approval by a person other than the author.
      first_approval_at: at(4),
      app_groups: ["lead"],
      approvals_met: true,
      checklist_missing: [],
      analysis_rules: { "no-eval": 2, eqeqeq: 3 },
    });
    // Nothing new: the row is not written again.
    await history.recordReview({ ...pr, id: 91014, reviewer: "bob", state: "APPROVED", submittedAt: at(4) });
    expect((await facts()).version).toBe(row.version);
  });

  it("keeps the files of a PR as its latest triage saw them, not every file it ever had", async () => {
    const history = new HistoryStore(database.db);
    const pr = { repoId: 9104, number: 4 };
    const triage = (headSha: string, files: string[]) =>
      history.recordTriage({ ...pr, headSha, level: "low", scoredLevel: "low", score: 10, likelihood: 0.1, factors: {}, checklistMissing: [], analysisRules: {}, files, at: new Date() });
    await triage("h1", ["src/auth.ts", "README.md"]);
    // Force-pushed to the README only.
    await triage("h2", ["README.md"]);
    const paths = async () => (await database.db.selectFrom("pr_files").select("path").where("repo_id", "=", "9104").where("number", "=", 4).execute()).map((r) => r.path);
    expect(await paths()).toEqual(["README.md"]);
  });

  it("takes review-request events in GitHub's order, whatever order they arrive in", async () => {
    const history = new HistoryStore(database.db);
    const pr = { repoId: 9105, number: 5 };
    const t = (minutes: number) => new Date(Date.UTC(2026, 0, 5, 10, minutes));
    const pending = async () =>
      (await database.db.selectFrom("review_requests").select("reviewer").where("repo_id", "=", "9105").where("removed_at", "is", null).where("reviewed_at", "is", null).orderBy("reviewer").execute()).map((r) => r.reviewer);
    // bob: requested at :00, reviewed at :10; the request's event is delivered again at :30.
    await history.recordRequest({ ...pr, reviewer: "bob", requestedBy: "erin", byApp: false, at: t(0) });
    await history.recordReview({ ...pr, id: 71, reviewer: "bob", state: "APPROVED", submittedAt: t(10) });
    expect(await history.recordRequest({ ...pr, reviewer: "bob", requestedBy: "erin", byApp: false, at: t(0) })).toEqual({ id: "", created: false });
    // carol: requested at :00, withdrawn at :05, requested again at :20; the withdrawal arrives last.
    await history.recordRequest({ ...pr, reviewer: "carol", requestedBy: "erin", byApp: false, at: t(0) });
    await history.removeRequest(pr, "carol", "erin", t(5));
    await history.recordRequest({ ...pr, reviewer: "carol", requestedBy: "erin", byApp: false, at: t(20) });
    await history.removeRequest(pr, "carol", "erin", t(5));
    // dave: the withdrawal (:05) arrives before its request (:00).
    await history.removeRequest(pr, "dave", "erin", t(5));
    await history.recordRequest({ ...pr, reviewer: "dave", requestedBy: "erin", byApp: false, at: t(0) });
    expect(await pending()).toEqual(["carol", "dave"]);
    // bob asked again after his review: a new request.
    expect((await history.recordRequest({ ...pr, reviewer: "bob", requestedBy: "erin", byApp: false, at: t(40) })).created).toBe(true);
  });

  it("brings the report facts up to date when a write is replayed after a crash that came before its refresh", async () => {
    const history = new HistoryStore(database.db);
    const pr = { repoId: 9103, number: 3 };
    const key = { repo_id: "9103", number: 3 };
    const at = new Date("2026-02-01T00:00:00Z");
    await history.upsertPullRequest({ ...pr, repo: "o/crash", author: "gina", title: "t", state: "open", draft: false, openedAt: at });
    // What the first attempt left: its rows written, the process killed before the refresh.
    await database.db.insertInto("triage_results").values({ ...key, head_sha: "h", level: "high", scored_level: "high", score: 80, likelihood: 0.6, factors: "{}", checklist_missing: JSON.stringify(["Rollback plan"]), analysis_rules: JSON.stringify({ "no-eval": 2 }), approvals_met: true, at }).execute();
    await database.db.insertInto("review_requests").values({ ...key, reviewer: "hank", requested_by: "review-triage[bot]", by_app: true, group_name: "lead", reason: null, requested_at: at, removed_at: null, removed_by: null, reviewed_at: null, nudged_at: null, reassigned_at: null }).execute();
    // The redelivery writes the same again: nothing new to store, but the facts are refreshed.
    await history.recordTriage({ ...pr, headSha: "h", level: "high", scoredLevel: "high", score: 80, likelihood: 0.6, factors: {}, checklistMissing: ["Rollback plan"], analysisRules: { "no-eval": 2 }, files: [], approvalsMet: true, at });
    await history.recordRequest({ ...pr, reviewer: "hank", requestedBy: "hank-the-lead", byApp: false, at });
    const row = await database.db.selectFrom("pull_requests").selectAll().where("repo_id", "=", "9103").where("number", "=", 3).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ approvals_met: true, checklist_missing: ["Rollback plan"], analysis_rules: { "no-eval": 2 }, first_requested_at: at, app_groups: ["lead"] });
    expect(await database.db.selectFrom("triage_results").select((eb) => eb.fn.countAll<string>().as("n")).where("repo_id", "=", "9103").executeTakeFirstOrThrow()).toEqual({ n: "1" });
  });

  it("recomputes every pull request's report facts once, at the first start after their definitions changed", async () => {
    const db = database.db;
    const key = { repo_id: "9102", number: 7 };
    // History stored by a release whose facts were older (or absent): rows written as they were
    // then, the facts left at their defaults.
    await db.insertInto("pull_requests").values({ ...key, installation_id: null, repo: "o/old", author: "erin", title: "t", state: "merged", draft: false, head_sha: "h", level: "critical", score: 90, opened_at: new Date("2025-06-01T00:00:00Z"), ready_at: null, merged_at: new Date("2025-06-03T00:00:00Z"), closed_at: new Date("2025-06-03T00:00:00Z") } as never).execute();
    await db.insertInto("review_requests").values({ ...key, reviewer: "frank", requested_by: "review-triage[bot]", by_app: true, group_name: "lead", reason: null, requested_at: new Date("2025-06-01T01:00:00Z"), removed_at: null, removed_by: null, reviewed_at: new Date("2025-06-02T00:00:00Z"), nudged_at: null, reassigned_at: null }).execute();
    await db.insertInto("reviews").values({ ...key, id: "91021", reviewer: "frank", state: "APPROVED", commit_id: null, submitted_at: new Date("2025-06-02T00:00:00Z") }).execute();
    await db.insertInto("triage_results").values({ ...key, head_sha: "h", level: "critical", scored_level: "critical", score: 90, likelihood: 0.8, factors: "{}", checklist_missing: JSON.stringify(["Threat model"]), analysis_rules: JSON.stringify({ "no-eval": 1 }), approvals_met: true, at: new Date("2025-06-01T00:30:00Z") }).execute();
    const row = () => db.selectFrom("pull_requests").selectAll().select(sql<string>`xmin::text`.as("version")).where("repo_id", "=", "9102").where("number", "=", 7).executeTakeFirstOrThrow();
    // Current facts: starting again recomputes nothing.
    expect(await migrateToLatest(db as never, database.schema)).toEqual([]);
    expect(await row()).toMatchObject({ reviewed: false, first_requested_at: null, app_groups: [] });
    // Facts of an older version: the next start recomputes them.
    await sql`UPDATE report_facts_state SET version = ${REPORT_FACTS_VERSION - 1}`.execute(db);
    expect(await migrateToLatest(db as never, database.schema)).toEqual([]);
    const filled = await row();
    expect(filled).toMatchObject({
      rounds: 0,
      reviewed: true,
      first_requested_at: new Date("2025-06-01T01:00:00Z"),
      first_review_at: new Date("2025-06-02T00:00:00Z"),
      first_approval_at: new Date("2025-06-02T00:00:00Z"),
      app_groups: ["lead"],
      approvals_met: true,
      checklist_missing: ["Threat model"],
      analysis_rules: { "no-eval": 1 },
    });
    expect((await sql<{ version: number }>`SELECT version FROM report_facts_state`.execute(db)).rows).toEqual([{ version: REPORT_FACTS_VERSION }]);
    // And only once.
    expect(await migrateToLatest(db as never, database.schema)).toEqual([]);
    expect((await row()).version).toBe(filled.version);
  });

  it("finds the other open PRs of a repository on one head commit; closed ones and other heads are not", async () => {
    const history = new HistoryStore(database.db);
    const head = `sha-${engine.name}`;
    const pr = (number: number, headSha: string, state: "open" | "closed" | "merged" = "open", repoId = 9001) =>
      history.upsertPullRequest({ repoId, number, repo: "o/r", author: "erin", title: "t", state, draft: false, headSha, openedAt: "2026-01-01T00:00:00Z" });
    await pr(1, head);
    await pr(2, head);
    await pr(3, head, "closed");
    await pr(4, "other");
    await pr(5, head, "open", 9002);
    await pr(6, head);
    expect(await history.openPullsOnHead({ repoId: 9001, number: 2 }, head)).toEqual([1, 6]);
    // A push to #6 moves its head: it no longer shares the commit.
    await pr(6, "pushed");
    expect(await history.openPullsOnHead({ repoId: 9001, number: 2 }, head)).toEqual([1]);
    await pr(1, head, "merged");
    expect(await history.openPullsOnHead({ repoId: 9001, number: 2 }, head)).toEqual([]);
  });

  it("stores a delivery once: a redelivery is a no-op, one that failed for good is queued again", async () => {
    const store = new DeliveryStore(database.db);
    const d = { id: `d-${engine.name}-1`, event: "pull_request", action: "opened", repo: "o/r", prKey: "1#2", body: '{"a":1}' };
    expect(await store.record(database.db, d)).toBe(true);
    expect(await store.record(database.db, d)).toBe(false);
    const claimed = await store.claim(d.id, "w1", "job-1");
    expect(claimed).toMatchObject({ id: d.id, event: "pull_request", prKey: "1#2", attempts: 1, payload: { a: 1 } });
    await store.finish(d.id, "failed", "boom");
    expect(await store.get(d.id)).toMatchObject({ state: "failed", lastError: "boom" });
    expect(await store.record(database.db, d)).toBe(true);
    expect(await store.get(d.id)).toMatchObject({ state: "queued", attempts: 0 });
    await store.claim(d.id, "w1", "job-2");
    await store.finish(d.id, "done");
    expect(await store.get(d.id)).toMatchObject({ state: "done" });
    // Done: the payload is dropped, the id stays.
    const row = await database.db.selectFrom("deliveries").select("payload").where("id", "=", d.id).executeTakeFirstOrThrow();
    expect(row.payload).toBeNull();
    expect(await store.claim(d.id, "w1", "job-3")).toBeUndefined();
  });

  it("rolls back a delivery with its job when the transaction fails", async () => {
    const store = new DeliveryStore(database.db);
    const id = `d-${engine.name}-rollback`;
    await expect(
      database.db.transaction().execute(async (trx) => {
        await store.record(trx, { id, event: "push", body: "{}" });
        throw new Error("the job could not be queued");
      }),
    ).rejects.toThrow("the job could not be queued");
    expect(await store.get(id)).toBeUndefined();
  });

  it("keeps PR state as JSON, one row per PR", async () => {
    const store = new PrStateStore(database.db);
    await store.save("9#1", { repo: "o/r", number: 1 }, { level: "high", requestedByApp: ["bob"] });
    await store.save("9#1", { repo: "o/r", number: 1 }, { level: "high", requestedByApp: ["bob", "carol"], commentId: 5 });
    expect(await store.get("9#1")).toEqual({ level: "high", requestedByApp: ["bob", "carol"], commentId: 5 });
    expect(await store.get("9#404")).toBeUndefined();
  });

  it("remembers refused reviewers per repository until the refusal expires", async () => {
    const store = new RefusedReviewerStore(database.db);
    const now = new Date("2026-01-01T00:00:00Z");
    await store.add("O/R", "Mallory", "no access", now);
    expect(await store.list("o/r", now)).toEqual(new Map([["mallory", "no access"]]));
    expect(await store.list("o/other", now)).toEqual(new Map());
    expect(await store.list("o/r", new Date(now.getTime() + 2 * 60 * 60 * 1000))).toEqual(new Map());
  });

  it("lets one live process hold a PR's lock, and frees it when that process is dead", async () => {
    const a = new WorkerRegistry(database.db);
    const b = new WorkerRegistry(database.db);
    await a.register();
    await b.register();
    expect(await a.lock("pr-1")).toBe(true);
    expect(await b.lock("pr-1")).toBe(false);
    // A holder cannot take its own lock twice: two deliveries of one PR never run together.
    expect(await a.lock("pr-1")).toBe(false);
    await a.unlock("pr-1");
    expect(await b.lock("pr-1")).toBe(true);
    // b stops beating: after DEAD_AFTER_MS it is dead for a, and its lock is free.
    await database.db.updateTable("workers").set({ heartbeat_at: new Date(Date.now() - DEAD_AFTER_MS - 1000) }).where("id", "=", b.id).execute();
    expect(await a.reapDead()).toEqual([b.id]);
    expect(await a.lock("pr-1")).toBe(true);
    await a.deregister();
    expect(await database.db.selectFrom("pr_locks").selectAll().execute()).toEqual([]);
  });

  it("queues jobs in the caller's transaction, retries failures and keeps the last error", async () => {
    const queue = new JobQueue(database, silent, { pollMs: 50, retry: { limit: 1, delaySeconds: 0, backoff: false } });
    await queue.start(["test-jobs"]);
    const id = await database.db.transaction().execute((trx) => queue.send("test-jobs", { n: 1 }, { trx }));
    const seen: number[] = [];
    const done = new Promise<void>((resolve) => {
      queue.handle("test-jobs", async (job) => {
        seen.push(job.retryCount);
        if (job.retryCount === 0) return { kind: "retry", error: "GitHub said 502" };
        resolve();
        return { kind: "done" };
      });
    });
    queue.startWorking();
    await done;
    await expect.poll(async () => (await queue.jobState("test-jobs", id))?.state, { timeout: 10_000 }).toBe("completed");
    expect(seen).toEqual([0, 1]);
    await queue.stop(1000);
  });

  it("records a job's end it could not record while the database was away once it can, not at the job's expiry", async () => {
    const queue = new JobQueue(database, silent, { pollMs: 50 });
    await queue.start(["test-late"]);
    const id = await queue.send("test-late", { n: 1 });
    // The database goes away as the job ends: its completion fails.
    const complete = queue.boss.complete.bind(queue.boss) as (...args: unknown[]) => Promise<unknown>;
    let away = 1;
    (queue.boss as unknown as { complete: (...args: unknown[]) => Promise<unknown> }).complete = async (...args) => {
      if (away-- > 0) throw new Error("Connection terminated unexpectedly");
      return complete(...args);
    };
    let runs = 0;
    queue.handle("test-late", async () => {
      runs++;
      return { kind: "done" };
    });
    queue.startWorking();
    await expect.poll(async () => (await queue.jobState("test-late", id))?.state, { timeout: 10_000 }).toBe("completed");
    expect(away).toBe(0);
    expect(runs).toBe(1);
    await queue.stop(1000);
  });

  it("takes over a delivery whose process died while processing it", async () => {
    const deliveries = new DeliveryStore(database.db);
    const queue = new JobQueue(database, silent, { pollMs: 50 });
    await queue.start([DELIVERY_QUEUE]);
    const dead = new WorkerRegistry(database.db);
    await dead.register();
    await dead.deregister().catch(() => undefined);
    await database.db.insertInto("workers").values({ id: dead.id, host: "gone", pid: 1, heartbeat_at: new Date(Date.now() - DEAD_AFTER_MS * 2) }).execute();
    const id = `d-${engine.name}-orphan`;
    const jobId = await database.db.transaction().execute(async (trx) => {
      await deliveries.record(trx, { id, event: "pull_request", prKey: "1#7", body: "{}" });
      const j = await queue.send(DELIVERY_QUEUE, { delivery: id }, { trx });
      await deliveries.setJob(trx, id, j);
      return j;
    });
    const fetched = await queue.boss.fetch(DELIVERY_QUEUE);
    expect(fetched?.[0]?.id).toBe(jobId);
    await deliveries.claim(id, dead.id, jobId);
    await database.db.insertInto("pr_locks").values({ pr_key: "1#7", holder: dead.id }).execute();

    const alive = new WorkerRegistry(database.db);
    await alive.register();
    const result = await recoverWork({ registry: alive, deliveries, queue, log: silent });
    expect(result).toMatchObject({ deadWorkers: 1, released: 1 });
    expect(await deliveries.get(id)).toMatchObject({ state: "queued" });
    // Not a failure to wait out with backoff: the dead process's job is closed and a fresh one is due now.
    expect((await queue.jobState(DELIVERY_QUEUE, jobId))?.state).toBe("completed");
    const { job_id: fresh } = await database.db.selectFrom("deliveries").select("job_id").where("id", "=", id).executeTakeFirstOrThrow();
    expect(fresh).not.toBe(jobId);
    expect((await queue.jobState(DELIVERY_QUEUE, fresh!))?.state).toBe("created");
    expect(await alive.lock("1#7")).toBe(true);
    await alive.deregister();
    await queue.stop(100);
  });

  it("runs again, at once, an escalation step whose process died while running it, unless its PR is locked by a live one", async () => {
    const deliveries = new DeliveryStore(database.db);
    const queue = new JobQueue(database, silent, { pollMs: 50 });
    await queue.start([ESCALATION_QUEUE]);
    const step = { requestId: "r-lost", kind: "nudge", repoId: 1, number: 8, owner: "o", repo: "r", installationId: 1 };
    const jobId = await queue.send(ESCALATION_QUEUE, step);
    // A process took it and died (kill -9): the job stays active until its expiry.
    expect((await queue.boss.fetch(ESCALATION_QUEUE))?.[0]?.id).toBe(jobId);
    const registry = new WorkerRegistry(database.db);
    await registry.register();
    // Running in a live process (which holds the PR's lock while it works): left alone.
    expect(await registry.lock("1#8")).toBe(true);
    await recoverWork({ registry, deliveries, queue, log: silent, everyoneElse: true });
    expect((await queue.jobState(ESCALATION_QUEUE, jobId))?.state).toBe("active");
    await registry.unlock("1#8");
    // With other replicas about, a step that started a moment ago may still be on its way to the lock.
    await recoverWork({ registry, deliveries, queue, log: silent });
    expect((await queue.jobState(ESCALATION_QUEUE, jobId))?.state).toBe("active");
    // A minute on, or at once when every other process is known dead (the embedded database).
    expect((await recoverWork({ registry, deliveries, queue, log: silent, everyoneElse: true })).requeued).toBe(1);
    expect((await queue.jobState(ESCALATION_QUEUE, jobId))?.state).toBe("completed");
    const fresh = await queue.activeJobs(ESCALATION_QUEUE);
    expect(fresh).toEqual([]);
    const again = await queue.boss.fetch<Record<string, unknown>>(ESCALATION_QUEUE);
    expect(again?.[0]?.data).toEqual(step);
    expect(again?.[0]?.id).not.toBe(jobId);
    // That copy taken by another live-looking process a minute ago, its PR unlocked: lost too.
    expect((await recoverWork({ registry, deliveries, queue, log: silent, now: new Date(Date.now() + 120_000) })).requeued).toBe(1);
    await registry.deregister();
    await queue.stop(100);
  });

  it("gives a new job to a delivery whose job was lost", async () => {
    const deliveries = new DeliveryStore(database.db);
    const queue = new JobQueue(database, silent, { pollMs: 50 });
    await queue.start([DELIVERY_QUEUE]);
    const id = `d-${engine.name}-lost`;
    await deliveries.record(database.db, { id, event: "push", body: "{}" });
    await database.db.updateTable("deliveries").set({ received_at: sql<Date>`now() - interval '5 minutes'` as never }).where("id", "=", id).execute();
    const registry = new WorkerRegistry(database.db);
    await registry.register();
    expect((await recoverWork({ registry, deliveries, queue, log: silent })).requeued).toBe(1);
    const row = await database.db.selectFrom("deliveries").select("job_id").where("id", "=", id).executeTakeFirstOrThrow();
    expect((await queue.jobState(DELIVERY_QUEUE, row.job_id!))?.state).toBe("created");
    // Its job now waits: a second sweep leaves it alone.
    expect((await recoverWork({ registry, deliveries, queue, log: silent })).requeued).toBe(0);
    await registry.deregister();
    await queue.stop(100);
  });
}

describe("storage on the embedded database (PGlite)", () => suite(EMBEDDED));
describe.skipIf(!hasPostgres)(`storage on PostgreSQL (${POSTGRES_URL})`, () => suite(POSTGRES));

/**
 * A fresh PostgreSQL schema and a second connection to it playing another replica, which can
 * hold a pull request's row in an open transaction; `blocked()` waits until a statement of this
 * test's own waits for that replica.
 */
async function withOtherReplica(run: (database: Database, replica: { client: pg.Client; holdRow(repoId: number, number: number): Promise<void>; blocked(): Promise<void> }) => Promise<void>): Promise<void> {
  const database = await POSTGRES.open();
  const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${database.schema}` });
  await client.connect();
  try {
    const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    await run(database, {
      client,
      async holdRow(repoId, number) {
        await client.query("BEGIN");
        await client.query("SELECT 1 FROM pull_requests WHERE repo_id = $1 AND number = $2 FOR UPDATE", [repoId, number]);
      },
      async blocked() {
        await expect.poll(async () => (await database.executeSql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid])).rows[0]?.n, { timeout: 10_000 }).toBe(1);
      },
    });
  } finally {
    await client.end();
    await POSTGRES.drop(database);
  }
}

describe.skipIf(!hasPostgres)("replicas starting together on one PostgreSQL", () => {
  it("a replica whose clock is two minutes off neither is taken for dead nor takes the others for dead, and leaves their work alone", async () => {
    const database = await POSTGRES.open();
    const queue = new JobQueue(database, silent, { pollMs: 50 });
    const behind = new WorkerRegistry(database.db);
    const ahead = new WorkerRegistry(database.db);
    try {
      await queue.start([ESCALATION_QUEUE]);
      await behind.register();
      await ahead.register();
      // A PR the replica that is behind works on, and an escalation step it runs.
      expect(await behind.lock("9301:1")).toBe(true);
      const step = await queue.send(ESCALATION_QUEUE, { requestId: "r-skew", kind: "nudge", repoId: 9301, number: 1, owner: "o", repo: "r", installationId: 1 });
      expect((await queue.boss.fetch(ESCALATION_QUEUE))?.[0]?.id).toBe(step);
      // Each replica's own clock: the one behind beats with its clock two minutes slow, the
      // one ahead looks for the dead with its clock two minutes fast.
      vi.useFakeTimers({ toFake: ["Date"] });
      try {
        vi.setSystemTime(Date.now() - 120_000);
        await behind.beat();
        vi.setSystemTime(Date.now() + 240_000);
        const deliveries = new DeliveryStore(database.db);
        expect(await recoverWork({ registry: ahead, deliveries, queue, log: silent })).toEqual({ deadWorkers: 0, released: 0, requeued: 0 });
        expect(await ahead.liveCount()).toBe(2);
      } finally {
        vi.useRealTimers();
      }
      expect(await ahead.lock("9301:1")).toBe(false);
      expect((await queue.jobState(ESCALATION_QUEUE, step))?.state).toBe("active");
    } finally {
      await behind.deregister();
      await ahead.deregister();
      await queue.stop(100);
      await POSTGRES.drop(database);
    }
  });

  it("migrates a schema of its own although another schema of the database holds the app's tables", async () => {
    const other = await POSTGRES.open();
    try {
      const mine = await POSTGRES.open();
      const { rows } = await mine.executeSql(`SELECT count(*)::int AS n FROM ${mine.schema}.kysely_migration`);
      expect(rows[0]?.n).toBe(Object.keys(MIGRATIONS).length);
      await POSTGRES.drop(mine);
    } finally {
      await POSTGRES.drop(other);
    }
  });

  it("two replicas writing one PR's history at once: the refresh computed last sees both writes", () =>
    withOtherReplica(async (database, replica) => {
      const history = new HistoryStore(database.db);
      const pr = { repoId: 9201, number: 1 };
      await history.upsertPullRequest({ ...pr, repo: "o/race", author: "ann", title: "t", state: "open", draft: false, openedAt: "2026-03-01T00:00:00Z" });
      // Replica B is refreshing the PR: it holds the row.
      await replica.holdRow(9201, 1);
      // Replica A records a review; its refresh waits for B.
      const a = history.recordReview({ ...pr, id: 92011, reviewer: "ben", state: "CHANGES_REQUESTED", submittedAt: "2026-03-01T01:00:00Z" });
      await replica.blocked();
      // B's own review, committed with B's refresh (which saw both reviews).
      await replica.client.query("INSERT INTO reviews (id, repo_id, number, reviewer, state, commit_id, submitted_at) VALUES (92012, 9201, 1, 'cat', 'CHANGES_REQUESTED', NULL, '2026-03-01T00:30:00Z')");
      await replica.client.query("UPDATE pull_requests SET rounds = 2 WHERE repo_id = 9201 AND number = 1");
      await replica.client.query("COMMIT");
      await a;
      const row = await database.db.selectFrom("pull_requests").select(["rounds"]).where("repo_id", "=", "9201").where("number", "=", 1).executeTakeFirstOrThrow();
      // A refresh computed before B's review committed would have written 1 over B's 2.
      expect(row.rounds).toBe(2);
    }));

  it("recomputing every PR's facts at start keeps a write another replica commits meanwhile", () =>
    withOtherReplica(async (database, replica) => {
      const history = new HistoryStore(database.db);
      for (const number of [1, 2, 3]) await history.upsertPullRequest({ repoId: 9301, number, repo: "o/fill", author: "ann", title: "t", state: "open", draft: false, openedAt: "2026-03-01T00:00:00Z" });
      // Facts computed by older definitions: to be rewritten.
      await sql`UPDATE pull_requests SET rounds = 5 WHERE repo_id = 9301`.execute(database.db);
      // A replica still serving is in the middle of a write to PR 2: it holds the row.
      await replica.holdRow(9301, 2);
      await sql`UPDATE report_facts_state SET version = 0`.execute(database.db);
      const filling = migrateToLatest(database.db as never, database.schema);
      await replica.blocked();
      // Its write and its own refresh commit while the recomputation waits.
      await replica.client.query("INSERT INTO reviews (id, repo_id, number, reviewer, state, commit_id, submitted_at) VALUES (93012, 9301, 2, 'cat', 'CHANGES_REQUESTED', NULL, '2026-03-01T00:30:00Z')");
      await replica.client.query("UPDATE pull_requests SET rounds = 1, reviewed = true WHERE repo_id = 9301 AND number = 2");
      await replica.client.query("COMMIT");
      await filling;
      const row = await database.db.selectFrom("pull_requests").select(["rounds", "reviewed"]).where("repo_id", "=", "9301").where("number", "=", 2).executeTakeFirstOrThrow();
      expect(row).toEqual({ rounds: 1, reviewed: true });
    }));

  it("survives the server ending its connection in the middle of a transaction", async () => {
    const database = await POSTGRES.open();
    const killer = new pg.Client({ connectionString: POSTGRES_URL });
    await killer.connect();
    try {
      const outcome = database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // Between two statements: the client is checked out and idle.
        await killer.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`SELECT 1`.execute(trx);
      });
      await expect(outcome).rejects.toThrow();
      // The pool goes on with a new connection.
      expect((await database.executeSql("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await killer.end();
      await POSTGRES.drop(database);
    }
  });

  it("both start: the job queue's schema is created once, under a lock", async () => {
    const first = await POSTGRES.open();
    const second = await openDatabase({ databaseUrl: POSTGRES_URL, schema: first.schema, poolSize: 4 });
    const queues = [new JobQueue(first, silent, { pollMs: 50 }), new JobQueue(second, silent, { pollMs: 50 })];
    try {
      await Promise.all(queues.map((q) => q.start([DELIVERY_QUEUE])));
      const id = await queues[1]!.send(DELIVERY_QUEUE, { delivery: "x" });
      expect((await queues[0]!.jobState(DELIVERY_QUEUE, id))?.state).toBe("created");
    } finally {
      await Promise.all(queues.map((q) => q.stop(100)));
      await second.close();
      await POSTGRES.drop(first);
    }
  });
});

describe("job queue shutdown", () => {
  it("hands back a job still running at the end of the grace period: queued again at once, never lost", async () => {
    const database = await EMBEDDED.open();
    try {
      const queue = new JobQueue(database, silent, { pollMs: 50 });
      await queue.start(["slow"]);
      const id = await queue.send("slow", { n: 7 });
      let started = false;
      queue.handle("slow", async () => {
        started = true;
        return new Promise(() => undefined);
      });
      queue.startWorking();
      await expect.poll(() => started, { timeout: 10_000 }).toBe(true);
      const released: string[] = [];
      const handedBack = await queue.stop(100, async (job, newId) => void released.push(`${job.id}->${newId}`));
      expect(handedBack).toEqual([id]);
      const [, newId] = released[0]!.split("->");
      expect((await queue.jobState("slow", id))?.state).toBe("completed");
      const copy = await queue.boss.getJobById("slow", newId!);
      expect(copy).toMatchObject({ state: "created", data: { n: 7 } });
    } finally {
      await EMBEDDED.drop(database);
    }
  });
});
