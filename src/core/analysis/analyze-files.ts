import { Minimatch } from "minimatch";
import type { Config } from "../../config/schema.js";
import type { ChangedFile } from "../types.js";
import { parseChangedLines } from "./changed-lines.js";
import { flavourOf, lintSource, type LintFinding, type RuleOverrides } from "./lint-source.js";

/** A finding on a changed line of one file. */
export interface AnalysisFinding extends LintFinding {
  file: string;
}

export type SkipCode =
  | "file-limit"
  | "time-budget"
  | "too-large"
  | "no-patch"
  | "no-content"
  | "fetch-failed"
  | "vendored"
  | "unparsed"
  | "lint-failed";

export interface SkippedFile {
  file: string;
  code: SkipCode;
  /** One sentence for the check output. */
  reason: string;
}

export interface AnalysisResult {
  /** False when `analysis.enabled` is off: nothing was looked at. */
  enabled: boolean;
  /** Findings on changed lines only, sorted by file, line, column. */
  findings: AnalysisFinding[];
  /** Input of the `static analysis` risk factor (uncapped; the factor caps it). */
  errorsOnChangedLines: number;
  warningsOnChangedLines: number;
  /** Files whose content was linted, in the order they were chosen. */
  linted: string[];
  /** Eligible files that were not linted, and why. */
  skipped: SkippedFile[];
  durationMs: number;
}

export interface AnalysisLimits {
  /** Files linted per PR at most; the ones with most added lines go first. */
  maxFiles: number;
  /** Files larger than this (UTF-8 bytes) are not linted. */
  maxFileBytes: number;
  /** Wall-clock budget for fetching and linting; files not started in time are skipped. */
  timeBudgetMs: number;
  /** Content requests in flight at once. */
  concurrency: number;
}

export const DEFAULT_ANALYSIS_LIMITS: Readonly<AnalysisLimits> = {
  maxFiles: 100,
  // GitHub's contents API returns content inline only up to 1 MB.
  maxFileBytes: 1024 * 1024,
  timeBudgetMs: 10_000,
  // Reads are not throttled like writes, but a few at a time keeps well inside secondary limits.
  concurrency: 6,
};

export interface AnalyzeFilesInput {
  files: readonly ChangedFile[];
  config: Config["analysis"];
  /**
   * Text of the file at the head commit, or null when GitHub has none for it (a submodule,
   * a symlink, a file too large for the contents API). May throw; that file is then skipped.
   */
  fetchContent: (filename: string) => Promise<string | null>;
  limits?: Partial<AnalysisLimits>;
  /** Milliseconds from an arbitrary origin; injectable so tests can drive the time budget. */
  now?: () => number;
}

const LINTED_STATUSES = new Set<ChangedFile["status"]>(["added", "modified", "renamed", "copied", "changed"]);

// Third-party or machine-written code: findings there are not the author's to fix.
const VENDORED = ["**/*.min.js", "**/*.min.mjs", "**/*.min.cjs", "**/node_modules/**"].map(
  (p) => new Minimatch(p, { dot: true }),
);

/** `all` for a new file GitHub sent no diff for: every line is new. */
type ChangedLines = Set<number> | "all";

interface Candidate {
  index: number;
  file: ChangedFile;
  lines: ChangedLines;
}

/**
 * Lint the changed JavaScript/TypeScript files of a PR with the app's rule set and keep the
 * findings on added or modified lines (SPEC §7).
 *
 * Pure except for `fetchContent`, called at most once per linted file and never when no file
 * is eligible. Bounded by file count, file size and a time budget; everything left out is
 * listed in `skipped`. Never throws.
 */
