import type { Context } from "probot";
import type { AppDeps } from "./app-deps.js";

/** A log-safe view of an error: never the request headers or the webhook payload. */
export function describeError(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; message?: string; status?: number; request?: { method?: string; url?: string }; stack?: string };
  return {
    type: e?.name ?? typeof error,
    message: e?.message ?? String(error),
    ...(e?.status !== undefined ? { status: e.status } : {}),
    ...(e?.request?.method ? { request: `${e.request.method} ${e.request.url ?? ""}` } : {}),
    ...(e?.stack ? { stack: e.stack.split("\n").slice(0, 6).join("\n") } : {}),
  };
}

interface EventFacts {
  repo?: string;
  pr?: number;
  sha?: string;
}

/** Pick identifying fields from any payload, tolerating truncated or malformed ones. */
export function eventFacts(payload: unknown): EventFacts {
  const p = (payload ?? {}) as Record<string, unknown>;
  const repo = (p.repository as { full_name?: unknown } | undefined)?.full_name;
  const pull = p.pull_request as { number?: unknown; head?: { sha?: unknown } } | undefined;
  const issue = p.issue as { number?: unknown; pull_request?: unknown } | undefined;
  const checkRun = p.check_run as { head_sha?: unknown; pull_requests?: Array<{ number?: unknown }> } | undefined;
  const pr = pull?.number ?? (issue?.pull_request ? issue.number : undefined) ?? checkRun?.pull_requests?.[0]?.number;
  const sha = pull?.head?.sha ?? checkRun?.head_sha;
  return {
    ...(typeof repo === "string" ? { repo } : {}),
    ...(typeof pr === "number" ? { pr } : {}),
    ...(typeof sha === "string" ? { sha } : {}),
  };
}

const REQUIRED_FIELDS: Record<string, string[]> = {
  pull_request: ["pull_request.number", "pull_request.head.sha", "pull_request.head.ref", "pull_request.base.repo.id", "pull_request.labels"],
  pull_request_review: ["pull_request.number", "pull_request.head.sha", "pull_request.base.repo.id", "review.state"],
  issue_comment: ["issue.number", "comment.id", "comment.body", "sender.login"],
  check_run: ["check_run.name", "check_run.head_sha"],
  push: ["ref", "repository.default_branch"],
};

/** The first field a handler relies on that the payload lacks (truncated or malformed). */
export function missingField(event: string, payload: unknown): string | undefined {
  for (const path of REQUIRED_FIELDS[event] ?? []) {
    let node: unknown = payload;
    for (const key of path.split(".")) node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
    if (node === undefined || node === null) return path;
  }
  return undefined;
}

/**
 * Wrap a handler with what every event needs: a log child carrying the delivery id, the
 * redelivery check, per-PR serialisation, and an error boundary that logs and never
 * rethrows (Probot would log the whole event with the error).
 */
export function runEvent<C extends Context>(
  deps: AppDeps,
  name: string,
  handler: (context: C) => Promise<void>,
): (context: C) => Promise<void> {
  return async (context: C) => {
    const facts = eventFacts(context.payload);
    const action = (context.payload as { action?: unknown }).action;
    const log = context.log.child({
      delivery: context.id,
      event: name,
      ...(typeof action === "string" ? { action } : {}),
      ...facts,
    });
    context.log = log;
    if (deps.deliveries.has(context.id)) {
      log.info({}, "redelivered webhook ignored");
      return;
    }
    deps.deliveries.set(context.id, true);
    if (!facts.repo) {
      log.warn({ missing: "repository.full_name" }, "malformed webhook payload; ignored");
      return;
    }
    const missing = missingField(name, context.payload);
    if (missing) {
      log.warn({ missing }, "malformed webhook payload; ignored");
      return;
    }
    const queueKey = facts.pr !== undefined ? `${facts.repo}#${facts.pr}` : `${facts.repo}:${context.id}`;
    try {
      await deps.prQueue.run(queueKey, () => handler(context));
    } catch (error) {
      // The delivery may be retried by GitHub: let it through the redelivery check then.
      deps.deliveries.delete(context.id);
      log.error({ error: describeError(error) }, "handler failed");
    }
  };
}
