import type { Config } from "../config/schema.js";
import { waitingSince } from "../queue/schedule-escalations.js";
import type { AppDeps } from "./app-deps.js";

export interface EscalationTarget {
  repoId: number;
  number: number;
  owner: string;
  repo: string;
  installationId?: number;
}

/**
 * Schedule the escalations of every request pending on a PR that escalation covers: the app's
 * own, and people's when `human_requests` is on. Called whenever the app sees the PR (a triage,
 * a request event), because scheduling is idempotent: a request recorded by a process that died
 * before scheduling it, or first seen as GitHub's event, is scheduled the next time either way.
 */
export async function schedulePendingEscalations(deps: AppDeps, pr: EscalationTarget, escalation: Config["escalation"], urgent: boolean): Promise<void> {
  if (!escalation.enabled || !deps.escalations) return;
  // A draft's requests wait for it to be ready: the triage that sees it ready schedules them.
  const stored = await deps.history.pullRequest(pr);
  if (!stored || stored.state !== "open" || stored.draft) return;
  for (const pending of await deps.history.pendingRequests(pr)) {
    if (!pending.byApp && !escalation.human_requests) continue;
    await deps.escalations.schedule({
      requestId: pending.id,
      repoId: String(pr.repoId),
      number: pr.number,
      owner: pr.owner,
      repo: pr.repo,
      ...(pr.installationId !== undefined ? { installationId: pr.installationId } : {}),
      requestedAt: waitingSince(pending.requestedAt, stored.readySince),
      escalation,
      urgent,
      done: { nudge: pending.nudgedAt !== null, reassign: pending.reassignedAt !== null },
    });
  }
}
