import type { Context } from "probot";
import type { AppDeps } from "./app-deps.js";
import { metrics } from "../metrics/metrics.js";
import { prKey } from "../storage/pr-state-store.js";
import { queueRecheck } from "./record-history.js";
import { triagePullRequest, type PullRequestLike, type TriagePipelineExtras } from "./triage.js";

/** Reviews submitted, edited or dismissed change what governance sees: re-evaluate. */
export function handleReview(deps: AppDeps, extras: TriagePipelineExtras) {
  return async (context: Context<"pull_request_review">): Promise<void> => {
    const { review, pull_request: pull } = context.payload;
    if (review.user) {
      const recorded = await deps.history.recordReview({
        repoId: pull.base.repo.id,
        number: pull.number,
        id: review.id,
        reviewer: review.user.login,
        state: review.state.toUpperCase(),
        ...(review.commit_id ? { commitId: review.commit_id } : {}),
        submittedAt: review.submitted_at ?? new Date().toISOString(),
      });
      if (recorded.requestedAt && review.submitted_at) {
        const level = (await deps.store.get(prKey(pull.base.repo.id, pull.number)))?.level ?? "unknown";
        metrics.timeToFirstReview.observe({ level }, Math.max(0, (new Date(review.submitted_at).getTime() - recorded.requestedAt.getTime()) / 1000));
      }
    }
    // Review webhooks carry a trimmed PR without its line and file totals, which the risk
    // model needs for very large PRs: read the full PR.
    const { data } = await context.octokit.rest.pulls.get(context.repo({ pull_number: context.payload.pull_request.number }));
    if (data.state !== "open") return;
    await triagePullRequest(context, deps, data as unknown as PullRequestLike, "review", extras);
  };
}

/** "Re-run" on the Review Triage check: triage the PR again. */
export function handleCheckRerequested(deps: AppDeps, extras: TriagePipelineExtras) {
  return async (context: Context<"check_run.rerequested">): Promise<void> => {
    const run = context.payload.check_run;
    if (deps.appId && run.app?.id !== undefined && run.app.id !== deps.appId) return;
    let number = run.pull_requests?.[0]?.number;
    if (!number) {
      // GitHub leaves `pull_requests` empty for PRs from forks: find the open PR by its head.
      const open = await context.octokit.paginate(context.octokit.rest.pulls.list, context.repo({ state: "open" as const, per_page: 100 }));
      number = open.find((p) => p.head.sha === run.head_sha)?.number;
    }
    if (!number) {
      context.log.info({}, "re-run requested on a check without an open pull request; ignored");
      return;
    }
    if (!run.pull_requests?.[0]?.number) {
      // Found by its head, this delivery was not queued under the PR's key: the check runs in a
      // delivery of its own that is, one at a time with the PR's other events.
      const queued = await queueRecheck(context, deps, context.payload.repository.id, number, run.head_sha);
      if (queued) {
        context.log.info({ pr: number, queued: queued === "queued" }, "re-run of a fork PR's check queued under its PR");
        return;
      }
    }
    const { data } = await context.octokit.rest.pulls.get(context.repo({ pull_number: number }));
    // Closed, or moved on from the commit the run was on (a re-check queued before a push).
    if (data.state !== "open" || data.head.sha !== run.head_sha) return;
    await triagePullRequest(context, deps, data as unknown as PullRequestLike, "rerequested", extras);
  };
}
