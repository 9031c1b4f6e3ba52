import { sql, type Kysely, type QueryExecutorProvider, type RawBuilder } from "kysely";

/**
 * What the reports need of each pull request, kept on its `pull_requests` row and brought up
 * to date by every write that can change it (its triages, review requests and reviews). The
 * reports then read one indexed range of pull requests however long the window is, instead of
 * looking up each pull request's triages, requests and reviews: the embedded database keeps no
 * statistics for a planner to join those well, and lookups per pull request grow with the
 * window (a 400-day report of a busy repository is tens of thousands of them).
 *
 * - `rounds`: changes requested by someone else (a person, not a bot) before their first approval,
 *   counted as submitted (a dismissal later does not unmake one);
 * - `reviewed`: someone else (not a bot) reviewed it;
 * - `first_requested_at`: its first review request;
 * - `first_review_at`, `first_approval_at`: the first review (and approval) by someone else,
 *   not a bot, at or after that first request;
 * - `app_groups`: the groups the app requested reviewers from;
 * - `approvals_met`, `checklist_missing`: as its latest triage saw them;
 * - `analysis_rules`: static-analysis findings per rule, the most any of its triages saw.
 */
export const REPORT_FACT_COLUMNS = [
  "rounds",
  "reviewed",
  "first_requested_at",
  "first_review_at",
  "first_approval_at",
  "app_groups",
  "approvals_met",
  "checklist_missing",
  "analysis_rules",
] as const;

const OF_PR = (table: string) => sql.raw(`${table}.repo_id = p.repo_id AND ${table}.number = p.number`);
const FIRST_REQUEST = sql`(SELECT min(rr.requested_at) FROM review_requests rr WHERE ${OF_PR("rr")})`;
/** A review by someone other than the author and not by a bot (an app's review is no person's round). */
const BY_PEOPLE = (table: string) => sql.raw(`${table}.reviewer <> p.author AND ${table}.reviewer NOT LIKE '%[bot]'`);
const FIRST_APPROVAL_BY_OTHERS = sql`(SELECT min(a.submitted_at) FROM reviews a WHERE ${OF_PR("a")} AND ${BY_PEOPLE("a")} AND COALESCE(a.submitted_state, a.state) = 'APPROVED')`;
const LATEST_TRIAGE = (column: string) => sql`(SELECT t.${sql.raw(column)} FROM triage_results t WHERE ${OF_PR("t")} ORDER BY t.at DESC, t.id DESC LIMIT 1)`;
const firstAnswer = (approvedOnly: boolean) =>
  sql`(SELECT min(r.submitted_at) FROM reviews r WHERE ${OF_PR("r")} AND ${BY_PEOPLE("r")}
        AND r.submitted_at >= ${FIRST_REQUEST}${approvedOnly ? sql` AND COALESCE(r.submitted_state, r.state) = 'APPROVED'` : sql``})`;

const FACTS: Record<(typeof REPORT_FACT_COLUMNS)[number], RawBuilder<unknown>> = {
  rounds: sql`(SELECT count(*)::int FROM reviews r WHERE ${OF_PR("r")} AND ${BY_PEOPLE("r")} AND COALESCE(r.submitted_state, r.state) = 'CHANGES_REQUESTED'
                AND (${FIRST_APPROVAL_BY_OTHERS} IS NULL OR r.submitted_at < ${FIRST_APPROVAL_BY_OTHERS}))`,
  reviewed: sql`EXISTS (SELECT 1 FROM reviews r WHERE ${OF_PR("r")} AND ${BY_PEOPLE("r")})`,
  first_requested_at: FIRST_REQUEST,
  first_review_at: firstAnswer(false),
  first_approval_at: firstAnswer(true),
  app_groups: sql`coalesce((SELECT array_agg(DISTINCT rr.group_name ORDER BY rr.group_name) FROM review_requests rr WHERE ${OF_PR("rr")} AND rr.by_app AND rr.group_name IS NOT NULL), '{}')`,
  approvals_met: LATEST_TRIAGE("approvals_met"),
  checklist_missing: LATEST_TRIAGE("checklist_missing"),
  analysis_rules: sql`(SELECT jsonb_object_agg(x.rule, x.findings) FROM (
      SELECT e.key AS rule, max(e.value::int) AS findings FROM triage_results t, jsonb_each_text(t.analysis_rules) e
      WHERE ${OF_PR("t")} AND jsonb_typeof(t.analysis_rules) = 'object' GROUP BY e.key) x)`,
};

