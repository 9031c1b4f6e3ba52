import { createHash } from "node:crypto";
import { durationMs, type Config } from "../config/schema.js";
import { addWorkingTime } from "../core/working-time.js";
import type { JobQueue } from "./job-queue.js";

export const ESCALATION_QUEUE = "escalation";

/**
 * An escalation job still active this long after it started is taken for lost (its process
 * was killed) and run again: one escalation is one triage, minutes at most, and a second copy
 * waits for the PR's lock and then finds the step done.
 */
export const ESCALATION_EXPIRY_SECONDS = 15 * 60;

export interface EscalationJob {
  requestId: string;
  kind: "nudge" | "reassign";
  repoId: string;
  number: number;
  owner: string;
  repo: string;
  installationId?: number;
  /** When it is due, as scheduled (the job checks again against the config and the PR it finds). */
  due: string;
  /** Scheduled as an urgent PR's (the job checks the PR's urgency again when it runs). */
  urgent?: boolean;
}

/**
 * How much working time each step waits. An urgent PR is nudged after `urgent_nudge_after`
 * (a quarter of `nudge_after` when unset) and reassigned after `reassign_after` scaled by the
 * same ratio, so the reassignment still comes after the nudge.
 */
export function escalationDelays(escalation: Config["escalation"], urgent = false): { nudge: number; reassign: number } {
  const nudge = durationMs(escalation.nudge_after);
  const reassign = durationMs(escalation.reassign_after);
  if (!urgent) return { nudge, reassign };
  const urgentNudge = escalation.urgent_nudge_after ? durationMs(escalation.urgent_nudge_after) : nudge / 4;
  return { nudge: urgentNudge, reassign: Math.round((reassign * urgentNudge) / nudge) };
}

/**
 * Where a request's wait starts: when it was made, or when its PR last became ready for review
 * if that is later (time as a draft does not count, and a return to draft restarts the wait).
 */
export function waitingSince(requestedAt: Date, readySince: Date | null | undefined): Date {
  return readySince && readySince.getTime() > requestedAt.getTime() ? readySince : requestedAt;
}

/** When each step is due for a request waiting since `requestedAt` (working time only). */
export function escalationDue(escalation: Config["escalation"], requestedAt: Date, urgent = false): { nudge: Date; reassign: Date } {
  const delays = escalationDelays(escalation, urgent);
  return {
    nudge: addWorkingTime(requestedAt, delays.nudge, escalation.working_days, escalation.timezone),
    reassign: addWorkingTime(requestedAt, delays.reassign, escalation.working_days, escalation.timezone),
  };
}

export interface EscalationScheduler {
  /** Queue the steps of a request not `done` yet, each at its due time. */
  schedule(
    input: Omit<EscalationJob, "kind" | "due"> & { requestedAt: Date; escalation: Config["escalation"]; urgent?: boolean; done?: Partial<Record<EscalationJob["kind"], boolean>> },
  ): Promise<void>;
}

/**
 * The job id of one step of one request at one due time (a UUID, as pg-boss keeps them). A
 * step scheduled again for the same time (every triage and every request event schedules the
 * PR's pending requests) is the same job, queued once; a new due time (the PR became urgent,
 * the config changed) is a new job, and the old one finds the step done or requeues itself.
 */
export function escalationJobId(requestId: string, kind: EscalationJob["kind"], due: Date): string {
  const hex = createHash("sha256").update(`escalation:${requestId}:${kind}:${due.toISOString()}`).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Escalations are jobs on the same queue, started at their due time. Each checks, when it
 * runs, that its request is still pending on an open, ready PR, so a review, a close, a merge
 * or a return to draft cancels it without anything to find and delete. Scheduling is
 * idempotent (deterministic job ids), so callers schedule every pending request whenever they
 * see the PR, and a crash between recording a request and scheduling it loses nothing.
 */
export function createEscalationScheduler(queue: JobQueue, now: () => Date = () => new Date()): EscalationScheduler {
  return {
    async schedule(input) {
      const { requestedAt, escalation, urgent, done, ...target } = input;
      const due = escalationDue(escalation, requestedAt, urgent);
      for (const kind of ["nudge", "reassign"] as const) {
        if (done?.[kind]) continue;
        const at = due[kind];
        const job: EscalationJob = { ...target, kind, due: at.toISOString(), ...(urgent ? { urgent: true } : {}) };
        await queue.send(ESCALATION_QUEUE, job, {
          id: escalationJobId(target.requestId, kind, at),
          startAfterSeconds: Math.max(0, (at.getTime() - now().getTime()) / 1000),
        });
      }
    },
  };
}
