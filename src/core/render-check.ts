import type { CheckAnnotation } from "./analysis/to-annotations.js";
import type { ConfigProblem } from "../config/format-issues.js";
import { problemToLine } from "../config/format-issues.js";
import type { ApprovalStatus } from "./evaluate-approvals.js";
import type { ReviewerChoice } from "./choose-reviewers.js";
import { name, text as plain } from "./safe-markdown.js";
import type { RiskAssessment } from "./types.js";

/** The check run branch protection can require. */
export const CHECK_NAME = "Review Triage";

/** A check run as the app wants it to look on GitHub. */
export interface CheckRunSpec {
  status: "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "action_required" | "skipped";
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

export const INVALID_CONFIG_TITLE = "Invalid .github/review-triage.yml";

export function invalidConfigCheck(problems: ConfigProblem[], docsUrl: string, files: string[]): CheckRunSpec {
  const lines = problems.slice(0, 100).map((p) => `- ${plain(problemToLine(p))}`);
  return {
    status: "completed",
    conclusion: "failure",
    title: INVALID_CONFIG_TITLE,
    summary: [
      `Review Triage did not triage this pull request because its configuration is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
      "",
      ...lines,
      "",
      files.length ? `Files read: ${files.map((f) => `\`${f}\``).join(", ")} (from the default branch).` : "",
      `Fix the file on the default branch, then re-run this check. Reference: ${docsUrl}`,
    ]
      .filter((l, i, all) => l !== "" || all[i - 1] !== "")
      .join("\n"),
  };
}

/** A draft cannot be merged; its check waits (never passes) until it is marked ready. */
export function draftCheck(): CheckRunSpec {
  return {
    status: "in_progress",
    title: "Draft: not reviewed yet",
    summary: "This pull request is a draft. Review Triage scores it, requests reviewers and sets the approvals it needs when it is marked ready for review.",
  };
}

export function skippedCheck(reason: string): CheckRunSpec {
  return {
    status: "completed",
    conclusion: "skipped",
    title: `Skipped: ${reason}`.slice(0, 255),
    summary: `Review Triage did not triage this pull request because ${plain(reason)}.`,
  };
}

export interface ChecklistStatus {
  /** Required items not yet ticked by an allowed person, as "Checklist: item (by lead)". */
  missing: string[];
  total: number;
}

export interface TriageCheckInput {
  assessment: RiskAssessment;
  choice: ReviewerChoice;
  approvals: ApprovalStatus;
  checklists?: ChecklistStatus;
  /** A PR that edits the config: the dry run of the new file. */
  configDryRun?: { ok: boolean; lines: string[] };
  override?: { level: string; by: string; reason: string };
  /** Why the PR is urgent, as Markdown with user text already escaped; absent when it is not. */
  urgent?: string;
  /** Extra sections in the check's details (e.g. static analysis, tick record). */
  extraText?: string[];
  annotations?: CheckRunSpec["annotations"];
}

/** The check run that enforces governance (SPEC §6): success only when nothing is missing. */
export function triageCheck(input: TriageCheckInput): CheckRunSpec {
  const { assessment, approvals } = input;
  const missing: string[] = [...approvals.missing];
  const checklistMissing = input.checklists?.missing ?? [];
  if (checklistMissing.length) {
    missing.push(`${checklistMissing.length} required checklist item${checklistMissing.length === 1 ? "" : "s"}`);
  }
  if (input.configDryRun && !input.configDryRun.ok) missing.push("a valid .github/review-triage.yml in this PR");
  const level = assessment.level;
  // Say why an approval that was given does not count, where that is what is missing.
  const stale = approvals.stale.length && !approvals.satisfied ? ` (${approvals.stale.join(", ")} approved an older commit; ${level} risk needs approvals on the current head)` : "";
  const title = missing.length ? `Needs: ${missing.join(", ")}${stale}` : `Ready: ${level} risk, approvals and checklists complete`;
  const summary: string[] = [
    ...(input.urgent ? [`**Urgent**: ${input.urgent}.`, ""] : []),
    `**${level}** risk (score ${assessment.score}/100): likelihood ${assessment.likelihood.band.replace("_", " ")} × impact ${assessment.impact.level}.`,
  ];
  if (input.override) summary.push(`Level overridden to **${input.override.level}** by ${name(input.override.by)}: ${plain(input.override.reason)}`);
  summary.push("");
  summary.push(
    `Approvals: ${approvals.approvedBy.length}/${approvals.required.total} (lead ${approvals.leadApprovedBy.length}/${approvals.required.lead})` +
      (approvals.approvedBy.length ? ` — approved by ${approvals.approvedBy.map(name).join(", ")}` : ""),
  );
  if (approvals.stale.length) summary.push(`Stale: ${approvals.stale.map(name).join(", ")} approved an older commit; ${level} risk counts only approvals on the current head.`);
  for (const n of approvals.notCounted) summary.push(`Not counted: ${name(n.login)}'s approval (${plain(n.why)}).`);
  if (input.checklists) {
    summary.push(
      `Required checklist items: ${input.checklists.total - checklistMissing.length}/${input.checklists.total} ticked by an allowed person`,
    );
    for (const m of checklistMissing) summary.push(`- ${plain(m)}`);
  }
  const reviewers = [...input.choice.picks, ...input.choice.kept].map((p) => name(p.login));
  summary.push(`Reviewers: ${reviewers.length ? reviewers.join(", ") : "none"}`);
  if (input.configDryRun) {
    summary.push("");
    summary.push(`**This PR changes .github/review-triage.yml** (applies only after merge):`);
    summary.push(...input.configDryRun.lines);
  }
  const text = input.extraText?.filter(Boolean).join("\n\n");
  // A broken config in the PR is a failure, not a wait: it must be fixed before merging.
  const brokenConfig = input.configDryRun !== undefined && !input.configDryRun.ok;
  return {
    status: missing.length && !brokenConfig ? "in_progress" : "completed",
    ...(brokenConfig ? { conclusion: "failure" as const } : missing.length ? {} : { conclusion: "success" as const }),
    title: brokenConfig ? `${INVALID_CONFIG_TITLE} in this PR; ${title}`.slice(0, 255) : title,
    summary: summary.join("\n"),
    ...(text ? { text } : {}),
    ...(input.annotations?.length ? { annotations: input.annotations } : {}),
  };
}
