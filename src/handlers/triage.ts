import type { Context } from "probot";
import { loadConfig, type LoadedConfig } from "../config/load-config.js";
import { DOCS_URL } from "../config/parse-config.js";
import type { PrMemory } from "../core/pr-memory.js";
import { recallRecord } from "../core/pr-record.js";
import { marksFix } from "../core/score-risk.js";
import { planTriage, type SiblingFact, type StaticAnalysisFact, type TriageFacts, type TriagePlan, type TriageProgress, type TriageTrigger } from "../core/plan-triage.js";
import { backfillRepository } from "../github/backfill-repository.js";
import { invalidConfigCheck } from "../core/render-check.js";
import { applyCheck, applyReviewRequests, applyTriageWrites, type ApplyTarget } from "../github/apply-triage.js";
import type { KnownCheckRun } from "../github/ensure-check-run.js";
import type { KnownComment } from "../github/ensure-sticky-comment.js";
import { gatherTriage, labelNames, type Analyze, type PullRequestLike } from "../github/gather-triage.js";
import type { Logger, Octokit } from "../github/types.js";
import { prKey } from "../storage/pr-state-store.js";
import { schedulePendingEscalations } from "./schedule-pending-escalations.js";
import type { AppDeps } from "./app-deps.js";
import { describeError } from "../describe-error.js";
import { PRIORITY } from "../queue/write-queue.js";
import { metrics } from "../metrics/metrics.js";

export type { PullRequestLike, TriageTrigger };

export interface TriageOutcome {
  status: "triaged" | "skipped" | "invalid-config";
  writes: number;
  plan?: TriagePlan;
  /** Who was requested by this triage (lower-cased). */
  requested?: string[];
}

export interface TriagePipelineExtras {
  /** Static analysis (SPEC §7): errors on changed lines and check annotations; closed on shutdown. */
  analyze?: Analyze & { close?: () => Promise<void> };
}

/** What the triggering event adds: a checklist edit, the commit before a push, an override. */
export interface TriageEventInput {
  /** `issue_comment.edited` on the sticky comment: who edited, the body before and after. */
  tickEdit?: { sender: string; before: string; after: string; commentId: number };
  /** `synchronize`: the previous head, where the app's record can be found after a restart. */
  beforeSha?: string;
  /** `/triage override` by a lead: recorded with this triage. */
  override?: { level: TriagePlan["assessment"]["level"]; by: string; reason: string };
  /** A stale review request to escalate (a scheduled job). */
  escalation?: NonNullable<TriageFacts["escalation"]>;
  /** Called with the reviewers about to be requested, before the request is made (a reassignment keeps them, so a retry knows). */
  beforeRequests?: (logins: string[]) => Promise<void>;
}

type AnyContext = Pick<Context, "octokit" | "repo" | "payload" | "id" | "log">;

/** How many times a refused (422) request is replaced by the next candidate in one event. */
const REQUEST_ROUNDS = 3;
/** Check runs remembered per PR: only the newest heads are ever written again. */
const REMEMBERED_HEADS = 3;

/** Throws when a write failed: the job is retried and, its writes being idempotent, ends the same. */
export class WritesFailedError extends Error {
  constructor(readonly failures: unknown[]) {
    super(`${failures.length} write${failures.length === 1 ? "" : "s"} failed: ${failures.map((f) => String(describeError(f).message)).join("; ")}`);
    this.name = "WritesFailedError";
  }
}

function rememberCheck(memory: PrMemory, sha: string, run: KnownCheckRun): PrMemory["checkRuns"] {
  const others = Object.entries(memory.checkRuns ?? {}).filter(([s]) => s !== sha).slice(-(REMEMBERED_HEADS - 1));
  const entry = {
    id: run.id,
    fingerprint: run.fingerprint,
    ...(run.annotations ? { annotations: run.annotations } : {}),
    ...(run.completed ? { completed: true } : {}),
  };
  return Object.fromEntries([...others, [sha, entry]]);
}

