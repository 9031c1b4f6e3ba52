import type { Context } from "probot";
import { describeError } from "../describe-error.js";
import { eventRelevance } from "../core/event-relevance.js";
import type { AppDeps } from "./app-deps.js";

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

/**
 * Wrap a handler with what every event needs: a log child carrying the delivery id, the
 * relevance gate (the same one the webhook intake applies), and an error boundary. A failure
 * is logged and handed to the job that runs the delivery (`deps.failures`), which retries it;
 * it is never rethrown into Probot, which would log the whole event with it.
 */
export function runEvent<C extends Context>(deps: AppDeps, name: string, handler: (context: C) => Promise<void>): (context: C) => Promise<void> {
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
    const relevance = eventRelevance(name, context.payload);
    if (!relevance.relevant) {
      if (relevance.malformed) log.warn({ missing: relevance.malformed }, "malformed webhook payload; ignored");
      else log.debug({ reason: relevance.reason }, "event cannot change the triage; ignored");
      return;
    }
    try {
      await handler(context);
    } catch (error) {
      deps.failures.set(context.id, { error });
      // Under the queue the delivery's job decides what the failure means (retried: a warning;
      // given up: an error) and logs it; without one (Action mode) this is the last word.
      if (deps.attempts.has(context.id)) log.warn({ error: describeError(error) }, "handler failed");
      else log.error({ error: describeError(error) }, "handler failed");
    }
  };
}
