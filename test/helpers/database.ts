import { sql } from "kysely";
import { afterAll } from "vitest";
import { queueSchema } from "../../src/queue/job-queue.js";
import { openDatabase, type Database } from "../../src/storage/open-database.js";
import { SEED_PATH } from "../global-setup.js";

let opened: Promise<Database> | undefined;

/**
 * The embedded database for this test file, started once (from the seed the global setup
 * made) and closed after the file's last test. `resetDatabase` empties it between tests.
 */
export function testDatabase(): Promise<Database> {
  if (!opened) {
    opened = openDatabase({ dataDir: "memory://", seed: SEED_PATH });
    afterAll(async () => {
      const db = await opened;
      opened = undefined;
      await db?.close();
    });
  }
  return opened;
}

const APP_TABLES = [
  "deliveries",
  "pr_state",
  "refused_reviewers",
  "workers",
  "pr_locks",
  "repositories",
  "pull_requests",
  "pr_files",
  "triage_results",
  "review_requests",
  "reviews",
  "checklist_events",
  "overrides",
  "escalations",
  "dashboard_sessions",
];

/** Delete every row the app and its queue wrote, keeping the schema. */
export async function resetDatabase(database: Database): Promise<void> {
  await sql.raw(`TRUNCATE ${APP_TABLES.join(", ")}`).execute(database.db);
  const queue = queueSchema(database.schema);
  const { rows } = await database.executeSql(`SELECT to_regclass('${queue}.job') AS job`);
  if (rows[0]?.job) await database.executeSql(`TRUNCATE ${queue}.job, ${queue}.archive`);
}
