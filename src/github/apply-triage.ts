import type { CheckRunSpec } from "../core/render-check.js";
import { STICKY_MARKER } from "../core/render-comment.js";
import type { TriagePlan } from "../core/plan-triage.js";
import type { Level } from "../config/schema.js";
import { ensureCheckRun, type KnownCheckRun } from "./ensure-check-run.js";
import { requestReviewers, type ReviewRequest, type ReviewRequestResult } from "./ensure-reviewers.js";
import { ensureRiskLabel } from "./ensure-risk-label.js";
import { ensureStickyComment, findStickyComment, hashText, isOwnComment, type KnownComment } from "./ensure-sticky-comment.js";
import { PRIORITY } from "../queue/write-queue.js";
import type { Octokit } from "./types.js";

/** Runs one write at a time per installation, most urgent first (see `WriteQueue`). */
export interface WriteScheduler {
  schedule<T>(lane: string, priority: number, run: () => Promise<T>): Promise<T>;
}

export interface ApplyTarget {
  octokit: Octokit;
  writes: WriteScheduler;
  /** The write lane: the installation, like the throttle's own limiter. */
  lane: string;
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  appId?: number;
  botLogin?: string;
  /** Without an app id: the slug of the app whose check runs are this app's (Action mode). */
  appSlug?: string;
}

export interface WriteOutcome {
  /** Writes GitHub was sent (0: nothing changed). */
  writes: number;
  check?: KnownCheckRun;
  comment?: { id: number; hash: string };
  /** Writes that failed; the others went ahead. */
  failures: unknown[];
}

/** Request reviewers, the most urgent write; an urgent PR's before anyone else's. */
export function applyReviewRequests(target: ApplyTarget, people: ReviewRequest[], urgent = false): Promise<ReviewRequestResult> {
  const ref = { owner: target.owner, repo: target.repo, pull_number: target.number };
  return target.writes.schedule(target.lane, urgent ? PRIORITY.urgentReviewers : PRIORITY.reviewers, () => requestReviewers(target.octokit, ref, people));
}

/** Make the check run show `spec` (no write when it already does). */
export async function applyCheck(target: ApplyTarget, spec: CheckRunSpec, known: KnownCheckRun | null | undefined): Promise<{ wrote: boolean; run: KnownCheckRun }> {
  const ref = { owner: target.owner, repo: target.repo, head_sha: target.headSha };
  const result = await target.writes.schedule(target.lane, PRIORITY.check, () => ensureCheckRun(target.octokit, ref, spec, known, { appId: target.appId, appSlug: target.appSlug }));
  return { wrote: result.write !== "unchanged", run: result.run };
}

/**
 * The writes of a plan besides the review requests: the check run, the sticky comment and the
 * risk label, each an idempotent `ensureX` (read, compare, write only the difference), all
 * scheduled at once so the write queue orders them against other PRs' writes. A failing
 * write does not stop the others.
 */
export async function applyTriageWrites(
  target: ApplyTarget,
  plan: Pick<TriagePlan, "check" | "commentBody" | "commentOnlyIfExists" | "label" | "assessment" | "reply">,
  known: { check: KnownCheckRun | null | undefined; comment: KnownComment | null | undefined },
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { writes: 0, failures: [] };
  const issueRef = { owner: target.owner, repo: target.repo, issue_number: target.number };
  const tasks: Array<Promise<unknown>> = [];
  tasks.push(
    applyCheck(target, plan.check, known.check).then(({ wrote, run }) => {
      if (wrote) outcome.writes++;
      outcome.check = run;
    }),
  );
  const body = plan.commentBody;
  if (body !== undefined) {
    tasks.push(
      (async () => {
        let existing = known.comment;
        if (plan.commentOnlyIfExists) {
          // A paused PR's comment says why, but no comment is posted just to say so.
          if (existing === undefined) existing = (await findStickyComment(target.octokit, issueRef, STICKY_MARKER, target)) ?? null;
          if (!existing) return;
        }
        const result = await target.writes.schedule(target.lane, PRIORITY.comment, () =>
          ensureStickyComment(target.octokit, issueRef, STICKY_MARKER, body, existing, target),
        );
        if (result.write !== "unchanged") outcome.writes++;
        outcome.comment = { id: result.comment.id, hash: hashText(result.comment.body) };
      })(),
    );
  }
  const label = plan.label;
  if (label && (label.add || label.remove.length)) {
    tasks.push(
      target.writes
        .schedule(target.lane, PRIORITY.label, () => ensureRiskLabel(target.octokit, issueRef, plan.assessment.level as Level, label))
        .then((n) => {
          outcome.writes += n;
        }),
    );
  }
  const reply = plan.reply;
  if (reply) {
    tasks.push(
      (async () => {
        // Posted once: a retried job finds its reply by the marker and does not post it again.
        const comments = await target.octokit.paginate(target.octokit.rest.issues.listComments, { ...issueRef, per_page: 100 });
        // Only the app's own comment counts: anyone can paste the marker to suppress a nudge.
        const identity = { ...(target.appId ? { appId: target.appId } : {}), ...(target.botLogin ? { botLogin: target.botLogin } : {}) };
        if (comments.some((c) => (c.body ?? "").startsWith(reply.marker) && isOwnComment(c, identity))) return;
        await target.writes.schedule(target.lane, PRIORITY.comment, () => target.octokit.rest.issues.createComment({ ...issueRef, body: reply.body }));
        outcome.writes++;
      })(),
    );
  }
  for (const result of await Promise.allSettled(tasks)) {
    if (result.status === "rejected") outcome.failures.push(result.reason);
  }
  return outcome;
}
