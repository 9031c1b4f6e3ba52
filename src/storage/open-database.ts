import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import { migrateToLatest } from "./migrations.js";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./start-embedded-database.js";
import type { Tables } from "./tables.js";

/** How pg-boss (and any raw SQL) runs a statement: text with `$n` parameters. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

export type Db = Kysely<Tables>;
export type DbOrTransaction = Kysely<Tables> | Transaction<Tables>;

export interface Database extends SqlExecutor {
  db: Db;
  engine: "embedded" | "postgres";
  /** The schema the app's tables live in (pg-boss uses `<schema>_queue`). */
  schema: string;
  /** Where the data is, for logs: never the password. */
  where: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL, e.g. postgres://user:pass@host:5432/db. Absent: the embedded database. */
  databaseUrl?: string;
  /** The embedded database's directory (default ./data); "memory://" keeps nothing. */
  dataDir?: string;
  /** Tables go in this schema (default "public"); tests use one schema each. */
  schema?: string;
  /** Connections to PostgreSQL per process (default 10). */
  poolSize?: number;
  /** For a memory database: a tarball to load instead of creating a new database. */
  seed?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Run `work` while holding a PostgreSQL advisory lock named `key`, so that processes starting
 * side by side on one database take turns (e.g. the job queue creating its schema). The
 * embedded database serves one process, whose single connection `work` needs: no lock there.
 */
export async function withStartupLock<T>(database: Pick<Database, "db" | "engine">, key: string, work: () => Promise<T>): Promise<T> {
  if (database.engine === "embedded") return work();
  return database.db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(hashtext(${key}))`.execute(connection);
    try {
      return await work();
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${key}))`.execute(connection);
    }
  });
}

/**
 * Run `query` in a read-only transaction whose planner uses no nested-loop joins. For joins of
 * many rows on both sides: the embedded database keeps no statistics, takes each side for a few
 * rows, and would otherwise loop over one side once per row of the other. With statistics,
 * PostgreSQL picks a hash or merge join for these anyway.
 */
export function withoutNestedLoops<T>(db: Db, query: (trx: Transaction<Tables>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET TRANSACTION READ ONLY`.execute(trx);
    await sql`SET LOCAL enable_nestloop = off`.execute(trx);
    return query(trx);
  });
}

/** Run raw SQL on Kysely (a pool, or one transaction's connection). */
export function executorFor(db: DbOrTransaction): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values));
      return { rows: [...result.rows] };
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

/**
 * Open the app's database and bring its schema up to date. PostgreSQL when `databaseUrl`
 * is set; otherwise the embedded PGlite in `dataDir`, started in a child process and
 * reached through the same driver, so every query is the same on both.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const schema = options.schema ?? "public";
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid database schema name "${schema}"`);
  let embedded: EmbeddedDatabase | undefined;
  let pool: pg.Pool;
  // search_path on every connection: the app's queries and pg-boss's stay in their schema.
  const searchPath = schema === "public" ? {} : { options: `-c search_path=${schema}` };
  if (options.databaseUrl) {
    pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, ...searchPath });
  } else {
    embedded = await startEmbeddedDatabase({ dataDir: options.dataDir ?? "./data", ...(options.seed ? { seed: options.seed } : {}) });
    // PGlite serves one connection; queries from the whole app take turns on it.
    pool = new pg.Pool({ host: embedded.host, port: embedded.port, user: "postgres", database: "postgres", max: 1, ...searchPath });
  }
  // A connection that drops (database restarted) is replaced on the next query; an idle
  // client's error must not crash the process.
  pool.on("error", () => undefined);
  // The same for a client in use: pg-pool listens for its errors only while it is idle, and a
  // connection ended by the server (a restart, a failover) between two statements of a
  // transaction would otherwise be an unhandled 'error' event that ends the process. The
  // statement in flight, or the next one, fails with the error instead.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const close = async () => {
    await db.destroy();
    await embedded?.stop();
  };
  try {
    if (schema !== "public") await db.executeQuery(CompiledQuery.raw(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
    await migrateToLatest(db as unknown as Kysely<unknown>, schema);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return {
    db,
    engine: embedded ? "embedded" : "postgres",
    schema,
    where: options.databaseUrl ? redactUrl(options.databaseUrl) : `embedded database in ${options.dataDir ?? "./data"}`,
    ...executorFor(db),
    close,
  };
}
