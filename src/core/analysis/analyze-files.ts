import { Minimatch } from "minimatch";
import type { Config } from "../../config/schema.js";
import type { ChangedFile } from "../types.js";
import { overlapsRanges, parseChangedLines } from "./changed-lines.js";
import { flavourOf } from "./flavour-of.js";
import { compareFindings, type ChangedLines, type FileLint, type LintChangedLinesInput, type RuleTotals } from "./lint-changed-lines.js";
import type { LintFinding } from "./lint-source.js";
import { ANNOTATIONS_PER_REQUEST } from "./to-annotations.js";

/** A finding on a changed line of one file. */
export interface AnalysisFinding extends LintFinding {
  file: string;
}

export type SkipCode =
  | "file-limit"
  | "time-budget"
  | "file-time-budget"
  | "memory-budget"
  | "too-large"
  | "binary"
  | "truncated"
  | "no-patch"
  | "no-content"
  | "no-text"
  | "fetch-failed"
  | "vendored"
  | "unparsed"
  | "lint-failed"
  /** The lint worker died on the file (killed from outside, or crashed): another run may succeed. */
  | "worker-crashed"
  /** Files GitHub's list of the PR's files left out (past 3,000). */
  | "not-listed"
  /** The PR's budget ran out while the contents were fetched (the installation's lane is shared): another run may not. */
  | "fetch-time-budget";

export interface SkippedFile {
  file: string;
  code: SkipCode;
  /** One sentence for the check output. */
  reason: string;
}

export interface AnalysisResult {
  /** False when `analysis.enabled` is off: nothing was looked at. */
  enabled: boolean;
  /** The most severe findings on changed lines, at most `maxAnnotations`: what gets annotated. */
  findings: AnalysisFinding[];
  /** Every finding on changed lines, per rule id: the summary's table. */
  totals: RuleTotals;
  /** Input of the `static analysis` risk factor (uncapped; the factor caps it). */
  errorsOnChangedLines: number;
  warningsOnChangedLines: number;
  /** Files whose content was linted, in the order they were chosen. */
  linted: string[];
  /** Eligible files that were not linted, and why. */
  skipped: SkippedFile[];
  /**
   * Of those, the files with changed lines that the app could not check for reasons their
   * author controls (too many, too large, too slow, unparsable, fatal to ESLint): the risk
   * factor counts them as its maximum, so a change cannot lower its risk by hiding from the
   * analysis. Paths GitHub has no content for, failed fetches and a repository's own
   * `analysis.ignore` do not count.
   */
  unchecked: number;
  durationMs: number;
}

/** Why a file went unlinted, when its author could have made it so. */
// A code file GitHub calls binary (one NUL byte in a comment makes it so, and it still runs) or
// sends no text for (bytes that are not UTF-8) counts too.
// So does minified code under a vendored name: the name and the line lengths are the author's.
const UNCHECKED: ReadonlySet<SkipCode> = new Set(["file-limit", "time-budget", "file-time-budget", "memory-budget", "too-large", "binary", "truncated", "no-patch", "no-text", "unparsed", "lint-failed", "worker-crashed", "vendored", "not-listed", "fetch-time-budget"]);
/**
 * Flow syntax, which the parsers lack: such a file is unparsable by nature, not by crafting, when
 * the repository declared it Flow before the PR (a `@flow` on a line the PR did not change).
 */
const FLOW_PRAGMA = /^\s*(?:\/\/|\/\*)[^\n]*@flow\b/gm;

function declaredFlowBefore(source: string, lines: ChangedLines): boolean {
  if (lines === "all") return false;
  const head = source.slice(0, 4096);
  for (const m of head.matchAll(FLOW_PRAGMA)) {
    const line = head.slice(0, m.index + m[0].length).split("\n").length;
    if (!overlapsRanges(lines, line, line)) return true;
  }
  return false;
}

export interface AnalysisLimits {
  /** Files linted per PR at most; the ones with most added lines go first. */
  maxFiles: number;
  /** Files larger than this (UTF-8 bytes) are not linted. */
  maxFileBytes: number;
  /** Wall-clock budget per PR for fetching and linting; files not done in time are skipped. */
  timeBudgetMs: number;
  /** Wall-clock budget per file; a file over it gets one "not analysed" finding. */
  fileTimeBudgetMs: number;
  /** Findings kept whole (annotated), the most severe first. */
  maxAnnotations: number;
}