/**
 * Keep the history (SPEC §8): the triage's result, the requests the app made (with why) and
 * those it found on the PR, checklist events and overrides; and schedule the escalations of
 * the PR's pending requests.
 */
async function recordHistory(
  deps: AppDeps,
  pr: { repoId: number; number: number; owner: string; repo: string; installationId?: number },
  facts: TriageFacts,
  plan: TriagePlan,
  progress: TriageProgress,
  /** When GitHub last updated the PR as the triage read it (`updated_at`), if known. */
  seenAt?: string,
): Promise<void> {
  const now = deps.clock();
  const { assessment } = plan;
  await deps.history.recordTriage({
    ...pr,
    headSha: facts.pr.headSha,
    level: assessment.level,
    scoredLevel: plan.scoredLevel,
    score: assessment.score,
    likelihood: assessment.likelihood.value,
    factors: Object.fromEntries(assessment.likelihood.factors.map((f) => [f.name, f.value])),
    checklistMissing: plan.checklistStatus?.missing ?? [],
    analysisRules: facts.analysis?.rules ?? {},
    files: facts.files.map((f) => f.filename),
    approvalsMet: plan.approvals.satisfied,
    repository: { fullName: `${pr.owner}/${pr.repo}`, people: facts.config.people, leadGroup: facts.config.governance.lead_group },
    at: now,
  });
  const reasons = plan.next.pickReasons ?? {};
  const groups = new Map(plan.choice.kept.concat(plan.choice.picks).map((p) => [p.login.toLowerCase(), p.group]));
  for (const login of progress.requestedNow) {
    await deps.history.recordRequest({
      ...pr,
      reviewer: login,
      requestedBy: deps.botLogin ?? "review-triage[bot]",
      byApp: true,
      ...(groups.get(login) ? { group: groups.get(login)! } : {}),
      ...(reasons[login] ? { reason: reasons[login] } : {}),
      at: now,
    });
  }
  // Requests seen on the PR but not recorded (made while the app was away): known from now on.
  for (const login of facts.pr.requested) {
    if (!progress.requestedNow.includes(login)) await deps.history.recordRequest({ ...pr, reviewer: login, requestedBy: "unknown", byApp: false, at: now });
  }
  // And the other way: a request recorded as pending that the PR no longer had when GitHub last
  // updated it was answered or withdrawn without the app hearing of it (a lost or late event).
  // Only requests made before that moment are retired, so a newer one is never taken for old.
  if (seenAt) {
    const onGitHub = new Set([...facts.pr.requested, ...progress.requestedNow].map((l) => l.toLowerCase()));
    for (const pending of await deps.history.pendingRequests(pr)) {
      if (!onGitHub.has(pending.reviewer)) await deps.history.removeRequest(pr, pending.reviewer, "github", seenAt);
    }
  }
  // Every pending request is scheduled again (the same jobs are queued once): one recorded by
  // a run that died before scheduling it is scheduled now, and a PR that has just become
  // urgent (a label, a new base) has its escalations brought forward.
  if (plan.status === "triaged") await schedulePendingEscalations(deps, pr, facts.config.escalation, plan.urgency.urgent);
  await deps.history.recordChecklistEvents(pr, plan.checklistEvents.map((e) => ({ ...e, at: now })));
  if (plan.overrideEvent === "set" && plan.override) {
    await deps.history.recordOverride({ ...pr, level: plan.override.level, scoredLevel: plan.scoredLevel, by: plan.override.by, reason: plan.override.reason, headSha: facts.pr.headSha, at: now });
  } else if (plan.overrideEvent === "lapsed") await deps.history.lapseOverrides(pr, now);
}

/**
 * Triage one pull request (SPEC §3–§6): gather what GitHub and the store know, plan every
 * decision (pure), then apply the writes that differ. The only loop between plan and apply is
 * GitHub refusing a reviewer (422): the plan is made again without them. The PR's memory is
 * saved before the first write (a retried job then looks its own writes up instead of
 * assuming there are none) and after the last.
 */
