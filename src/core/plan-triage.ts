import type { Config, Level } from "../config/schema.js";
import { LEVELS } from "../config/schema.js";
import { problemToLine, type ConfigProblem } from "../config/format-issues.js";
import {
  applicableChecklists,
  missingRequired,
  readItemStates,
  renderChecklists,
  renderTickTable,
  mayTick,
  roleText,
  type AppliedChecklist,
  type ChecklistItem,
  type Tick,
  type TickerRole,
  type TickRecord,
} from "./checklists.js";
import { decideUrgency, type Urgency, type UrgencyReason } from "./decide-urgency.js";
import { chooseReviewers, type Candidate, type ReviewerChoice } from "./choose-reviewers.js";
import { evaluateApprovals, type ApprovalStatus, type ReviewFact } from "./evaluate-approvals.js";
import { draftCheck, skippedCheck, triageCheck, type CheckRunSpec } from "./render-check.js";
import { renderStickyComment, STICKY_MARKER } from "./render-comment.js";
import { code, name, text } from "./safe-markdown.js";
import { scoreRisk } from "./score-risk.js";
import { skipReason } from "./skip-reason.js";
import type { ChangedFile, PullRequestFacts, RiskAssessment } from "./types.js";
import { planRiskLabel, type LabelPlan } from "./risk-label.js";
import type { PrMemory } from "./pr-memory.js";
import { encodeRecord, recordOf, type PrRecord } from "./pr-record.js";

export type TriageTrigger =
  | "opened"
  | "reopened"
  | "ready_for_review"
  | "synchronize"
  | "edited"
  | "labeled"
  | "unlabeled"
  | "review"
  | "rerequested"
  | "command"
  | "tick"
  | "explain"
  | "escalation";

/** The pull request as the pipeline reads it (from a webhook payload or `pulls.get`). */
export interface PrSnapshot {
  number: number;
  title: string;
  draft: boolean;
  author: string;
  authorType: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  labels: string[];
  /** Currently requested: logins and `@org/slug` teams, lower-cased. */
  requested: string[];
  additions: number;
  deletions: number;
  changedFiles?: number;
}

/** The PR's own version of the config file (a PR that edits it gets a dry run). */
export type ConfigDryRunInput =
  | { read: false; reason: string }
  | { read: true; parsed: { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] } };

export interface TickEditFact {
  sender: string;
  /** The body before and after this edit, as the event says. */
  before: string;
  after: string;
  /**
   * The comment as it is now, read when the event is processed: an edit that a later one
   * undid (events arrive out of order, or again) does not count.
   */
  current?: string;
  commentId: number;
}

export interface StaticAnalysisFact {
  errors: number;
  /** Files the app could not check for reasons their author controls (AnalysisResult.unchecked). */
  unchecked?: number;
  annotations: CheckRunSpec["annotations"];
  text: string;
  /** Findings per rule on changed lines (for the people reports). */
  rules?: Record<string, number>;
  durationMs?: number;
  /** Files stopped by the time or memory budget. */
  budgetHits?: number;
}

/** Everything `planTriage` decides from: what GitHub and the store said, as plain data. */
export interface TriageFacts {
  owner: string;
  repo: string;
  trigger: TriageTrigger;
  pr: PrSnapshot;
  config: Config;
  configSource: "file" | "defaults";
  files: ChangedFile[];
  /** Group name → candidates, teams expanded (or kept as teams when `request_teams`). */
  members: Record<string, Candidate[]>;
  /** Members of the lead group as people, lower-cased. */
  leads: string[];
  load: ReadonlyMap<string, number>;
  /** Candidates whose GitHub status says they are busy (lower-cased login → status message). */
  busy?: ReadonlyMap<string, string>;
  reviews: ReviewFact[];
  /** People GitHub refused as reviewers in this repository (login → why). */
  refused: ReadonlyMap<string, string>;
  /** People with write access among the approvers, tickers and tick editor, lower-cased (undefined: not checked). */
  writers?: ReadonlySet<string>;
  /** Ticks and override from the app's check run, when the store knows nothing of the PR. */
  record?: PrRecord;
  analysis?: StaticAnalysisFact;
  tickEdit?: TickEditFact;
  /** A stale review request being escalated now: nudged, or reassigned to the next candidate. */
  escalation?: {
    kind: "nudge" | "reassign";
    reviewer: string;
    requestId: string;
    waited: string;
    withdraw: boolean;
    /** Reviewers an earlier attempt of this reassignment requested (still requested on GitHub): the step is finished, not begun again. */
    madeBefore?: string[];
    /** The app withdrew the stale request in an earlier attempt of this step. */
    withdrawnBefore?: boolean;
    /** When the stale request was made (ISO): a review by the reviewer since answers it. */
    requestedAt?: string;
  };
  /** A `/triage override` made now, by a lead. */
  override?: { level: Level; by: string; reason: string };
  dryRun?: ConfigDryRunInput;
  /**
   * The repository's other open PRs whose head is this PR's head commit, and whether each one's
   * own governance passed on it (undefined: not known, e.g. `review-triage explain`).
   */
  siblings?: SiblingFact[];
  /** Notes from reading (teams without members, a record that could not be read). */
  notes: string[];
  /** ISO time, for the records made now. */
  now: string;
}

