import { LRUCache } from "lru-cache";
import { parseCodeowners, type ParsedCodeowners } from "../core/parse-codeowners.js";
import type { Octokit, RepoRef } from "./types.js";
import { errorStatus } from "./types.js";

/** Where GitHub looks for the file, in its order: the first one found is the only one used. */
export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;

/**
 * Largest file read. GitHub itself ignores a CODEOWNERS over 3 MB; the contents API sends a
 * file inline only up to 1 MB, and a real one is a few KiB, so a larger one is refused with a
 * note rather than fetched raw.
 */
export const MAX_CODEOWNERS_BYTES = 1024 * 1024;

export interface CodeownersFile extends ParsedCodeowners {
  /** Where it was found. */
  path: string;
}

/** Parsed files per repository for a short while, like configs: a burst of PRs reads it once. */
export class CodeownersCache {
  #cache: LRUCache<string, { file: CodeownersFile | null }>;

  constructor(ttlMs = 60_000, max = 500, maxRules = 50_000) {
    // Bounded by rules as well as repositories: one huge file must not hold the memory of hundreds.
    this.#cache = new LRUCache({ max, ttl: ttlMs, maxSize: maxRules, sizeCalculation: (v) => (v.file?.rules.length ?? 0) + 1 });
  }

  get(key: string): { file: CodeownersFile | null } | undefined {
    return this.#cache.get(key);
  }

  set(key: string, file: CodeownersFile | null): void {
    this.#cache.set(key, { file });
  }

  /** Drop a repository's entry, e.g. after a push to its default branch changed the file. */
  invalidate(repo: RepoRef): void {
    this.#cache.delete(`${repo.owner}/${repo.repo}`.toLowerCase());
  }
}

/**
 * Read and parse the repository's CODEOWNERS from its default branch (no ref, like the
 * config: a PR cannot change who owns what by editing the file), trying GitHub's locations in
 * order with one call each until one exists. Null when there is none. A 404 moves on to the
 * next location; any other error is thrown, for the caller's retry, and nothing is cached.
 */
export async function readCodeowners(octokit: Octokit, repo: RepoRef, cache: CodeownersCache): Promise<CodeownersFile | null> {
  const key = `${repo.owner}/${repo.repo}`.toLowerCase();
  const hit = cache.get(key);
  if (hit) return hit.file;
  let file: CodeownersFile | null = null;
  for (const path of CODEOWNERS_PATHS) {
    let data: unknown;
    try {
      ({ data } = await octokit.rest.repos.getContent({ owner: repo.owner, repo: repo.repo, path }));
    } catch (error) {
      if (errorStatus(error) === 404) continue;
      throw error;
    }
    const entry = data as { type?: string; size?: number; encoding?: string; content?: string };
    // A directory of that name is not the file; GitHub would look on.
    if (Array.isArray(data) || entry.type !== "file") continue;
    if ((entry.size ?? 0) > MAX_CODEOWNERS_BYTES || entry.encoding !== "base64") {
      const size = Math.ceil((entry.size ?? 0) / 1024);
      file = { path, rules: [], notes: [`${path} is ${size} KiB, over the ${MAX_CODEOWNERS_BYTES / 1024} KiB the app reads; its owners were not used.`] };
      break;
    }
    file = { path, ...parseCodeowners(Buffer.from(entry.content ?? "", "base64").toString("utf8")) };
    break;
  }
  cache.set(key, file);
  return file;
}
