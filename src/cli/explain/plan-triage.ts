import { problemToLine } from "../../config/format-issues.js";
import type { Level } from "../../config/schema.js";
import {
  applicableChecklists,
  missingRequired,
  type AppliedChecklist,
  type ChecklistItem,
  type PrRecord,
  type Tick,
  type TickerRole,
} from "../../core/checklists.js";
import { chooseReviewers, type ReviewerChoice } from "../../core/choose-reviewers.js";
import { evaluateApprovals, type ApprovalStatus } from "../../core/evaluate-approvals.js";
import { skippedCheck, triageCheck } from "../../core/render-check.js";
import { scoreRisk } from "../../core/score-risk.js";
import { skipReason } from "../../core/skip-reason.js";
import type { PullRequestFacts, RiskAssessment } from "../../core/types.js";
import { planRiskLabel, type LabelPlan } from "../../github/ensure-risk-label.js";
import type { FetchedPullRequest, GatheredTriage } from "./gather-pull-request.js";

export interface PlannedItem extends ChecklistItem {
  /** Who may tick it, in words: the role and, where known, the people. */
  tickedBy: string;
  /** The tick the app recorded, if any. */
  tick?: Tick;
}

export interface PlannedChecklist extends Omit<AppliedChecklist, "items"> {
  items: PlannedItem[];
}

/** What the app would do on this PR now, computed by the app's own core functions. */
export interface TriagePlan {
  /** Set when the app would not triage the PR now (draft, bot, label, title). */
  skipReason?: string;
  assessment: RiskAssessment;
  /** The level the model gives, before any lead override. */
  scoredLevel: Level;
  override?: NonNullable<PrRecord["override"]>;
  /** `request` when the app requests reviewers, `suggest` when `options.request_reviewers` is off. */
  mode: "request" | "suggest";
  choice: ReviewerChoice;
  checklists: PlannedChecklist[];
  checklistStatus?: { missing: string[]; total: number };
  approvals: ApprovalStatus;
  /** The lead group's members, lower-cased (teams expanded). */
  leads: string[];
  /** The "Review Triage" check run the app would show. */
  check: { status: "in_progress" | "completed"; conclusion?: string; title: string };
  /** The `risk: <level>` label change, when labels are on. */
  label?: LabelPlan;
  comment: boolean;
  /** A PR that edits the config: whether the new file is valid and where it would route. */
  configDryRun?: { ok: boolean; lines: string[] };
  notes: string[];
}

export function labelNames(pr: Pick<FetchedPullRequest, "labels">): string[] {
  return pr.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
}

function who(role: TickerRole, author: string, leads: readonly string[]): string {
  if (role === "author") return author ? `the author, @${author}` : "the author";
  if (role === "lead") return leads.length ? `a lead: ${leads.map((l) => `@${l}`).join(", ")}` : "a lead (the lead group has no members)";
  return "a reviewer with write access, not the author";
}

/**
 * Turn what was read into what the app would do (SPEC §3–§6): score, route, checklists,
 * approvals, check run and label. Pure; every decision is made by the app's core functions.
 */
