import { LEVELS } from "../config/schema.js";
import type { Db } from "../storage/open-database.js";
import { BOT_LOGIN, durationSummary, isLevel, percentile, resolveRepository, secondsBetween, zeroByLevel, type ResolvedRepository } from "./report-queries.js";
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
    .select((eb) => [
      "p.level",
      eb.fn.countAll<string>().as("n"),
      eb.fn
        .countAll<string>()
        .filterWhere(({ exists, selectFrom }) =>
          exists(
            selectFrom("review_requests as rr")
              .select("rr.id")
              .whereRef("rr.repo_id", "=", "p.repo_id")
              .whereRef("rr.number", "=", "p.number")
              .where("rr.by_app", "=", true)
              .where("rr.group_name", "=", repository.leadGroup),
          ),
        )
        .as("routed"),
    ])
    .where("p.repo_id", "in", repository.ids)
    .where("p.opened_at", ">=", options.since)
    .where("p.opened_at", "<", options.until)
    .groupBy("p.level")
    .execute();
}

/**
 * Per pull request opened in the window: its first request, then its first review and
 * approval by someone else. Joins on the (repo_id, number) indexes grouped per pull request,
 * so a long window is read in a few passes rather than in lookups per pull request.
 */
function waitsByLevel(db: Db, repository: ResolvedRepository, options: ReportOptions) {
  return db
    .with("firsts", (qb) =>
      qb
        .selectFrom("pull_requests as p")
        .leftJoin("review_requests as rr", (join) => join.onRef("rr.repo_id", "=", "p.repo_id").onRef("rr.number", "=", "p.number"))
        .select((eb) => ["p.repo_id", "p.number", "p.level", "p.author", eb.fn.min("rr.requested_at").as("requested_at")])
        .where("p.repo_id", "in", repository.ids)
        .where("p.opened_at", ">=", options.since)
        .where("p.opened_at", "<", options.until)
        .where("p.level", "is not", null)
        .groupBy(["p.repo_id", "p.number", "p.level", "p.author"]),
    )
    .with("answers", (qb) =>
      qb
        .selectFrom("firsts as f")
        .leftJoin("reviews as r", (join) =>
          join
            .onRef("r.repo_id", "=", "f.repo_id")
            .onRef("r.number", "=", "f.number")
            .onRef("r.reviewer", "<>", "f.author")
            .on("r.reviewer", "not like", BOT_LOGIN)
            .onRef("r.submitted_at", ">=", "f.requested_at"),
        )
        .select((eb) => [
          "f.level",
          secondsBetween(eb.fn.min("r.submitted_at"), eb.ref("f.requested_at")).as("to_review"),
          secondsBetween(eb.fn.min("r.submitted_at").filterWhere("r.state", "=", "APPROVED"), eb.ref("f.requested_at")).as("to_approval"),
        ])
        .groupBy(["f.repo_id", "f.number", "f.level", "f.requested_at"]),
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