/** Another open pull request on the same head commit, as the store remembers it. */
export interface SiblingFact {
  number: number;
  /** Its own approvals and checklists passed at its last evaluation of this head. */
  satisfied: boolean;
}

/** What happened earlier in this same job, so the final plan can say it. */
export interface TriageProgress {
  /** Requested by this job (lower-cased). */
  requestedNow: string[];
  /** Refused by GitHub in this job (login → why). */
  refusedNow: ReadonlyMap<string, string>;
  /** Review requests this job withdrew (an escalation with `withdraw`), lower-cased. */
  withdrawnNow?: string[];
}

export interface PlannedItem extends ChecklistItem {
  /** Who may tick it, in words: the role and, where known, the people. */
  tickedBy: string;
  tick?: Tick;
}

export interface PlannedChecklist extends Omit<AppliedChecklist, "items"> {
  items: PlannedItem[];
}

export interface TriagePlan {
  status: "triaged" | "skipped";
  skipReason?: string;
  assessment: RiskAssessment;
  /**
   * Whether the PR is urgent (`urgency`), and why. It orders the writes and shortens the
   * escalation; governance (approvals, checklists) never reads it.
   */
  urgency: Urgency;
  /** The level the model gives, before any lead override. */
  scoredLevel: Level;
  override?: NonNullable<PrRecord["override"]>;
  mode: "request" | "suggest";
  /** Who would be requested now (`picks`), who is already on the PR, who was passed over. */
  choice: ReviewerChoice;
  /** The review requests to make now. */
  requests: Array<{ login: string; isTeam: boolean }>;
  checklists: PlannedChecklist[];
  checklistStatus?: { missing: string[]; total: number };
  approvals: ApprovalStatus;
  leads: string[];
  check: CheckRunSpec;
  /** The sticky comment's body; undefined when none is written. */
  commentBody?: string;
  /** Update the comment only where one exists (a skipped PR says why it is paused). */
  commentOnlyIfExists?: boolean;
  comment: boolean;
  label?: LabelPlan;
  configDryRun?: { ok: boolean; lines: string[] };
  notes: string[];
  /** Ticks refused in this event (for the log). */
  refusedTicks: string[];
  /** What happened to the checklist in this event, for the history. */
  checklistEvents: Array<{ itemId: string; checklist: string; item: string; actor: string; action: "ticked" | "unticked" | "refused" | "lapsed" }>;
  /** An override given now, or one that lapsed now. */
  overrideEvent?: "set" | "lapsed";
  /** A reply to post once (found again by its marker, so never twice): an escalation's nudge. */
  reply?: { body: string; marker: string };
  /** Review requests to withdraw (an escalation with `withdraw`). */
  withdraw?: string[];
  /** Who a reassignment handed the review to (requested now, or by an earlier attempt of the step). */
  reassignedTo?: string[];
  /** The memory to keep once the writes are made. */
  next: PrMemory;
}

/** Why a PR is urgent, in Markdown: the branch and label names are the author's text, escaped. */
export function urgencyMarkdown(reasons: readonly UrgencyReason[]): string {
  return reasons
    .map((r) =>
      r.kind === "label"
        ? `label ${code(r.label)}`
        : `${r.kind === "head_branch" ? "head" : "base"} branch ${code(r.branch)} matches ${code(r.pattern)}`,
    )
    .join("; ");
}

/** The same in plain text (the terminal). */
export function urgencyText(reasons: readonly UrgencyReason[]): string {
  return reasons
    .map((r) => (r.kind === "label" ? `label "${r.label}"` : `${r.kind === "head_branch" ? "head" : "base"} branch "${r.branch}" matches "${r.pattern}"`))
    .join("; ");
}