export function planTriage(input: { owner: string; pr: FetchedPullRequest; triage: GatheredTriage }): TriagePlan {
  const { owner, pr, triage } = input;
  const { config, files, members, load, reviews } = triage;
  const author = pr.user?.login ?? "";
  const labels = labelNames(pr);

  const skipped = skipReason(
    { draft: pr.draft ?? false, authorLogin: author, authorType: pr.user?.type ?? "User", labels, title: pr.title },
    config.options.skip,
  );

  const facts: PullRequestFacts = {
    number: pr.number,
    title: pr.title,
    headRef: pr.head.ref,
    labels,
    additions: pr.additions ?? 0,
    deletions: pr.deletions ?? 0,
    changedFiles: pr.changed_files ?? files.length,
  };
  let assessment = scoreRisk({
    files,
    pr: facts,
    config: config.risk,
    ...(triage.analysis ? { analysis: { errors: triage.analysis.errors } } : {}),
  });
  const scoredLevel = assessment.level;
  const override = triage.record?.override;
  if (override) assessment = { ...assessment, level: override.level as Level };

  const reviewed = new Set(reviews.map((r) => r.login.toLowerCase()));
  const requested = new Set<string>([
    ...(pr.requested_reviewers ?? []).map((u) => u.login.toLowerCase()),
    ...(pr.requested_teams ?? []).map((t) => `@${owner}/${t.slug}`.toLowerCase()),
  ]);
  const choice = chooseReviewers({ level: assessment.level, config, prNumber: pr.number, author, members, load, requested, reviewed });

  const leads = [...new Set((members[config.governance.lead_group] ?? []).map((m) => m.login.toLowerCase()))].sort();
  const approvals = evaluateApprovals({ level: assessment.level, config, reviews, author, leads: new Set(leads) });

  const ticks = triage.record?.ticks ?? {};
  const applied = applicableChecklists(config, { level: assessment.level, files: files.map((f) => f.filename), labels });
  const checklistStatus = applied.some((c) => c.items.some((i) => i.required)) ? missingRequired(applied, ticks) : undefined;
  const checklists: PlannedChecklist[] = applied.map((list) => ({
    ...list,
    items: list.items.map((item) => ({ ...item, tickedBy: who(item.by, author, leads), ...(ticks[item.id] ? { tick: ticks[item.id] } : {}) })),
  }));

  const configDryRun = triage.configChange ? dryRun(triage, facts, author, load) : undefined;
  const spec = skipped
    ? skippedCheck(skipped)
    : triageCheck({
        assessment,
        choice,
        approvals,
        ...(checklistStatus ? { checklists: checklistStatus } : {}),
        ...(configDryRun ? { configDryRun } : {}),
        ...(override ? { override } : {}),
      });

  return {
    ...(skipped ? { skipReason: skipped } : {}),
    assessment,
    scoredLevel,
    ...(override ? { override } : {}),
    mode: config.options.request_reviewers ? "request" : "suggest",
    choice,
    checklists,
    ...(checklistStatus ? { checklistStatus } : {}),
    approvals,
    leads,
    check: { status: spec.status, ...(spec.conclusion ? { conclusion: spec.conclusion } : {}), title: spec.title },
    ...(config.options.labels ? { label: planRiskLabel(labels, assessment.level) } : {}),
    comment: config.options.comment,
    ...(configDryRun ? { configDryRun } : {}),
    notes: [...triage.teamNotes, ...triage.notes],
  };
}

/** The new config file in the PR, scored and routed on its own (it applies only after merge). */
function dryRun(triage: GatheredTriage, facts: PullRequestFacts, author: string, load: ReadonlyMap<string, number>): { ok: boolean; lines: string[] } {
  const change = triage.configChange!;
  if (!change.read) return { ok: false, lines: [`could not read the new file: ${change.reason}`] };
  const parsed = change.parsed;
  if (!parsed.ok) {
    const n = parsed.problems.length;
    return { ok: false, lines: [`The new file is invalid (${n} problem${n === 1 ? "" : "s"}):`, ...parsed.problems.map((p) => `- ${problemToLine(p)}`)] };
  }
  const assessment = scoreRisk({ files: triage.files, pr: facts, config: parsed.config.risk });
  // Like the app's dry run: who the new rules would pick on a PR nobody was asked to review yet.
  const choice = chooseReviewers({
    level: assessment.level,
    config: parsed.config,
    prNumber: facts.number,
    author,
    members: change.members ?? {},
    load,
    requested: new Set(),
    reviewed: new Set(),
  });
  const picked = choice.picks.map((p) => `@${p.login} (${p.group})`);
  return {
    ok: true,
    lines: [
      "The new file is valid.",
      `Under the new config this PR would be ${assessment.level} risk (score ${assessment.score}) and routed to ${picked.length ? picked.join(", ") : "nobody"}.`,
    ],
  };
}
