import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { sql } from "kysely";
import type { Db } from "./open-database.js";

/** A process that has not beaten for this long is taken for dead and its work is taken over. */
export const DEAD_AFTER_MS = 30_000;
export const HEARTBEAT_MS = 5_000;

/**
 * Live app processes and the pull requests each is working on. A PR is worked on by one
 * process at a time (its lock); a lock held by a dead process is free. Heartbeats, not
 * connections, tell the living from the dead, so the same queries serve the embedded
 * database and PostgreSQL.
 */
export class WorkerRegistry {
  readonly id = randomUUID();
  #timer: NodeJS.Timeout | undefined;
  /** Locks whose release failed (the database was away): released again by `releaseLeaked`. */
  readonly #leaked = new Set<string>();

  constructor(private readonly db: Db) {}

  /**
   * The database's clock. Heartbeats, deliveries' arrival and jobs' start are stamped by it, so
   * a replica whose own clock runs ahead does not take the living for dead.
   */
  async databaseNow(): Promise<Date> {
    const { rows } = await sql<{ now: Date | string }>`SELECT now() AS now`.execute(this.db);
    return new Date(rows[0]!.now);
  }

  async register(): Promise<void> {
    await this.db.insertInto("workers").values({ id: this.id, host: hostname(), pid: process.pid }).execute();
    this.#timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.#timer.unref();
  }

  /**
   * The heartbeat. A process whose database was away for longer than DEAD_AFTER_MS was taken
   * for dead by the others (its row and locks removed, its deliveries taken over): it registers
   * again, so that what it takes from now on counts as held by a live process.
   */
  async beat(): Promise<void> {
    await this.db
      .insertInto("workers")
      .values({ id: this.id, host: hostname(), pid: process.pid })
      .onConflict((oc) => oc.column("id").doUpdateSet({ heartbeat_at: sql<Date>`now()` }))
      .execute();
  }

  async deregister(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.db.deleteFrom("pr_locks").where("holder", "=", this.id).execute();
    await this.db.deleteFrom("workers").where("id", "=", this.id).execute();
  }

  /**
   * Workers that stopped beating, removed from the registry with their locks. With
   * `everyoneElse` (the embedded database serves one process), every other worker is dead.
   */
  async reapDead(options: { everyoneElse?: boolean; now?: Date } = {}): Promise<string[]> {
    const cutoff = new Date((options.now ?? (await this.databaseNow())).getTime() - DEAD_AFTER_MS);
    let query = this.db.deleteFrom("workers").where("id", "!=", this.id);
    if (!options.everyoneElse) query = query.where("heartbeat_at", "<", cutoff);
    const dead = (await query.returning("id").execute()).map((r) => r.id);
    // Locks whose holder is no longer registered are free.
    await this.db
      .deleteFrom("pr_locks")
      .where("holder", "not in", this.db.selectFrom("workers").select("id"))
      .execute();
    return dead;
  }

  /** Whether a live process holds the PR's lock. */
  async lockedByLive(key: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("pr_locks")
      .select("holder")
      .where("pr_key", "=", key)
      .where("holder", "in", this.db.selectFrom("workers").select("id"))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Take the PR's lock; false when a live process holds it. */
  async lock(key: string): Promise<boolean> {
    const row = await this.db
      .insertInto("pr_locks")
      .values({ pr_key: key, holder: this.id })
      .onConflict((oc) =>
        oc
          .column("pr_key")
          .doUpdateSet({ holder: this.id, acquired_at: sql<Date>`now()` })
          .where((eb) => eb("pr_locks.holder", "not in", eb.selectFrom("workers").select("id"))),
      )
      .returning("holder")
      .executeTakeFirst();
    return row?.holder === this.id;
  }

  async unlock(key: string): Promise<void> {
    try {
      await this.db.deleteFrom("pr_locks").where("pr_key", "=", key).where("holder", "=", this.id).execute();
      this.#leaked.delete(key);
    } catch (error) {
      // Left held by a live process, the PR would wait for this process to die.
      this.#leaked.add(key);
      throw error;
    }
  }

  /**
   * Release the locks whose release failed. No job of this process holds one of them: `lock`
   * cannot take a lock this process already holds, so none was taken again since.
   */
  async releaseLeaked(): Promise<number> {
    let released = 0;
    for (const key of [...this.#leaked]) {
      await this.unlock(key);
      released++;
    }
    return released;
  }

  async liveCount(now?: Date): Promise<number> {
    const cutoff = new Date((now ?? (await this.databaseNow())).getTime() - DEAD_AFTER_MS);
    const row = await this.db.selectFrom("workers").select((eb) => eb.fn.countAll<string>().as("n")).where("heartbeat_at", ">=", cutoff).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
