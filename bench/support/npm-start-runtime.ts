import { readFileSync } from "node:fs";

/**
 * The node flags `npm start` runs the app with (package.json) and the allocator settings the
 * Docker image sets (MALLOC_*), so a benchmark measures the app as it ships.
 * BENCH_NODE_FLAGS, when set, replaces the flags, so other settings can be compared; a
 * MALLOC_ variable set for the benchmark wins over the image's.
 */
export function npmStartRuntime(): { flags: string[]; env: Record<string, string> } {
  const root = new URL("../..", import.meta.url);
  const start = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: { start: string } }).scripts.start;
  const flags = (process.env.BENCH_NODE_FLAGS ?? start).split(/\s+/).filter((token) => token.startsWith("--"));
  const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");
  const env: Record<string, string> = {};
  for (const [, name, value] of dockerfile.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)) {
    if (process.env[name!] === undefined) env[name!] = value!;
  }
  return { flags, env };
}

/** The same, as `startApp`'s options: the app process started the way it ships. */
export function shipped(): { nodeFlags: string[]; env: Record<string, string> } {
  const { flags, env } = npmStartRuntime();
  return { nodeFlags: flags, env };
}
