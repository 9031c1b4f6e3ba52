import { sql } from "kysely";
import type { Db } from "./open-database.js";

/** Risk levels from the most to the least urgent; PRs not triaged yet come last. */
export const QUEUE_LEVELS = ["critical", "high", "medium", "low", "untriaged"] as const;
export type QueueLevel = (typeof QUEUE_LEVELS)[number];

/** How long a PR has waited for review (since it was opened or marked ready), in buckets. */
export const AGE_BUCKETS = [
  { key: "day", label: "under 1 day", upToHours: 24 },
  { key: "days", label: "1–3 days", upToHours: 72 },
  { key: "week", label: "3–7 days", upToHours: 168 },
  { key: "older", label: "over 7 days", upToHours: Number.POSITIVE_INFINITY },
] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number]["key"];

export interface QueuedRequest {
  reviewer: string;
  group: string | null;
  requestedAt: Date;
  nudgedAt: Date | null;
}

export interface QueuedPr {
  repoId: string;
  repo: string;
  number: number;
  title: string;
  author: string;
  level: QueueLevel;
  waitingSince: Date;
  requests: QueuedRequest[];
  /** Reviewers whose latest review approves. */
  approvedBy: string[];
  /** Required checklist items not ticked at the latest triage. */
  checklistMissing: string[];
}

export interface ReviewQueue {
  /** Open PRs per level and age bucket. */
  counts: Record<QueueLevel, Record<AgeBucket, number>>;
  total: number;
  /** The most urgent first (level, then the longest waiting), at most `limit`. */
  prs: QueuedPr[];
}

export interface WeeklyHealth {
  /** Monday 00:00 UTC of each week, oldest first. */
  weeks: Date[];
  /** PRs opened per week, per level. */
  prsPerLevel: Record<QueueLevel, number[]>;
  /** Share (0–1) of the week's PRs the app routed to a lead group; null for a week without PRs. */
  leadShare: Array<number | null>;
  /** Median hours from the first review request to the first review, per level; null without data. */
  firstReviewHours: Record<QueueLevel, Array<number | null>>;
}

const levelOf = (level: string | null): QueueLevel => (level && (QUEUE_LEVELS as readonly string[]).includes(level) ? (level as QueueLevel) : "untriaged");

function bucketOf(hours: number): AgeBucket {
  return AGE_BUCKETS.find((b) => hours < b.upToHours)!.key;
}

const LEVEL_RANK = sql<number>`CASE p.level WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`;

/**
 * What the dashboard reads from the history (SPEC §8), always for a given set of
 * repositories: the ones GitHub says the signed-in user can see.
 */
export class DashboardStore {
  constructor(private readonly db: Db) {}

  async reviewQueue(repoIds: readonly string[], now: Date, limit = 200): Promise<ReviewQueue> {
    const counts = Object.fromEntries(QUEUE_LEVELS.map((l) => [l, Object.fromEntries(AGE_BUCKETS.map((b) => [b.key, 0]))])) as ReviewQueue["counts"];
    if (!repoIds.length) return { counts, total: 0, prs: [] };
    const waiting = sql<Date>`COALESCE(p.ready_at, p.opened_at)`;
    const grouped = await this.db
      .selectFrom("pull_requests as p")
      .select(["p.level", sql<number>`floor(extract(epoch from (${now} - ${waiting})) / 3600)`.as("hours"), (eb) => eb.fn.countAll<string>().as("n")])
      .where("p.repo_id", "in", repoIds)
      .where("p.state", "=", "open")
      .where("p.draft", "=", false)
      .groupBy(["p.level", "hours"])
      .execute();
    let total = 0;
    for (const row of grouped) {
      const n = Number(row.n);
      counts[levelOf(row.level)][bucketOf(Number(row.hours))] += n;
      total += n;
    }
    const rows = await this.db
      .selectFrom("pull_requests as p")
      .select(["p.repo_id", "p.repo", "p.number", "p.title", "p.author", "p.level", waiting.as("waiting_since")])
      .where("p.repo_id", "in", repoIds)
      .where("p.state", "=", "open")
      .where("p.draft", "=", false)
      .orderBy(LEVEL_RANK)
      .orderBy("waiting_since")
      .orderBy("p.repo")
      .orderBy("p.number")
      .limit(limit)
      .execute();
    if (!rows.length) return { counts, total, prs: [] };
    const keyOf = (r: { repo_id: string; number: number }) => `${r.repo_id}#${r.number}`;
    const shown = new Set(rows.map(keyOf));
    const ids = [...new Set(rows.map((r) => r.repo_id))];
    const numbers = [...new Set(rows.map((r) => r.number))];
    const [requests, approvals, triages] = await Promise.all([
      this.db
        .selectFrom("review_requests")
        .select(["repo_id", "number", "reviewer", "group_name", "requested_at", "nudged_at"])
        .where("repo_id", "in", ids)
        .where("number", "in", numbers)
        .where("removed_at", "is", null)
        .where("reviewed_at", "is", null)
        .orderBy("requested_at")
        .execute(),
      this.db
        .selectFrom(
          this.db
            .selectFrom("reviews")
            .distinctOn(["repo_id", "number", "reviewer"])
            .select(["repo_id", "number", "reviewer", "state"])
            .where("repo_id", "in", ids)
            .where("number", "in", numbers)
            .where("state", "in", ["APPROVED", "CHANGES_REQUESTED", "DISMISSED"])
            .orderBy("repo_id")
            .orderBy("number")
            .orderBy("reviewer")
            .orderBy("submitted_at", "desc")
            .as("latest"),
        )
        .selectAll()
        .where("state", "=", "APPROVED")
        .execute(),
      this.db
        .selectFrom("triage_results")
        .distinctOn(["repo_id", "number"])
        .select(["repo_id", "number", "checklist_missing"])
        .where("repo_id", "in", ids)
        .where("number", "in", numbers)
        .orderBy("repo_id")
        .orderBy("number")
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .execute(),
    ]);
    const byPr = new Map<string, QueuedPr>();
    const prs = rows.map((r) => {
      const pr: QueuedPr = {
        repoId: r.repo_id,
        repo: r.repo,
        number: r.number,
        title: r.title,
        author: r.author,
        level: levelOf(r.level),
        waitingSince: new Date(r.waiting_since),
        requests: [],
        approvedBy: [],
        checklistMissing: [],
      };
      byPr.set(keyOf(r), pr);
      return pr;
    });
    for (const q of requests) if (shown.has(keyOf(q))) byPr.get(keyOf(q))!.requests.push({ reviewer: q.reviewer, group: q.group_name, requestedAt: q.requested_at, nudgedAt: q.nudged_at });
    for (const a of approvals) if (shown.has(keyOf(a))) byPr.get(keyOf(a))!.approvedBy.push(a.reviewer);
    for (const t of triages) {
      if (!shown.has(keyOf(t))) continue;
      const missing = t.checklist_missing;
      byPr.get(keyOf(t))!.checklistMissing = Array.isArray(missing) ? missing.filter((m): m is string => typeof m === "string") : [];
    }
    return { counts, total, prs };
  }