export async function triagePullRequest(
  context: AnyContext,
  deps: AppDeps,
  pull: PullRequestLike,
  trigger: TriageTrigger,
  extras: TriagePipelineExtras = {},
  event: TriageEventInput = {},
): Promise<TriageOutcome> {
  const { owner, repo } = context.repo();
  const octokit = context.octokit as unknown as Octokit;
  const log = context.log as unknown as Logger;
  const key = prKey(pull.base.repo.id, pull.number);
  const where = { repo: `${owner}/${repo}`, number: pull.number };
  const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
  const attempt = deps.attempts.get(context.id) ?? 1;
  // Without an app id (Action mode) the app's check runs are told from other apps' by its slug.
  const appSlug = !deps.appId && deps.botLogin ? deps.botLogin.replace(/\[bot\]$/i, "") : undefined;
  let memory: PrMemory = (await deps.store.get(key)) ?? {};
  // The head of the newest event triaged: the pull_request handler reads the PR from GitHub
  // when an event no newer names another head (events come in any order).
  const readAt = (pull as { updated_at?: string }).updated_at;
  if (readAt) memory = { ...memory, head: { sha: pull.head.sha, at: memory.head && Date.parse(memory.head.at) > Date.parse(readAt) ? memory.head.at : readAt } };
  const fresh = trigger === "opened" && !memory.touched && attempt <= 1;
  const target: ApplyTarget = {
    octokit,
    writes: deps.writes,
    lane: String(installation ?? owner),
    owner,
    repo,
    number: pull.number,
    headSha: pull.head.sha,
    ...(deps.appId ? { appId: deps.appId } : {}),
    ...(deps.botLogin ? { botLogin: deps.botLogin } : {}),
    ...(appSlug ? { appSlug } : {}),
  };
  const touch = async () => {
    if (memory.touched) return;
    memory = { ...memory, touched: true };
    await deps.store.save(key, where, memory);
  };

  const loaded: LoadedConfig = await deps.configs.get(`${owner}/${repo}`.toLowerCase(), () => loadConfig(context, { extendsOwners: deps.extendsOwners }));
  if (!loaded.ok) {
    log.warn({ problems: loaded.problems.length }, "invalid config; PR not triaged");
    await touch();
    const known = memory.checkRuns?.[pull.head.sha] ?? (fresh ? null : undefined);
    const { wrote, run } = await applyCheck(target, invalidConfigCheck(loaded.problems, DOCS_URL, loaded.files), known);
    await deps.store.save(key, where, { ...memory, checkRuns: rememberCheck(memory, pull.head.sha, run), governance: { headSha: pull.head.sha, satisfied: false } });
    return { status: "invalid-config", writes: wrote ? 1 : 0 };
  }

  const repoId = pull.base.repo.id;
  const prId = { repoId, number: pull.number };
  await deps.history.upsertPullRequest({
    ...prId,
    ...(installation !== undefined ? { installationId: installation } : {}),
    repo: `${owner}/${repo}`,
    author: pull.user?.login ?? "",
    title: pull.title,
    state: "open",
    draft: pull.draft ?? false,
    headSha: pull.head.sha,
    openedAt: (pull as { created_at?: string }).created_at ?? new Date().toISOString(),
    ...(!pull.draft ? { readyAt: deps.clock() } : {}),
    fix: marksFix({ title: pull.title, headRef: pull.head.ref, labels: labelNames(pull) }),
  });

  const analyze: Analyze | undefined = extras.analyze
    ? (input) =>
        extras.analyze!(input).catch((error: unknown) => {
          log.warn({ error: describeError(error) }, "static analysis failed; triage goes on without it");
          return undefined;
        })
    : undefined;
  // Other open PRs on this head share its check run (SPEC §6, README "Governance"): known from
  // the history (recorded above with this PR's current head), each one's standing from its state.
  const siblings = async (): Promise<SiblingFact[]> =>
    Promise.all(
      (await deps.history.openPullsOnHead(prId, pull.head.sha)).map(async (number) => {
        const governance = (await deps.store.get(prKey(repoId, number)))?.governance;
        return { number, satisfied: governance?.headSha === pull.head.sha && governance.satisfied };
      }),
    );
  const gathered = await gatherTriage(octokit, {
    owner,
    repo,
    pull,
    trigger,
    config: loaded.config,
    configSource: loaded.source,
    memory,
    fresh,
    teams: deps.teams,
    codeowners: deps.codeowners,
    busy: deps.busy,
    refused: await deps.refused.list(`${owner}/${repo}`),
    ...(deps.appId ? { appId: deps.appId } : {}),
    ...(appSlug ? { appSlug } : {}),
    ...(event.tickEdit ? { tickEdit: event.tickEdit } : {}),
    ...(event.override ? { override: event.override } : {}),
    ...(event.beforeSha ? { beforeSha: event.beforeSha } : {}),
    ...(analyze ? { analyze } : {}),
    siblings,
    // Review load across every repository of the installation, from the history; a
    // repository seen for the first time has its open PRs read once, so they count too.
    // Without a history (Action mode) gather counts the repository's open PRs.
    ...(deps.reviewLoad === "open-prs"
      ? {}
      : {
          load: async () => {
            await backfillRepository(octokit, deps.history, { owner, name: repo, repoId, ...(installation !== undefined ? { installationId: installation } : {}) });
            return installation !== undefined ? deps.history.openRequestLoad(installation, prId) : new Map<string, number>();
          },
        }),
  });
  const facts: TriageFacts = { ...gathered.facts, ...(event.escalation ? { escalation: event.escalation } : {}) };
  // The store knew nothing of the PR, and the app's check run did: remember from its record.
  if (facts.record) memory = recallRecord(memory, facts.record);
  let writes = 0;
  const progress: TriageProgress = { requestedNow: [], refusedNow: new Map() };
  let plan = planTriage(facts, memory, progress);

  if (plan.requests.length) await touch();
  for (let round = 0; round < REQUEST_ROUNDS && plan.requests.length; round++) {
    const picks = plan.choice.picks;
    await event.beforeRequests?.(plan.requests.map((r) => r.login.toLowerCase()));
    const result = await applyReviewRequests(target, plan.requests, plan.urgency.urgent);
    if (result.requested.length) writes++;
    writes += result.refused.size;
    const ok = new Set(result.requested.map((r) => r.login.toLowerCase()));
    const reasons = { ...(memory.pickReasons ?? {}) };
    for (const p of picks) if (ok.has(p.login.toLowerCase())) reasons[p.login.toLowerCase()] = p.reason;
    memory = { ...memory, pickReasons: reasons };
    progress.requestedNow.push(...ok);
    for (const [login, why] of result.refused) {
      (progress.refusedNow as Map<string, string>).set(login, why);
      await deps.refused.add(`${owner}/${repo}`, login, why);
    }
    plan = planTriage(facts, memory, progress);
  }

  // An escalation's withdrawal, before the comment that says it is done: a 500 leaves the
  // reviewer requested and shown, and the job is retried.
  const writeFailures: unknown[] = [];
  if (plan.withdraw?.length) {
    const withdraw = plan.withdraw;
    try {
      await deps.writes.schedule(target.lane, PRIORITY.reviewers, () =>
        octokit.rest.pulls.removeRequestedReviewers({
          owner,
          repo,
          pull_number: pull.number,
          reviewers: withdraw.filter((r) => !r.startsWith("@")),
          // A team is recorded as "@org/slug"; GitHub takes its slug.
          team_reviewers: withdraw.filter((r) => r.startsWith("@")).map((r) => r.slice(r.indexOf("/") + 1)),
        }),
      );
      writes++;
      progress.withdrawnNow = withdraw.map((r) => r.toLowerCase());
      // Recorded at once, not when GitHub's event comes (late, or lost): a retry of the step
      // then never withdraws again a request someone has made since.
      for (const reviewer of progress.withdrawnNow) await deps.history.removeRequest(prId, reviewer, deps.botLogin ?? "review-triage[bot]", deps.clock());
      plan = planTriage(facts, memory, progress);
    } catch (error) {
      writeFailures.push(error);
    }
  }

  let analysed = facts.analysis;
  if (!facts.analysis) {
    const analysis: StaticAnalysisFact | undefined = await gathered.analysis();
    analysed = analysis;
    // Same level (the factor has no weight); the comment and check now show its findings.
    if (analysis) plan = planTriage({ ...facts, analysis }, memory, progress);
  }
  if (plan.refusedTicks.length) log.info({ refused: plan.refusedTicks.length }, "checklist ticks refused and reverted");

  await touch();
  // `headCheck` null: gather looked and found none, so the check run is created without looking again.
  // On a shared head the newest run may be a sibling's: it is looked up by name, so every PR
  // on the commit writes the run branch protection reads (a new PR's first run is the newest).
  const shared = (facts.siblings?.length ?? 0) > 0 && !fresh;
  const knownCheck = shared
    ? undefined
    : memory.checkRuns?.[pull.head.sha] ?? (gathered.headCheck !== undefined ? gathered.headCheck : fresh || (trigger === "synchronize" && memory.level) ? null : undefined);
  // After a hand edit the comment on GitHub differs from what the app last wrote: compare
  // with what is there now, so a forged or refused tick is always reverted.
  const knownComment: KnownComment | null | undefined = event.tickEdit
    ? { id: event.tickEdit.commentId, body: facts.tickEdit?.current ?? event.tickEdit.after }
    : memory.commentId
      ? { id: memory.commentId, bodyHash: memory.commentHash ?? "" }
      : fresh
        ? null
        : undefined;
  const outcome = await applyTriageWrites(target, plan, { check: knownCheck, comment: knownComment });
  writes += outcome.writes;
  const next: PrMemory = {
    ...plan.next,
    touched: true,
    ...(outcome.comment ? { commentId: outcome.comment.id, commentHash: outcome.comment.hash } : {}),
    ...(outcome.check ? { checkRuns: rememberCheck(plan.next, pull.head.sha, outcome.check) } : {}),
  };
  await deps.store.save(key, where, next);
  await recordHistory(deps, { ...prId, owner, repo, ...(installation !== undefined ? { installationId: installation } : {}) }, facts, plan, progress, (pull as { updated_at?: string }).updated_at);
  outcome.failures.unshift(...writeFailures);
  for (const failure of outcome.failures) {
    // A warning: the run fails as a whole below, and that is logged once as what it ends in.
    log.warn({ error: describeError(failure) }, "a write failed; the other writes went ahead");
  }
  const level = plan.assessment.level;
  if (plan.status === "skipped") log.info({ reason: plan.skipReason }, "PR skipped");
  else log.info({ risk: level, score: plan.assessment.score, picks: progress.requestedNow, writes }, writes ? "PR triaged" : "PR triaged; no change");
  // Once per PR at its first triage, and again when its level rises: re-runs (pushes, ticks,
  // reviews) are not more PRs.
  if (plan.status === "triaged" && memory.level !== plan.next.level) metrics.prsTriaged.inc({ level: plan.next.level ?? level });
  if (analysed?.durationMs !== undefined) metrics.analysisDuration.observe(analysed.durationMs / 1000);
  if (analysed?.budgetHits) metrics.analysisBudgetHits.inc(analysed.budgetHits);
  if (outcome.failures.length) throw new WritesFailedError(outcome.failures);
  return { status: plan.status, writes, plan, requested: progress.requestedNow };
}
