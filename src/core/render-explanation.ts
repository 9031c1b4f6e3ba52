import type { ReviewerChoice } from "./choose-reviewers.js";
import { describeProbability } from "./describe-probability.js";
import { LEVEL_BADGE, md } from "./render-comment.js";
import { code, mention, name } from "./safe-markdown.js";
import type { RiskAssessment } from "./types.js";

/** The full explanation for `/triage explain`: nothing folded away, every match listed. */
export function renderExplanation(assessment: RiskAssessment, choice: ReviewerChoice, extra: string[] = []): string {
  const out: string[] = [];
  out.push(`### Review Triage explained: ${LEVEL_BADGE[assessment.level] ?? assessment.level} risk (score ${assessment.score}/100)`);
  out.push("");
  out.push(
    `Level = matrix(likelihood **${assessment.likelihood.band.replace("_", " ")}** (${assessment.likelihood.value.toFixed(3)}, probability ${assessment.likelihood.probability.toFixed(3)}), impact **${assessment.impact.level}**) = **${assessment.level}**.`,
  );
  out.push("");
  out.push(describeProbability(assessment.likelihood));
  out.push("");
  out.push("**Likelihood** is the weighted sum of these factors; `risk.link` turns it into the probability, and `risk.bands` set the band on that probability:");
  out.push("");
  out.push("| factor | value | weight | contribution | measured | why |");
  out.push("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const f of assessment.likelihood.factors) {
    out.push(`| ${f.name.replace(/_/g, " ")} | ${f.value.toFixed(3)} | ${f.weight.toFixed(2)} | ${f.contribution.toFixed(3)} | ${f.raw} | ${md(f.detail)} |`);
  }
  out.push("");
  out.push(`**Impact** is the highest impact of any changed file (${assessment.counts.files} files, ${assessment.counts.ignoredFiles} ignored):`);
  out.push("");
  out.push("| file | impact | rule | reason |");
  out.push("| --- | --- | --- | --- |");
  for (const m of assessment.impact.matches.slice(0, 200)) {
    const rule = m.source === "builtin" ? `built-in: ${md(m.rule)}` : m.source === "default" ? "default_impact" : code(m.rule, { inTable: true });
    out.push(`| ${code(m.file, { inTable: true })} | ${m.impact} | ${rule} | ${m.reason ? md(m.reason) : ""} |`);
  }
  if (assessment.impact.matches.length > 200) out.push(`\n…and ${assessment.impact.matches.length - 200} more files.`);
  out.push("");
  out.push("**Reviewers**");
  for (const p of choice.picks) out.push(`- ${mention(p.login)}: ${md(p.reason)}`);
  for (const p of choice.kept) out.push(`- ${mention(p.login)}: ${md(p.reason)}`);
  for (const s of choice.skipped.slice(0, 200)) out.push(`- not ${name(s.login)} (${md(s.group)}): ${md(s.reason)}`);
  if (!choice.picks.length && !choice.kept.length) out.push("- nobody could be picked");
  const notes = [...assessment.notes, ...choice.notes, ...extra];
  if (notes.length) {
    out.push("");
    out.push("**Notes**");
    for (const n of notes) out.push(`- ${md(n)}`);
  }
  return out.join("\n");
}
