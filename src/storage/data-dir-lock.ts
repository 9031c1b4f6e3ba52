import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The file in DATA_DIR naming the process whose embedded database has it open. */
export const LOCK_FILE = "review-triage.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live process (other than this one) holding the embedded database in `dataDir`, if any. */
export function dataDirHolder(dataDir: string): number | undefined {
  const file = join(dataDir, LOCK_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return pid && pid !== process.pid && alive(pid) ? pid : undefined;
}
