import type { Context } from "probot";
import type { ConfigProblem } from "./format-issues.js";
import { CONFIG_PATH, MAX_CONFIG_BYTES, parseConfig } from "./parse-config.js";
import type { Config } from "./schema.js";

export type LoadedConfig =
  | { ok: true; config: Config; source: "file" | "defaults"; files: string[] }
  | { ok: false; problems: ConfigProblem[]; files: string[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merge an extending config over its base: mappings merge key by key, anything else
 * (lists included) is replaced, so a repository can shorten an org-wide list.
 */
export function mergeConfigs(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeConfigs(base[key], value);
  return out;
}

type ConfigContext = Pick<Context, "repo" | "octokit">;

/**
 * Load `.github/review-triage.yml` from the repository's default branch (no ref: the
 * contents API then reads the default branch, so a PR cannot change its own rules),
 * following `_extends` and the org-wide `.github` repository, exactly as `context.config`.
 */
export interface LoadConfigOptions {
  /**
   * Owners besides the repository's own that `_extends` may read from (the operator's
   * `EXTENDS_ALLOWED_OWNERS`). A base in another organisation would let its owner change
   * this repository's governance, so by default a chain stays inside the owner.
   */
  extendsOwners?: readonly string[];
}

/** Where `_extends` led that it must not: outside the allowed owners, or to a file that is not there. */
function chainProblems(
  owner: string,
  chain: ReadonlyArray<{ owner: string; repo: string; path: string; config: unknown }>,
  allowed: readonly string[],
): ConfigProblem[] {
  const owners = new Set([owner, ...allowed].map((o) => o.toLowerCase()));
  const problems: ConfigProblem[] = [];
  chain.forEach((file, i) => {
    const where = `${file.owner}/${file.repo}:${file.path}`;
    if (!owners.has(file.owner.toLowerCase())) {
      problems.push({
        path: "_extends",
        expected: `a repository of ${owner} (other owners only when the app's operator allows them with EXTENDS_ALLOWED_OWNERS)`,
        found: where,
      });
      return;
    }
    // The org-wide `.github` repository is only a fallback when the repository has no file;
    // every other file in the chain was named by an `_extends` and must be there.
    const fallback = i === 1 && file.repo === ".github" && chain[0]?.config === null;
    if (i > 0 && file.config === null && !fallback) {
      problems.push({ path: "_extends", expected: "a config file that exists and the app can read", found: `no file at ${where}` });
    }
  });
  return problems;
}

export async function loadConfig(context: ConfigContext, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  let merged: unknown;
  let files: string[] = [];
  const { owner } = context.repo();
  try {
    const result = await context.octokit.config.get(
      context.repo({
        path: CONFIG_PATH,
        // Files arrive nearest first; merge from the farthest base to the repository's own.
        defaults: (configs: Record<string, unknown>[]) =>
          configs.reduce<Record<string, unknown>>((acc, c) => mergeConfigs(acc, c) as Record<string, unknown>, {}),
      }),
    );
    merged = result.config;
    files = result.files.filter((f) => f.config !== null).map((f) => `${f.owner}/${f.repo}:${f.path}`);
    const problems = chainProblems(owner, result.files, options.extendsOwners ?? []);
    if (problems.length) return { ok: false, problems, files };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 500) throw error;
    if (status === 401) throw error;
    const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {};
    // A rate limit is a reason to wait, not a broken config.
    if (status === 403 && (String(headers["x-ratelimit-remaining"]) === "0" || headers["retry-after"] !== undefined)) throw error;
    const url = (error as { request?: { url?: string } }).request?.url;
    // The repository's own file unreadable is the app's (or the token's) missing permission,
    // for the caller to report; a base named by `_extends` that cannot be read is this
    // config's problem, shown on the check.
    const own = context.repo();
    if (status === 403 && (!url || url.includes(`/repos/${own.owner}/${own.repo}/contents/`))) throw error;
    const message = status === 403 ? `the app cannot read ${url ?? "a file of the chain"} (${error instanceof Error ? error.message : String(error)})` : error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      files,
      problems: [{ path: "", expected: "a readable YAML config", found: message.replace(/^\[@probot\/octokit-plugin-config\] /, "") }],
    };
  }
  // The plugin hands over parsed YAML; its JSON size bounds what a hostile file can cost.
  const size = Buffer.byteLength(JSON.stringify(merged ?? {}), "utf8");
  if (size > MAX_CONFIG_BYTES) {
    return {
      ok: false,
      files,
      problems: [{ path: "", expected: `a config of at most ${MAX_CONFIG_BYTES / 1024} KiB`, found: `${Math.ceil(size / 1024)} KiB` }],
    };
  }
  const parsed = parseConfig(merged);
  if (!parsed.ok) return { ok: false, problems: parsed.problems, files };
  return { ok: true, config: parsed.config, source: files.length ? "file" : "defaults", files };
}
