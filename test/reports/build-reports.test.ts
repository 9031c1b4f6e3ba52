import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { marksFix } from "../../src/core/score-risk.js";
import { buildPeopleReport, buildRepositoryReport, UnknownRepositoryError, type AuthorReport, type PeopleReport, type ReviewerReport } from "../../src/reports/index.js";
import { HistoryStore } from "../../src/storage/history-store.js";
import type { Database } from "../../src/storage/open-database.js";
import { EMBEDDED, POSTGRES, POSTGRES_URL, postgresAvailable, type Engine } from "../helpers/engines.js";

/**
 * The report builders over a history written through the store the app writes with, on both
 * engines: the clean-landing rule with its follow-up fixes, review rounds, the checklist items
 * and analysis rules authors miss, reviewers' times and load, `people: false`, and the
 * window's edges (since inclusive, until exclusive).
 */

const hasPostgres = await postgresAvailable();
if (!hasPostgres) console.warn(`report suite: PostgreSQL is not reachable at ${POSTGRES_URL}; its half is skipped (set TEST_DATABASE_URL to run it)`);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date("2026-03-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const SINCE = T0;
const UNTIL = at(60 * DAY);
const WEB = { repoId: 100, fullName: "acme/web" };
const API = { repoId: 200, fullName: "acme/api" };
const SECRET = { repoId: 300, fullName: "acme/secret" };
const INSTALLATION = 7;

interface PrSeed {
  number: number;
  author?: string;
  title?: string;
  labels?: string[];
  openedAt: Date;
  mergedAt?: Date;
  state?: "open" | "closed" | "merged";
  repo?: { repoId: number; fullName: string };
}

async function pr(history: HistoryStore, seed: PrSeed): Promise<void> {
  const repo = seed.repo ?? WEB;
  const title = seed.title ?? `Change ${seed.number}`;
  await history.upsertPullRequest({
    repoId: repo.repoId,
    number: seed.number,
    installationId: INSTALLATION,
    repo: repo.fullName,
    author: seed.author ?? "alice",
    title,
    state: seed.state ?? (seed.mergedAt ? "merged" : "open"),
    draft: false,
    openedAt: seed.openedAt,
    ...(seed.mergedAt ? { mergedAt: seed.mergedAt, closedAt: seed.mergedAt } : {}),
    // The people reports' follow-up fixes are found by the risk model's own rule.
    fix: marksFix({ title, labels: seed.labels ?? [] }),
  });
}

async function triage(
  history: HistoryStore,
  t: { number: number; level: string; files: string[]; approvalsMet?: boolean; missing?: string[]; rules?: Record<string, number>; head?: string; at?: Date; repo?: { repoId: number; fullName: string }; people?: boolean },
): Promise<void> {
  const repo = t.repo ?? WEB;
  await history.recordTriage({
    repoId: repo.repoId,
    number: t.number,
    headSha: t.head ?? `head-${t.number}`,
    level: t.level,
    scoredLevel: t.level,
    score: 50,
    likelihood: 0.5,
    factors: {},
    checklistMissing: t.missing ?? [],
    analysisRules: t.rules ?? {},
    files: t.files,
    approvalsMet: t.approvalsMet ?? false,
    repository: { fullName: repo.fullName, people: t.people ?? true, leadGroup: "leads" },
    at: t.at ?? T0,
  });
}

let reviewIds = 1;
async function review(history: HistoryStore, number: number, reviewer: string, state: string, submittedAt: Date, repo = WEB): Promise<void> {
  await history.recordReview({ repoId: repo.repoId, number, id: reviewIds++, reviewer, state, submittedAt });
}

async function request(history: HistoryStore, number: number, reviewer: string, requestedAt: Date, options: { byApp?: boolean; group?: string; repo?: typeof WEB } = {}) {
  const repo = options.repo ?? WEB;
  return history.recordRequest({
    repoId: repo.repoId,
    number,
    reviewer,
    requestedBy: options.byApp === false ? "lead-person" : "review-triage[bot]",
    byApp: options.byApp ?? true,
    ...(options.group ? { group: options.group } : {}),
    at: requestedAt,
  });
}

async function seed(history: HistoryStore): Promise<void> {
  await history.recordRepository({ repoId: WEB.repoId, installationId: INSTALLATION, fullName: WEB.fullName });
  // alice's high and critical changes, and what followed them.
  await pr(history, { number: 1, openedAt: at(1 * HOUR), mergedAt: at(2 * DAY) });
  await triage(history, { number: 1, level: "high", files: ["src/a.ts"], approvalsMet: true });
  await pr(history, { number: 2, openedAt: at(2 * HOUR), mergedAt: at(3 * DAY) });
  await triage(history, { number: 2, level: "critical", files: ["src/b.ts", "src/shared.ts"], missing: ["Threat model updated"], head: "2a" });
  await triage(history, { number: 2, level: "critical", files: ["src/b.ts", "src/shared.ts"], approvalsMet: true, head: "2b" });
  await pr(history, { number: 3, openedAt: at(3 * HOUR), mergedAt: at(4 * DAY) });
  await triage(history, { number: 3, level: "high", files: ["src/c.ts"], approvalsMet: true });
  await pr(history, { number: 4, openedAt: at(4 * HOUR), mergedAt: at(5 * DAY) });
  await triage(history, { number: 4, level: "high", files: ["src/e.ts"], approvalsMet: false, missing: ["Threat model updated", "Rollback plan"] });
  await pr(history, { number: 5, openedAt: at(5 * HOUR), mergedAt: at(45 * DAY) });
  await triage(history, { number: 5, level: "high", files: ["src/d.ts"], approvalsMet: true });
  // A fix a week after #2, on one of its files: #2 did not land clean.
  await pr(history, { number: 10, author: "bob", title: "fix: crash in b", openedAt: at(6 * DAY), mergedAt: at(10 * DAY) });
  await triage(history, { number: 10, level: "low", files: ["src/b.ts"] });
  // A fix of #3's file, but 36 days after it: outside the follow-up window.
  await pr(history, { number: 11, author: "bob", title: "fix(c): edge case", openedAt: at(39 * DAY), mergedAt: at(40 * DAY) });
  await triage(history, { number: 11, level: "low", files: ["src/c.ts"] });
  // After #5: a change on its file that is not a fix ("prefix" is not "fix"), and a fix (by label) elsewhere.
  await pr(history, { number: 12, author: "bob", title: "Prefix the d helper", openedAt: at(45 * DAY), mergedAt: at(46 * DAY) });
  await triage(history, { number: 12, level: "low", files: ["src/d.ts"] });
  await pr(history, { number: 13, author: "bob", title: "Handle zzz", labels: ["bug"], openedAt: at(46 * DAY), mergedAt: at(47 * DAY) });
  await history.recordTriage({ repoId: WEB.repoId, number: 13, headSha: "h13", level: "low", scoredLevel: "low", score: 1, likelihood: 0.1, factors: {}, checklistMissing: [], analysisRules: {}, files: ["src/zzz.ts"], at: T0 });
  // Untriaged afterwards: its level is cleared by nothing, so make one that never was triaged.
  await pr(history, { number: 14, author: "bob", title: "Docs", openedAt: at(47 * DAY) });

  // alice's open medium PR: two rounds of changes before the approval, one after.
  await pr(history, { number: 6, openedAt: at(6 * HOUR) });
  await triage(history, { number: 6, level: "medium", files: ["src/f.ts"], rules: { "no-eval": 2 }, head: "6a" });
  await triage(history, { number: 6, level: "medium", files: ["src/f.ts"], rules: { "no-eval": 1, eqeqeq: 1 }, head: "6b" });
  await history.recordChecklistEvents({ repoId: WEB.repoId, number: 6 }, [
    { itemId: "x1", checklist: "Ops", item: "Rollback plan", actor: "alice", action: "refused", at: at(1 * DAY) },
    { itemId: "x1", checklist: "Ops", item: "Rollback plan", actor: "carol", action: "refused", at: at(1 * DAY) },
  ]);

  // The window's edges: opened exactly at `since` counts, a millisecond before or exactly at `until` does not.
  await pr(history, { number: 9, openedAt: SINCE });
  await triage(history, { number: 9, level: "low", files: ["README.md"] });
  await pr(history, { number: 8, openedAt: new Date(SINCE.getTime() - 1) });
  await triage(history, { number: 8, level: "critical", files: ["src/a.ts"] });
  await pr(history, { number: 7, openedAt: UNTIL });
  await triage(history, { number: 7, level: "critical", files: ["src/a.ts"] });

  // Requests and reviews.
  await request(history, 1, "dave", at(1 * DAY), { group: "leads" });
  await review(history, 1, "dave", "APPROVED", at(1 * DAY + 2 * HOUR));
  await request(history, 2, "dave", at(1 * DAY), { group: "leads" });
  await review(history, 2, "dave", "APPROVED", at(1 * DAY + 4 * HOUR));
  // The default name of the lead group is not this repository's lead group.
  await request(history, 3, "erin", at(1 * DAY), { group: "lead" });
  await request(history, 6, "carol", at(12 * HOUR), { group: "seniors" });
  await review(history, 6, "alice", "COMMENTED", at(13 * HOUR));
  await review(history, 6, "carol", "CHANGES_REQUESTED", at(1 * DAY));
  await history.recordReview({ repoId: WEB.repoId, number: 6, id: 8001, reviewer: "carol", state: "CHANGES_REQUESTED", submittedAt: at(2 * DAY) });
  await review(history, 6, "carol", "APPROVED", at(3 * DAY));
  await review(history, 6, "carol", "CHANGES_REQUESTED", at(4 * DAY));
  // A maintainer dismisses carol's second round later: it was a round all the same.
  await history.recordReview({ repoId: WEB.repoId, number: 6, id: 8001, reviewer: "carol", state: "DISMISSED", submittedAt: at(2 * DAY) });
  // Bots' reviews are no person's rounds: an app approving early, another requesting changes.
  await review(history, 6, "renovate[bot]", "APPROVED", at(20 * HOUR));
  await review(history, 6, "lint-bot[bot]", "CHANGES_REQUESTED", at(1 * DAY + HOUR));
  // A request a person made; still pending on the open PR.
  const pending = await request(history, 6, "dave", at(5 * DAY), { byApp: false });
  await history.startEscalation({ repoId: WEB.repoId, number: 6, requestId: pending.id, reviewer: "dave", kind: "nudge", at: at(6 * DAY) });
  await history.finishEscalation(pending.id, "nudge", at(6 * DAY));
  // Done after the window: not counted.
  await history.startEscalation({ repoId: WEB.repoId, number: 6, requestId: pending.id, reviewer: "dave", kind: "reassign", at: UNTIL });
  await history.finishEscalation(pending.id, "reassign", UNTIL, "erin");
  // A bot's review counts for nobody.
  await review(history, 6, "lint-bot[bot]", "COMMENTED", at(2 * DAY));

  // Another repository of the installation: dave's load there counts across the installation only.
  await pr(history, { number: 1, repo: API, author: "zed", openedAt: at(1 * DAY) });
  await triage(history, { number: 1, repo: API, level: "high", files: ["x.ts"] });
  await request(history, 1, "dave", at(1 * DAY), { repo: API });

  // A repository whose config says `people: false`.
  await pr(history, { number: 1, repo: SECRET, author: "mallory", openedAt: at(1 * DAY) });
  await triage(history, { number: 1, repo: SECRET, level: "high", files: ["y.ts"], people: false });
}

function suite(engine: Engine) {
  let database: Database;
  beforeAll(async () => {
    database = await engine.open();
    await seed(new HistoryStore(database.db));
  });
  afterAll(async () => {
    await engine.drop(database);
  });

  const options = { owner: "acme", repo: "web", since: SINCE, until: UNTIL };

  it("counts the repository's pull requests opened in the window by level, the lead's share, waits and escalations", async () => {
    const report = await buildRepositoryReport(database.db, options);
    expect(report.repository).toEqual({ fullName: "acme/web", ids: ["100"] });
    // #7 (opened at `until`) and #8 (a millisecond before `since`) are outside; #9 (at `since`) is in.
    expect(report.pullRequests).toEqual({ total: 12, byLevel: { low: 5, medium: 1, high: 4, critical: 1 }, untriaged: 1 });
    // #1 and #2 went to the lead group ("leads" in this repository's config); #3's request names another group.
    expect(report.routedToLead).toEqual({ pullRequests: 2, share: 2 / 11, byLevel: { low: 0, medium: 0, high: 1, critical: 1 } });
    expect(report.timeToFirstReview).toEqual({
      low: { count: 0, medianSeconds: null, p90Seconds: null },
      // From carol's request to her first review: the author's own comment is no review.
      medium: { count: 1, medianSeconds: 12 * 3600, p90Seconds: 12 * 3600 },
      high: { count: 1, medianSeconds: 2 * 3600, p90Seconds: 2 * 3600 },
      critical: { count: 1, medianSeconds: 4 * 3600, p90Seconds: 4 * 3600 },
    });
    expect(report.timeToApproval.medium).toEqual({ count: 1, medianSeconds: 2.5 * 24 * 3600, p90Seconds: 2.5 * 24 * 3600 });
    expect(report.escalations).toEqual({ nudges: 1, reassignments: 0 });
  });

  it("finds the repository whatever the case of its name, and says when nothing is stored", async () => {
    const report = await buildRepositoryReport(database.db, { ...options, owner: "ACME", repo: "Web" });
    expect(report.pullRequests.total).toBe(12);
    await expect(buildRepositoryReport(database.db, { ...options, repo: "nope" })).rejects.toBeInstanceOf(UnknownRepositoryError);
    await expect(buildPeopleReport(database.db, { ...options, repo: "nope" })).rejects.toThrow("nothing is stored about acme/nope");
  });

  it("reports clean high-risk landings: merged with the approvals, and no fix of the same files within 30 days", async () => {
    const report = (await buildPeopleReport(database.db, options)) as PeopleReport;
    const alice = report.authors.find((a) => a.login === "alice")!;
    expect(alice).toMatchObject<Partial<AuthorReport>>({
      pullRequests: { total: 7, byLevel: { low: 1, medium: 1, high: 4, critical: 1 }, untriaged: 0 },
      highRiskMerged: 5,
      // #1; #3 (its fix came after 36 days); #5 (a non-fix on its file, a fix elsewhere).
      cleanHighRiskLandings: 3,
      // #2: "fix: crash in b" touched src/b.ts a week later.
      followedByFix: 1,
      // #4: merged without the approvals its level requires.
      mergedWithoutApprovals: 1,
      // #5 was merged 15 days before the window ends.
      cleanStillInFixWindow: 1,
    });
    // Two "changes requested" before carol's approval; the one after it is no round before approval.
    expect(alice.reviewRounds).toEqual({ total: 2, reviewedPullRequests: 3, perReviewedPullRequest: 0.67 });
    // Unticked at the latest triage (#4 only: #2's latest triage had it ticked), and alice's own refused tick.
    expect(alice.checklistMisses).toEqual([
      { item: "Rollback plan", unticked: 1, refused: 1 },
      { item: "Threat model updated", unticked: 1, refused: 0 },
    ]);
    // The most any triage of #6 saw per rule.
    expect(alice.analysisRules).toEqual([
      { rule: "no-eval", findings: 2, pullRequests: 1 },
      { rule: "eqeqeq", findings: 1, pullRequests: 1 },
    ]);
    const bob = report.authors.find((a) => a.login === "bob")!;
    expect(bob.pullRequests).toEqual({ total: 5, byLevel: { low: 4, medium: 0, high: 0, critical: 0 }, untriaged: 1 });
    expect(bob.highRiskMerged).toBe(0);
    expect(report.authors.map((a) => a.login)).toEqual(["alice", "bob"]);
  });

  it("reports reviewers: reviews by level, median time to first review, and load here and across the installation", async () => {
    const report = (await buildPeopleReport(database.db, options)) as PeopleReport;
    const byLogin = Object.fromEntries(report.reviewers.map((r) => [r.login, r]));
    expect(Object.keys(byLogin).sort()).toEqual(["carol", "dave", "erin"]);
    expect(byLogin.dave).toEqual<ReviewerReport>({
      login: "dave",
      reviews: 2,
      reviewedByLevel: { low: 0, medium: 0, high: 1, critical: 1 },
      requests: 3,
      answered: 2,
      // The median of 2 h and 4 h.
      medianTimeToFirstReviewSeconds: 3 * 3600,
      openRequests: 1,
      openRequestsAcrossInstallation: 2,
    });
    expect(byLogin.carol).toMatchObject({ reviews: 4, reviewedByLevel: { low: 0, medium: 1, high: 0, critical: 0 }, requests: 1, answered: 1, medianTimeToFirstReviewSeconds: 12 * 3600, openRequests: 0 });
    expect(byLogin.erin).toMatchObject({ reviews: 0, requests: 1, answered: 0, medianTimeToFirstReviewSeconds: null, openRequests: 0 });
  });

  it("moves with the window: a narrower one keeps only what happened in it", async () => {
    const report = (await buildPeopleReport(database.db, { ...options, since: at(4 * HOUR), until: at(5 * HOUR) })) as PeopleReport;
    // Only #4 was opened in [4 h, 5 h); no review was submitted in it.
    expect(report.authors.map((a) => [a.login, a.pullRequests.total, a.mergedWithoutApprovals])).toEqual([["alice", 1, 1]]);
    // Nobody reviewed in it; dave's pending request is load now, whatever the window.
    expect(report.reviewers.map((r) => [r.login, r.reviews, r.requests, r.openRequests])).toEqual([["dave", 0, 0, 1]]);
    const repo = await buildRepositoryReport(database.db, { ...options, since: at(4 * HOUR), until: at(5 * HOUR) });
    expect(repo.pullRequests.total).toBe(1);
    expect(repo.escalations).toEqual({ nudges: 0, reassignments: 0 });
    // The reassignment done exactly at the old `until` is in a window that starts there.
    const later = await buildRepositoryReport(database.db, { ...options, since: UNTIL, until: at(61 * DAY) });
    expect(later.escalations).toEqual({ nudges: 0, reassignments: 1 });
    expect(later.pullRequests.byLevel.critical).toBe(1);
  });

  it("omits the people report where the config says people: false, and keeps the repository report", async () => {
    const secret = { ...options, repo: "secret" };
    expect(await buildPeopleReport(database.db, secret)).toEqual({ disabled: true });
    expect((await buildRepositoryReport(database.db, secret)).pullRequests.byLevel.high).toBe(1);
    // Turned back on at a later triage.
    await triage(new HistoryStore(database.db), { number: 1, repo: SECRET, level: "high", files: ["y.ts"], people: true, head: "again" });
    expect(await buildPeopleReport(database.db, secret)).toMatchObject({ authors: [{ login: "mallory" }] });
  });
}

describe("reports on the embedded database (PGlite)", () => suite(EMBEDDED));
describe.skipIf(!hasPostgres)(`reports on PostgreSQL (${POSTGRES_URL})`, () => suite(POSTGRES));