export const DEFAULT_ANALYSIS_LIMITS: Readonly<AnalysisLimits> = {
  maxFiles: 100,
  // GitHub's contents API returns content inline only up to 1 MB.
  maxFileBytes: 1024 * 1024,
  timeBudgetMs: 10_000,
  // Real modules lint in tens of milliseconds; seconds mean input crafted to be slow.
  fileTimeBudgetMs: 2_000,
  // One Checks API request's worth: never a stream of updates on the installation's write lane.
  maxAnnotations: ANNOTATIONS_PER_REQUEST,
};

/** A file's blob at the head commit, as GitHub describes it. */
export type FetchedContent =
  | { kind: "blob"; bytes: number; text: string | null; binary: boolean; truncated: boolean }
  /** Nothing at that path is a blob (a submodule), or nothing is there at all. */
  | { kind: "missing" }
  | { kind: "failed"; message: string };

export type LintTask = LintChangedLinesInput;

export interface LintBudget {
  /** Longest one file may run. */
  fileMs: number;
  /** The PR's deadline, on `performance.now()`'s clock: a file still running then is stopped. */
  deadline: number;
  /**
   * The pool's worker this PR's files go to (each PR being analysed has its own): a worker that
   * another PR's file got stopped, and that is being replaced, is not this PR's to wait for.
   */
  slot?: number;
}

/** What became of one file handed to a lint worker. */
export type LintOutcome =
  | { kind: "done"; result: FileLint }
  | { kind: "timeout"; by: "file" | "pull-request"; ms: number }
  /** The PR's deadline passed before a worker was free to start the file. */
  | { kind: "expired" }
  | { kind: "out-of-memory"; heapMb: number }
  | { kind: "crashed"; message: string };

export interface AnalyzeFilesInput {
  files: readonly ChangedFile[];
  /** Changed files GitHub's list left out (it lists 3,000 at most): counted as unchecked. */
  unlisted?: number;
  config: Config["analysis"];
  /** The blobs of these files at the head commit; called at most once, never when no file is eligible. */
  fetchContents: (filenames: readonly string[], signal: AbortSignal) => Promise<ReadonlyMap<string, FetchedContent>>;
  /** Lints one file under the budget (src/workers: in a worker process that is stopped when over it). */
  lint: (task: LintTask, budget: LintBudget) => Promise<LintOutcome>;
  limits?: Partial<AnalysisLimits>;
  /** `performance.now()`, injectable so tests can drive the time budget. */
  now?: () => number;
}

const LINTED_STATUSES = new Set<ChangedFile["status"]>(["added", "modified", "renamed", "copied", "changed"]);

// Names third-party or machine-written code usually has. The name is the author's to choose, so
// it exempts nothing by itself: such a file is linted like any other unless its content is
// minified too, and then it counts as unchecked (a repository's own `analysis.ignore`, read
// from its default branch, is what leaves vendored code out).
const VENDORED = ["**/*.min.js", "**/*.min.mjs", "**/*.min.cjs", "**/node_modules/**"].map(
  (p) => new Minimatch(p, { dot: true }),
);

/** Linguist's test for minified code: lines of more than 110 characters on average. */
export function looksMinified(source: string): boolean {
  const lines = source.split("\n");
  return source.length > 0 && (source.length - (lines.length - 1)) / lines.length > 110;
}

interface Candidate {
  index: number;
  file: ChangedFile;
  lines: ChangedLines;
  vendoredName: boolean;
}

/**
 * Lint the changed JavaScript/TypeScript files of a PR with the app's rule set and keep the
 * findings on added or modified lines (SPEC §7).
 *
 * Chooses the files, fetches them all in one call, then lints them one after the other through
 * `lint`, never past the per-file or per-PR budget. Bounded by file count, file size, time and
 * the number of findings kept; everything left out is listed in `skipped`. Never throws.
 */
/** Patch text read between two turns of the event loop. */
const PATCH_SLICE_CHARS = 4_000_000;

