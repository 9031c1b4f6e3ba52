import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { analyzeFiles, DEFAULT_ANALYSIS_LIMITS, type AnalysisResult, type SkipCode } from "../core/analysis/analyze-files.js";
import { summarizeAnalysis, toAnnotations } from "../core/analysis/to-annotations.js";
import type { ChangedFile } from "../core/types.js";
import { fetchBlobs } from "../github/fetch-blobs.js";
import { createLintPool, DEFAULT_LINT_POOL, type LintPool } from "../workers/create-lint-pool.js";
import type { TriagePipelineExtras } from "./triage.js";

export const STATIC_ANALYSIS_DOCS = "https://github.com/review-triage/review-triage/blob/main/docs/static-analysis.md";

export interface AnalyzerOptions {
  /** Lint worker processes (`ANALYSIS_WORKERS`); as many PRs are analysed at once. */
  workers?: number;
  /** Heap limit of each worker in MB (`ANALYSIS_WORKER_HEAP_MB`). */
  workerHeapMb?: number;
  /** Wall-clock budget per file (`ANALYSIS_FILE_BUDGET_MS`). */
  fileBudgetMs?: number;
  /** Wall-clock budget per PR, fetching included (`ANALYSIS_PR_BUDGET_MS`). */
  prBudgetMs?: number;
  /** Bytes of analysis results kept, one per commit and config. */
  cacheBytes?: number;
  /** A pool to lint in instead of one of the analyzer's own; its owner closes it. */
  pool?: LintPool;
}

/** The pipeline's `analyze`, plus what the app must call on shutdown. */
export type Analyzer = NonNullable<TriagePipelineExtras["analyze"]> & {
  /** Stops the analyzer's lint workers (not a pool passed in). */
  close(): Promise<void>;
  readonly pool: LintPool;
};

export const DEFAULT_ANALYZER = {
  workers: DEFAULT_LINT_POOL.size,
  workerHeapMb: DEFAULT_LINT_POOL.heapMb,
  fileBudgetMs: DEFAULT_ANALYSIS_LIMITS.fileTimeBudgetMs,
  prBudgetMs: DEFAULT_ANALYSIS_LIMITS.timeBudgetMs,
  // A result holds at most 50 findings and the list of skipped files: a few KB, so this keeps
  // thousands of commits while no PR's result can push the process towards its memory target.
  cacheBytes: 8 * 1024 * 1024,
} as const;

const ENV: ReadonlyArray<{ key: keyof typeof DEFAULT_ANALYZER; name: string; min: number; max: number }> = [
  { key: "workers", name: "ANALYSIS_WORKERS", min: 1, max: 16 },
  { key: "workerHeapMb", name: "ANALYSIS_WORKER_HEAP_MB", min: 64, max: 4096 },
  { key: "fileBudgetMs", name: "ANALYSIS_FILE_BUDGET_MS", min: 100, max: 600_000 },
  { key: "prBudgetMs", name: "ANALYSIS_PR_BUDGET_MS", min: 100, max: 3_600_000 },
];

