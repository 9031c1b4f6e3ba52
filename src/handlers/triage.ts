import type { Context } from "probot";
import { loadConfig, type LoadedConfig } from "../config/load-config.js";
import { CONFIG_PATH, DOCS_URL, parseConfigText } from "../config/parse-config.js";
import { problemToLine } from "../config/format-issues.js";
import { LEVELS, type Config, type Level } from "../config/schema.js";
import { chooseReviewers, type ReviewerChoice } from "../core/choose-reviewers.js";
import { evaluateApprovals } from "../core/evaluate-approvals.js";
import { invalidConfigCheck, skippedCheck, triageCheck } from "../core/render-check.js";
import { renderStickyComment, STICKY_MARKER } from "../core/render-comment.js";
import { compileRiskConfig, scoreRisk } from "../core/score-risk.js";
import { skipReason } from "../core/skip-reason.js";
import type { ChangedFile, RiskAssessment } from "../core/types.js";
import {
  applicableChecklists,
  decodeRecord,
  encodeRecord,
  missingRequired,
  renderChecklists,
  renderTickTable,
  type PrRecord,
  type TickRecord,
} from "../core/checklists.js";
import { ensureCheckRun, findCheckRun, type CheckRunSpec, type KnownCheckRun } from "../github/ensure-check-run.js";
import { applyTickEdit } from "./apply-tick-edit.js";
import { requestReviewers } from "../github/ensure-reviewers.js";
import { ensureRiskLabel, planRiskLabel } from "../github/ensure-risk-label.js";
import { ensureStickyComment, findStickyComment, hashText } from "../github/ensure-sticky-comment.js";
import { expandGroups } from "../github/expand-teams.js";
import { listOpenPrLoad } from "../github/list-open-pr-load.js";
import { listPullFiles, listPullReviews } from "../github/list-pull-request.js";
import { PrStateStore, type PrState } from "../github/pr-state.js";
import type { Logger, Octokit } from "../github/types.js";
import { PRIORITY } from "../github/write-queue.js";
import type { AppDeps } from "./app-deps.js";
import { describeError } from "./run-event.js";

/** The fields of a pull request the pipeline reads; webhook payloads and `pulls.get` both have them. */
export interface PullRequestLike {
  number: number;
  title: string;
  state: string;
  draft?: boolean;
  user: { login: string; type?: string } | null;
  head: { sha: string; ref: string };
  base: { ref: string; repo: { id: number; default_branch?: string } };
  labels: Array<{ name?: string } | string>;
  requested_reviewers?: Array<{ login: string }> | null;
  requested_teams?: Array<{ slug: string }> | null;
  additions?: number;
  deletions?: number;
  changed_files?: number;
}

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
  | "tick";

export interface TriageOutcome {
  status: "triaged" | "skipped" | "invalid-config";
  level?: Level;
  writes: number;
  assessment?: RiskAssessment;
  choice?: ReviewerChoice;
}

type AnyContext = Pick<Context, "octokit" | "repo" | "payload" | "id" | "log">;

function labelNames(pr: PullRequestLike): string[] {
  return pr.labels.map((l) => (typeof l === "string" ? l : l.name ?? "")).filter(Boolean);
}

function levelRank(level: string | undefined): number {
  return level ? LEVELS.indexOf(level as Level) : -1;
}

/** The dry run for a PR that edits the config: validate the new file and say where it would route. */
async function dryRunConfig(
  octokit: Octokit,
  ref: { owner: string; repo: string },
  headSha: string,
  route: (config: Config) => Promise<string>,
): Promise<{ ok: boolean; lines: string[] }> {
  let text: string;
  try {
    const { data } = await octokit.rest.repos.getContent({ ...ref, path: CONFIG_PATH, ref: headSha, mediaType: { format: "raw" } });
    text = typeof data === "string" ? data : String(data);
  } catch (error) {
    return { ok: false, lines: [`- could not read the new file: ${(error as Error).message}`] };
  }
  const parsed = parseConfigText(text);
  if (!parsed.ok) {
    return { ok: false, lines: [`The new file is invalid (${parsed.problems.length} problem${parsed.problems.length === 1 ? "" : "s"}):`, ...parsed.problems.map((p) => `- ${problemToLine(p)}`), `Reference: ${DOCS_URL}`] };
  }
  return { ok: true, lines: ["The new file is valid.", await route(parsed.config)] };
}

