import { sql } from "kysely";
import { HistoryStore } from "../storage/history-store.js";
import { withoutNestedLoops, type Db } from "../storage/open-database.js";
import { BOT_LOGIN, isLevel, percentile, resolveRepository, secondsBetween, zeroByLevel, type ResolvedRepository } from "./report-queries.js";
import type { AnalysisRuleHits, AuthorReport, ChecklistMiss, PeopleReportResult, ReportOptions, ReviewerReport } from "./types.js";

/** A request withdrawn unanswered sooner than this after it was made is not counted against its reviewer. */
const WITHDRAWN_UNCOUNTED_SECONDS = 24 * 3600;

/** A fix merged within this many days of a change, touching its files, is a follow-up fix of it. */
export const FOLLOW_UP_FIX_DAYS = 30;
const TOP = 5;
const DAY_MS = 86_400_000;

/**
 * Per-person figures for the leads (SPEC §8), over `[since, until)`; never shown on pull
 * requests. Authors: their pull requests opened in the window by level, their clean
 * high-risk landings (merged with the approvals the level requires and no follow-up fix
 * within 30 days), review rounds, the checklist items and static-analysis rules they most
 * often missed. Reviewers: reviews by level, median time to first review, current load.
 * A repository whose config says `people: false` gets `{ disabled: true }`.
 */
export async function buildPeopleReport(db: Db, options: ReportOptions): Promise<PeopleReportResult> {
  const repository = await resolveRepository(db, options);
  if (!repository.people) return { disabled: true };
  const [authors, reviewers] = await Promise.all([buildAuthors(db, repository, options), buildReviewers(db, repository, options)]);
  return { repository: { fullName: repository.fullName, ids: repository.ids }, window: { since: options.since, until: options.until }, authors, reviewers };
}

async function buildAuthors(db: Db, repository: ResolvedRepository, options: ReportOptions): Promise<AuthorReport[]> {
  const [prs, followed, unticked, refused, rules] = await Promise.all([
    authorPullRequests(db, repository, options),
    followedByFix(db, repository, options),
    untickedItems(db, repository, options),
    refusedTicks(db, repository, options),
    analysisRules(db, repository, options),
  ]);
  const recent = options.until.getTime() - FOLLOW_UP_FIX_DAYS * DAY_MS;
  const authors = new Map<string, AuthorReport>();
  const author = (login: string): AuthorReport => {
    let a = authors.get(login);
    if (!a) {
      a = {
        login,
        pullRequests: { total: 0, byLevel: zeroByLevel(), untriaged: 0 },
        highRiskMerged: 0,
        cleanHighRiskLandings: 0,
        followedByFix: 0,
        mergedWithoutApprovals: 0,
        cleanStillInFixWindow: 0,
        reviewRounds: { total: 0, reviewedPullRequests: 0, perReviewedPullRequest: null },
        checklistMisses: [],
        analysisRules: [],
      };
      authors.set(login, a);
    }
    return a;
  };
  for (const row of prs.counts) {
    const a = author(row.author);
    const n = Number(row.n);
    a.pullRequests.total += n;
    if (isLevel(row.level)) a.pullRequests.byLevel[row.level] += n;
    else a.pullRequests.untriaged += n;
    a.reviewRounds.total += Number(row.rounds ?? 0);
    a.reviewRounds.reviewedPullRequests += Number(row.reviewed);
  }
  for (const pr of prs.highMerged) {
    const a = author(pr.author);
    a.highRiskMerged++;
    const fixed = followed.has(`${pr.repo_id}#${pr.number}`);
    if (fixed) a.followedByFix++;
    if (pr.approvals_met !== true) a.mergedWithoutApprovals++;
    else if (!fixed) {
      a.cleanHighRiskLandings++;
      if (pr.merged_at!.getTime() > recent) a.cleanStillInFixWindow++;
    }
  }
  const misses = new Map<string, Map<string, ChecklistMiss>>();
  const miss = (login: string, item: string) => {
    const of = misses.get(login) ?? new Map<string, ChecklistMiss>();
    misses.set(login, of);
    const m = of.get(item) ?? { item, unticked: 0, refused: 0 };
    of.set(item, m);
    return m;
  };
  for (const row of unticked) miss(row.author, row.item).unticked += Number(row.n);
  for (const row of refused) miss(row.author, row.item).refused += Number(row.n);
  for (const [login, of] of misses) {
    if (!authors.has(login)) continue;
    author(login).checklistMisses = [...of.values()].sort((x, y) => y.unticked + y.refused - (x.unticked + x.refused) || x.item.localeCompare(y.item)).slice(0, TOP);
  }
  const hits = new Map<string, AnalysisRuleHits[]>();
  for (const row of rules) {
    const list = hits.get(row.author) ?? [];
    list.push({ rule: row.rule, findings: Number(row.findings), pullRequests: Number(row.prs) });
    hits.set(row.author, list);
  }
  for (const [login, list] of hits) {
    if (!authors.has(login)) continue;
    author(login).analysisRules = list.sort((x, y) => y.findings - x.findings || y.pullRequests - x.pullRequests || x.rule.localeCompare(y.rule)).slice(0, TOP);
  }
  for (const a of authors.values()) {
    const { total, reviewedPullRequests } = a.reviewRounds;
    a.reviewRounds.perReviewedPullRequest = reviewedPullRequests ? Math.round((total / reviewedPullRequests) * 100) / 100 : null;
  }
  return [...authors.values()].sort((x, y) => y.pullRequests.total - x.pullRequests.total || x.login.localeCompare(y.login));
}

