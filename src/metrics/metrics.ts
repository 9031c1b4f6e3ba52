import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The app's Prometheus metrics (SPEC §8), one registry per process; each instance is
 * scraped on its own `/metrics`. Queue figures are read from the database at scrape time, so
 * they are the same on every instance.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "review_triage_process_" });

const registers = [registry];

export const metrics = {
  deliveriesReceived: new Counter({
    name: "review_triage_deliveries_received_total",
    help: "Webhook deliveries accepted (signature verified), by event and what happened to them at intake.",
    labelNames: ["event", "intake"] as const,
    registers,
  }),
  deliveriesProcessed: new Counter({
    name: "review_triage_deliveries_processed_total",
    help: "Deliveries processed by a job, by event and outcome (done, retried, failed).",
    labelNames: ["event", "outcome"] as const,
    registers,
  }),
  jobDuration: new Histogram({
    name: "review_triage_job_duration_seconds",
    help: "Time a job took, by queue.",
    labelNames: ["queue"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  }),
  githubRequests: new Counter({
    name: "review_triage_github_requests_total",
    help: "Requests to GitHub's API, by method and status.",
    labelNames: ["method", "status"] as const,
    registers,
  }),
  rateLimitRemaining: new Gauge({
    name: "review_triage_github_rate_limit_remaining",
    help: "Requests left in the installation's current rate-limit window, as GitHub last said.",
    labelNames: ["installation"] as const,
    registers,
  }),
  prsTriaged: new Counter({
    name: "review_triage_prs_triaged_total",
    help: "Triages made, by risk level.",
    labelNames: ["level"] as const,
    registers,
  }),
  timeToFirstReview: new Histogram({
    name: "review_triage_time_to_first_review_seconds",
    help: "From a review request to the reviewer's first review, by the PR's risk level.",
    labelNames: ["level"] as const,
    buckets: [600, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600, 96 * 3600, 7 * 24 * 3600],
    registers,
  }),
  escalations: new Counter({
    name: "review_triage_escalations_total",
    help: "Stale review requests escalated, by kind (nudge, reassign).",
    labelNames: ["kind"] as const,
    registers,
  }),
  analysisDuration: new Histogram({
    name: "review_triage_static_analysis_duration_seconds",
    help: "Static analysis of one PR's changed files.",
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
    registers,
  }),
  analysisBudgetHits: new Counter({
    name: "review_triage_static_analysis_budget_hits_total",
    help: "Files not analysed because they exceeded the time or memory budget.",
    registers,
  }),
};

/** Queue depth and the age of the oldest waiting job, read when Prometheus scrapes. */
export function registerQueueGauges(depth: (queue: string) => Promise<{ waiting: number; oldestSeconds: number }>, queues: readonly string[]): void {
  for (const name of ["review_triage_queue_depth", "review_triage_queue_oldest_job_age_seconds"]) registry.removeSingleMetric(name);
  const read = async () => Object.fromEntries(await Promise.all(queues.map(async (q) => [q, await depth(q).catch(() => ({ waiting: 0, oldestSeconds: 0 }))] as const)));
  let last: Promise<Record<string, { waiting: number; oldestSeconds: number }>> | undefined;
  // Both gauges are collected in one scrape: read the database once for the two.
  const snapshot = () => (last ??= read().finally(() => setTimeout(() => (last = undefined), 100)));
  new Gauge({
    name: "review_triage_queue_depth",
    help: "Jobs waiting, by queue (every instance shares the queue).",
    labelNames: ["queue"] as const,
    registers,
    async collect() {
      for (const [q, d] of Object.entries(await snapshot())) this.set({ queue: q }, d.waiting);
    },
  });
  new Gauge({
    name: "review_triage_queue_oldest_job_age_seconds",
    help: "Age of the oldest waiting job, by queue.",
    labelNames: ["queue"] as const,
    registers,
    async collect() {
      for (const [q, d] of Object.entries(await snapshot())) this.set({ queue: q }, d.oldestSeconds);
    },
  });
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `GET /metrics`; with METRICS_TOKEN set, only with `Authorization: Bearer <token>`. */
export function handleMetrics(token: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if ((req.url ?? "").split("?")[0] !== "/metrics" || req.method !== "GET") return false;
    if (token) {
      const given = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
      if (!tokenMatches(given, token)) {
        res.writeHead(401, { "www-authenticate": "Bearer", "content-type": "text/plain" }).end("metrics need the bearer token (METRICS_TOKEN)\n");
        return true;
      }
    }
    res.writeHead(200, { "content-type": registry.contentType }).end(await registry.metrics());
    return true;
  };
}
