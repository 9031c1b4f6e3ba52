import type { Logger } from "../github/types.js";
import type { DeliveryStore } from "../storage/delivery-store.js";
import type { WorkerRegistry } from "../storage/worker-registry.js";
import type { JobQueue } from "./job-queue.js";
import { prKey } from "../storage/pr-state-store.js";
import { DELIVERY_QUEUE } from "./process-delivery.js";
import { ESCALATION_QUEUE } from "./schedule-escalations.js";

/** A delivery queued this long without its job waiting or running has lost its job. */
const LOST_AFTER_MS = 60_000;

/**
 * Take over the work of processes that died (`kill -9`, a lost node): their locks are freed,
 * the deliveries they were processing go back to the queue (pg-boss retries the job), and a
 * delivery whose job vanished (its process died between fetching and claiming it) gets a new
 * one, and so does an escalation step it was running. Runs at start-up and then every few seconds in every process; each step is safe to run
 * twice or in two processes at once (at worst a delivery gets a second job, which finds it done).
 */
export async function recoverWork(input: {
  registry: WorkerRegistry;
  deliveries: DeliveryStore;
  queue: JobQueue;
  log: Logger;
  /** The embedded database serves one process: every other registered process is dead. */
  everyoneElse?: boolean;
  /** Defaults to the database's clock. */
  now?: Date;
}): Promise<{ deadWorkers: number; released: number; requeued: number }> {
  const { registry, deliveries, queue, log } = input;
  // The database's clock, not this process's: what is compared with it was stamped there.
  const now = input.now ?? (await registry.databaseNow());
  const dead = await registry.reapDead({ ...(input.everyoneElse ? { everyoneElse: true } : {}), now });
  let released = 0;
  for (const orphan of await deliveries.orphaned()) {
    await deliveries.release(orphan.id, "its process stopped while processing it");
    const job = orphan.jobId ? await queue.jobState(DELIVERY_QUEUE, orphan.jobId) : undefined;
    // pg-boss may already have put it back (its own expiry); otherwise a fresh job, due now.
    if (!job || job.state === "active" || job.state === "completed" || job.state === "failed" || job.state === "cancelled") {
      const fresh = orphan.jobId && job?.state === "active" ? await queue.replaceLost(DELIVERY_QUEUE, orphan.jobId, { delivery: orphan.id }) : await queue.send(DELIVERY_QUEUE, { delivery: orphan.id });
      await deliveries.setJob(deliveries.db, orphan.id, fresh);
    }
    released++;
  }
  // Deliveries this process claimed and no longer runs: the job's end was not recorded (the
  // database was away when it finished or failed). Read before the jobs in flight, so a job
  // that ends in between is not taken for lost (it recorded its outcome first), and released
  // only if still claimed for the same job.
  const claimed = await deliveries.claimedBy(registry.id);
  const running = new Set(queue.activeIds());
  for (const own of claimed) {
    if (own.jobId && running.has(own.jobId)) continue;
    if (!(await deliveries.releaseIfHeld(own.id, registry.id, own.jobId, "its job ended while the database was unreachable"))) continue;
    const fresh = own.jobId ? await queue.replaceLost(DELIVERY_QUEUE, own.jobId, { delivery: own.id }) : await queue.send(DELIVERY_QUEUE, { delivery: own.id });
    await deliveries.setJob(deliveries.db, own.id, fresh);
    released++;
  }
  const leakedLocks = await registry.releaseLeaked();
  let requeued = 0;
  const mine = new Set(queue.activeIds());
  // With every other process known dead, a job active but not here is lost now, not in a minute.
  const lostAfterMs = input.everyoneElse ? 0 : LOST_AFTER_MS;
  for (const waiting of await deliveries.queuedBefore(new Date(now.getTime() - lostAfterMs), input.everyoneElse ? 1000 : 100)) {
    const job = waiting.jobId ? await queue.jobState(DELIVERY_QUEUE, waiting.jobId) : undefined;
    if (job && (job.state === "created" || job.state === "retry")) continue;
    if (job?.state === "active") {
      if (mine.has(waiting.jobId!) || (job.startedOn && now.getTime() - job.startedOn.getTime() < lostAfterMs)) continue;
      await deliveries.setJob(deliveries.db, waiting.id, await queue.replaceLost(DELIVERY_QUEUE, waiting.jobId!, { delivery: waiting.id }));
      requeued++;
      continue;
    }
    const id = await queue.send(DELIVERY_QUEUE, { delivery: waiting.id });
    await deliveries.setJob(deliveries.db, waiting.id, id);
    requeued++;
  }
  // Escalation steps a stopped process was running: a step runs under its PR's lock, so one
  // running elsewhere for a while with its PR unlocked has lost its process (or its end could
  // not be recorded). It runs again now rather than after its expiry (15 minutes); a second
  // run is harmless (the step is recorded once, and checks GitHub first).
  for (const job of await queue.activeJobs(ESCALATION_QUEUE)) {
    if (mine.has(job.id) || (job.startedOn && now.getTime() - job.startedOn.getTime() < lostAfterMs)) continue;
    const { repoId, number } = job.data as { repoId?: number; number?: number };
    if (repoId !== undefined && number !== undefined && (await registry.lockedByLive(prKey(repoId, number)))) continue;
    await queue.replaceLost(ESCALATION_QUEUE, job.id, job.data);
    requeued++;
  }
  if (dead.length || released || requeued || leakedLocks) log.info({ deadWorkers: dead.length, released, requeued, leakedLocks }, "took over the work of stopped processes");
  return { deadWorkers: dead.length, released, requeued };
}
