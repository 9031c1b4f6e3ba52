import type { Factor, ImpactMatch, Level, RiskAssessment } from "./types.js";
import { describeProbability } from "./describe-probability.js";
import { describeMatch } from "./score-risk.js";

/**
 * Plain-text explanation of a risk assessment, for a terminal (`review-triage score`).
 * The Markdown of the sticky comment is rendered elsewhere; this one uses no markup, only
 * aligned columns, so it reads the same in a CI log or piped to a file.
 */

export interface RenderRiskTextOptions {
  /** How many impact matches to list before summarising the rest (default 10). */
  maxMatches?: number;
}

const LEVEL_ORDER: readonly Level[] = ["critical", "high", "medium", "low"];

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function factorTable(factors: readonly Factor[], likelihood: number): string[] {
  const nameWidth = Math.max(6, ...factors.map((f) => f.name.length)) + 2;
  const header = `  ${pad("factor", nameWidth)}${pad("value", 7)}${pad("weight", 8)}${pad("contrib", 9)}why`;
  const rows = factors.map(
    (f) => `  ${pad(f.name, nameWidth)}${pad(fixed(f.value, 2), 7)}${pad(fixed(f.weight, 2), 8)}${pad(fixed(f.contribution, 3), 9)}${f.detail}`,
  );
  const total = `  ${pad("likelihood", nameWidth)}${pad("", 15)}${pad(fixed(likelihood, 3), 9)}sum of contributions`;
  return [header, ...rows, total];
}

function impactLines(matches: readonly ImpactMatch[], max: number): string[] {
  if (matches.length === 0) return ["  (no files count for impact)"];
  const shown = matches.slice(0, max);
  const fileWidth = Math.min(60, Math.max(...shown.map((m) => m.file.length))) + 2;
  const lines = shown.map((m) => `  ${pad(m.impact, 10)}${pad(m.file, fileWidth)}${describeMatch(m)}`);
  const rest = matches.slice(max);
  if (rest.length > 0) {
    const byLevel = LEVEL_ORDER.map((level) => [level, rest.filter((m) => m.impact === level).length] as const)
      .filter(([, count]) => count > 0)
      .map(([level, count]) => `${count} ${level}`);
    lines.push(`  … and ${rest.length} more file${rest.length === 1 ? "" : "s"} (${byLevel.join(", ")})`);
  }
  return lines;
}

export function renderRiskText(assessment: RiskAssessment, options: RenderRiskTextOptions = {}): string {
  const { level, score, likelihood, impact, focusFiles, notes, counts } = assessment;
  const lines: string[] = [
    `Risk: ${level.toUpperCase()} (score ${score}/100)`,
    `Likelihood ${fixed(likelihood.value, 2)} (${likelihood.band.replace("_", " ")}, probability ${fixed(likelihood.probability, 2)}) × impact ${impact.level} → ${level}`,
    describeProbability(likelihood),
  ];
  if (impact.summary) lines.push(impact.summary);
  lines.push(
    "",
    "Likelihood factors",
    ...factorTable(likelihood.factors, likelihood.value),
    "",
    `Impact: ${impact.level}`,
    ...impactLines(impact.matches, options.maxMatches ?? 10),
    "",
    "Focus files (read these first)",
  );
  if (focusFiles.length === 0) lines.push("  (none)");
  focusFiles.forEach((f, i) => lines.push(`  ${i + 1}. ${f.file} — ${f.reason}`));
  if (notes.length > 0) {
    lines.push("", "Notes");
    for (const note of notes) lines.push(`  - ${note}`);
  }
  lines.push(
    "",
    `Counted: ${counts.files} file${counts.files === 1 ? "" : "s"} (${counts.sourceFiles} source, ${counts.testFiles} test, ${counts.ignoredFiles} ignored), ` +
      `${counts.linesAdded} lines of code added, ${counts.linesDeleted} deleted, ${counts.directories} director${counts.directories === 1 ? "y" : "ies"}.`,
  );
  return `${lines.join("\n")}\n`;
}
