import { sql } from "kysely";
import type { Db, DbOrTransaction } from "./open-database.js";

export interface NewDelivery {
  id: string;
  event: string;
  action?: string;
  installationId?: number;
  repo?: string;
  prKey?: string;
  /** The raw body as received (JSON text). */
  body: string;
}

export interface StoredDelivery {
  id: string;
  event: string;
  action: string | null;
  prKey: string | null;
  state: string;
  attempts: number;
  payload: unknown;
  jobId: string | null;
  receivedAt: Date;
}

/** Longest error text kept per delivery: enough to read, bounded for the table. */
const MAX_ERROR = 2000;

/**
 * The deliveries the app accepted, unique by `X-GitHub-Delivery`. A delivery is stored once:
 * a redelivery of one already stored is a no-op, also after a restart, except one that
 * failed for good, which a redelivery (the operator's retry button) queues again.
 */
export class DeliveryStore {
  constructor(readonly db: Db) {}

  /** Store a new delivery; false when the id is already stored and not failed. */
  async record(trx: DbOrTransaction, d: NewDelivery): Promise<boolean> {
    const inserted = await trx
      .insertInto("deliveries")
      .values({
        id: d.id,
        event: d.event,
        action: d.action ?? null,
        installation_id: d.installationId === undefined ? null : String(d.installationId),
        repo: d.repo ?? null,
        pr_key: d.prKey ?? null,
        payload: d.body,
        job_id: null,
        claimed_by: null,
        last_error: null,
        finished_at: null,
      })
      .onConflict((oc) =>
        oc
          .column("id")
          .doUpdateSet({ state: "queued", payload: d.body, attempts: 0, finished_at: null, claimed_by: null })
          .where("deliveries.state", "=", "failed"),
      )
      .returning("id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async setJob(trx: DbOrTransaction, id: string, jobId: string): Promise<void> {
    await trx.updateTable("deliveries").set({ job_id: jobId }).where("id", "=", id).execute();
  }

  /** Mark a delivery as being processed by `worker`; undefined when there is nothing to do. */
  async claim(id: string, worker: string, jobId: string): Promise<StoredDelivery | undefined> {
    const row = await this.db
      .updateTable("deliveries")
      .set({ state: "processing", claimed_by: worker, job_id: jobId, attempts: sql`attempts + 1` })
      .where("id", "=", id)
      .where("state", "in", ["queued", "processing"])
      .returning(["id", "event", "action", "pr_key", "state", "attempts", "payload", "job_id", "received_at"])
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      event: row.event,
      action: row.action,
      prKey: row.pr_key,
      state: row.state,
      attempts: row.attempts,
      payload: row.payload,
      jobId: row.job_id,
      receivedAt: row.received_at,
    };
  }

  /** Done: the payload is dropped, the id stays so redeliveries remain no-ops. */
  async finish(id: string, outcome: "done" | "failed", error?: string): Promise<void> {
    await this.db
      .updateTable("deliveries")
      .set({
        state: outcome,
        finished_at: new Date(),
        claimed_by: null,
        ...(outcome === "done" ? { payload: null, last_error: null } : { last_error: (error ?? "failed").slice(0, MAX_ERROR) }),
      })
      .where("id", "=", id)
      .execute();
  }

  /** Back to the queue (a retry is scheduled, or the process is shutting down). */
  async release(id: string, error?: string): Promise<void> {
    await this.db
      .updateTable("deliveries")
      .set({ state: "queued", claimed_by: null, ...(error ? { last_error: error.slice(0, MAX_ERROR) } : {}) })
      .where("id", "=", id)
      .where("state", "=", "processing")
      .execute();
  }

  /** Deliveries `holder` is processing, each with the job it claimed them for. */
  async claimedBy(holder: string): Promise<Array<{ id: string; jobId: string | null }>> {
    const rows = await this.db.selectFrom("deliveries").select(["id", "job_id"]).where("state", "=", "processing").where("claimed_by", "=", holder).execute();
    return rows.map((r) => ({ id: r.id, jobId: r.job_id }));
  }

  /**
   * Back to the queue, if it is still being processed by `holder` for the job `jobId`: a
   * delivery finished or taken by another job since it was read is left alone.
   */
  async releaseIfHeld(id: string, holder: string, jobId: string | null, error: string): Promise<boolean> {
    let query = this.db
      .updateTable("deliveries")
      .set({ state: "queued", claimed_by: null, last_error: error.slice(0, MAX_ERROR) })
      .where("id", "=", id)
      .where("state", "=", "processing")
      .where("claimed_by", "=", holder);
    query = jobId === null ? query.where("job_id", "is", null) : query.where("job_id", "=", jobId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Deliveries being processed by a process that is no longer registered (it died). */
  async orphaned(): Promise<Array<{ id: string; jobId: string | null }>> {
    const rows = await this.db
      .selectFrom("deliveries")
      .select(["id", "job_id"])
      .where("state", "=", "processing")
      .where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_by", "not in", eb.selectFrom("workers").select("id"))]))
      .execute();
    return rows.map((r) => ({ id: r.id, jobId: r.job_id }));
  }

  /** Queued deliveries received before `before`, oldest first: their jobs may have been lost. */
  async queuedBefore(before: Date, limit: number): Promise<Array<{ id: string; jobId: string | null }>> {
    const rows = await this.db
      .selectFrom("deliveries")
      .select(["id", "job_id"])
      .where("state", "=", "queued")
      .where("received_at", "<", before)
      .orderBy("received_at")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, jobId: r.job_id }));
  }

  async get(id: string): Promise<{ state: string; attempts: number; prKey: string | null; lastError: string | null } | undefined> {
    const row = await this.db.selectFrom("deliveries").select(["state", "attempts", "pr_key", "last_error"]).where("id", "=", id).executeTakeFirst();
    return row ? { state: row.state, attempts: row.attempts, prKey: row.pr_key, lastError: row.last_error } : undefined;
  }

  /** Counts by state, for health and metrics. */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom("deliveries").select(["state", (eb) => eb.fn.countAll<string>().as("n")]).groupBy("state").execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  /** Forget finished deliveries older than `before` (GitHub redelivers for 3 days at most). */
  async prune(before: Date): Promise<number> {
    const result = await this.db.deleteFrom("deliveries").where("state", "in", ["done", "failed"]).where("received_at", "<", before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
