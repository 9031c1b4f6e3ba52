import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

/**
 * Read `.env` (written by the setup flow) into the environment. Variables already set in
 * the shell win, so `PORT=4000 npm start` means port 4000 whatever the file says.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, path = join(process.cwd(), ".env")): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined && env[name] !== "") continue;
    if (value === "") continue;
    env[name] = value;
    applied.push(name);
  }
  return applied;
}