  /** Open review requests per person on open PRs of these repositories, the busiest first. */
  async reviewerLoad(repoIds: readonly string[], limit = 40): Promise<Array<{ reviewer: string; open: number }>> {
    if (!repoIds.length) return [];
    const rows = await this.db
      .selectFrom("review_requests as rr")
      .innerJoin("pull_requests as p", (join) => join.onRef("p.repo_id", "=", "rr.repo_id").onRef("p.number", "=", "rr.number"))
      .select(["rr.reviewer", (eb) => eb.fn.countAll<string>().as("n")])
      .where("p.repo_id", "in", repoIds)
      .where("p.state", "=", "open")
      .where("rr.removed_at", "is", null)
      .where("rr.reviewed_at", "is", null)
      .groupBy("rr.reviewer")
      .orderBy("n", "desc")
      .orderBy("rr.reviewer")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ reviewer: r.reviewer, open: Number(r.n) }));
  }

  /** The last `weekCount` weeks (the current one included), by the week each PR was opened. */
  async weeklyHealth(repoIds: readonly string[], now: Date, leadGroups: readonly string[], weekCount = 12): Promise<WeeklyHealth> {
    const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
    const weeks = Array.from({ length: weekCount }, (_, i) => new Date(monday.getTime() - (weekCount - 1 - i) * 7 * 86_400_000));
    const empty = <T>(fill: T) => Object.fromEntries(QUEUE_LEVELS.map((l) => [l, weeks.map(() => fill)])) as Record<QueueLevel, T[]>;
    const health: WeeklyHealth = { weeks, prsPerLevel: empty(0), leadShare: weeks.map(() => null), firstReviewHours: empty<number | null>(null) };
    if (!repoIds.length) return health;
    const since = weeks[0]!;
    const indexOf = (week: Date) => Math.round((new Date(week).getTime() - since.getTime()) / (7 * 86_400_000));
    // One pass over the window's PRs: per week and level, how many, how many the app routed
    // to a lead, and the median from the first request to the first review.
    const ids = sql.join(repoIds.map((id) => sql`${id}`));
    const groups = leadGroups.length ? sql.join(leadGroups.map((g) => sql`${g}`)) : sql`NULL`;
    const { rows } = await sql<{ week: Date; level: string | null; n: string; to_lead: string; median: number | null }>`
      WITH rr AS (
        SELECT repo_id, number, min(requested_at) AS first_request, bool_or(by_app AND group_name IN (${groups})) AS to_lead
        FROM review_requests WHERE repo_id IN (${ids}) AND requested_at >= ${since} GROUP BY repo_id, number
      ), fv AS (
        SELECT repo_id, number, min(submitted_at) AS first_review
        FROM reviews WHERE repo_id IN (${ids}) AND submitted_at >= ${since} GROUP BY repo_id, number
      )
      SELECT date_trunc('week', p.opened_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS week, p.level,
        count(*) AS n,
        count(*) FILTER (WHERE rr.to_lead) AS to_lead,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (fv.first_review - rr.first_request)) / 3600)
          FILTER (WHERE fv.first_review >= rr.first_request) AS median
      FROM pull_requests p
      LEFT JOIN rr ON rr.repo_id = p.repo_id AND rr.number = p.number
      LEFT JOIN fv ON fv.repo_id = p.repo_id AND fv.number = p.number
      WHERE p.repo_id IN (${ids}) AND p.opened_at >= ${since}
      GROUP BY 1, 2`.execute(this.db);
    const totals = weeks.map(() => 0);
    const routed = weeks.map(() => 0);
    for (const row of rows) {
      const i = indexOf(row.week);
      if (i < 0 || i >= weekCount) continue;
      const level = levelOf(row.level);
      health.prsPerLevel[level][i]! += Number(row.n);
      totals[i]! += Number(row.n);
      routed[i]! += Number(row.to_lead);
      if (row.median !== null) health.firstReviewHours[level][i] = Number(row.median);
    }
    health.leadShare = totals.map((t, i) => (t ? routed[i]! / t : null));
    return health;
  }
}
