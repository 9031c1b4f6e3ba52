import type { AnalysisFinding, AnalysisResult } from "./analyze-files.js";
import { eslintVersion } from "./eslint-version.js";
import { code, text as md } from "../safe-markdown.js";
import { RULE_IDS, RULE_SET, ruleDocsUrl, type RuleId } from "./rule-set.js";

/** One entry of `output.annotations` for the Checks API. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Only allowed by the API when start_line === end_line. */
  start_column?: number;
  end_column?: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title: string;
}

/** The Checks API takes at most 50 annotations per create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

// API limits on annotation text.
const TITLE_MAX = 255;
const MESSAGE_MAX = 64 * 1024;

/** Check-run annotations for findings (already limited to changed lines and to one request's worth). */
export function toAnnotations(findings: readonly AnalysisFinding[]): CheckAnnotation[] {
  return findings.map((f) => {
    const endLine = Math.max(f.line, f.endLine ?? f.line);
    const annotation: CheckAnnotation = {
      path: f.file,
      start_line: f.line,
      end_line: endLine,
      annotation_level: f.severity === "error" ? "failure" : "warning",
      message: clip(messageOf(f), MESSAGE_MAX),
      title: clip(titleOf(f), TITLE_MAX),
    };
    if (endLine === f.line) {
      annotation.start_column = f.column;
      // ESLint's end column points just past the problem; the API's is the last column in it.
      annotation.end_column = Math.max(f.column, (f.endColumn ?? f.column + 1) - 1);
    }
    return annotation;
  });
}

export interface SummaryOptions {
  /** Where the rule set is documented (a link to docs/static-analysis.md). */
  docsUrl?: string;
  /** Skipped files listed one by one before "and N more". */
  maxSkippedListed?: number;
}

/** Markdown for the check run output: counts, rules hit, what was not linted and why. */
export function summarizeAnalysis(result: AnalysisResult, options: SummaryOptions = {}): string {
  const { docsUrl, maxSkippedListed = 20 } = options;
  const lines: string[] = [];
  if (!result.enabled) {
    return "Static analysis is off for this repository (`analysis.enabled: false`).";
  }
  const filesLinted = plural(result.linted.length, "file");
  if (result.linted.length === 0 && result.skipped.length === 0) {
    lines.push("No added or changed JavaScript/TypeScript lines to lint.");
  } else if (result.errorsOnChangedLines + result.warningsOnChangedLines === 0) {
    lines.push(`No problems found on changed lines (${filesLinted} linted).`);
  } else {
    const total = result.errorsOnChangedLines + result.warningsOnChangedLines;
    lines.push(`${plural(result.errorsOnChangedLines, "error")} and ${plural(result.warningsOnChangedLines, "warning")} on changed lines (${filesLinted} linted).`);
    // Counted over every finding, not only the annotated ones.
    const ranked = Object.entries(result.totals).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (ranked.length) {
      lines.push("", "| rule | findings |", "|---|---|");
      for (const [rule, n] of ranked) {
        const name = isRuleId(rule) ? `[\`${rule}\`](${ruleDocsUrl(rule)})` : `\`${rule}\``;
        lines.push(`| ${name} | ${n.toLocaleString("en-US")} |`);
      }
    }
    const annotated = result.findings.filter((f) => f.ruleId !== "not-analysed").length;
    if (annotated < total) lines.push("", `Annotated: the ${plural(annotated, "most severe finding")} of ${total.toLocaleString("en-US")}.`);
  }
  if (result.skipped.length > 0) {
    lines.push("", `**Not linted (${result.skipped.length}):**`);
    for (const s of result.skipped.slice(0, maxSkippedListed)) lines.push(`- ${code(s.file)}: ${md(s.reason)}`);
    const rest = result.skipped.length - maxSkippedListed;
    if (rest > 0) lines.push(`- and ${plural(rest, "more file")}`);
    if (result.unchecked > 0) {
      lines.push("", `${plural(result.unchecked, "changed file")} of these could not be checked for reasons in the change itself (size, time, syntax), so the static analysis risk factor counts as its maximum.`);
    }
  }
  const ruleSet = `${RULE_IDS.length} ESLint ${eslintVersion()} core rules chosen by review-triage; the repository's own ESLint config and plugins are never run`;
  lines.push("", docsUrl ? `Rule set: [${ruleSet}](${docsUrl}).` : `Rule set: ${ruleSet} (docs/static-analysis.md).`);
  return lines.join("\n");
}

function titleOf(f: AnalysisFinding): string {
  if (f.ruleId === "parse-error") return "Syntax error";
  if (f.ruleId === "internal-error") return "ESLint failed";
  if (f.ruleId === "not-analysed") return "Not analysed";
  return `${f.ruleId} (${f.severity === "error" ? "error" : "warning"})`;
}

function messageOf(f: AnalysisFinding): string {
  if (!isRuleId(f.ruleId)) return f.message;
  return `${f.message}\n\nWhy it matters: ${RULE_SET[f.ruleId].why}.\n${ruleDocsUrl(f.ruleId)}`;
}

function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULE_SET, id);
}

// File names and parser messages come from the PR: they must not close the code span or add markup.

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