/** The pull requests opened in the window, each with what its author's figures need. */
function prsInWindow(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return db
    .selectFrom("pull_requests as p")
    .where("p.repo_id", "in", repository.ids)
    .where("p.opened_at", ">=", options.since)
    .where("p.opened_at", "<", options.until)
    .where("p.author", "not like", BOT_LOGIN);
}

/**
 * The authors' pull requests opened in the window: counts per author and level (with their
 * review rounds and how many were reviewed), and the high-risk ones merged, each read from the
 * pull request's own row (its report facts), so one indexed range however long the window.
 */
async function authorPullRequests(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  const [counts, highMerged] = await Promise.all([
    prsInWindow(db, repository, options)
      .select((eb) => [
        "p.author",
        "p.level",
        eb.fn.countAll<string>().as("n"),
        eb.fn.sum<string>("p.rounds").as("rounds"),
        eb.fn.countAll<string>().filterWhere("p.reviewed", "=", true).as("reviewed"),
      ])
      .groupBy(["p.author", "p.level"])
      .execute(),
    prsInWindow(db, repository, options)
      .select(["p.repo_id", "p.number", "p.author", "p.merged_at", "p.approvals_met"])
      .where("p.level", "in", ["high", "critical"])
      .where("p.state", "=", "merged")
      .where("p.merged_at", "is not", null)
      .execute(),
  ]);
  return { counts, highMerged };
}

/**
 * The high-risk merged pull requests of the window that a fix followed: a later merged pull
 * request marked as a fix (`pull_requests.fix`, the risk model's rule) that touched one of
 * their files within the follow-up window. Two indexed reads (their files, and the files of
 * the fixes merged since the window began) joined here by path: a join by path in SQL needs
 * statistics the embedded database does not keep to be planned well.
 */
async function followedByFix(db: Db, repository: ResolvedRepository, options: ReportOptions): Promise<Set<string>> {
  const [changed, fixes] = await Promise.all([
    prsInWindow(db, repository, options)
      .innerJoin("pr_files as pf", (join) => join.onRef("pf.repo_id", "=", "p.repo_id").onRef("pf.number", "=", "p.number"))
      .select(["p.repo_id", "p.number", "p.merged_at", "pf.path"])
      .where("p.level", "in", ["high", "critical"])
      .where("p.state", "=", "merged")
      .where("p.merged_at", "is not", null)
      .execute(),
    db
      .selectFrom("pull_requests as f")
      .innerJoin("pr_files as ff", (join) => join.onRef("ff.repo_id", "=", "f.repo_id").onRef("ff.number", "=", "f.number"))
      .select(["f.repo_id", "f.number", "f.merged_at", "ff.path"])
      .where("f.repo_id", "in", repository.ids)
      .where("f.fix", "=", true)
      .where("f.merged_at", ">", options.since)
      .execute(),
  ]);
  const byPath = new Map<string, Array<{ number: number; at: number }>>();
  for (const f of fixes) {
    const key = `${f.repo_id}:${f.path}`;
    const list = byPath.get(key) ?? [];
    list.push({ number: f.number, at: f.merged_at!.getTime() });
    byPath.set(key, list);
  }
  const followed = new Set<string>();
  for (const c of changed) {
    const merged = c.merged_at!.getTime();
    const until = merged + FOLLOW_UP_FIX_DAYS * DAY_MS;
    const hit = byPath.get(`${c.repo_id}:${c.path}`)?.some((f) => f.number !== c.number && f.at > merged && f.at <= until);
    if (hit) followed.add(`${c.repo_id}#${c.number}`);
  }
  return followed;
}

/** Required items still unticked at each pull request's latest triage. */
function untickedItems(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return prsInWindow(db, repository, options)
    .innerJoin(sql<{ item: string }>`jsonb_array_elements_text(coalesce(p.checklist_missing, '[]'::jsonb))`.as("missing_item"), (join) => join.onTrue())
    .select((eb) => ["p.author", sql<string>`missing_item`.as("item"), eb.fn.countAll<string>().as("n")])
    .groupBy(["p.author", sql`missing_item`])
    .execute();
}

/** The author's own ticks the app refused (the item was for someone else to tick). */
function refusedTicks(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return prsInWindow(db, repository, options)
    .innerJoin("checklist_events as e", (join) => join.onRef("e.repo_id", "=", "p.repo_id").onRef("e.number", "=", "p.number").onRef("e.actor", "=", "p.author"))
    .select((eb) => ["p.author", "e.item", eb.fn.countAll<string>().as("n")])
    .where("e.action", "=", "refused")
    .groupBy(["p.author", "e.item"])
    .execute();
}

