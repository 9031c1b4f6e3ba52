import PgBoss from "pg-boss";
import type { Logger } from "../github/types.js";
import { metrics } from "../metrics/metrics.js";
import { executorFor, withStartupLock, type Database, type DbOrTransaction } from "../storage/open-database.js";

/** What a job handler decides; the queue turns it into pg-boss's complete / fail / send. */
export type JobOutcome =
  | { kind: "done" }
  /** A failure worth retrying (GitHub 5xx, network): pg-boss retries with backoff. */
  | { kind: "retry"; error: string };

export interface QueuedJob<T> {
  id: string;
  queue: string;
  data: T;
  retryCount: number;
  retryLimit: number;
}

export interface JobQueueOptions {
  /** Jobs run at once by this process (most of a job is waiting on GitHub). */
  concurrency?: number;
  /** How often an idle process looks for jobs other processes queued. */
  pollMs?: number;
  /** Retries of a failing job (default: 10, from 5 s, doubling with jitter). */
  retry?: { limit: number; delaySeconds: number; backoff: boolean };
  /**
   * How long a job of a queue may stay active before pg-boss takes it for lost and runs it
   * again (default 6 h). The deliveries' jobs are taken over sooner by the worker registry; a
   * queue whose jobs it does not track needs a shorter expiry to outlive a `kill -9`.
   */
  expirySeconds?: Record<string, number>;
}

type Handler = (job: QueuedJob<Record<string, unknown>>) => Promise<JobOutcome>;

/** Retries: 5 s, then doubling with jitter; ten attempts span a GitHub outage of over an hour. */
const DEFAULT_RETRY = { retryLimit: 10, retryDelay: 5, retryBackoff: true };
/** Ends of jobs kept to record once the database is back. */
const MAX_UNSETTLED = 10_000;

/** The schema pg-boss keeps its tables in, beside the app's own schema. */
export function queueSchema(appSchema: string): string {
  return appSchema === "public" ? "pgboss" : `${appSchema}_queue`;
}

/**
 * The durable work queue (pg-boss on the app's database). Each process runs one fetch loop
 * that keeps up to `concurrency` jobs in flight, so an idle process costs one query per poll
 * rather than one per worker slot. Liveness of a job's process is tracked by the worker
 * registry, not by pg-boss's expiry, so the expiry is only a backstop.
 */
