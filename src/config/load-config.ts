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
export async function loadConfig(context: ConfigContext): Promise<LoadedConfig> {
  let merged: unknown;
  let files: string[] = [];
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
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined && status >= 500) throw error;
    if (status === 403 || status === 401) throw error;
    const message = error instanceof Error ? error.message : String(error);
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