/** Findings per rule: the most any triage of a pull request saw, summed over the author's pull requests. */
function analysisRules(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return prsInWindow(db, repository, options)
    .innerJoin(sql<{ key: string; value: string }>`jsonb_each_text(coalesce(p.analysis_rules, '{}'::jsonb))`.as("rule"), (join) => join.onTrue())
    .select((eb) => ["p.author", sql<string>`rule.key`.as("rule"), sql<string>`sum((rule.value)::int)`.as("findings"), eb.fn.countAll<string>().as("prs")])
    .where(sql`(rule.value)::int`, ">", 0)
    .groupBy(["p.author", sql`rule.key`])
    .execute();
}

async function buildReviewers(db: Db, repository: ResolvedRepository, options: ReportOptions): Promise<ReviewerReport[]> {
  const [reviews, requests, open, across] = await Promise.all([
    // Every review of the window with its pull request, hash-joined: probed once per review
    // instead, a year of a busy repository takes four times as long.
    withoutNestedLoops(db, (trx) =>
      trx
        .selectFrom("reviews as r")
        .innerJoin("pull_requests as p", (join) => join.onRef("p.repo_id", "=", "r.repo_id").onRef("p.number", "=", "r.number"))
        .select((eb) => ["r.reviewer", "p.level", eb.fn.countAll<string>().as("reviews"), sql<string>`count(distinct ${eb.ref("r.number")})`.as("prs")])
        .where("r.repo_id", "in", repository.ids)
        .where("r.submitted_at", ">=", options.since)
        .where("r.submitted_at", "<", options.until)
        .whereRef("r.reviewer", "<>", "p.author")
        .where("r.reviewer", "not like", BOT_LOGIN)
        .groupBy(["r.reviewer", "p.level"])
        .execute(),
    ),
    db
      .selectFrom("review_requests as rr")
      .select((eb) => [
        "rr.reviewer",
        eb.fn.countAll<string>().as("requests"),
        eb.fn.count<string>("rr.reviewed_at").as("answered"),
        percentile(0.5, secondsBetween(eb.ref("rr.reviewed_at"), eb.ref("rr.requested_at"))).as("median"),
      ])
      .where("rr.repo_id", "in", repository.ids)
      .where("rr.requested_at", ">=", options.since)
      .where("rr.requested_at", "<", options.until)
      .where("rr.reviewer", "not like", BOT_LOGIN)
      // A request withdrawn unanswered within a day was not the reviewer's to answer: requests
      // made and withdrawn again and again must not make anyone look unresponsive. One that
      // waited longer (withdrawn by a lead, or by the app's reassignment) counts.
      .where((eb) => eb.or([eb("rr.removed_at", "is", null), eb("rr.reviewed_at", "is not", null), eb(secondsBetween(eb.ref("rr.removed_at"), eb.ref("rr.requested_at")), ">=", WITHDRAWN_UNCOUNTED_SECONDS)]))
      .groupBy("rr.reviewer")
      .execute(),
    // The pending requests with their open pull requests (as in openRequestLoad).
    withoutNestedLoops(db, (trx) =>
      trx
        .selectFrom("review_requests as rr")
        .innerJoin("pull_requests as p", (join) => join.onRef("p.repo_id", "=", "rr.repo_id").onRef("p.number", "=", "rr.number"))
        .select((eb) => ["rr.reviewer", eb.fn.countAll<string>().as("n")])
        .where("rr.repo_id", "in", repository.ids)
        .where("p.state", "=", "open")
        .where("rr.removed_at", "is", null)
        .where("rr.reviewed_at", "is", null)
        .groupBy("rr.reviewer")
        .execute(),
    ),
    repository.installationId === null ? Promise.resolve(new Map<string, number>()) : new HistoryStore(db).openRequestLoad(repository.installationId),
  ]);
  const reviewers = new Map<string, ReviewerReport>();
  const reviewer = (login: string): ReviewerReport => {
    let r = reviewers.get(login);
    if (!r) {
      r = { login, reviews: 0, reviewedByLevel: zeroByLevel(), requests: 0, answered: 0, medianTimeToFirstReviewSeconds: null, openRequests: 0, openRequestsAcrossInstallation: 0 };
      reviewers.set(login, r);
    }
    return r;
  };
  for (const row of reviews) {
    const r = reviewer(row.reviewer);
    r.reviews += Number(row.reviews);
    if (isLevel(row.level)) r.reviewedByLevel[row.level] += Number(row.prs);
  }
  for (const row of requests) {
    const r = reviewer(row.reviewer);
    r.requests = Number(row.requests);
    r.answered = Number(row.answered);
    r.medianTimeToFirstReviewSeconds = row.median === null ? null : Math.round(Number(row.median));
  }
  for (const row of open) reviewer(row.reviewer).openRequests = Number(row.n);
  for (const r of reviewers.values()) r.openRequestsAcrossInstallation = Math.max(across.get(r.login) ?? 0, r.openRequests);
  return [...reviewers.values()].sort((x, y) => y.reviews - x.reviews || y.requests - x.requests || x.login.localeCompare(y.login));
}
