import { afterAll, expect, it } from "vitest";
import { JobQueue } from "../../src/queue/job-queue.js";
import { resetDatabase, testDatabase } from "../helpers/database.js";

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } } as never;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const queues: JobQueue[] = [];
afterAll(async () => {
  for (const q of queues) await q.stop(500).catch(() => undefined);
});

/**
 * Replica A finishes a job while its database is away, so it records the end later. Meanwhile
 * the job passed its expiry and replica B runs it again. A's late record must not complete
 * B's run (which pg-boss would then never hand back if B's run fails): it belongs to A's
 * attempt only. And a failure A could not record is left to the expiry, which retries the job.
 */
it("records a job's late end only on its own run, not on another replica's run of the job", async () => {
  const database = await testDatabase();
  await resetDatabase(database);
  const options = { pollMs: 50, expirySeconds: { late: 2 }, retry: { limit: 5, delaySeconds: 0, backoff: false } };
  const a = new JobQueue(database, silent, options);
  const b = new JobQueue(database, silent, options);
  queues.push(a, b);
  await a.start(["late"]);
  await b.start(["late"]);
  const runs: string[] = [];
  let away = true;
  const complete = a.boss.complete.bind(a.boss) as (...args: unknown[]) => Promise<unknown>;
  (a.boss as unknown as { complete: (...args: unknown[]) => Promise<unknown> }).complete = async (...args) => {
    if (away) throw new Error("Connection terminated unexpectedly");
    return complete(...args);
  };
  const fetch = a.boss.fetch.bind(a.boss) as (...args: unknown[]) => Promise<unknown>;
  (a.boss as unknown as { fetch: (...args: unknown[]) => Promise<unknown> }).fetch = async (...args) => (away && runs.length ? [] : fetch(...args));
  // A's database is also away for the late record, until the test says.
  const executeSql = database.executeSql.bind(database);
  let lateRecords = 0;
  const spied = database as unknown as { executeSql: typeof database.executeSql };
  spied.executeSql = async (text, values) => {
    if (text.includes("SET state = 'completed'")) {
      if (away) throw new Error("Connection terminated unexpectedly");
      lateRecords++;
    }
    return executeSql(text, values);
  };
  let releaseB: () => void = () => undefined;
  a.handle("late", async () => {
    runs.push("A");
    await sleep(2500);
    return { kind: "done" };
  });
  b.handle("late", async () => {
    runs.push("B");
    await new Promise<void>((resolve) => (releaseB = resolve));
    return { kind: "done" };
  });
  const id = await a.send("late", { n: 1 });
  a.startWorking();
  await expect.poll(() => runs.length, { timeout: 5000 }).toBe(1);
  await sleep(2600);
  // Past its expiry: the job goes back, and B takes it while A's end is still unrecorded.
  await b.boss.expire();
  b.startWorking();
  await expect.poll(() => runs.length, { timeout: 5000 }).toBe(2);
  away = false;
  await expect.poll(() => lateRecords, { timeout: 5000 }).toBeGreaterThan(0);
  // A's late record did not touch B's run: the job is still B's, active.
  expect((await a.jobState("late", id))?.state).toBe("active");
  releaseB();
  await expect.poll(async () => (await a.jobState("late", id))?.state, { timeout: 5000 }).toBe("completed");
  expect(runs).toEqual(["A", "B"]);
  spied.executeSql = executeSql;
}, 30_000);
