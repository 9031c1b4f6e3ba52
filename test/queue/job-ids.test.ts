import { afterAll, expect, it } from "vitest";
import { JobQueue } from "../../src/queue/job-queue.js";
import { resetDatabase, testDatabase } from "../helpers/database.js";

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } } as never;
const queues: JobQueue[] = [];
afterAll(async () => {
  for (const q of queues) await q.stop(500).catch(() => undefined);
});

const ID = "0b5e3a1c-2d4f-5a6b-8c7d-9e0f1a2b3c4d";

/**
 * A job queued by id (an escalation step) is queued once: sending it again while it waits, or
 * once it is done, changes nothing. But one that used up its attempts (GitHub down for longer
 * than its backoff) is queued again by the next send, or the step it is for would never happen.
 */
it("queues a job by id once, and again once it has failed for good", async () => {
  const database = await testDatabase();
  await resetDatabase(database);
  const queue = new JobQueue(database, silent, { pollMs: 50, retry: { limit: 1, delaySeconds: 0, backoff: false } });
  queues.push(queue);
  await queue.start(["steps"]);
  let fail = true;
  const runs: string[] = [];
  queue.handle("steps", async (job) => {
    runs.push(job.id);
    return fail ? { kind: "retry", error: "GitHub is down" } : { kind: "done" };
  });
  expect(await queue.send("steps", { n: 1 }, { id: ID })).toBe(ID);
  expect(await queue.send("steps", { n: 1 }, { id: ID })).toBe(ID);
  queue.startWorking();
  await expect.poll(async () => (await queue.jobState("steps", ID))?.state, { timeout: 10_000 }).toBe("failed");
  expect(runs).toEqual([ID, ID]);

  fail = false;
  expect(await queue.send("steps", { n: 1 }, { id: ID })).toBe(ID);
  await expect.poll(async () => (await queue.jobState("steps", ID))?.state, { timeout: 10_000 }).toBe("completed");
  expect(runs).toEqual([ID, ID, ID]);
  // Done: sending it again runs nothing.
  expect(await queue.send("steps", { n: 1 }, { id: ID })).toBe(ID);
  await new Promise((r) => setTimeout(r, 500));
  expect(runs).toHaveLength(3);
});