export class JobQueue {
  readonly boss: PgBoss;
  readonly #handlers = new Map<string, Handler>();
  readonly #active = new Map<string, Promise<void>>();
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #retry: { retryLimit: number; retryDelay: number; retryBackoff: boolean };
  readonly #expiry: Record<string, number>;
  #running = false;
  #wake: (() => void) | undefined;
  #poked = false;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    options: JobQueueOptions = {},
  ) {
    this.#concurrency = Math.max(1, options.concurrency ?? 20);
    this.#pollMs = Math.max(50, options.pollMs ?? 1000);
    this.#retry = options.retry
      ? { retryLimit: options.retry.limit, retryDelay: options.retry.delaySeconds, retryBackoff: options.retry.backoff }
      : DEFAULT_RETRY;
    this.#expiry = options.expirySeconds ?? {};
    this.boss = new PgBoss({
      db: database,
      schema: queueSchema(database.schema),
      supervise: true,
      schedule: false,
      migrate: true,
      expireInHours: 6,
    });
    this.boss.on("error", (error: Error) => this.log.warn({ error: { type: error.name, message: error.message } }, "job queue error"));
  }

  async start(queues: readonly string[]): Promise<void> {
    // pg-boss creates its schema without a lock: replicas starting together would collide.
    await withStartupLock(this.database, `review-triage:queue:${this.database.schema}`, async () => {
      await this.boss.start();
      for (const name of queues) await this.boss.createQueue(name, { name, policy: "standard", ...this.#retry, expireInHours: 6 });
    });
  }

  /**
   * Queue a job; pass a transaction to make it part of the caller's write. With an `id` (a
   * UUID) the job is queued once: sending it again while it is kept is a no-op that returns
   * the same id, unless it is kept as failed (its attempts used up), when it is queued anew.
   */
  async send(queue: string, data: object, options: { trx?: DbOrTransaction; startAfterSeconds?: number; id?: string } = {}): Promise<string> {
    const id = await this.boss.send(queue, data, {
      ...this.#retry,
      ...(this.#expiry[queue] ? { expireInSeconds: this.#expiry[queue] } : {}),
      ...(options.id ? { id: options.id } : {}),
      ...(options.startAfterSeconds ? { startAfter: Math.ceil(options.startAfterSeconds) } : {}),
      ...(options.trx ? { db: executorFor(options.trx) } : {}),
    });
    // Not inserted: a job with this id is kept already, or the queue refused it. One kept as
    // failed (it used up its attempts) is queued again: the work it is for is still to do.
    if (!id && options.id) {
      const db = options.trx ? { db: executorFor(options.trx) } : {};
      const kept = await this.boss.getJobById(queue, options.id, { includeArchive: false, ...db });
      if (kept?.state === "failed") {
        await this.boss.deleteJob(queue, options.id, db);
        this.log.info({ queue, job: options.id }, "a job that had failed for good is queued again");
        return this.send(queue, data, options);
      }
      if (kept) return options.id;
    }
    if (!id) throw new Error(`the job queue refused a job for ${queue}`);
    this.notify();
    return id;
  }

  /** Run jobs of `queue` with `handler` in this process. */
  handle(queue: string, handler: Handler): void {
    this.#handlers.set(queue, handler);
  }

  startWorking(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#dispatch();
  }

  /** A job was queued here: look now rather than at the next poll. */
  notify(): void {
    this.#poked = true;
    this.#wake?.();
  }

  get inFlight(): number {
    return this.#active.size;
  }

  /** Job ids in flight in this process. */
  activeIds(): string[] {
    return [...this.#active.keys()];
  }

  /**
   * Run a job again after `seconds` without counting an attempt (its PR is busy elsewhere, a
   * rate limit, a shutdown): a fresh copy is queued first, then this one completed, so a crash
   * in between leaves two copies (the second finds its delivery done) rather than none.
   */
  async requeue(job: QueuedJob<object>, seconds: number): Promise<string> {
    const id = await this.send(job.queue, job.data, { startAfterSeconds: seconds });
    await this.boss.complete(job.queue, job.id);
    return id;
  }

  /**
   * Replace a job a dead process held with a fresh copy due now: a failure would make pg-boss
   * wait out its backoff, although nothing about the work itself failed. The copy is queued
   * first, so a crash in between leaves two copies (the second finds its work done), not none.
   */
  async replaceLost(queue: string, id: string, data: object): Promise<string> {
    const fresh = await this.send(queue, data);
    await this.boss.complete(queue, id, { lost: "its process stopped" }).catch(() => undefined);
    return fresh;
  }

  async jobState(queue: string, id: string): Promise<{ state: string; startedOn: Date | null } | undefined> {
    const job = await this.boss.getJobById(queue, id);
    return job ? { state: job.state, startedOn: (job as { startedOn?: Date | null }).startedOn ?? null } : undefined;
  }

  /** The jobs of `queue` running now, in any process (oldest first, at most `limit`). */
  async activeJobs(queue: string, limit = 100): Promise<Array<{ id: string; data: Record<string, unknown>; startedOn: Date | null }>> {
    const schema = queueSchema(this.database.schema);
    const { rows } = await this.database.executeSql(`SELECT id, data, started_on FROM ${schema}.job WHERE name = $1 AND state = 'active' ORDER BY started_on LIMIT $2`, [queue, limit]);
    return rows.map((r) => ({ id: String(r.id), data: (r.data ?? {}) as Record<string, unknown>, startedOn: r.started_on ? new Date(r.started_on as string) : null }));
  }

  /** Jobs waiting and the age of the oldest, per queue (for health and metrics). */
  async depth(queue: string, dueWithinSeconds = 0): Promise<{ waiting: number; due: number; active: number; oldestSeconds: number }> {
    const schema = queueSchema(this.database.schema);
    const { rows } = await this.database.executeSql(
      `SELECT count(*) FILTER (WHERE state < 'active') AS waiting, count(*) FILTER (WHERE state < 'active' AND start_after <= now() + $2 * interval '1 second') AS due,
              count(*) FILTER (WHERE state = 'active') AS active,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_on) FILTER (WHERE state < 'active')), 0) AS oldest
         FROM ${schema}.job WHERE name = $1`,
      [queue, dueWithinSeconds],
    );
    const r = rows[0] ?? {};
    return { waiting: Number(r.waiting ?? 0), due: Number(r.due ?? 0), active: Number(r.active ?? 0), oldestSeconds: Number(r.oldest ?? 0) };
  }

  /**
   * Stop taking jobs; wait up to `graceMs` for those in flight; hand back the rest (queued
   * again at once, for this or another process) and stop the queue.
   */
  async stop(graceMs: number, release: (job: QueuedJob<Record<string, unknown>>, newJobId: string) => Promise<void> = async () => undefined): Promise<string[]> {
    this.#running = false;
    this.notify();
    await this.#loop;
    const pending = [...this.#active.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(pending), new Promise((done) => (timer = setTimeout(done, graceMs)))]);
    clearTimeout(timer);
    await this.#settleLate();
    const left = [...this.#jobs.values()];
    for (const job of left) {
      try {
        const newId = await this.requeue(job, 0);
        this.#jobs.delete(job.id);
        await release(job, newId);
      } catch (error) {
        this.log.warn({ job: job.id, error: (error as Error).message }, "could not hand back a job; it will be retried after this process is taken for dead");
      }
    }
    await this.boss.stop({ graceful: false, wait: true, close: false });
    return left.map((j) => j.id);
  }

  readonly #jobs = new Map<string, QueuedJob<Record<string, unknown>>>();
  /**
   * Jobs that ended here while their end could not be recorded (the database was away):
   * recorded as soon as it can be, instead of waiting for pg-boss's expiry to run them again.
   */
  readonly #unsettled = new Map<string, { queue: string; retryCount: number }>();

  async #settle(queue: string, id: string, outcome: JobOutcome): Promise<void> {
    if (outcome.kind === "done") await this.boss.complete(queue, id);
    else await this.boss.fail(queue, id, { message: outcome.error });
  }

  /**
   * Record the ends kept in `#unsettled`, oldest first; stop at the first that fails (the
   * database is still away). Only this run's: a job pg-boss took back at its expiry and started
   * again (here or in another process) has counted another attempt, and is left to that run.
   */
  async #settleLate(): Promise<void> {
    const schema = queueSchema(this.database.schema);
    for (const [id, late] of this.#unsettled) {
      try {
        await this.database.executeSql(
          `UPDATE ${schema}.job SET state = 'completed', completed_on = now() WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
          [late.queue, id, late.retryCount],
        );
        this.#unsettled.delete(id);
        this.log.info({ job: id }, "recorded the end of a job once the database was back");
      } catch {
        return;
      }
    }
  }

  async #dispatch(): Promise<void> {
    const queues = [...this.#handlers.keys()];
    while (this.#running) {
      this.#poked = false;
      if (this.#unsettled.size) await this.#settleLate();
      let fetched = 0;
      for (const queue of queues) {
        const free = this.#concurrency - this.#active.size;
        if (free <= 0 || !this.#running) break;
        let jobs: PgBoss.JobWithMetadata<Record<string, unknown>>[] = [];
        try {
          jobs = (await this.boss.fetch<Record<string, unknown>>(queue, { batchSize: free, includeMetadata: true })) ?? [];
        } catch (error) {
          this.log.warn({ queue, error: (error as Error).message }, "could not fetch jobs; trying again");
        }
        fetched += jobs.length;
        for (const job of jobs) this.#run({ id: job.id, queue, data: job.data, retryCount: job.retryCount, retryLimit: job.retryLimit });
      }
      if (!this.#running) break;
      // More may be waiting when every free slot was filled; otherwise sleep until a poll,
      // a local send, or a slot frees up.
      if ((fetched > 0 || this.#poked) && this.#active.size < this.#concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  #run(job: QueuedJob<Record<string, unknown>>): void {
    // The same job fetched again while it still runs here (pg-boss took it for lost at its
    // expiry): the run in flight settles it; a second run would take over its bookkeeping.
    if (this.#active.has(job.id)) return;
    const handler = this.#handlers.get(job.queue)!;
    this.#jobs.set(job.id, job);
    const task = (async () => {
      const end = metrics.jobDuration.startTimer({ queue: job.queue });
      let outcome: JobOutcome;
      try {
        outcome = await handler(job);
      } catch (error) {
        outcome = { kind: "retry", error: error instanceof Error ? error.message : String(error) };
      }
      end();
      // A job handed back during shutdown is no longer ours to settle.
      if (!this.#jobs.has(job.id)) return;
      try {
        await this.#settle(job.queue, job.id, outcome);
      } catch (error) {
        // A job done is recorded as soon as the database is back. One to retry is left to
        // pg-boss's expiry, which retries it, as it does a job whose process died.
        const later = outcome.kind === "done";
        this.log.warn({ job: job.id, error: (error as Error).message }, later ? "could not record the end of a job; trying again at the next poll" : "could not record the failure of a job; it runs again after its expiry");
        if (later) this.#unsettled.set(job.id, { queue: job.queue, retryCount: job.retryCount });
        // Bounded: past this many the oldest are left to pg-boss's expiry.
        if (this.#unsettled.size > MAX_UNSETTLED) this.#unsettled.delete(this.#unsettled.keys().next().value!);
      }
    })().finally(() => {
      this.#active.delete(job.id);
      this.#jobs.delete(job.id);
      this.notify();
    });
    this.#active.set(job.id, task);
  }
}
