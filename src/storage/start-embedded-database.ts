import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmbeddedDatabaseArgs, EmbeddedDatabaseMessage } from "./embedded-database-process.js";

export interface EmbeddedDatabase {
  /** Where node-postgres connects: the socket's directory and the port in its name. */
  host: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

// Unix socket paths are limited to about 107 bytes.
const MAX_SOCKET_PATH = 100;
const SOCKET_NAME = ".s.PGSQL.5432";

function socketPathFor(dataDir: string): string {
  if (!dataDir.startsWith("memory://")) {
    const inDir = join(dataDir, SOCKET_NAME);
    if (inDir.length <= MAX_SOCKET_PATH) return inDir;
  }
  const tag = createHash("sha256").update(`${dataDir}:${process.pid}:${Math.random()}`).digest("hex").slice(0, 16);
  return join(tmpdir(), `review-triage-${tag}`, SOCKET_NAME);
}

function entry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  // From TypeScript sources (tests, tsx) the child needs the same loader.
  const ts = here.endsWith(".ts");
  return { file: join(here, "..", `embedded-database-process.${ts ? "ts" : "js"}`), execArgv: ts ? ["--import", "tsx"] : [] };
}

/**
 * Start the embedded PostgreSQL (PGlite) in a child process and wait until it accepts
 * connections. Its first start in a new data directory creates the database (a few seconds).
 */
export async function startEmbeddedDatabase(options: { dataDir: string; seed?: string; timeoutMs?: number }): Promise<EmbeddedDatabase> {
  const dataDir = options.dataDir.startsWith("memory://") ? options.dataDir : resolve(options.dataDir);
  const socketPath = socketPathFor(dataDir);
  const args: EmbeddedDatabaseArgs = { dataDir, socketPath, ...(options.seed ? { seed: options.seed } : {}) };
  const { file, execArgv } = entry();
  const child: ChildProcess = fork(file, [], {
    env: { ...process.env, REVIEW_TRIAGE_EMBEDDED_DB: JSON.stringify(args) },
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "json",
  });
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`the embedded database did not start within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s`));
    }, options.timeoutMs ?? 120_000);
    child.once("message", (message: EmbeddedDatabaseMessage) => {
      clearTimeout(timer);
      if (message.type === "ready") ready();
      else fail(new Error(`the embedded database could not start: ${message.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`the embedded database exited during start-up (code ${code})`));
    });
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // The app must not wait on its database child to exit on its own.
  child.unref();
  child.channel?.unref();
  return {
    host: join(socketPath, ".."),
    port: 5432,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Wait for it: an unref'd child would let the process end before it has closed.
      child.ref();
      // Closing the channel is the child's signal to close PGlite cleanly and exit.
      if (child.connected) child.disconnect();
      else child.kill("SIGTERM");
      await exited;
    },
  };
}