export async function analyzeFiles({ files, unlisted, config, fetchContents, lint, limits, now = () => performance.now() }: AnalyzeFilesInput): Promise<AnalysisResult> {
  const start = now();
  const bounds = { ...DEFAULT_ANALYSIS_LIMITS, ...limits };
  if (!config.enabled) {
    return { enabled: false, findings: [], totals: {}, errorsOnChangedLines: 0, warningsOnChangedLines: 0, linted: [], skipped: [], unchecked: 0, durationMs: 0 };
  }

  const ignore = config.ignore.map((p) => new Minimatch(p, { dot: true }));
  const exempt = (name: string): boolean => flavourOf(name) === null || ignore.some((m) => m.match(name));
  const skipped: (SkippedFile & { order: number; flow?: true })[] = [];
  // Files beyond GitHub's list (it lists 3,000 at most): their code is unseen, so it counts.
  if (unlisted && unlisted > 0) {
    skipped.push({ file: `${unlisted} more file${unlisted === 1 ? "" : "s"}`, code: "not-listed", reason: "beyond the 3,000 files GitHub lists for a pull request, so not looked at", order: Number.MAX_SAFE_INTEGER });
  }
  const candidates: Candidate[] = [];
  // Reading the patches is the main thread's work: it yields every few MB of them, so a PR
  // of 3,000 large patches does not hold the webhooks back.
  let read = 0;
  for (const file of files) {
    read += file.patch?.length ?? 0;
    if (read >= PATCH_SLICE_CHARS) {
      read = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!LINTED_STATUSES.has(file.status) || flavourOf(file.filename) === null) continue;
    if (ignore.some((m) => m.match(file.filename))) continue;
    const lines = changedLinesOf(file, exempt);
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
    if (lines !== "all" && lines.length === 0) continue;
    candidates.push({ index: candidates.length, file, lines, vendoredName: VENDORED.some((m) => m.match(file.filename)) });
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

  let contents: ReadonlyMap<string, FetchedContent> = new Map();
  let fetchError: string | undefined;
  let fetchExpired = false;
  if (chosen.length) {
    // Fetching counts against the PR's budget: queries still unanswered at its end are abandoned.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("the time budget ran out")), Math.max(1, bounds.timeBudgetMs - (now() - start)));
    try {
      contents = await fetchContents(chosen.map((c) => c.file.filename), controller.signal);
    } catch (error) {
      fetchExpired = controller.signal.aborted;
      fetchError = firstLine(error);
    } finally {
      clearTimeout(timer);
    }
  }

  const deadline = start + bounds.timeBudgetMs;
  const prBudget = `time budget of ${formatMs(bounds.timeBudgetMs)} per pull request`;
  const linted: { file: string; order: number }[] = [];
  const totals: RuleTotals = {};
  let errors = 0;
  let warnings = 0;
  let kept: AnalysisFinding[] = [];
  const keep = (more: AnalysisFinding[]): void => {
    // Only the most severe are ever held, whatever the number of files and findings.
    kept = [...kept, ...more].sort(compareFindings).slice(0, bounds.maxAnnotations);
  };

  for (const c of chosen) {
    const name = c.file.filename;
    const skip = (code: SkipCode, reason: string, flow?: true): void => {
      skipped.push({ file: name, code, reason, order: c.index, ...(flow ? { flow } : {}) });
    };
    if (fetchExpired) {
      skip("fetch-time-budget", `${prBudget} used up while fetching the files`);
      continue;
    }
    if (fetchError !== undefined) {
      skip("fetch-failed", `could not fetch its content: ${fetchError}`);
      continue;
    }
    const content = contents.get(name) ?? { kind: "failed", message: "GitHub's answer did not include it" };
    const source = usableText(content, bounds.maxFileBytes, skip);
    if (source === undefined) continue;
    if (c.vendoredName && looksMinified(source)) {
      skip("vendored", "minified code under a vendored name, not linted (add it to `analysis.ignore` if it is third-party code)");
      continue;
    }
    if (now() >= deadline) {
      skip("time-budget", `${prBudget} used up before this file`);
      continue;
    }

    const own = c.file.patch !== undefined && c.lines !== "all" ? parseChangedLines(c.file.patch) : undefined;
    const outcome = await lint({ filename: name, source, rules: config.rules, lines: c.lines, ...(own ? { own } : {}), maxFindings: bounds.maxAnnotations }, { fileMs: bounds.fileTimeBudgetMs, deadline });
    const notAnalysed = (code: SkipCode, budget: string): void => {
      skip(code, `not analysed: exceeded the ${budget}`);
      const line = c.lines === "all" ? 1 : (c.lines[0]?.[0] ?? 1);
      keep([{ file: name, ruleId: "not-analysed", severity: "warn", line, column: 1, message: `not analysed: exceeded the ${budget}` }]);
    };
    switch (outcome.kind) {
      case "done": {
        const r = outcome.result;
        if (r.kind === "failed") skip("lint-failed", r.message);
        else if (r.kind === "unparsed") {
          // The pragma must be on a line the PR left as it was: its own changed lines only.
          const flow = declaredFlowBefore(source, own ?? c.lines);
          skip("unparsed", `could not be parsed at line ${r.line} (${r.message}), so it was not linted${flow ? " (Flow syntax)" : ""}`, flow || undefined);
          // On a changed line it is the author's to fix, and shown where it is.
          if (r.changed && !flow) {
            totals["parse-error"] = (totals["parse-error"] ?? 0) + 1;
            errors++;
            keep([{ file: name, ruleId: "parse-error", severity: "error", line: r.line, column: r.column, message: r.message }]);
          }
        } else {
          linted.push({ file: name, order: c.index });
          for (const [rule, n] of Object.entries(r.totals)) totals[rule] = (totals[rule] ?? 0) + n;
          errors += r.errors;
          warnings += r.warnings;
          keep(r.findings.map((f) => ({ file: name, ...f })));
        }
        break;
      }
      case "timeout":
        if (outcome.by === "file") notAnalysed("file-time-budget", `time budget of ${formatMs(outcome.ms)} per file`);
        else skip("time-budget", `${prBudget} used up while it was being linted`);
        break;
      case "expired":
        skip("time-budget", `${prBudget} used up before this file`);
        break;
      case "out-of-memory":
        notAnalysed("memory-budget", `memory budget of ${outcome.heapMb} MB`);
        break;
      case "crashed":
        skip("worker-crashed", `the lint worker failed on it: ${outcome.message}`);
        break;
    }
  }

  skipped.sort((a, b) => a.order - b.order || cmp(a.file, b.file));
  linted.sort((a, b) => a.order - b.order);
  return {
    enabled: true,
    findings: kept,
    totals,
    errorsOnChangedLines: errors,
    warningsOnChangedLines: warnings,
    linted: linted.map((l) => l.file),
    skipped: skipped.map(({ file, code, reason }) => ({ file, code, reason })),
    unchecked: skipped.filter((s) => UNCHECKED.has(s.code) && !s.flow).length,
    durationMs: Math.max(0, now() - start),
  };
}

/** The text to lint, or undefined after saying why there is none. */
function usableText(content: FetchedContent, maxBytes: number, skip: (code: SkipCode, reason: string) => void): string | undefined {
  if (content.kind === "failed") return void skip("fetch-failed", `could not fetch its content: ${content.message}`);
  if (content.kind === "missing") return void skip("no-content", "GitHub has no file content for it at the head commit (a submodule?)");
  const tooLarge = (bytes: number) => skip("too-large", `${bytes.toLocaleString("en-US")} bytes, over the ${formatBytes(maxBytes)} limit`);
  if (content.bytes > maxBytes) return void tooLarge(content.bytes);
  if (content.binary) return void skip("binary", "a binary file");
  // GraphQL cuts a blob's text short (at about 500 KB); half a file would give false findings.
  if (content.truncated) return void skip("truncated", `${content.bytes.toLocaleString("en-US")} bytes, more than GitHub returns of a file's text in one query`);
  if (content.text === null) return void skip("no-text", "GitHub returned no text for it (not UTF-8?)");
  // GitHub's byte count is of the blob; the text is measured too, in case the two disagree.
  const bytes = Buffer.byteLength(content.text, "utf8");
  if (bytes > maxBytes) return void tooLarge(bytes);
  return content.text;
}

/**
 * The lines of a file the PR is answerable for: its changed lines and the line after each
 * change; all of a file that is new to the analysis (added, or renamed or copied from a name
 * that is not linted: `notes.txt` or an `analysis.ignore` path renamed to `src/session.js`
 * brings its code in unlinted otherwise); "unknown" when GitHub sent no diff.
 */
function changedLinesOf(file: ChangedFile, exempt: (name: string) => boolean): ChangedLines | "unknown" {
  const movedIn = (file.status === "renamed" || file.status === "copied") && file.previous_filename !== undefined && file.previous_filename !== file.filename && exempt(file.previous_filename);
  if (file.status === "added" || movedIn) return "all";
  if (file.patch !== undefined) return parseChangedLines(file.patch, { following: true });
  // Without a patch, nothing changed means nothing to look at: a pure rename/copy, a change of
  // mode only ("changed", 0 and 0). A "modified" file with zero counts is different: GitHub
  // drops both the patch and the counts for very large diffs.
  // (A deletion without its patch is unknown: what it breaks is on lines no one can name.)
  if (file.additions === 0 && file.deletions === 0 && (file.status === "renamed" || file.status === "copied" || file.status === "changed")) return [];
  return "unknown";
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
