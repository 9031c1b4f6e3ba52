import type { Probot } from "probot";
import { describeError } from "../describe-error.js";
import type { AppDeps } from "../handlers/app-deps.js";
import { WritesFailedError } from "../handlers/triage.js";
import type { Logger } from "../github/types.js";
import type { DeliveryStore } from "../storage/delivery-store.js";
import type { WorkerRegistry } from "../storage/worker-registry.js";
import type { JobOutcome, JobQueue, QueuedJob } from "./job-queue.js";
import { metrics } from "../metrics/metrics.js";

export const DELIVERY_QUEUE = "delivery";

/** How long a delivery waits before trying again when its PR is being worked on elsewhere. */
const BUSY_RETRY_SECONDS = 1;
/** Longest wait for a rate limit to reset before the job is run again. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 3600;

interface HttpError {
  status?: number;
  name?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/**
 * Is it worth trying again? GitHub's 5xx and rate limits are, as are network and database
 * errors (no HTTP status). A 4xx is an answer (the PR is gone, the app lacks a permission)
 * and a programming error stays one: those fail at once, with their error kept.
 */
export function classifyFailure(error: unknown, now = Date.now()): { retry: false } | { retry: true; afterSeconds?: number } {
  const causes = error instanceof WritesFailedError ? error.failures : error instanceof AggregateError ? error.errors : [error];
  let verdict: { retry: false } | { retry: true; afterSeconds?: number } = { retry: false };
  for (const cause of causes) {
    const e = (cause ?? {}) as HttpError;
    const headers = e.response?.headers ?? {};
    const status = e.status;
    // GitHub's secondary limit may come without either header; its docs say to wait a minute then.
    const secondary = status === 403 && /secondary rate limit|abuse detection/i.test(String((cause as { message?: unknown })?.message ?? ""));
    const rateLimited = status === 429 || (status === 403 && (String(headers["x-ratelimit-remaining"]) === "0" || headers["retry-after"] !== undefined || secondary));
    if (rateLimited) {
      const retryAfter = Number(headers["retry-after"]);
      const reset = Number(headers["x-ratelimit-reset"]);
      const wait = retryAfter > 0 ? retryAfter : reset > 0 ? Math.max(1, reset - now / 1000) : 60;
      return { retry: true, afterSeconds: Math.min(MAX_RATE_LIMIT_WAIT_SECONDS, Math.ceil(wait)) };
    }
    if (status === undefined) {
      if (cause instanceof TypeError || cause instanceof RangeError || cause instanceof SyntaxError || cause instanceof ReferenceError) continue;
      verdict = { retry: true };
    } else if (status >= 500 || status === 401 || status === 408) verdict = { retry: true };
  }
  return verdict;
}

/**
 * The job that runs one stored delivery through the app: one delivery per pull request at a
 * time across every process (the PR's lock), the handlers run by Probot as for any webhook,
 * and the outcome recorded on the delivery. A failure worth retrying goes back to the queue
 * with backoff; one that is not, or that keeps failing, is kept as failed with its error.
 */
export function createDeliveryProcessor(input: { probot: Probot; deps: AppDeps; deliveries: DeliveryStore; registry: WorkerRegistry; queue: JobQueue; log: Logger }) {
  const { probot, deps, deliveries, registry, queue, log } = input;
  const later = async (job: QueuedJob<object>, id: string, seconds: number): Promise<JobOutcome> => {
    const newId = await queue.requeue(job, seconds);
    await deliveries.setJob(deliveries.db, id, newId);
    return { kind: "done" };
  };
  return async (job: QueuedJob<Record<string, unknown>>): Promise<JobOutcome> => {
    const id = String(job.data.delivery ?? "");
    const stored = await deliveries.get(id);
    if (!stored || stored.state === "done" || stored.state === "failed") return { kind: "done" };
    const key = stored.prKey;
    // Another delivery of this PR is being processed (here or in another process): after it.
    if (key && !(await registry.lock(key))) return later(job, id, BUSY_RETRY_SECONDS);
    const claimed = await deliveries.claim(id, registry.id, job.id);
    if (!claimed) {
      if (key) await registry.unlock(key);
      return { kind: "done" };
    }
    const dlog = log.child?.({ delivery: id, event: claimed.event, ...(claimed.action ? { action: claimed.action } : {}) }) ?? log;
    const last = job.retryCount >= job.retryLimit;
    try {
      deps.attempts.set(id, claimed.attempts);
      await probot.receive({ id, name: claimed.event, payload: claimed.payload } as Parameters<Probot["receive"]>[0]);
      const failure = deps.failures.get(id);
      deps.failures.delete(id);
      if (!failure) {
        await deliveries.finish(id, "done");
        metrics.deliveriesProcessed.inc({ event: claimed.event, outcome: "done" });
        return { kind: "done" };
      }
      const message = String(describeError(failure.error).message);
      const verdict = classifyFailure(failure.error);
      if (verdict.retry && verdict.afterSeconds) {
        await deliveries.release(id, message);
        dlog.warn({ waitSeconds: verdict.afterSeconds }, "rate limited; the delivery runs again when the limit resets");
        return later(job, id, verdict.afterSeconds);
      }
      if (verdict.retry && !last) {
        await deliveries.release(id, message);
        dlog.warn({ attempt: claimed.attempts, error: message }, "delivery failed; it will be retried");
        metrics.deliveriesProcessed.inc({ event: claimed.event, outcome: "retried" });
        return { kind: "retry", error: message };
      }
      await deliveries.finish(id, "failed", message);
      metrics.deliveriesProcessed.inc({ event: claimed.event, outcome: "failed" });
      dlog.error({ attempts: claimed.attempts, error: message }, verdict.retry ? "delivery failed on every attempt; kept as failed" : "delivery failed and cannot succeed by retrying; kept as failed");
      return { kind: "done" };
    } finally {
      deps.attempts.delete(id);
      if (key) await registry.unlock(key).catch(() => undefined);
    }
  };
}
