import type { Probot } from "probot";
import { loadConfig } from "../config/load-config.js";
import { decideUrgency } from "../core/decide-urgency.js";
import { describeError } from "../describe-error.js";
import { labelNames, type PullRequestLike } from "../github/gather-triage.js";
import { stillRequested } from "../github/still-requested.js";
import type { Logger, Octokit } from "../github/types.js";
import type { AppDeps } from "../handlers/app-deps.js";
import { triagePullRequest, type TriagePipelineExtras } from "../handlers/triage.js";
import type { HistoryStore } from "../storage/history-store.js";
import { prKey } from "../storage/pr-state-store.js";
import type { WorkerRegistry } from "../storage/worker-registry.js";
import type { JobOutcome, JobQueue, QueuedJob } from "./job-queue.js";
import { escalationDelays, escalationDue, waitingSince, type EscalationJob } from "./schedule-escalations.js";
import { metrics } from "../metrics/metrics.js";
import { classifyFailure } from "./process-delivery.js";

/** How long an escalation waits when its PR is being worked on. */
const BUSY_RETRY_SECONDS = 5;
/** A job that finds itself early (the config asks for longer now) waits until it is due. */
const EARLY_SLACK_MS = 30_000;

/** What the pull lists as requested, in the shape `stillRequested` reads. */
function requestedOn(pull: { requested_reviewers?: Array<{ login?: string } | null> | null; requested_teams?: Array<{ slug?: string } | null> | null }) {
  return { users: pull.requested_reviewers, teams: pull.requested_teams };
}

function words(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 24 && h % 24 === 0 ? `${h / 24} day${h === 24 ? "" : "s"}` : h >= 1 ? `${Math.round(h * 10) / 10} h` : `${Math.round(ms / 60_000)} min`;
}

/**
 * A scheduled escalation (SPEC §8: no review after N hours → nudge, then reassign). It acts
 * only if, now, the request is still pending on an open, ready PR and escalation is on; it
 * happens once per request and kind across every process and restart (the `escalations`
 * row), and runs under the PR's lock like any delivery of that PR.
 */
