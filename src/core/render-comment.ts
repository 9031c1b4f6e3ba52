import type { ReviewerChoice } from "./choose-reviewers.js";
import { describeProbability } from "./describe-probability.js";
import { code, mention, name, text } from "./safe-markdown.js";
import type { RiskAssessment } from "./types.js";

export const STICKY_MARKER = "<!-- review-triage:sticky -->";

/** People listed under "Not picked" before "…and N more". */
const MAX_NOT_PICKED = 15;

export const LEVEL_BADGE: Record<string, string> = {
  low: "🟢 Low",
  medium: "🟡 Medium",
  high: "🟠 High",
  critical: "🔴 Critical",
};

const BAND_TEXT: Record<string, string> = { low: "low", medium: "medium", high: "high", very_high: "very high" };

/** Escape text that comes from a PR or config (file names, reasons): see `text` in safe-markdown. */
export const md = (value: string): string => text(value);

export interface CommentInput {
  assessment: RiskAssessment;
  choice: ReviewerChoice;
  /** "file" when the repository has a config, "defaults" when the built-in one applied. */
  configSource: "file" | "defaults";
  /** Extra lines shown under "Notes" (422s, escalations, dry-run results, overrides). */
  notes?: string[];
  /** Markdown of the checklists section, rendered by the checklist module. */
  checklists?: string;
  /** Why the PR is urgent, as Markdown with user text already escaped; absent when it is not. */
  urgent?: string;
  /** When set, reviewers were only suggested, not requested. */
  suggestOnly?: boolean;
}

function factorTable(assessment: RiskAssessment): string {
  const rows = assessment.likelihood.factors.map(
    (f) =>
      `| ${f.name.replace(/_/g, " ")} | ${f.value.toFixed(2)} | ${f.weight.toFixed(2)} | ${f.contribution.toFixed(3)} | ${md(f.detail)} |`,
  );
  return [
    "| factor | value | weight | contribution | why |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    `| **likelihood** | | | **${assessment.likelihood.value.toFixed(3)}** | ${BAND_TEXT[assessment.likelihood.band] ?? assessment.likelihood.band} |`,
  ].join("\n");
}

function impactTable(assessment: RiskAssessment): string {
  // Only the matches that set or approach the impact are interesting; the rest is noise.
  const order = ["critical", "high", "medium", "low"];
  const matches = [...assessment.impact.matches]
    .filter((m) => m.source !== "default")
    .sort((a, b) => order.indexOf(a.impact) - order.indexOf(b.impact) || a.file.localeCompare(b.file));
  if (!matches.length) return "";
  const shown = matches.slice(0, 30);
  const rows = shown.map(
    (m) =>
      `| ${code(m.file, { inTable: true })} | ${m.impact} | ${m.source === "builtin" ? `built-in: ${md(m.rule)}` : code(m.rule, { inTable: true })} | ${m.reason ? md(m.reason) : ""} |`,
  );
  const more = matches.length > shown.length ? `\n\n…and ${matches.length - shown.length} more.` : "";
  return ["| file | impact | rule | reason |", "| --- | --- | --- | --- |", ...rows].join("\n") + more;
}

function reviewerLines(choice: ReviewerChoice, suggestOnly: boolean): string[] {
  const lines: string[] = [];
  for (const p of choice.picks) lines.push(`- ${mention(p.login)} — ${suggestOnly ? "suggested" : "requested"}: ${md(p.reason)}`);
  for (const p of choice.kept) lines.push(`- ${mention(p.login)} — ${md(p.reason)}`);
  if (!lines.length) lines.push("- Nobody could be picked: see the notes below.");
  return lines;
}

/** The one comment per PR (SPEC §5). Deterministic: same input, same text. */
export function renderStickyComment(input: CommentInput): string {
  const { assessment, choice } = input;
  const out: string[] = [STICKY_MARKER];
  if (input.urgent) out.push(`> **🚨 Urgent**: ${input.urgent}. Reviewers are requested first and nudged sooner; the approvals are those of its risk level.`, "");
  out.push(`### Review Triage: ${LEVEL_BADGE[assessment.level] ?? assessment.level} risk (score ${assessment.score}/100)`);
  out.push("");
  out.push(
    `Likelihood **${BAND_TEXT[assessment.likelihood.band] ?? assessment.likelihood.band}** (${assessment.likelihood.value.toFixed(2)}) × impact **${assessment.impact.level}** → **${assessment.level}**. ` +
      `${assessment.counts.files} file${assessment.counts.files === 1 ? "" : "s"}, +${assessment.counts.linesAdded} lines of code in ${assessment.counts.sourceFiles} source file${assessment.counts.sourceFiles === 1 ? "" : "s"}.`,
  );
  out.push(describeProbability(assessment.likelihood));
  if (input.configSource === "defaults") {
    out.push("");
    out.push("_This repository has no `.github/review-triage.yml`, so the built-in defaults apply._");
  }
  out.push("");
  out.push("#### Reviewers");
  out.push(...reviewerLines(choice, input.suggestOnly ?? false));
  if (choice.skipped.length) {
    out.push("");
    out.push("<details><summary>Not picked</summary>");
    out.push("");
    // Long groups make long lists: the first few, then how many more (explain lists them all).
    for (const s of choice.skipped.slice(0, MAX_NOT_PICKED)) out.push(`- ${name(s.login)} (${md(s.group)}): ${md(s.reason)}`);
    if (choice.skipped.length > MAX_NOT_PICKED) out.push(`- …and ${choice.skipped.length - MAX_NOT_PICKED} more (\`/triage explain\` lists them all)`);
    out.push("");
    out.push("</details>");
  }
  if (assessment.focusFiles.length) {
    out.push("");
    out.push("#### Look here first");
    for (const f of assessment.focusFiles) out.push(`- ${code(f.file)} — ${md(f.reason)}`);
  }
  if (input.checklists) {
    out.push("");
    out.push(input.checklists);
  }
  const notes = [...assessment.notes, ...choice.notes, ...(input.notes ?? [])];
  if (notes.length) {
    out.push("");
    out.push("#### Notes");
    for (const n of notes) out.push(`- ${md(n)}`);
  }
  out.push("");
  out.push("<details><summary>Why this risk level</summary>");
  out.push("");
  out.push(factorTable(assessment));
  const impact = impactTable(assessment);
  if (impact) {
    out.push("");
    out.push(`Impact **${assessment.impact.level}**, from:`);
    out.push("");
    out.push(impact);
  }
  out.push("");
  out.push("</details>");
  out.push("");
  out.push("<sub>Comment `/triage explain` for the full explanation, `/triage rerun` to triage again.</sub>");
  return out.join("\n");
}
