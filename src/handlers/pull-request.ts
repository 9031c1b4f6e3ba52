import type { Context } from "probot";
import { isRiskLabel } from "../github/ensure-risk-label.js";
import type { AppDeps } from "./app-deps.js";
import { triagePullRequest, type PullRequestLike, type TriageTrigger } from "./triage.js";
import type { TriageExtras } from "./triage-extras.js";

type PrContext = Context<"pull_request">;

/** Decide whether a pull_request event can change the triage at all. */
export function shouldTriage(context: PrContext): boolean {
  const payload = context.payload;
  if (payload.pull_request.state !== "open") return false;
  if (payload.action === "edited") {
    // Only the title (fix/type factors, skip keywords) and base (the diff) affect triage.
    const changes = (payload as { changes?: Record<string, unknown> }).changes ?? {};
    return "title" in changes || "base" in changes;
  }
  if (payload.action === "labeled" || payload.action === "unlabeled") {
    // Our own risk label going on or off must not trigger another round.
    const name = (payload as { label?: { name?: string } }).label?.name ?? "";
    return !isRiskLabel(name);
  }
  return true;
}

export function handlePullRequest(deps: AppDeps, extras: TriageExtras) {
  return async (context: PrContext): Promise<void> => {
    if (!shouldTriage(context)) {
      context.log.debug({}, "event cannot change the triage; ignored");
      return;
    }
    const pr = context.payload.pull_request as unknown as PullRequestLike;
    const beforeSha = (context.payload as { before?: string }).before;
    await triagePullRequest(context, deps, pr, context.payload.action as TriageTrigger, extras, beforeSha ? { beforeSha } : {});
  };
}
