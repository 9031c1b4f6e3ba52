import { sql } from "kysely";
import { LEVELS } from "../config/schema.js";
import type { Db } from "../storage/open-database.js";
import { durationSummary, isLevel, percentile, resolveRepository, secondsBetween, zeroByLevel, type ResolvedRepository } from "./report-queries.js";
import type { DurationSummary, Level, ReportOptions, RepositoryReport } from "./types.js";

/**
 * A repository's review figures over `[since, until)`: its pull requests opened in the window
 * by level and the share the app routed to the lead group, how long they waited for a first
 * review and for an approval (median and 90th percentile per level), and the stale-review
 * escalations done in the window. Throws `UnknownRepositoryError` when nothing is stored.
 */
export async function buildRepositoryReport(db: Db, options: ReportOptions): Promise<RepositoryReport> {
  const repository = await resolveRepository(db, options);
  const [levels, waits, escalations] = await Promise.all([countByLevel(db, repository, options), waitsByLevel(db, repository, options), countEscalations(db, repository, options)]);

  const byLevel = zeroByLevel();
  const routed = zeroByLevel();
  let total = 0;
  let untriaged = 0;
  for (const row of levels) {
    const n = Number(row.n);
    total += n;
    if (isLevel(row.level)) {
      byLevel[row.level] += n;
      routed[row.level] += Number(row.routed);
    } else untriaged += n;
  }
  const triaged = total - untriaged;
  const routedTotal = LEVELS.reduce((sum, level) => sum + routed[level], 0);
  const summaries = (pick: "review" | "approval") =>
    Object.fromEntries(
      LEVELS.map((level) => {
        const row = waits.find((w) => w.level === level);
        return [level, durationSummary(row && { n: row[`${pick}_n`], median: row[`${pick}_median`], p90: row[`${pick}_p90`] })];
      }),
    ) as Record<Level, DurationSummary>;

  return {
    repository: { fullName: repository.fullName, ids: repository.ids },
    window: { since: options.since, until: options.until },
    pullRequests: { total, byLevel, untriaged },
    routedToLead: { pullRequests: routedTotal, share: triaged ? routedTotal / triaged : null, byLevel: routed },
    timeToFirstReview: summaries("review"),
    timeToApproval: summaries("approval"),
    escalations: {
      nudges: Number(escalations.find((e) => e.kind === "nudge")?.n ?? 0),
      reassignments: Number(escalations.find((e) => e.kind === "reassign")?.n ?? 0),
    },
  };
}

function countByLevel(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return db
    .selectFrom("pull_requests as p")
    .select((eb) => ["p.level", eb.fn.countAll<string>().as("n"), eb.fn.countAll<string>().filterWhere(sql<boolean>`${repository.leadGroup} = any(${eb.ref("p.app_groups")})`).as("routed")])
    .where("p.repo_id", "in", repository.ids)
    .where("p.opened_at", ">=", options.since)
    .where("p.opened_at", "<", options.until)
    .groupBy("p.level")
    .execute();
}

/**
 * Per level, over the pull requests opened in the window: the time from each one's first
 * review request to its first review and approval by someone else (its report facts).
 */
function waitsByLevel(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return db
    .with("answers", (qb) =>
      qb
        .selectFrom("pull_requests as p")
        .select((eb) => [
          "p.level",
          secondsBetween(eb.ref("p.first_review_at"), eb.ref("p.first_requested_at")).as("to_review"),
          secondsBetween(eb.ref("p.first_approval_at"), eb.ref("p.first_requested_at")).as("to_approval"),
        ])
        .where("p.repo_id", "in", repository.ids)
        .where("p.opened_at", ">=", options.since)
        .where("p.opened_at", "<", options.until)
        .where("p.level", "is not", null),
    )
    .selectFrom("answers as a")
    .select((eb) => [
      "a.level",
      eb.fn.count<string>("a.to_review").as("review_n"),
      percentile(0.5, eb.ref("a.to_review")).as("review_median"),
      percentile(0.9, eb.ref("a.to_review")).as("review_p90"),
      eb.fn.count<string>("a.to_approval").as("approval_n"),
      percentile(0.5, eb.ref("a.to_approval")).as("approval_median"),
      percentile(0.9, eb.ref("a.to_approval")).as("approval_p90"),
    ])
    .groupBy("a.level")
    .execute();
}

function countEscalations(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return db
    .selectFrom("escalations")
    .select((eb) => ["kind", eb.fn.countAll<string>().as("n")])
    .where("repo_id", "in", repository.ids)
    .where("done_at", "is not", null)
    .where("at", ">=", options.since)
    .where("at", "<", options.until)
    .groupBy("kind")
    .execute();
}
