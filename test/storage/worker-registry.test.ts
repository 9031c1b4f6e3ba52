import { afterEach, describe, expect, it } from "vitest";
import { WorkerRegistry } from "../../src/storage/worker-registry.js";
import { resetDatabase, testDatabase } from "../helpers/database.js";

describe("worker registry", () => {
  const registries: WorkerRegistry[] = [];
  afterEach(async () => {
    for (const r of registries.splice(0)) await r.deregister();
  });

  /** Two live processes on one database. */
  async function twoProcesses() {
    const database = await testDatabase();
    await resetDatabase(database);
    const a = new WorkerRegistry(database.db);
    const b = new WorkerRegistry(database.db);
    registries.push(a, b);
    await a.register();
    await b.register();
    return { database, a, b };
  }

  it("a live process taken for dead during a database outage registers again at its next beat, and its locks are exclusive again", async () => {
    const { database, a, b } = await twoProcesses();
    // Nobody could beat for 40 s; B's recovery runs before A's next beat once the database is back.
    await database.executeSql("UPDATE workers SET heartbeat_at = now() - interval '40 seconds' WHERE id = $1", [a.id]);
    expect(await b.reapDead()).toEqual([a.id]);
    await a.beat();
    expect((await database.executeSql("SELECT count(*)::int AS n FROM workers WHERE id = $1", [a.id])).rows).toEqual([{ n: 1 }]);
    expect(await a.lock("1:2")).toBe(true);
    expect(await b.lock("1:2")).toBe(false);
  });

  it("releases a lock whose release failed once the database answers again", async () => {
    const { database, a, b } = await twoProcesses();
    expect(await a.lock("1:3")).toBe(true);
    // The release fails (here: the table is locked away for a moment; in life: the database restarting).
    await database.executeSql("ALTER TABLE pr_locks RENAME TO pr_locks_away");
    await expect(a.unlock("1:3")).rejects.toThrow();
    await database.executeSql("ALTER TABLE pr_locks_away RENAME TO pr_locks");
    expect(await b.lock("1:3")).toBe(false);
    expect(await a.releaseLeaked()).toBe(1);
    expect(await b.lock("1:3")).toBe(true);
    expect(await a.releaseLeaked()).toBe(0);
  });
});