/** A check conclusion branch protection accepts. */
export function checkPasses(check: CheckRunSpec): boolean {
  return check.status === "completed" && (check.conclusion === "success" || check.conclusion === "neutral" || check.conclusion === "skipped");
}

/**
 * Check runs belong to a commit, not to a pull request, and branch protection reads the
 * newest "Review Triage" run on the head commit: every open PR with this head shares it. The
 * check passes only when this PR's governance and every sibling's is satisfied; it waits,
 * naming the others, otherwise. (Numbers only: nothing here is the author's text.)
 */
export function sharedHeadCheck(check: CheckRunSpec, number: number, siblings: readonly SiblingFact[] | undefined): CheckRunSpec {
  if (!siblings?.length) return check;
  const all = [number, ...siblings.map((s) => s.number)].sort((a, b) => a - b).map((n) => `#${n}`).join(", ");
  const waiting = siblings.filter((s) => !s.satisfied).map((s) => `#${s.number}`);
  const rule = `This commit is the head of more than one open pull request (${all}); approvals are counted per pull request, so the check on a shared commit passes only when every one of them is approved — or push a distinct commit.`;
  if (!checkPasses(check)) return { ...check, summary: `**Shared head commit**: ${rule}\n\n${check.summary}` };
  if (!waiting.length) return { ...check, summary: `**Shared head commit** (${all}): every one of them is approved.\n\n${check.summary}` };
  const { conclusion: _passed, ...rest } = check;
  return {
    ...rest,
    status: "in_progress",
    title: `Needs: ${waiting.join(", ")} approved too (this commit is the head of ${all})`.slice(0, 255),
    summary: `**Shared head commit**: ${rule} Not yet approved: ${waiting.join(", ")}.\n\n${check.summary}`,
  };
}

function pushOnce(list: string[], line: string): void {
  if (!list.includes(line)) list.push(line);
}

function levelRank(level: string | undefined): number {
  return level ? LEVELS.indexOf(level as Level) : -1;
}

function who(role: TickerRole, author: string, leads: readonly string[]): string {
  if (role === "author") return author ? `the author, @${author}` : "the author";
  if (role === "lead") return leads.length ? `a lead: ${leads.map((l) => `@${l}`).join(", ")}` : "a lead (the lead group has no members)";
  return "a reviewer with write access, not the author";
}

function prFacts(pr: PrSnapshot, files: readonly ChangedFile[]): PullRequestFacts {
  return {
    number: pr.number,
    title: pr.title,
    headRef: pr.headRef,
    labels: pr.labels,
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles ?? files.length,
  };
}

/**
 * Apply a hand edit of the sticky comment to the tick record. An item counts as changed by
 * this edit only when its box, on the app's own line for it, differs between the body before
 * and after the edit, the comment still shows it so now, and the record says otherwise: a
 * redelivered or out-of-order event never revives an old tick. Each change is checked
 * against who may tick the item; allowed changes are recorded with who, when and the role
 * the item asked for, the rest are refused (and reverted when the comment is re-rendered).
 */
export function applyTickEdit(input: {
  applied: AppliedChecklist[];
  ticks: TickRecord;
  edit: TickEditFact;
  author: string;
  leads: ReadonlySet<string>;
  hasWrite: boolean;
  selfAllowed: boolean;
  now: string;
}): { ticks: TickRecord; refusals: string[] } {
  const before = readItemStates(input.edit.before, input.applied);
  const after = readItemStates(input.edit.after, input.applied);
  const current = readItemStates(input.edit.current ?? input.edit.after, input.applied);
  const ticks = { ...input.ticks };
  const refusals: string[] = [];
  for (const list of input.applied) {
    for (const item of list.items) {
      const was = before.get(item.id);
      const now = after.get(item.id);
      if (now === undefined || was === undefined || now === was) continue;
      if (current.get(item.id) !== now || Boolean(ticks[item.id]) === now) continue;
      const allowed = mayTick(item.by, { login: input.edit.sender, author: input.author, hasWrite: input.hasWrite, leads: input.leads, selfAllowed: input.selfAllowed });
      if (!allowed) {
        const selfRefused = !input.selfAllowed && input.edit.sender.toLowerCase() === input.author.toLowerCase();
        refusals.push(`@${input.edit.sender}'s ${now ? "tick" : "untick"} of "${item.text}" was reverted: ${roleText(item.by, input.leads, selfRefused ? input.author : "")}.`);
        continue;
      }
      if (now) ticks[item.id] = { by: input.edit.sender, at: input.now, role: item.by };
      else delete ticks[item.id];
    }
  }
  return { ticks, refusals };
}

