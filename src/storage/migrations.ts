import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { bringReportFactsUpToDate } from "./report-facts.js";

/**
 * The schema, as versioned migrations. Each entry runs once per database, in name order,
 * under Kysely's migration lock, so replicas starting together do not race. Never edit a
 * migration that has shipped: add the next one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  "0001_durable_core": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("deliveries")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("action", "text")
        .addColumn("installation_id", "text")
        .addColumn("repo", "text")
        .addColumn("pr_key", "text")
        .addColumn("payload", "jsonb")
        .addColumn("received_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("state", "text", (c) => c.notNull().defaultTo("queued"))
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("job_id", "text")
        .addColumn("claimed_by", "text")
        .addColumn("last_error", "text")
        .addColumn("finished_at", "timestamptz")
        .execute();
      await db.schema.createIndex("deliveries_state_received").on("deliveries").columns(["state", "received_at"]).execute();
      await db.schema
        .createTable("pr_state")
        .addColumn("pr_key", "text", (c) => c.primaryKey())
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("state", "jsonb", (c) => c.notNull())
        .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable("refused_reviewers")
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("login", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("until", "timestamptz", (c) => c.notNull())
        .addPrimaryKeyConstraint("refused_reviewers_pk", ["repo", "login"])
        .execute();
      await db.schema
        .createTable("workers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("pid", "integer", (c) => c.notNull())
        .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("heartbeat_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable("pr_locks")
        .addColumn("pr_key", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("acquired_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ["pr_locks", "workers", "refused_reviewers", "pr_state", "deliveries"]) await db.schema.dropTable(table).execute();
    },
  },
  "0002_history": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("repositories")
        .addColumn("repo_id", "bigint", (c) => c.primaryKey())
        .addColumn("installation_id", "bigint")
        .addColumn("full_name", "text", (c) => c.notNull())
        .addColumn("backfilled_at", "timestamptz")
        .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable("pull_requests")
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("installation_id", "bigint")
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("author", "text", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("draft", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("head_sha", "text")
        .addColumn("level", "text")
        .addColumn("score", "integer")
        .addColumn("opened_at", "timestamptz", (c) => c.notNull())
        .addColumn("ready_at", "timestamptz")
        .addColumn("merged_at", "timestamptz")
        .addColumn("closed_at", "timestamptz")
        .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint("pull_requests_pk", ["repo_id", "number"])
        .execute();
      await db.schema.createIndex("pull_requests_installation_state").on("pull_requests").columns(["installation_id", "state"]).execute();
      await db.schema.createIndex("pull_requests_repo_opened").on("pull_requests").columns(["repo", "opened_at"]).execute();
      await db.schema
        .createTable("pr_files")
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("path", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("pr_files_pk", ["repo_id", "number", "path"])
        .execute();
      await db.schema.createIndex("pr_files_path").on("pr_files").columns(["repo_id", "path"]).execute();
      await db.schema
        .createTable("triage_results")
        .addColumn("id", "bigserial", (c) => c.primaryKey())
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("head_sha", "text", (c) => c.notNull())
        .addColumn("level", "text", (c) => c.notNull())
        .addColumn("scored_level", "text", (c) => c.notNull())
        .addColumn("score", "integer", (c) => c.notNull())
        .addColumn("likelihood", "real", (c) => c.notNull())
        .addColumn("factors", "jsonb", (c) => c.notNull())
        .addColumn("checklist_missing", "jsonb", (c) => c.notNull())
        .addColumn("analysis_rules", "jsonb", (c) => c.notNull())
        .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex("triage_results_pr").on("triage_results").columns(["repo_id", "number", "at"]).execute();
      await db.schema
        .createTable("review_requests")
        .addColumn("id", "bigserial", (c) => c.primaryKey())
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("reviewer", "text", (c) => c.notNull())
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("by_app", "boolean", (c) => c.notNull())
        .addColumn("group_name", "text")
        .addColumn("reason", "text")
        .addColumn("requested_at", "timestamptz", (c) => c.notNull())
        .addColumn("removed_at", "timestamptz")
        .addColumn("removed_by", "text")
        .addColumn("reviewed_at", "timestamptz")
        .addColumn("nudged_at", "timestamptz")
        .addColumn("reassigned_at", "timestamptz")
        .execute();
      await db.schema.createIndex("review_requests_pr").on("review_requests").columns(["repo_id", "number"]).execute();
      // One pending request per reviewer per PR: the same request seen twice (the app's own
      // call, then GitHub's event for it) is one row.
      await sql`CREATE UNIQUE INDEX review_requests_pending ON review_requests (repo_id, number, reviewer) WHERE removed_at IS NULL AND reviewed_at IS NULL`.execute(db);
      await db.schema
        .createTable("reviews")
        .addColumn("id", "bigint", (c) => c.primaryKey())
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("reviewer", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("commit_id", "text")
        .addColumn("submitted_at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("reviews_pr").on("reviews").columns(["repo_id", "number"]).execute();
      await db.schema.createIndex("reviews_reviewer").on("reviews").columns(["reviewer", "submitted_at"]).execute();
      await db.schema
        .createTable("checklist_events")
        .addColumn("id", "bigserial", (c) => c.primaryKey())
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("item_id", "text", (c) => c.notNull())
        .addColumn("checklist", "text", (c) => c.notNull())
        .addColumn("item", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("checklist_events_pr").on("checklist_events").columns(["repo_id", "number"]).execute();
      await db.schema
        .createTable("overrides")
        .addColumn("id", "bigserial", (c) => c.primaryKey())
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("level", "text", (c) => c.notNull())
        .addColumn("scored_level", "text", (c) => c.notNull())
        .addColumn("by", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("head_sha", "text", (c) => c.notNull())
        .addColumn("at", "timestamptz", (c) => c.notNull())
        .addColumn("lapsed_at", "timestamptz")
        .execute();
      await db.schema
        .createTable("escalations")
        .addColumn("id", "bigserial", (c) => c.primaryKey())
        .addColumn("repo_id", "bigint", (c) => c.notNull())
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("request_id", "bigint", (c) => c.notNull())
        .addColumn("reviewer", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("new_reviewer", "text")
        .addColumn("at", "timestamptz", (c) => c.notNull())
        .addColumn("done_at", "timestamptz")
        .addUniqueConstraint("escalations_once", ["request_id", "kind"])
        .execute();
      await db.schema.createIndex("escalations_pr").on("escalations").columns(["repo_id", "number"]).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ["escalations", "overrides", "checklist_events", "reviews", "review_requests", "triage_results", "pr_files", "pull_requests", "repositories"]) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  "0003_reports": {
    async up(db: Kysely<unknown>) {
      // Read by the people reports: whether the repository's config allows them, and which
      // group is its lead (for "routed to the lead"), as of its latest triage.
      await db.schema.alterTable("repositories").addColumn("people", "boolean").execute();
      await db.schema.alterTable("repositories").addColumn("lead_group", "text").execute();
      // Whether the PR is a bug fix, as the risk model's fix factor decides (title, branch, labels).
      await db.schema.alterTable("pull_requests").addColumn("fix", "boolean").execute();
      // Whether the approvals the level requires were there at this triage.
      await db.schema.alterTable("triage_results").addColumn("approvals_met", "boolean").execute();
      await db.schema.createIndex("pull_requests_repo_id_opened").on("pull_requests").columns(["repo_id", "opened_at"]).execute();
      // Follow-up fixes: merged fixes of a repository by merge time.
      await db.schema
        .createIndex("pull_requests_fixes_merged")
        .on("pull_requests")
        .columns(["repo_id", "merged_at"])
        .where(sql.ref("fix"), "=", true)
        .execute();
      await db.schema.createIndex("review_requests_repo_requested").on("review_requests").columns(["repo_id", "requested_at"]).execute();
      await db.schema.createIndex("reviews_repo_submitted").on("reviews").columns(["repo_id", "submitted_at"]).execute();
      await db.schema.createIndex("escalations_repo_at").on("escalations").columns(["repo_id", "at"]).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const index of ["escalations_repo_at", "reviews_repo_submitted", "review_requests_repo_requested", "pull_requests_fixes_merged", "pull_requests_repo_id_opened"]) {
        await db.schema.dropIndex(index).execute();
      }
      await db.schema.alterTable("triage_results").dropColumn("approvals_met").execute();
      await db.schema.alterTable("pull_requests").dropColumn("fix").execute();
      await db.schema.alterTable("repositories").dropColumn("lead_group").execute();
      await db.schema.alterTable("repositories").dropColumn("people").execute();
      },
    },
  "0004_dashboard": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("dashboard_sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("user_id", "bigint", (c) => c.notNull())
        .addColumn("login", "text", (c) => c.notNull())
        .addColumn("token", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn("expires_at", "timestamptz", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("dashboard_sessions_expires").on("dashboard_sessions").column("expires_at").execute();
      // The review queue: open PRs of the user's repositories.
      await db.schema.createIndex("pull_requests_state_repo").on("pull_requests").columns(["state", "repo_id"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("pull_requests_state_repo").execute();
      await db.schema.dropTable("dashboard_sessions").execute();
    },
  },
  /** The open PRs of a repository on one head commit (a check run is per commit, not per PR). */
  "0005_shared_head": {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex("pull_requests_repo_head").on("pull_requests").columns(["repo_id", "head_sha"]).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex("pull_requests_repo_head").execute();
    },
  },
  /**
   * Each pull request's report facts on its own row. They are filled in for the history
   * already stored by the step after the migrations (see `report_facts_state`), which always
   * computes them with the current definitions; as first shipped, this migration filled them
   * in itself, which leaves a database in the same state.
   */
  "0006_report_facts": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("pull_requests")
        .addColumn("rounds", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("reviewed", "boolean", (c) => c.notNull().defaultTo(false))
        .addColumn("first_requested_at", "timestamptz")
        .addColumn("first_review_at", "timestamptz")
        .addColumn("first_approval_at", "timestamptz")
        .addColumn("app_groups", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn("approvals_met", "boolean")
        .addColumn("checklist_missing", "jsonb")
        .addColumn("analysis_rules", "jsonb")
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema
        .alterTable("pull_requests")
        .dropColumn("rounds")
        .dropColumn("reviewed")
        .dropColumn("first_requested_at")
        .dropColumn("first_review_at")
        .dropColumn("first_approval_at")
        .dropColumn("app_groups")
        .dropColumn("approvals_met")
        .dropColumn("checklist_missing")
        .dropColumn("analysis_rules")
        .execute();
    },
  },
  /** Which version of the report facts' definitions the stored facts were computed with. */
  "0007_report_facts_state": {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable("report_facts_state").addColumn("version", "integer", (c) => c.notNull()).execute();
      // One row, locked by the step that brings the facts up to date: version 0 is "not known
      // to be current", so the first start after this migration computes them.
      await sql`INSERT INTO report_facts_state (version) VALUES (0)`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("report_facts_state").execute();
    },
  },
  /**
   * When each PR last became ready for review (null while it is a draft): a stale-review
   * escalation waits from then, so time spent as a draft after a request does not count.
   */
  "0008_ready_since": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("pull_requests").addColumn("ready_since", "timestamptz").execute();
      await sql`UPDATE pull_requests SET ready_since = COALESCE(ready_at, opened_at) WHERE NOT draft`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("pull_requests").dropColumn("ready_since").execute();
    },
  },
  /** Each review's state as submitted, kept when it is dismissed later (review rounds count it). */
  "0009_review_submitted_state": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("reviews").addColumn("submitted_state", "text").execute();
      await sql`UPDATE reviews SET submitted_state = state`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable("reviews").dropColumn("submitted_state").execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Bring the database to the newest schema, and the stored report facts to the current
 * definitions; throws with the failing migration's name. The
 * migrator's own tables are named with their schema: unnamed, Kysely looks for them in every
 * schema of the database, and one found in another schema would be taken for this one's.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema = "public"): Promise<string[]> {
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    throw new Error(`database migration ${failed ? `"${failed.migrationName}" ` : ""}failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  await bringReportFactsUpToDate(db);
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
