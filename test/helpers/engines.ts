import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../../src/storage/open-database.js";
import { SEED_PATH } from "../global-setup.js";

/** The PostgreSQL the storage suite also runs on; CI machines have one here. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Whether PostgreSQL answers; the suite says why it skips when it does not. */
export async function postgresAvailable(url = POSTGRES_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface Engine {
  name: "embedded" | "postgres";
  /** Open a fresh, empty database (a schema of its own on PostgreSQL). */
  open(): Promise<Database>;
  /** Remove everything `open` created. */
  drop(database: Database): Promise<void>;
}

export const EMBEDDED: Engine = {
  name: "embedded",
  open: () => openDatabase({ dataDir: "memory://", seed: SEED_PATH }),
  drop: (database) => database.close(),
};

export const POSTGRES: Engine = {
  name: "postgres",
  open: () => openDatabase({ databaseUrl: POSTGRES_URL, schema: `rt_test_${randomBytes(6).toString("hex")}`, poolSize: 4 }),
  async drop(database) {
    await database.executeSql(`DROP SCHEMA IF EXISTS ${database.schema} CASCADE`);
    await database.executeSql(`DROP SCHEMA IF EXISTS ${database.schema}_queue CASCADE`);
    await database.close();
  },
};
