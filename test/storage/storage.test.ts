import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/queue/job-queue.js";
import { DELIVERY_QUEUE } from "../../src/queue/process-delivery.js";
import { recoverWork } from "../../src/queue/recover-work.js";
import { DeliveryStore } from "../../src/storage/delivery-store.js";
import { migrateToLatest, MIGRATIONS } from "../../src/storage/migrations.js";
import type { Database } from "../../src/storage/open-database.js";
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
    expect((await queue.jobState(DELIVERY_QUEUE, jobId))?.state).toBe("retry");
    expect(await alive.lock("1#7")).toBe(true);
    await alive.deregister();
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