/**
 * Ticks are re-checked on every evaluation against the current config and people: a tick by
 * someone no longer in the lead group (or without write access now), or on an item whose
 * `by` changed since, no longer counts.
 */
export function validTicks(input: {
  applied: AppliedChecklist[];
  ticks: TickRecord;
  author: string;
  leads: ReadonlySet<string>;
  writers: ReadonlySet<string> | undefined;
  selfAllowed: boolean;
}): { ticks: TickRecord; lapsed: string[]; lapsedIds: string[] } {
  const ticks: TickRecord = { ...input.ticks };
  const lapsed: string[] = [];
  const lapsedIds: string[] = [];
  for (const item of input.applied.flatMap((l) => l.items)) {
    const tick = ticks[item.id];
    if (!tick) continue;
    const login = tick.by.toLowerCase();
    const roleChanged = tick.role !== undefined && tick.role !== item.by;
    const allowed =
      !roleChanged &&
      mayTick(item.by, { login, author: input.author, hasWrite: input.writers ? input.writers.has(login) : true, leads: input.leads, selfAllowed: input.selfAllowed });
    if (allowed) continue;
    delete ticks[item.id];
    lapsedIds.push(item.id);
    lapsed.push(
      `@${tick.by}'s tick of "${item.text}" no longer counts: ${roleChanged ? `the item now asks for ${item.by === "lead" ? "a lead" : item.by === "reviewer" ? "a reviewer" : "the author"}` : roleText(item.by, input.leads, !input.selfAllowed && login === input.author.toLowerCase() ? input.author : "")}.`,
    );
  }
  return { ticks, lapsed, lapsedIds };
}

/** The new config file in the PR, scored and routed on its own; it applies only after merge. */
function planDryRun(facts: TriageFacts, pr: PullRequestFacts): { ok: boolean; lines: string[] } | undefined {
  const input = facts.dryRun;
  if (!input) return undefined;
  // Every line quotes the author's file: escaped, like anything else the author controls.
  if (!input.read) return { ok: false, lines: [`- could not read the new file: ${text(input.reason)}`] };
  const parsed = input.parsed;
  if (!parsed.ok) {
    const n = parsed.problems.length;
    return { ok: false, lines: [`The new file is invalid (${n} problem${n === 1 ? "" : "s"}):`, ...parsed.problems.slice(0, 50).map((p) => `- ${text(problemToLine(p))}`)] };
  }
  const config = parsed.config;
  const assessment = scoreRisk({ files: facts.files, pr, config: config.risk });
  // The PR's config is the author's text: its teams are shown as written, never expanded
  // (no member calls, no member names in a public check).
  const members = Object.fromEntries(
    Object.entries(config.reviewers).map(([group, list]) => [group, list.map((m) => ({ login: m, isTeam: m.startsWith("@") }))]),
  );
  const choice = chooseReviewers({
    level: assessment.level,
    config,
    prNumber: pr.number,
    author: facts.pr.author,
    members,
    load: facts.load,
    requested: new Set(),
    reviewed: new Set(),
  });
  const picked = choice.picks.map((p) => `${name(p.login)} (${text(p.group)})`);
  return {
    ok: true,
    lines: [
      "The new file is valid.",
      `Under the new config this PR would be **${assessment.level}** risk (score ${assessment.score}) and routed to ${picked.length ? picked.join(", ") : "nobody"}.`,
    ],
  };
}

/**
 * Decide everything about one pull request (SPEC §3–§6): skip, score, route, approvals,
 * checklists, the dry run of a config change, the check run, the comment and the label, and
 * what to remember. Pure: every input is data, the same facts give the same plan, and the
 * app and `review-triage explain` both use it.
 */
