import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";

/**
 * An empty embedded database, made once: test files start theirs from this copy instead of
 * running initdb each (seconds of CPU per file).
 */
export const SEED_PATH = join(tmpdir(), "review-triage-test", "pglite-0.5.14-seed.tar");

export default async function setup(): Promise<void> {
  if (existsSync(SEED_PATH)) return;
  mkdirSync(join(SEED_PATH, ".."), { recursive: true });
  const db = await PGlite.create();
  const dump = await db.dumpDataDir("none");
  await db.close();
  const temp = `${SEED_PATH}.${process.pid}`;
  writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
  const { renameSync } = await import("node:fs");
  renameSync(temp, SEED_PATH);
}
