import { overlapsRanges, type LineRanges } from "./changed-lines.js";
import { lintSource, type LintFinding, type RuleOverrides } from "./lint-source.js";

/** The lines a PR added or modified in a file; `all` for a new file GitHub sent no diff for. */
export type ChangedLines = LineRanges | "all";

export interface LintChangedLinesInput {
  filename: string;
  source: string;
  rules?: RuleOverrides;
  lines: ChangedLines;
  /**
   * The lines the PR itself added or modified, when `lines` also holds the lines after each
   * change: there only what a change breaks next to it counts (NEARBY_RULES), so an old
   * finding under an edited comment is not the PR's.
   */
  own?: LineRanges;
  /** Findings returned at most, the most severe first; the counts cover all of them. */
  maxFindings: number;
}

/** Findings per rule id (and `parse-error`), on changed lines. */
export type RuleTotals = Record<string, number>;

export type FileLint =
  | {
      kind: "linted";
      /** On changed lines, most severe first, at most `maxFindings`. */
      findings: LintFinding[];
      totals: RuleTotals;
      errors: number;
      warnings: number;
    }
  /**
   * The parser stopped, so no rule ran on the file. On a line the PR did not touch (`changed`
   * false) it is most likely syntax the parser lacks (Flow, a proposal); on a changed line it
   * is the author's syntax, which may still run (an import assertion runs on Node 20).
   */
  | { kind: "unparsed"; line: number; column: number; message: string; changed: boolean }
  /** ESLint itself failed on the file. */
  | { kind: "failed"; message: string };

/**
 * Lint one file and keep what the PR is answerable for: findings on added or modified lines,
 * counted per rule, the few most severe kept whole. Runs in a lint worker, so what crosses back
 * to the main thread is bounded by `maxFindings`, however many problems the file has (1 MB of
 * `debugger;` is 100,000 of them).
 */
/** Rules whose finding a change makes on the line after it: code made unreachable, a case fallen into. */
const NEARBY_RULES: ReadonlySet<string> = new Set(["no-unreachable", "no-fallthrough"]);

export function lintChangedLines({ filename, source, rules, lines, own, maxFindings }: LintChangedLinesInput): FileLint {
  // Messages quote the code (a 400 KB identifier, a long string): clipped here, before they
  // cross to the app, are cached with the result or reach an annotation.
  const found = lintSource({ filename, source, ...(rules ? { rules } : {}) }).map((f) => ({ ...f, message: clipUtf8(f.message, MAX_MESSAGE_BYTES) }));
  const failure = found.length === 1 ? found[0] : undefined;
  if (failure?.ruleId === "internal-error") return { kind: "failed", message: failure.message };
  if (failure?.ruleId === "parse-error") {
    // Either way the file went unchecked, and the reader must know.
    return { kind: "unparsed", line: failure.line, column: failure.column, message: failure.message, changed: touchesChanged(failure, lines) };
  }
  const totals: RuleTotals = {};
  let errors = 0;
  let warnings = 0;
  const kept: LintFinding[] = [];
  for (const f of found) {
    if (!(own ? touchesChanged(f, own) || (NEARBY_RULES.has(f.ruleId) && touchesChanged(f, lines)) : touchesChanged(f, lines))) continue;
    totals[f.ruleId] = (totals[f.ruleId] ?? 0) + 1;
    if (f.severity === "error") errors++;
    else warnings++;
    kept.push(f);
  }
  kept.sort(compareFindings);
  return { kind: "linted", findings: kept.slice(0, maxFindings), totals, errors, warnings };
}

/** UTF-8 bytes of one finding's message at most. */
export const MAX_MESSAGE_BYTES = 1024;

/** `text` cut to at most `maxBytes` UTF-8 bytes, at a code point boundary, with "…" when cut. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 3; // the ellipsis
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return `${text.slice(0, end)}…`;
}

function touchesChanged(f: LintFinding, lines: ChangedLines): boolean {
  if (lines === "all") return true;
  // A finding spanning several lines (unreachable block, whole expression) counts when any of
  // them is new: the change is part of what the rule objects to.
  return overlapsRanges(lines, f.line, Math.max(f.line, f.endLine ?? f.line));
}

/**
 * Most severe first: errors, then files the app could not check (a reader must not miss that
 * a file went unchecked under a pile of warnings), then warnings; within each, by position.
 */
export function compareFindings(a: LintFinding & { file?: string }, b: LintFinding & { file?: string }): number {
  return rank(a) - rank(b) || cmp(a.file ?? "", b.file ?? "") || a.line - b.line || a.column - b.column || cmp(a.ruleId, b.ruleId);
}

function rank(f: LintFinding): number {
  if (f.severity === "error") return 0;
  return f.ruleId === "not-analysed" ? 1 : 2;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