export interface TriagePipelineExtras {
  /** Static analysis (SPEC §7): errors on changed lines and check annotations. */
  analyze?: (input: { config: Config; files: ChangedFile[]; headSha: string; octokit: Octokit; owner: string; repo: string }) => Promise<
    | {
        errors: number;
        annotations: CheckRunSpec["annotations"];
        text: string;
      }
    | undefined
  >;
}

/** What the triggering event adds: a checklist edit, the commit before a push. */
export interface TriageEventInput {
  /** `issue_comment.edited` on the sticky comment: who edited, the body before and after. */
  tickEdit?: { sender: string; before: string; after: string; commentId: number };
  /** `synchronize`: the previous head, where the app's record can be found after a restart. */
  beforeSha?: string;
}

/**
 * Triage one pull request: score, route, label, comment and check (SPEC §3–§6). Reads first,
 * then writes only what differs. Writes go through the shared priority queue, most urgent
 * (reviewer requests) first; a failing write does not stop the others.
 */
export async function triagePullRequest(
  context: AnyContext,
  deps: AppDeps,
  pr: PullRequestLike,
  trigger: TriageTrigger,
  extras: TriagePipelineExtras = {},
  event: TriageEventInput = {},
): Promise<TriageOutcome> {
  const { owner, repo } = context.repo();
  const octokit = context.octokit as unknown as Octokit;
  const log = context.log as unknown as Logger;
  const prRef = { owner, repo, pull_number: pr.number };
  const issueRef = { owner, repo, issue_number: pr.number };
  const key = PrStateStore.key(pr.base.repo.id, pr.number);
  const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
  const lane = String(installation ?? owner);
  let state = deps.store.get(key) ?? {};
  // On `opened` nothing of ours can exist yet unless this process already saw the PR, so the
  // comment and check lookups are skipped: that keeps a new PR within its call budget.
  const fresh = trigger === "opened" && !deps.store.get(key);
  let writes = 0;
  const author = pr.user?.login ?? "";

  const loaded: LoadedConfig = await deps.configs.get(`${owner}/${repo}`.toLowerCase(), () => loadConfig(context));
  // A push brings a new head commit: when this process has seen the PR before, no run of
  // ours can exist on that commit yet, so there is nothing to look up.
  const seenBefore = deps.store.get(key) !== undefined;
  let headCheck: KnownCheckRun | null | undefined = state.checkRuns?.[pr.head.sha]
    ? state.checkRuns[pr.head.sha]
    : fresh || (trigger === "synchronize" && seenBefore)
      ? null
      : undefined;
  // Ticks and overrides live in the app's own check run. After a restart, read them back
  // from the run on this commit, or on the previous head for a push.
  let record: PrRecord | undefined;
  if (!seenBefore && !fresh) {
    if (headCheck === undefined) headCheck = (await findCheckRun(octokit, { owner, repo, head_sha: pr.head.sha }, deps.appId)) ?? null;
    record = decodeRecord(headCheck?.text);
    if (!record && event.beforeSha) record = decodeRecord((await findCheckRun(octokit, { owner, repo, head_sha: event.beforeSha }, deps.appId))?.text);
    if (record) state = deps.store.update(key, { ticks: record.ticks, ...(record.override ? { override: record.override } : {}) });
  }
  const writeCheck = async (spec: CheckRunSpec) => {
    const known = headCheck;
    const result = await deps.writes.schedule(lane, PRIORITY.check, () =>
      ensureCheckRun(octokit, { owner, repo, head_sha: pr.head.sha }, spec, known, deps.appId),
    );
    if (result.write !== "unchanged") writes++;
    headCheck = result.run;
    // Only the newest commits matter: older heads' runs are never written again.
    const runs = Object.entries(deps.store.get(key)?.checkRuns ?? {}).filter(([sha]) => sha !== pr.head.sha).slice(-2);
    const run = {
      id: result.run.id,
      fingerprint: result.run.fingerprint,
      ...(result.run.annotations ? { annotations: result.run.annotations } : {}),
      ...(result.run.completed ? { completed: true } : {}),
    };
    deps.store.update(key, { checkRuns: Object.fromEntries([...runs, [pr.head.sha, run]]) });
  };

  if (!loaded.ok) {
    log.warn({ problems: loaded.problems.length }, "invalid config; PR not triaged");
    await writeCheck(invalidConfigCheck(loaded.problems, DOCS_URL, loaded.files));
    return { status: "invalid-config", writes };
  }
  const config = loaded.config;

  // Once a PR is under governance, a title keyword or a label must not switch its check off:
  // only a draft (which cannot be merged) pauses triage again.
  const governed = state.level !== undefined || record !== undefined;
  const skipped = skipReason(
    { draft: pr.draft ?? false, authorLogin: author, authorType: pr.user?.type ?? "User", labels: labelNames(pr), title: pr.title },
    governed ? { ...config.options.skip, labels: [], title: [] } : config.options.skip,
  );
  if (skipped) {
    log.info({ reason: skipped }, "PR skipped");
    await writeCheck(skippedCheck(skipped));
    // Where a comment already exists, it says why it is no longer kept up to date.
    const known = state.commentId ? { id: state.commentId, bodyHash: state.commentHash ?? "" } : fresh ? null : await findStickyComment(octokit, issueRef, STICKY_MARKER);
    if (known && config.options.comment) {
      const body = `${STICKY_MARKER}\n### Review Triage: skipped\n\nThis pull request is not triaged now because ${skipped}.`;
      const result = await deps.writes.schedule(lane, PRIORITY.comment, () => ensureStickyComment(octokit, issueRef, STICKY_MARKER, body, known));
      if (result.write !== "unchanged") writes++;
      deps.store.update(key, { commentId: result.comment.id, commentHash: hashText(result.comment.body) });
    }
    return { status: "skipped", writes };
  }

  const files = await listPullFiles(octokit, prRef);
  const prFacts = {
    number: pr.number,
    title: pr.title,
    headRef: pr.head.ref,
    labels: labelNames(pr),
    additions: pr.additions ?? 0,
    deletions: pr.deletions ?? 0,
    changedFiles: pr.changed_files ?? files.length,
  };
  const analysisRun = (
    config.analysis.enabled && extras.analyze ? extras.analyze({ config, files, headSha: pr.head.sha, octokit, owner, repo }) : Promise.resolve(undefined)
  ).catch((error: unknown) => {
    log.warn({ error: describeError(error) }, "static analysis failed; triage goes on without it");
    return undefined;
  });
  // When static analysis carries no weight (the default) it cannot change the level, so the
  // reviewers are chosen and requested without waiting for the linter.
  const analysisMatters = compileRiskConfig(config.risk).weights.static_analysis > 0;
  let analysis = analysisMatters ? await analysisRun : undefined;
  const score = () => scoreRisk({ files, pr: prFacts, config: config.risk, ...(analysis ? { analysis: { errors: analysis.errors } } : {}) });
  const scored = score();
  const scoredLevel = scored.level;
  let assessment = state.override ? { ...scored, level: state.override.level as Level } : scored;

  const notes: string[] = [];
  const members = await expandGroups(octokit, config.reviewers, config.routing.request_teams, deps.teams, notes);
  const needsLoad = config.routing.strategy === "least-loaded" || config.routing.max_load > 0;
  const load = needsLoad && Object.keys(config.reviewers).length ? await listOpenPrLoad(octokit, { owner, repo }, pr.number) : new Map<string, number>();
  // A just-opened PR has no reviews yet; every other event reads them (who reviewed, approvals).
  const reviews = trigger === "opened" ? [] : await listPullReviews(octokit, prRef);
  const reviewed = new Set(reviews.map((r) => r.login.toLowerCase()));
  const requested = new Set<string>([
    ...(pr.requested_reviewers ?? []).map((u) => u.login.toLowerCase()),
    ...(pr.requested_teams ?? []).map((t) => `@${owner}/${t.slug}`.toLowerCase()),
  ]);
  const unavailable = new Map<string, string>();
  // The payload's reviewer list is a snapshot from when the event was sent, and events queue
  // per PR: someone the app requested a moment ago may be missing from it. Everyone the app
  // requested counts as on the PR, so nobody is asked twice or replaced behind their back.
  for (const login of state.requestedByApp ?? []) requested.add(login);
  for (const group of Object.values(members)) {
    for (const m of group) {
      const refusedWhy = deps.refused.get(`${owner}/${repo}:${m.login}`.toLowerCase());
      if (refusedWhy) unavailable.set(m.login.toLowerCase(), refusedWhy);
    }
  }

  const choose = () =>
    chooseReviewers({ level: assessment.level, config, prNumber: pr.number, author, members, load, requested, reviewed, unavailable });
  let choice = choose();
  const requestedNow: string[] = [];
  let pickReasons = state.pickReasons;
  // When risk falls (new commits, or a lead's override), the reviewers already on the PR
  // stay and nobody new is asked.
  const fell = levelRank(assessment.level) < levelRank(state.level) && requested.size + reviewed.size > 0;
  if (fell) notes.push(`Risk fell from ${state.level} to ${assessment.level}; the reviewers already on the PR are kept and nobody new is requested.`);
  if (config.options.request_reviewers && !fell) {
    const made: ReviewerChoice["picks"] = [];
    // 422 means someone cannot review here: drop them, pick the next, at most a few rounds.
    for (let round = 0; round < 3 && choice.picks.length; round++) {
      const picks = choice.picks;
      const result = await deps.writes.schedule(lane, PRIORITY.reviewers, () =>
        requestReviewers(octokit, prRef, picks.map((p) => ({ login: p.login, isTeam: p.isTeam }))),
      );
      writes += result.requested.length ? 1 : 0;
      const ok = new Set(result.requested.map((r) => r.login.toLowerCase()));
      for (const p of picks) {
        if (!ok.has(p.login.toLowerCase())) continue;
        made.push(p);
        requested.add(p.login.toLowerCase());
        requestedNow.push(p.login.toLowerCase());
      }
      if (!result.refused.size) break;
      writes += result.refused.size;
      for (const [login, why] of result.refused) {
        unavailable.set(login, why);
        deps.refused.set(`${owner}/${repo}:${login}`.toLowerCase(), why);
        notes.push(`@${login} could not be requested: ${why}.`);
      }
      choice = choose();
    }
    // The final picture: who was requested now (with why), and who was already there.
    const after = choose();
    const madeKeys = new Set(made.map((p) => p.login.toLowerCase()));
    // People the app requested on an earlier event keep the reason they were picked for, so
    // the comment reads the same on every event and is not rewritten for nothing.
    const reasons = state.pickReasons ?? {};
    const earlier = after.kept.filter((k) => !madeKeys.has(k.login.toLowerCase()) && reasons[k.login.toLowerCase()]);
    const earlierKeys = new Set(earlier.map((k) => k.login.toLowerCase()));
    choice = {
      ...after,
      picks: [...earlier.map((k) => ({ ...k, reason: reasons[k.login.toLowerCase()]! })), ...made],
      kept: after.kept.filter((k) => !madeKeys.has(k.login.toLowerCase()) && !earlierKeys.has(k.login.toLowerCase())),
    };
    pickReasons = { ...reasons, ...Object.fromEntries(made.map((p) => [p.login.toLowerCase(), p.reason])) };
  } else if (fell) {
    // Show everyone already on the PR, whatever group the lower level would use.
    const reasons = state.pickReasons ?? {};
    const onPr = [...new Set([...requested, ...reviewed])].sort();
    const asPick = (login: string) => ({ login, isTeam: login.startsWith("@"), group: "", load: load.get(login) ?? 0 });
    choice = {
      ...choice,
      picks: onPr.filter((l) => reasons[l]).map((l) => ({ ...asPick(l), reason: reasons[l]! })),
      kept: onPr.filter((l) => !reasons[l]).map((l) => ({ ...asPick(l), reason: reviewed.has(l) ? "already reviewed this PR" : "already requested" })),
    };
  }

  if (!analysisMatters) {
    analysis = await analysisRun;
    // Same level (the factor has no weight); the comment and check now show its value.
    if (analysis) assessment = { ...score(), level: assessment.level };
  }

  const escalations = [...(state.escalations ?? [])];
  const previousLevel = state.level;
  if (previousLevel && levelRank(assessment.level) > levelRank(previousLevel)) {
    escalations.push(
      `Risk rose from ${previousLevel} to ${assessment.level}${requestedNow.length ? `; requested ${requestedNow.map((l) => `@${l}`).join(", ")} for the higher level` : "; the current reviewers already cover it"}.`,
    );
  }

  const leadGroup = config.governance.lead_group;
  // Leads are people: a lead team requested as a team still approves and ticks as members.
  const leadMembers = config.routing.request_teams
    ? (await expandGroups(octokit, { [leadGroup]: config.reviewers[leadGroup] ?? [] }, false, deps.teams, []))[leadGroup]
    : members[leadGroup];
  const leads = new Set((leadMembers ?? []).map((m) => m.login.toLowerCase()));
  const approvals = evaluateApprovals({ level: assessment.level, config, reviews, author, leads });
  const nextState: Partial<PrState> = {
    level: levelRank(assessment.level) > levelRank(previousLevel) ? assessment.level : previousLevel ?? assessment.level,
    escalations,
    requestedByApp: [...new Set([...(state.requestedByApp ?? []), ...requestedNow])],
    ...(pickReasons ? { pickReasons } : {}),
  };
  deps.store.update(key, nextState);
  state = deps.store.get(key) ?? {};
  const applied = applicableChecklists(config, { level: assessment.level, files: files.map((f) => f.filename), labels: labelNames(pr) });
  let ticks: TickRecord = { ...(state.ticks ?? {}) };
  const refusals = [...(state.refusals ?? [])];
  if (event.tickEdit) {
    const outcome = await applyTickEdit({
      octokit,
      repoRef: { owner, repo },
      applied,
      ticks,
      edit: event.tickEdit,
      author,
      leads,
      now: new Date().toISOString(),
    });
    ticks = outcome.ticks;
    refusals.push(...outcome.refusals);
    if (outcome.refusals.length) log.info({ refused: outcome.refusals.length }, "checklist ticks refused and reverted");
  }
  const keptRefusals = refusals.slice(-5);
  deps.store.update(key, { ticks, refusals: keptRefusals });
  const checklistStatus = applied.some((c) => c.items.some((i) => i.required)) ? missingRequired(applied, ticks) : undefined;
  const checklistMarkdown = [renderChecklists(applied, ticks), ...keptRefusals.map((r) => `> ${r}`)].filter(Boolean).join("\n\n");
  const recordText = [encodeRecord({ ticks, ...(state.override ? { override: state.override } : {}) }), renderTickTable(applied, ticks)].filter(Boolean).join("\n\n");

  const dryRun = files.some((f) => f.filename === CONFIG_PATH && f.status !== "removed")
    ? await dryRunConfig(octokit, { owner, repo }, pr.head.sha, async (newConfig) => {
        const newAssessment = scoreRisk({
          files,
          pr: prFacts,
          config: newConfig.risk,
        });
        const newMembers = await expandGroups(octokit, newConfig.reviewers, newConfig.routing.request_teams, deps.teams, []);
        const newChoice = chooseReviewers({
          level: newAssessment.level,
          config: newConfig,
          prNumber: pr.number,
          author,
          members: newMembers,
          load,
          requested: new Set(),
          reviewed: new Set(),
        });
        const who = newChoice.picks.map((p) => `@${p.login} (${p.group})`);
        return `Under the new config this PR would be **${newAssessment.level}** risk (score ${newAssessment.score}) and routed to ${who.length ? who.join(", ") : "nobody"}.`;
      })
    : undefined;

  const override = state.override;
  const commentNotes = [...escalations, ...notes];
  if (override) commentNotes.unshift(`Risk level overridden from ${scoredLevel} to ${override.level} by @${override.by}: ${override.reason}`);
  if (dryRun) commentNotes.push(dryRun.ok ? "This PR changes .github/review-triage.yml; the check run shows how the new file would route it. It applies after merge." : "This PR changes .github/review-triage.yml and the new file is invalid: see the check run.");

  const tasks: Promise<unknown>[] = [];
  tasks.push(
    writeCheck(
      triageCheck({
        assessment,
        choice,
        approvals,
        ...(checklistStatus ? { checklists: checklistStatus } : {}),
        ...(dryRun ? { configDryRun: dryRun } : {}),
        ...(override ? { override } : {}),
        // The app's record goes first: the only place it is read back from (see decodeRecord).
        extraText: [recordText, analysis?.text ?? ""],
        ...(analysis?.annotations?.length ? { annotations: analysis.annotations } : {}),
      }),
    ),
  );
  if (config.options.comment) {
    const body = renderStickyComment({
      assessment,
      choice,
      configSource: loaded.source,
      notes: commentNotes,
      ...(checklistMarkdown ? { checklists: checklistMarkdown } : {}),
      suggestOnly: !config.options.request_reviewers,
    });
    // After a hand edit the comment on GitHub differs from what the app last wrote: compare
    // with what is there now, so a forged or refused tick is always reverted.
    const known = event.tickEdit
      ? { id: event.tickEdit.commentId, body: event.tickEdit.after }
      : state.commentId
        ? { id: state.commentId, bodyHash: state.commentHash ?? "" }
        : fresh
          ? null
          : undefined;
    tasks.push(
      deps.writes
        .schedule(lane, PRIORITY.comment, () => ensureStickyComment(octokit, issueRef, STICKY_MARKER, body, known))
        .then((result) => {
          if (result.write !== "unchanged") writes++;
          deps.store.update(key, { commentId: result.comment.id, commentHash: hashText(result.comment.body) });
        }),
    );
  }
  if (config.options.labels) {
    const plan = planRiskLabel(labelNames(pr), assessment.level);
    if (plan.add || plan.remove.length) {
      tasks.push(
        deps.writes.schedule(lane, PRIORITY.label, () => ensureRiskLabel(octokit, issueRef, assessment.level, plan)).then((n) => {
          writes += n;
        }),
      );
    }
  }
  const results = await Promise.allSettled(tasks);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  for (const failure of failures) {
    log.error({ error: describeError(failure.reason) }, "a write failed; the other writes went ahead");
  }
  log.info({ risk: assessment.level, score: assessment.score, picks: choice.picks.map((p) => p.login), writes }, writes ? "PR triaged" : "PR triaged; no change");
  return { status: "triaged", level: assessment.level, writes, assessment, choice };
}
