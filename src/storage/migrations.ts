import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

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
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Bring the database to the newest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    throw new Error(`database migration ${failed ? `"${failed.migrationName}" ` : ""}failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
