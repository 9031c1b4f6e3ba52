/**
 * The embedded database (PGlite) in a process of its own, served on a Unix socket with
 * PostgreSQL's wire protocol. PGlite runs PostgreSQL compiled to WebAssembly: its heap is a
 * few hundred MB and each query runs synchronously on the thread that owns it, so in the
 * app's own process it would hold the event loop (and the webhook acknowledgements) for the
 * length of every query. Here the app talks to it exactly as it talks to PostgreSQL.
 *
 * Started by `startEmbeddedDatabase` with an IPC channel; it exits when that channel closes,
 * so it never outlives the app, even after `kill -9`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { dataDirHolder, LOCK_FILE } from "./data-dir-lock.js";

export interface EmbeddedDatabaseArgs {
  /** A data directory, or "memory://" for a throw-away database. */
  dataDir: string;
  socketPath: string;
  /** A `dumpDataDir` tarball to start a memory database from, instead of running initdb. */
  seed?: string;
}

export type EmbeddedDatabaseMessage = { type: "ready" } | { type: "error"; message: string };

function send(message: EmbeddedDatabaseMessage): void {
  process.send?.(message);
}

/** One process per data directory: two PGlite instances on the same files corrupt them. */
function takeLock(dataDir: string): () => void {
  const pid = dataDirHolder(dataDir);
  if (pid) {
    throw new Error(
      `the data directory ${dataDir} is in use by another Review Triage process (pid ${pid}); the embedded database serves one process. ` +
        "Stop the other one, or set DATABASE_URL to a PostgreSQL database to run several.",
    );
  }
  const file = join(dataDir, LOCK_FILE);
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

async function main(args: EmbeddedDatabaseArgs): Promise<void> {
  const memory = args.dataDir.startsWith("memory://");
  let unlock = () => undefined as void;
  if (!memory) {
    mkdirSync(args.dataDir, { recursive: true, mode: 0o700 });
    unlock = takeLock(args.dataDir);
  }
  mkdirSync(dirname(args.socketPath), { recursive: true, mode: 0o700 });
  rmSync(args.socketPath, { force: true });
  const seed = memory && args.seed && existsSync(args.seed) ? new Blob([readFileSync(args.seed)]) : undefined;
  const db = await PGlite.create(memory ? undefined : args.dataDir, {
    ...(seed ? { loadDataDir: seed } : {}),
    // A throw-away database has nothing to make durable.
    ...(memory ? { relaxedDurability: true } : {}),
  });
  const server = new PGLiteSocketServer({ db, path: args.socketPath });
  await server.start();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await server.stop();
      await db.close();
    } finally {
      rmSync(args.socketPath, { force: true });
      unlock();
      process.exit(0);
    }
  };
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => undefined);
  send({ type: "ready" });
}

const raw = process.env.REVIEW_TRIAGE_EMBEDDED_DB;
if (raw) {
  main(JSON.parse(raw) as EmbeddedDatabaseArgs).catch((error: unknown) => {
    send({ type: "error", message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