export async function analyzeFiles({ files, config, fetchContent, limits, now = () => performance.now() }: AnalyzeFilesInput): Promise<AnalysisResult> {
  const start = now();
  const bounds = { ...DEFAULT_ANALYSIS_LIMITS, ...limits };
  if (!config.enabled) {
    return { enabled: false, findings: [], errorsOnChangedLines: 0, warningsOnChangedLines: 0, linted: [], skipped: [], durationMs: 0 };
  }

  const ignore = config.ignore.map((p) => new Minimatch(p, { dot: true }));
  const skipped: (SkippedFile & { order: number })[] = [];
  const candidates: Candidate[] = [];
  for (const file of files) {
    if (!LINTED_STATUSES.has(file.status) || flavourOf(file.filename) === null) continue;
    if (ignore.some((m) => m.match(file.filename))) continue;
    if (VENDORED.some((m) => m.match(file.filename))) {
      skipped.push({ file: file.filename, code: "vendored", reason: "minified or vendored code", order: -1 });
      continue;
    }
    const lines = changedLinesOf(file);
    if (lines === "unknown") {
      skipped.push({
        file: file.filename,
        code: "no-patch",
        reason: "GitHub sent no diff for this file (too large), so its changed lines are unknown",
        order: -1,
      });
      continue;
    }
    // Nothing added (a pure rename, a deletion-only edit): no finding could be on a changed line.
    if (lines !== "all" && lines.size === 0) continue;
    candidates.push({ index: candidates.length, file, lines });
  }

  // Under the file limit and the time budget, the files with the most new code matter most.
  candidates.sort((a, b) => b.file.additions - a.file.additions || a.index - b.index);
  const chosen = candidates.slice(0, bounds.maxFiles);
  chosen.forEach((c, order) => (c.index = order));
  for (const c of candidates.slice(bounds.maxFiles)) {
    skipped.push({
      file: c.file.filename,
      code: "file-limit",
      reason: `over the limit of ${bounds.maxFiles} files linted per pull request`,
      order: Number.MAX_SAFE_INTEGER,
    });
  }

  const linted: { file: string; order: number }[] = [];
  const findings: AnalysisFinding[] = [];
  const overrides: RuleOverrides = config.rules;
  let next = 0;

  const lintOne = async (c: Candidate): Promise<void> => {
    const name = c.file.filename;
    const skip = (code: SkipCode, reason: string): void => {
      skipped.push({ file: name, code, reason, order: c.index });
    };
    const overBudget = (): boolean => now() - start >= bounds.timeBudgetMs;
    if (overBudget()) return skip("time-budget", `time budget of ${formatMs(bounds.timeBudgetMs)} used up before this file`);

    let source: string | null;
    try {
      source = await fetchContent(name);
    } catch (error) {
      return skip("fetch-failed", `could not fetch its content: ${firstLine(error)}`);
    }
    if (source === null) return skip("no-content", "GitHub returned no text content for it");
    const bytes = Buffer.byteLength(source, "utf8");
    if (bytes > bounds.maxFileBytes) {
      return skip("too-large", `${bytes.toLocaleString("en-US")} bytes, over the ${formatBytes(bounds.maxFileBytes)} limit`);
    }
    // Fetching may have used the budget up; linting is the expensive part, so check again.
    if (overBudget()) return skip("time-budget", `time budget of ${formatMs(bounds.timeBudgetMs)} used up before this file`);

    const found = lintSource({ filename: name, source, rules: overrides });
    const failure = found.length === 1 ? found[0] : undefined;
    if (failure?.ruleId === "internal-error") return skip("lint-failed", failure.message);
    if (failure?.ruleId === "parse-error" && !touchesChanged(failure, c.lines)) {
      // The parser gave up on a line this PR did not touch: most likely syntax it lacks (Flow,
      // a new proposal) rather than the author's mistake. Not a finding, but the reader must
      // know the file went unchecked.
      return skip("unparsed", `could not be parsed at line ${failure.line} (${failure.message}), so it was not linted`);
    }
    linted.push({ file: name, order: c.index });
    for (const f of found) {
      if (touchesChanged(f, c.lines)) findings.push({ file: name, ...f });
    }
  };

  const worker = async (): Promise<void> => {
    while (next < chosen.length) {
      const c = chosen[next++];
      if (!c) continue;
      await lintOne(c);
      // Linting is synchronous CPU work; between files, let the process answer other
      // webhooks (GitHub gives a delivery 10 s) instead of holding the event loop for the
      // whole PR.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(bounds.concurrency, chosen.length)) }, worker));

  findings.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.ruleId, b.ruleId));
  skipped.sort((a, b) => a.order - b.order || cmp(a.file, b.file));
  linted.sort((a, b) => a.order - b.order);
  return {
    enabled: true,
    findings,
    errorsOnChangedLines: findings.filter((f) => f.severity === "error").length,
    warningsOnChangedLines: findings.filter((f) => f.severity === "warn").length,
    linted: linted.map((l) => l.file),
    skipped: skipped.map(({ file, code, reason }) => ({ file, code, reason })),
    durationMs: Math.max(0, now() - start),
  };
}

function changedLinesOf(file: ChangedFile): ChangedLines | "unknown" {
  if (file.patch !== undefined) return parseChangedLines(file.patch);
  if (file.status === "added") return "all";
  // Without a patch, nothing added means nothing to look at: a deletion-only edit, or a pure
  // rename/copy. A "modified" file with zero counts is different: GitHub drops both the patch
  // and the counts for very large diffs.
  if (file.additions === 0 && (file.deletions > 0 || file.status === "renamed" || file.status === "copied")) return new Set();
  return "unknown";
}

function touchesChanged(f: LintFinding, lines: ChangedLines): boolean {
  if (lines === "all") return true;
  // A finding spanning several lines (unreachable block, whole expression) counts when any of
  // them is new: the change is part of what the rule objects to.
  const last = Math.max(f.line, f.endLine ?? f.line);
  for (let line = f.line; line <= last; line++) if (lines.has(line)) return true;
  return false;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? "";
}

function formatBytes(n: number): string {
  const mb = n / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
