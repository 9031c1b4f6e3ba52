import type { Context } from "probot";
import { prKey } from "../storage/pr-state-store.js";
import type { AppDeps } from "./app-deps.js";
import { recheckSharedHead } from "./record-history.js";
import { triagePullRequest, type PullRequestLike, type TriageTrigger } from "./triage.js";
import type { TriagePipelineExtras } from "./triage.js";

type PrContext = Context<"pull_request">;

/** pull_request events that can change the triage (the relevance gate let them through). */
export function handlePullRequest(deps: AppDeps, extras: TriagePipelineExtras) {
  return async (context: PrContext): Promise<void> => {
    let pr = context.payload.pull_request as unknown as PullRequestLike;
    // A retry may run long after the event: its payload's labels and reviewers are stale, and
    // the earlier attempt may have changed them. Read the PR as it is now.
    // And GitHub does not promise the order of its events: a payload no newer than the last one
    // triaged that names another head is older than what is known (two pushes in a row, the
    // later delivered first). Taken as it is, the history would keep a head the PR has left,
    // and the check on the commit it is back on pass for another PR on that commit alone.
    const payloadAt = (pr as { updated_at?: string }).updated_at;
    const last = (await deps.store.get(prKey(pr.base.repo.id, pr.number)))?.head;
    const outOfOrder = last !== undefined && last.sha !== pr.head.sha && !(payloadAt && Date.parse(payloadAt) > Date.parse(last.at));
    if ((deps.attempts.get(context.id) ?? 1) > 1 || outOfOrder) {
      const { data } = await context.octokit.rest.pulls.get(context.repo({ pull_number: pr.number }));
      if (outOfOrder) context.log.info({ eventHead: pr.head.sha, head: data.head.sha }, "event no newer than the PR's last triage, on another head; the PR read as it is now");
      if (data.state !== "open") return;
      pr = data as unknown as PullRequestLike;
    }
    const beforeSha = (context.payload as { before?: string }).before;
    try {
      await triagePullRequest(context, deps, pr, context.payload.action as TriageTrigger, extras, beforeSha ? { beforeSha } : {});
    } finally {
      // Pushed away from a commit other open PRs have as head: they are checked again, after
      // this PR's new head is recorded (the triage does that first).
      if (context.payload.action === "synchronize" && beforeSha) await recheckSharedHead(context, deps, { repoId: pr.base.repo.id, number: pr.number }, beforeSha);
    }
  };
}