export function planTriage(facts: TriageFacts, memory: PrMemory = {}, progress: TriageProgress = { requestedNow: [], refusedNow: new Map() }): TriagePlan {
  const { config, pr } = facts;
  const author = pr.author;
  const requestMode = config.options.request_reviewers;
  const facts_ = prFacts(pr, facts.files);
  const leads = [...new Set(facts.leads)].sort();
  const leadSet = new Set(leads);

  // Once a PR is under governance, a title keyword or a label must not switch its check off:
  // only a draft (which cannot be merged) pauses triage again.
  const record = facts.record;
  const governed = memory.level !== undefined || record !== undefined;
  const skip = skipReason(
    { draft: pr.draft, authorLogin: author, authorType: pr.authorType, labels: pr.labels, title: pr.title },
    governed ? { ...config.options.skip, labels: [], title: [] } : config.options.skip,
  );

  const urgency = decideUrgency(config.urgency, { labels: pr.labels, headRef: pr.headRef, baseRef: pr.baseRef });
  const scored = scoreRisk({ files: facts.files, pr: facts_, config: config.risk, ...(facts.analysis ? { analysis: { errors: facts.analysis.errors, unchecked: facts.analysis.unchecked ?? 0 } } : {}) });
  const escalations = [...(memory.escalations ?? [])];
  let override = facts.override ? { ...facts.override, at: facts.now, headSha: pr.headSha } : (memory.override ?? record?.override);
  // An override holds for the change it was given on: new commits that raise the scored risk
  // above it end it.
  let overrideEvent: TriagePlan["overrideEvent"] = facts.override ? "set" : undefined;
  if (override?.headSha && override.headSha !== pr.headSha && levelRank(scored.level) > levelRank(override.level)) {
    escalations.push(`The override to ${override.level} by @${override.by} lapsed: new commits raised the scored risk to ${scored.level}.`);
    override = undefined;
    overrideEvent = "lapsed";
  }
  const assessment: RiskAssessment = override ? { ...scored, level: override.level as Level } : scored;

  const reviewed = new Set(facts.reviews.map((r) => r.login.toLowerCase()));
  // The payload's reviewer list is a snapshot from when the event was sent: someone the app
  // requested a moment ago may be missing from it. Everyone the app requested counts as on
  // the PR, so nobody is asked twice or replaced behind their back.
  const requested = new Set([...pr.requested, ...(memory.requestedByApp ?? []), ...progress.requestedNow]);
  const unavailable = new Map<string, string>();
  // Reassigning: the stale reviewer no longer holds their place in the routing step, so the
  // next candidate of the same group is picked.
  const stale = facts.escalation?.kind === "reassign" ? facts.escalation.reviewer.toLowerCase() : undefined;
  // Who this step has handed the review to: requested in this run, or by an earlier attempt of
  // it that failed later (a 500 on the withdrawal, a crash) and is still requested on GitHub.
  const onGitHub = new Set(pr.requested);
  const handedTo = stale
    ? [...new Set([...progress.requestedNow, ...(facts.escalation!.madeBefore ?? []).map((l) => l.toLowerCase()).filter((l) => onGitHub.has(l))])].filter((l) => l !== stale)
    : [];
  if (stale && !handedTo.length) {
    requested.delete(stale);
    unavailable.set(stale, `did not review within ${facts.escalation!.waited}`);
  }
  for (const group of Object.values(facts.members)) {
    for (const m of group) {
      const key = m.login.toLowerCase();
      const why = progress.refusedNow.get(key) ?? facts.refused.get(key);
      if (why) unavailable.set(key, why);
    }
  }
  let choice = chooseReviewers({
    level: assessment.level,
    config,
    prNumber: pr.number,
    author,
    members: facts.members,
    load: facts.load,
    requested,
    reviewed,
    unavailable,
    ...(facts.busy ? { busy: facts.busy } : {}),
  });

  const notes: string[] = [...facts.notes];
  if (!facts.siblings) {
    notes.push("Other open pull requests on this head commit are not looked up here (no database): the app's check on a commit that heads several open PRs passes only when every one of them is approved.");
  }
  for (const [login, why] of progress.refusedNow) notes.push(`@${login} could not be requested: ${why}.`);
  // When risk falls (new commits, or a lead's override), the reviewers already on the PR
  // stay and nobody new is asked.
  const fell = levelRank(assessment.level) < levelRank(memory.level) && requested.size + reviewed.size > 0;
  let pickReasons = memory.pickReasons ?? {};
  if (fell) {
    notes.push(`Risk fell from ${memory.level} to ${assessment.level}; the reviewers already on the PR are kept and nobody new is requested.`);
    const onPr = [...new Set([...requested, ...reviewed])].sort();
    const asPick = (login: string) => ({ login, isTeam: login.startsWith("@"), group: "", load: facts.load.get(login) ?? 0 });
    choice = {
      ...choice,
      picks: [],
      kept: onPr.map((l) => ({ ...asPick(l), reason: pickReasons[l] ?? (reviewed.has(l) ? "already reviewed this PR" : "already requested") })),
    };
  }
  const requests = requestMode && !fell && !skip ? choice.picks.map((p) => ({ login: p.login, isTeam: p.isTeam })) : [];
  // Everyone requested is shown, also those beyond a step's count (added by hand, or the
  // reviewer an escalation went past).
  const listed = new Set([...choice.kept, ...choice.picks].map((p) => p.login.toLowerCase()));
  for (const login of [...requested].sort()) {
    if (listed.has(login) || login === stale) continue;
    choice = { ...choice, kept: [...choice.kept, { login, isTeam: login.startsWith("@"), group: "", load: facts.load.get(login) ?? 0, reason: "also requested" }] };
  }
  // Nobody takes over from the stale reviewer: they are still the one requested, and shown so.
  if (stale && !handedTo.length && !requests.length && onGitHub.has(stale) && !listed.has(stale)) {
    choice = { ...choice, kept: [...choice.kept, { login: stale, isTeam: stale.startsWith("@"), group: "", load: facts.load.get(stale) ?? 0, reason: "still requested: nobody else is available" }] };
  }
  let reply: TriagePlan["reply"];
  let withdraw: string[] | undefined;
  let reassignedTo: string[] | undefined;
  let withdrawn: string | undefined;
  if (facts.escalation && !skip) {
    const { kind, requestId, waited } = facts.escalation;
    // A team is recorded as "@org/slug", a person by login: either mentioned with one "@".
    const reviewer = facts.escalation.reviewer.replace(/^@/, "");
    if (kind === "nudge") {
      const marker = `<!-- review-triage:nudge:${requestId} -->`;
      const which = urgency.urgent ? "this urgent pull request" : "this pull request";
      reply = { marker, body: `${marker}\n@${reviewer}, a reminder: your review of ${which} was requested ${waited} of working time ago and is still pending.` };
      pushOnce(escalations, `Nudged @${reviewer}: no review after ${waited} of working time.`);
    } else {
      const made = handedTo;
      const who = made.length ? `requested ${made.map((l) => `@${l}`).join(", ")} as well` : requests.length ? `requesting ${requests.map((r) => `@${r.login}`).join(", ")}` : "nobody else is available";
      // Said once it is done (by this run or an earlier attempt of the step), never ahead of it.
      const gone = made.length > 0 && ((progress.withdrawnNow ?? []).includes(stale!) || facts.escalation.withdrawnBefore === true);
      // One line per step: a retry's line replaces the earlier attempt's.
      const line = `Reassigned: @${reviewer} had not reviewed after ${waited} of working time; `;
      for (let i = escalations.length - 1; i >= 0; i--) if (escalations[i]!.startsWith(line)) escalations.splice(i, 1);
      escalations.push(`${line}${who}${gone ? `, and withdrew @${reviewer}'s request` : ""}.`);
      // Withdrawn once someone has taken over, and only while still requested (an earlier
      // attempt may have withdrawn it already; a person may have requested them again).
      // A review since the request (its event not in yet) answers it: nothing to withdraw.
      const since = facts.escalation.requestedAt ? Date.parse(facts.escalation.requestedAt) - 1000 : Number.NEGATIVE_INFINITY;
      const answered = facts.reviews.some((r) => r.login.toLowerCase() === stale && Date.parse(r.submittedAt) >= since);
      if (facts.escalation.withdraw && made.length && !gone && !answered && onGitHub.has(stale!)) withdraw = [facts.escalation.reviewer];
      if (made.length) reassignedTo = made;
      // Withdrawn and not requested again: no longer shown, or remembered, as requested.
      if (gone && ((progress.withdrawnNow ?? []).includes(stale!) || !onGitHub.has(stale!))) {
        choice = { ...choice, kept: choice.kept.filter((k) => k.login.toLowerCase() !== stale) };
        pickReasons = Object.fromEntries(Object.entries(pickReasons).filter(([login]) => login !== stale));
        withdrawn = stale;
      }
    }
  }

  // The reviewers as the comment shows them: the app's own requests with the reason each was
  // picked for (so the text is the same on every event), then the others already on the PR.
  const own = choice.kept.filter((k) => pickReasons[k.login.toLowerCase()]);
  const shown: ReviewerChoice = {
    ...choice,
    // A skipped PR requests nobody: its would-be picks are not shown as reviewers.
    picks: [...own.map((k) => ({ ...k, reason: pickReasons[k.login.toLowerCase()]! })), ...(skip ? [] : choice.picks)],
    kept: choice.kept.filter((k) => !pickReasons[k.login.toLowerCase()]),
  };

  if (memory.level && levelRank(assessment.level) > levelRank(memory.level) && !skip) {
    const made = progress.requestedNow;
    escalations.push(
      `Risk rose from ${memory.level} to ${assessment.level}${made.length ? `; requested ${made.map((l) => `@${l}`).join(", ")} for the higher level` : "; the current reviewers already cover it"}.`,
    );
  }

  // The author can move the base under approvals: the same head then brings another diff.
  const baseChangedAt = memory.baseRef !== undefined && memory.baseRef !== pr.baseRef ? facts.now : memory.baseChangedAt;
  const approvals = evaluateApprovals({
    level: assessment.level,
    config,
    reviews: facts.reviews,
    author,
    leads: leadSet,
    headSha: pr.headSha,
    ...(facts.writers ? { writers: facts.writers } : {}),
    ...(baseChangedAt ? { freshSince: baseChangedAt } : {}),
  });
  const baseMemory = { baseRef: pr.baseRef, ...(baseChangedAt ? { baseChangedAt } : {}) };
  const selfAllowed = config.governance.allow_self_override;
  const applied = applicableChecklists(config, {
    level: assessment.level,
    files: facts.files.map((f) => f.filename),
    labels: pr.labels,
    unlistedFiles: Math.max(0, facts_.changedFiles - facts.files.length),
  });
  const rechecked = validTicks({ applied, ticks: { ...(memory.ticks ?? record?.ticks ?? {}) }, author, leads: leadSet, writers: facts.writers, selfAllowed });
  let ticks: TickRecord = rechecked.ticks;
  const refusals = [...(memory.refusals ?? []), ...rechecked.lapsed];
  let refusedTicks: string[] = [];
  if (facts.tickEdit) {
    const sender = facts.tickEdit.sender.toLowerCase();
    const outcome = applyTickEdit({
      applied,
      ticks,
      edit: facts.tickEdit,
      author,
      leads: leadSet,
      hasWrite: facts.writers?.has(sender) ?? false,
      selfAllowed,
      now: facts.now,
    });
    ticks = outcome.ticks;
    refusedTicks = outcome.refusals;
    refusals.push(...outcome.refusals);
  }
  const keptRefusals = refusals.slice(-5);
  const items = new Map(applied.flatMap((l) => l.items).map((i) => [i.id, i]));
  const recorded = memory.ticks ?? record?.ticks ?? {};
  const checklistEvents: TriagePlan["checklistEvents"] = [];
  const event = (id: string, actor: string, action: TriagePlan["checklistEvents"][number]["action"]) => {
    const item = items.get(id);
    if (item) checklistEvents.push({ itemId: id, checklist: item.checklist, item: item.text, actor, action });
  };
  for (const id of rechecked.lapsedIds) event(id, recorded[id]!.by, "lapsed");
  for (const id of items.keys()) {
    if (ticks[id] && !rechecked.ticks[id]) event(id, ticks[id].by, "ticked");
    else if (!ticks[id] && rechecked.ticks[id]) event(id, facts.tickEdit?.sender ?? rechecked.ticks[id].by, "unticked");
  }
  if (facts.tickEdit) for (const r of refusedTicks) {
    const item = [...items.values()].find((i) => r.includes(`"${i.text}"`));
    if (item) event(item.id, facts.tickEdit.sender, "refused");
  }
  const checklistStatus = applied.some((c) => c.items.some((i) => i.required)) ? missingRequired(applied, ticks) : undefined;
  const checklists: PlannedChecklist[] = applied.map((list) => ({
    ...list,
    items: list.items.map((item) => ({ ...item, tickedBy: who(item.by, author, leads), ...(ticks[item.id] ? { tick: ticks[item.id] } : {}) })),
  }));

  const configDryRun = planDryRun(facts, facts_);
  const next: PrMemory = {
    ...memory,
    level: levelRank(assessment.level) > levelRank(memory.level) ? assessment.level : (memory.level ?? assessment.level),
    escalations,
    requestedByApp: [...new Set([...(memory.requestedByApp ?? []), ...progress.requestedNow])].filter((l) => l !== withdrawn),
    pickReasons,
    ticks,
    refusals: keptRefusals,
    urgent: urgency.urgent,
    ...baseMemory,
  };
  if (override) next.override = override;
  else delete next.override;

  const base = {
    assessment,
    urgency,
    scoredLevel: scored.level,
    ...(override ? { override } : {}),
    mode: requestMode ? ("request" as const) : ("suggest" as const),
    choice,
    checklists,
    ...(checklistStatus ? { checklistStatus } : {}),
    approvals,
    leads,
    comment: config.options.comment,
    ...(configDryRun ? { configDryRun } : {}),
    refusedTicks,
    checklistEvents,
    ...(overrideEvent ? { overrideEvent } : {}),
    ...(reply ? { reply } : {}),
    ...(withdraw ? { withdraw } : {}),
    ...(reassignedTo ? { reassignedTo } : {}),
  };

  const checklistMarkdown = [renderChecklists(applied, ticks), ...keptRefusals.map((r) => `> ${text(r)}`)].filter(Boolean).join("\n\n");
  // The record mirrors what is remembered, so that without a database (Action mode) the next
  // event recalls the same memory from the check run.
  const recordText = (remembered: PrMemory) => [encodeRecord(recordOf(remembered, override)), renderTickTable(applied, ticks)].filter(Boolean).join("\n\n");
  const commentNotes = [...escalations, ...notes];
  if (override) commentNotes.unshift(`Risk level overridden from ${scored.level} to ${override.level} by @${override.by}: ${override.reason}`);
  if (configDryRun) {
    commentNotes.push(
      configDryRun.ok
        ? "This PR changes .github/review-triage.yml; the check run shows how the new file would route it. It applies after merge."
        : "This PR changes .github/review-triage.yml and the new file is invalid: see the check run.",
    );
  }
  const governanceCheck = (remembered: PrMemory) => triageCheck({
    assessment,
    ...(urgency.urgent ? { urgent: urgencyMarkdown(urgency.reasons) } : {}),
    choice: shown,
    approvals,
    ...(checklistStatus ? { checklists: checklistStatus } : {}),
    ...(configDryRun ? { configDryRun } : {}),
    ...(override ? { override } : {}),
    // The app's record goes first: the only place it is read back from (see decodeRecord).
    extraText: [recordText(remembered), facts.analysis?.text ?? ""],
    ...(facts.analysis?.annotations?.length ? { annotations: facts.analysis.annotations } : {}),
  });

  if (skip) {
    // A skip stops the routing and the comment, never the governance: a skipped PR that
    // passed its check could be merged with no review. Only a draft (which cannot be merged)
    // waits, and `enforce_on_skipped: false` restores a passing "skipped" check.
    const draft = pr.draft && config.options.skip.drafts;
    // Ticks stay recorded; nothing else is remembered for a PR that is not triaged.
    // Ticks stay recorded, and the base (its changes make approvals stale); nothing else is remembered for a PR that is not triaged.
    const skippedNext: PrMemory = { ...memory, ticks, refusals: keptRefusals, ...baseMemory };
    const enforced = governanceCheck(skippedNext);
    const ownCheck = draft
      ? { ...draftCheck(), text: recordText(skippedNext) }
      : config.governance.enforce_on_skipped
        ? {
            ...enforced,
            summary: `Not triaged: ${skip}, so no reviewers were requested and no comment is kept. The approvals of its risk level are still required (\`governance.enforce_on_skipped\`).\n\n${enforced.summary}`,
          }
        : { ...skippedCheck(skip), text: recordText(skippedNext) };
    skippedNext.governance = { headSha: pr.headSha, satisfied: checkPasses(ownCheck) };
    const check = sharedHeadCheck(ownCheck, pr.number, facts.siblings);
    const body = `${STICKY_MARKER}\n### Review Triage: skipped\n\nThis pull request is not triaged now because ${skip}.`;
    return {
      ...base,
      status: "skipped",
      skipReason: skip,
      requests: [],
      check,
      ...(config.options.comment ? { commentBody: body, commentOnlyIfExists: true } : {}),
      ...(config.options.labels && !draft ? { label: planRiskLabel(pr.labels, assessment.level) } : {}),
      notes,
      next: skippedNext,
    };
  }
  const ownCheck = governanceCheck(next);
  next.governance = { headSha: pr.headSha, satisfied: checkPasses(ownCheck) };
  const check = sharedHeadCheck(ownCheck, pr.number, facts.siblings);
  const commentBody = config.options.comment
    ? renderStickyComment({
        assessment,
        ...(urgency.urgent ? { urgent: urgencyMarkdown(urgency.reasons) } : {}),
        choice: shown,
        configSource: facts.configSource,
        notes: commentNotes,
        ...(checklistMarkdown ? { checklists: checklistMarkdown } : {}),
        suggestOnly: !requestMode,
      })
    : undefined;
  return {
    ...base,
    status: "triaged",
    requests,
    check,
    ...(commentBody ? { commentBody } : {}),
    ...(config.options.labels ? { label: planRiskLabel(pr.labels, assessment.level) } : {}),
    notes,
    next,
  };
}