/**
 * The version of the definitions above. Raise it whenever one of them changes (or a column is
 * added): the next start recomputes every stored pull request's facts once, under a lock, so
 * history stored by an older release reads the same as new history.
 */
export const REPORT_FACTS_VERSION = 3;

/** Pull requests recomputed per statement when all of them are. */
const FILL_BATCH = 2000;

/**
 * Recompute the report facts of one pull request, after a write to its history. The row is
 * locked first and the facts are computed after the lock is held: a refresh computed before
 * another replica's write committed could otherwise land after that replica's own refresh and
 * leave the facts without its write.
 */
export async function refreshReportFacts<DB>(db: Kysely<DB>, pr: { repoId: number | string; number: number }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT 1 FROM pull_requests WHERE repo_id = ${String(pr.repoId)} AND number = ${pr.number} FOR UPDATE`.execute(trx);
    await updateFacts(trx, (t) => sql`${sql.raw(t)}.repo_id = ${String(pr.repoId)} AND ${sql.raw(t)}.number = ${pr.number}`);
  });
}

/**
 * Recompute every stored pull request's facts when the stored ones were computed by older
 * definitions (or by none: history kept before the facts were). Runs after the migrations;
 * a second replica starting at the same time waits for the first and then finds them current.
 * Returns whether it recomputed them.
 */
export async function bringReportFactsUpToDate<DB>(db: Kysely<DB>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ version: number }>`SELECT version FROM report_facts_state FOR UPDATE`.execute(trx);
    if ((rows[0]?.version ?? 0) >= REPORT_FACTS_VERSION) return false;
    // In batches in key order, each locked before it is computed, as one PR's refresh is: a
    // replica still serving writes to a pull request either before the lock (and the batch
    // sees its write) or after it (and its own refresh, waiting for the lock, comes last).
    let after: { repo_id: string; number: number } | undefined;
    for (;;) {
      const batch = await sql<{ repo_id: string; number: number }>`SELECT repo_id, number FROM pull_requests
        ${after ? sql`WHERE (repo_id, number) > (${after.repo_id}, ${after.number})` : sql``}
        ORDER BY repo_id, number LIMIT ${FILL_BATCH} FOR UPDATE`.execute(trx);
      const first = batch.rows[0];
      const last = batch.rows.at(-1);
      if (!first || !last) break;
      await updateFacts(trx, (t) => sql`(${sql.raw(t)}.repo_id, ${sql.raw(t)}.number) >= (${first.repo_id}, ${first.number}) AND (${sql.raw(t)}.repo_id, ${sql.raw(t)}.number) <= (${last.repo_id}, ${last.number})`);
      after = last;
    }
    await sql`UPDATE report_facts_state SET version = ${REPORT_FACTS_VERSION}`.execute(trx);
    return true;
  });
}

/**
 * `where` selects the pull requests by a table alias; it is applied to both sides of the update,
 * so that the rows written are found by their key range too (without it, a planner without
 * statistics, just after a bulk load, may scan the whole table for each row of a batch).
 */
async function updateFacts(db: QueryExecutorProvider, where: (alias: string) => RawBuilder<unknown>): Promise<void> {
  const columns = REPORT_FACT_COLUMNS.map((column) => sql.raw(column));
  const computed = sql.join(REPORT_FACT_COLUMNS.map((column) => sql`${FACTS[column]} AS ${sql.raw(column)}`));
  // Only rows whose facts changed are written: an unchanged row costs no new row version
  // (the embedded database has no autovacuum to reclaim them).
  await sql`UPDATE pull_requests AS target SET ${sql.join(columns.map((c) => sql`${c} = f.${c}`))}
    FROM (SELECT p.repo_id, p.number, ${computed} FROM pull_requests p WHERE ${where("p")}) f
    WHERE target.repo_id = f.repo_id AND target.number = f.number AND ${where("target")}
      AND (${sql.join(columns.map((c) => sql`target.${c}`))}) IS DISTINCT FROM (${sql.join(columns.map((c) => sql`f.${c}`))})`.execute(db);
}