export function createEscalationProcessor(input: {
  probot: Probot;
  deps: AppDeps;
  history: HistoryStore;
  registry: WorkerRegistry;
  queue: JobQueue;
  extras: TriagePipelineExtras;
  log: Logger;
  now?: () => Date;
}) {
  const { probot, deps, history, registry, queue, extras, log } = input;
  const now = input.now ?? (() => new Date());
  return async (job: QueuedJob<Record<string, unknown>>): Promise<JobOutcome> => {
    const data = job.data as unknown as EscalationJob;
    const pr = { repoId: data.repoId, number: data.number };
    const request = await history.request(data.requestId);
    if (!request) return { kind: "done" };
    // Done already (another copy of this job, another process): nothing to ask GitHub.
    if (await history.escalationDone(data.requestId, data.kind)) return { kind: "done" };
    // A reassignment an earlier attempt began (it chose, and may have requested, the next
    // reviewer, then failed or died): finished below whatever became of the first request
    // since, its withdrawal by that attempt included.
    const chosen = data.kind === "reassign" ? await history.escalationChosen(data.requestId, data.kind) : [];
    // A review or a withdrawal since: nothing to escalate.
    if ((request.removedAt || request.reviewedAt) && !chosen.length) return { kind: "done" };
    // Closed, merged or a draft is GitHub's to say (below): the stored state follows the events,
    // and two of them in one second (ready then draft again, reopened then closed) can arrive in
    // either order, which would cancel the escalation of a PR that is open and ready.
    const stored = await history.pullRequest(pr);
    if (!stored) return { kind: "done" };
    const key = prKey(data.repoId, data.number);
    if (!(await registry.lock(key))) {
      // Not urgent to the second: a PR busy for long (a job waiting out a rate limit) is not
      // asked again every moment.
      await queue.requeue(job, BUSY_RETRY_SECONDS);
      return { kind: "done" };
    }
    const elog = log.child?.({ escalation: data.kind, repo: `${data.owner}/${data.repo}`, pr: data.number, reviewer: request.reviewer }) ?? log;
    try {
      const octokit = (await probot.auth(data.installationId)) as unknown as Octokit;
      const ref = { owner: data.owner, repo: data.repo };
      const loaded = await deps.configs.get(`${data.owner}/${data.repo}`.toLowerCase(), () =>
        loadConfig({ octokit, repo: <T>(o?: T) => ({ ...ref, ...o }) } as unknown as Parameters<typeof loadConfig>[0], { extendsOwners: deps.extendsOwners }),
      );
      if (!loaded.ok) return { kind: "done" };
      const escalation = loaded.config.escalation;
      if (!escalation.enabled || (!request.byApp && !escalation.human_requests)) return { kind: "done" };
      // Urgency as the PR is now (a label may have gone since the job was scheduled), decided
      // as the triage decides it.
      const { data: pull } = await octokit.rest.pulls.get({ ...ref, pull_number: data.number });
      if (pull.state !== "open" || pull.draft) return { kind: "done" };
      // GitHub's word over the history's: a review or a withdrawal whose event the app did not
      // get (it was down; an old request event delivered late) leaves nothing to escalate.
      const madeBefore = chosen.filter((c) => stillRequested(requestedOn(pull), data.owner, c));
      if (!stillRequested(requestedOn(pull), data.owner, request.reviewer) && !madeBefore.length) {
        await history.removeRequest(pr, request.reviewer, "github", now());
        elog.info({}, "review request no longer on GitHub; not escalated");
        return { kind: "done" };
      }
      const { urgent } = decideUrgency(loaded.config.urgency, { labels: labelNames(pull as unknown as PullRequestLike), headRef: pull.head.ref, baseRef: pull.base.ref });
      const due = escalationDue(escalation, waitingSince(request.requestedAt, stored.readySince), urgent)[data.kind];
      if (!madeBefore.length && due.getTime() > now().getTime() + EARLY_SLACK_MS) {
        await queue.requeue(job, (due.getTime() - now().getTime()) / 1000);
        return { kind: "done" };
      }
      if (!(await history.startEscalation({ ...pr, requestId: data.requestId, reviewer: request.reviewer, kind: data.kind, at: now() }))) return { kind: "done" };
      const waited = words(escalationDelays(escalation, urgent)[data.kind]);
      const id = `escalation:${data.requestId}:${data.kind}`;
      deps.failures.delete(id);
      const context = {
        id,
        octokit,
        repo: <T>(o?: T) => ({ ...ref, ...o }),
        payload: { installation: { id: data.installationId }, repository: { full_name: `${data.owner}/${data.repo}` } },
        log: elog,
      };
      // Withdrawn only while this request is still the reviewer's pending one: not once they
      // have reviewed, nor when a person has requested them again since an earlier attempt
      // withdrew it.
      const pending = !request.removedAt && !request.reviewedAt;
      // Withdrawn by an earlier attempt: its removal recorded as the app's, or (its event not
      // in yet) gone from GitHub after that attempt chose who takes over.
      const withdrawnBefore = request.removedAt
        ? Boolean(deps.botLogin && request.removedBy === deps.botLogin.toLowerCase())
        : escalation.withdraw && !request.reviewedAt && madeBefore.length > 0 && !stillRequested(requestedOn(pull), data.owner, request.reviewer);
      const outcome = await triagePullRequest(context as never, deps, pull as unknown as PullRequestLike, "escalation", extras, {
        escalation: {
          kind: data.kind,
          reviewer: request.reviewer,
          requestId: data.requestId,
          waited,
          withdraw: escalation.withdraw && pending,
          requestedAt: new Date(request.requestedAt).toISOString(),
          ...(madeBefore.length ? { madeBefore } : {}),
          ...(withdrawnBefore ? { withdrawnBefore } : {}),
        },
        ...(data.kind === "reassign" ? { beforeRequests: (logins: string[]) => history.chooseForEscalation(data.requestId, data.kind, logins) } : {}),
      });
      // A PR the triage skips (a bot's, an ignored author's) gets no nudge and no reassignment,
      // and none is recorded.
      if (outcome.status !== "triaged") {
        await history.cancelEscalation(data.requestId, data.kind);
        elog.info({ status: outcome.status }, "stale review request not escalated: the PR is not triaged");
        return { kind: "done" };
      }
      const added = outcome.plan?.reassignedTo?.join(", ") || undefined;
      await history.finishEscalation(data.requestId, data.kind, now(), added);
      metrics.escalations.inc({ kind: data.kind });
      elog.info({ added }, data.kind === "nudge" ? "stale review request nudged" : "stale review request reassigned");
      return { kind: "done" };
    } catch (error) {
      // As for a delivery, a rate limit is waited out without using up an attempt: asking again
      // within GitHub's retry-after makes the limit last longer. Other failures are retried with
      // backoff; a job that used up its attempts is queued afresh by the PR's next triage.
      const verdict = classifyFailure(error);
      if (verdict.retry && verdict.afterSeconds !== undefined) {
        elog.warn({ error: describeError(error), afterSeconds: verdict.afterSeconds }, "escalation rate limited; it waits and runs again");
        await queue.requeue(job, verdict.afterSeconds);
        return { kind: "done" };
      }
      elog.warn({ error: describeError(error) }, "escalation failed; it will be retried");
      return { kind: "retry", error: String(describeError(error).message) };
    } finally {
      await registry.unlock(key).catch(() => undefined);
    }
  };
}