/** The analyzer's settings from the environment; a malformed value is an error naming the variable. */
export function readAnalyzerEnv(env: NodeJS.ProcessEnv): AnalyzerOptions {
  const options: AnalyzerOptions = {};
  for (const { key, name, min, max } of ENV) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max} (default ${DEFAULT_ANALYZER[key]}), got "${raw}"`);
    }
    options[key] = value;
  }
  return options;
}

/**
 * Static analysis as a pipeline stage (SPEC §7): lint the PR's changed JavaScript/TypeScript
 * at its head commit, once per commit — reviews and ticks re-evaluate the PR without fetching
 * the files again. The files arrive in one GraphQL query per 100; ESLint runs in worker
 * processes under a time and memory budget, so no file can hold the event loop.
 *
 * Options not given come from the environment (readAnalyzerEnv), then the defaults. The app
 * must call `close()` on shutdown.
 */
export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const settings = { ...DEFAULT_ANALYZER, ...readAnalyzerEnv(process.env), ...options };
  const pool = options.pool ?? createLintPool({ size: settings.workers, heapMb: settings.workerHeapMb });
  const cache = new LRUCache<string, AnalysisResult>({
    max: 10_000,
    maxSize: settings.cacheBytes,
    // JSON length in UTF-16 code units: close to what V8 holds for the strings that dominate.
    sizeCalculation: (result, key) => 2 * (key.length + JSON.stringify(result).length),
  });

  // As many PRs at once as there are workers, each linting its files one after the other: every
  // PR being analysed has a worker to itself, its time budget counts from its turn, and only
  // those PRs' file contents are in memory. The PRs waiting take turns by account (the
  // repository's owner), first come first served within one: an account that opens fifty PRs
  // at once delays another account's next PR by one PR's turn, not by fifty.
  // Each PR being analysed is given one worker (a slot of the pool) for all its files.
  const free = Array.from({ length: pool.size }, (_, i) => i);
  const waiting = new Map<string, Array<(slot: number) => void>>();
  const acquire = async (account: string): Promise<number> => {
    const slot = free.shift();
    if (slot !== undefined) return slot;
    return new Promise<number>((resolve) => {
      const line = waiting.get(account);
      if (line) line.push(resolve);
      else waiting.set(account, [resolve]);
    });
  };
  const release = (slot: number): void => {
    // The account waiting longest goes next; it goes to the back of the turn order.
    const [account, line] = waiting.entries().next().value ?? [];
    if (!account || !line) {
      free.push(slot);
      return;
    }
    const next = line.shift()!;
    waiting.delete(account);
    if (line.length) waiting.set(account, line);
    next(slot);
  };

  const analyze: NonNullable<TriagePipelineExtras["analyze"]> = async ({ config, files, unlisted, headSha, octokit, owner, repo }) => {
    // The head commit alone is not enough: two PRs can share it against different bases, and
    // what counts is the lines each one changes.
    const key = `${owner}/${repo}@${headSha}:${JSON.stringify(config.analysis)}:${unlisted ?? 0}:${await diffDigest(files)}`;
    let result = cache.get(key);
    if (!result) {
      const slot = await acquire(owner.toLowerCase());
      try {
        // Not on this PR's time: its worker (one the previous PR's file got stopped) is still being replaced.
        await pool.warm?.(slot);
        // Another event may have analysed this commit while this one waited its turn.
        result =
          cache.get(key) ??
          (await analyzeFiles({
            files,
            ...(unlisted ? { unlisted } : {}),
            config: config.analysis,
            fetchContents: (paths, signal) => fetchBlobs(octokit, { owner, repo, sha: headSha }, paths, { signal }),
            lint: (task, budget) => pool.lint(task, { ...budget, slot }),
            limits: { timeBudgetMs: settings.prBudgetMs, fileTimeBudgetMs: settings.fileBudgetMs },
          }));
        // A worker killed under the file or a failed fetch says nothing about the commit: the
        // next event on the PR tries again.
        if (!result.skipped.some((s) => TRANSIENT.has(s.code))) cache.set(key, result);
      } finally {
        release(slot);
      }
    }
    if (!result.enabled || (!result.linted.length && !result.skipped.length)) return undefined;
    return {
      errors: result.errorsOnChangedLines,
      unchecked: result.unchecked,
      annotations: toAnnotations(result.findings),
      text: `### Static analysis\n\n${summarizeAnalysis(result, { docsUrl: STATIC_ANALYSIS_DOCS })}`,
      rules: { ...result.totals },
      durationMs: result.durationMs,
      budgetHits: result.skipped.filter((s) => /budget/i.test(s.reason)).length,
    };
  };
  return Object.assign(analyze, {
    pool,
    close: () => (options.pool ? Promise.resolve() : pool.close()),
  });
}

/** Skips another run may not repeat. */
const TRANSIENT: ReadonlySet<SkipCode> = new Set(["fetch-failed", "worker-crashed", "fetch-time-budget"]);

/** Patch text hashed between two turns of the event loop (about 4 ms per MB). */
const DIGEST_SLICE_CHARS = 4_000_000;

/**
 * What a PR's analysis depends on besides the commit: its files and their changed lines. A
 * PR's patches can reach hundreds of MB (3,000 files): the hashing yields to the event loop
 * every few MB, so webhooks are answered meanwhile.
 */
export async function diffDigest(files: readonly ChangedFile[]): Promise<string> {
  const hash = createHash("sha256");
  let slice = 0;
  for (const f of files) {
    const entry = JSON.stringify([f.filename, f.previous_filename ?? null, f.status, f.additions, f.deletions, f.patch ?? null]);
    hash.update(entry).update("\n");
    slice += entry.length;
    if (slice >= DIGEST_SLICE_CHARS) {
      slice = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return hash.digest("base64url");
}
