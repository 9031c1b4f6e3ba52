import { problemToLine, type ConfigProblem } from "../../config/format-issues.js";
import { CONFIG_PATH, DOCS_URL } from "../../config/parse-config.js";
import type { CheckAnnotation } from "../../github/ensure-check-run.js";
import { renderRiskText } from "../../core/render-risk-text.js";
import type { FetchedPullRequest } from "./gather-pull-request.js";
import { urgencyText, type TriagePlan } from "../../core/plan-triage.js";

/**
 * The terminal rendering of `review-triage explain`: plain text, no Markdown, so it reads the
 * same in a terminal, a CI log or a file. Sections follow the order a reviewer asks in: how
 * risky, who reviews, what they must check, what is still missing.
 */

/** Findings listed one by one before "and N more"; the check run on GitHub has them all. */
const MAX_FINDINGS = 20;

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + " ".repeat(width - text.length);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function renderHeader(pr: FetchedPullRequest, slug: string): string[] {
  const state = pr.merged ? " [merged]" : pr.state !== "open" ? ` [${pr.state}]` : pr.draft ? " [draft]" : "";
  return [
    `${slug}#${pr.number}: "${pr.title}" by @${pr.user?.login ?? "(unknown)"}${state}`,
    `${pr.html_url}  ${pr.head.ref} (${pr.head.sha.slice(0, 7)}) → ${pr.base.ref}`,
  ];
}

export function renderConfigSource(source: "file" | "defaults", files: readonly string[], owner: string, repo: string): string {
  if (source === "defaults") {
    return `Config: no ${CONFIG_PATH} in ${owner}/${repo} or ${owner}/.github, so the built-in defaults apply.`;
  }
  return `Config: ${files.join(" + ")} (default branch)`;
}

export function renderInvalidConfig(input: {
  pr: FetchedPullRequest;
  slug: string;
  problems: readonly ConfigProblem[];
  files: readonly string[];
  requests: number;
}): string {
  const n = input.problems.length;
  const lines = [
    ...renderHeader(input.pr, input.slug),
    "",
    `The app would not triage this PR: ${CONFIG_PATH} is invalid (${plural(n, "problem")}).`,
    `Its "Review Triage" check run would fail with "Invalid ${CONFIG_PATH}":`,
    ...input.problems.map((p) => `  - ${problemToLine(p)}`),
    "",
    input.files.length ? `Files read from the default branch: ${input.files.join(", ")}.` : "",
    `Run \`review-triage validate\` on the file for line numbers. Reference: ${DOCS_URL}`,
    "",
    nothingWritten(input.requests),
  ];
  return `${lines.filter((l, i, all) => l !== "" || all[i - 1] !== "").join("\n")}\n`;
}

function nothingWritten(requests: number): string {
  return `Nothing was written. (${plural(requests, "GitHub API request")}, all reads.)`;
}

function reviewerSection(plan: TriagePlan): string[] {
  const { choice } = plan;
  const out: string[] = [];
  const width = Math.max(12, ...[...choice.picks, ...choice.kept].map((p) => p.login.length + 3));
  const verb = plan.mode === "request" ? "Reviewers the app would request now" : "Reviewers the app would suggest (options.request_reviewers is off)";
  out.push(verb);
  if (choice.picks.length) for (const p of choice.picks) out.push(`  ${pad(`@${p.login}`, width)}${p.reason}`);
  else out.push("  (nobody new)");
  if (choice.kept.length) {
    out.push("", "Already on the PR (kept)");
    for (const p of choice.kept) out.push(`  ${pad(`@${p.login}`, width)}${p.reason}`);
  }
  if (choice.skipped.length) {
    out.push("", "Not picked");
    for (const s of choice.skipped) out.push(`  ${s.login} (${s.group}): ${s.reason}`);
  }
  // The one thing a read cannot predict: whether GitHub accepts each request.
  const caveat = choice.picks.length && plan.mode === "request" ? ["If GitHub refuses someone (422: no access to the repository), the app drops them and picks the next."] : [];
  const notes = [...choice.notes, ...caveat];
  if (notes.length) {
    out.push("", "Routing notes");
    for (const n of notes) out.push(`  - ${n}`);
  }
  return out;
}

function checklistSection(plan: TriagePlan): string[] {
  if (!plan.checklists.length) return ["Checklists: none apply"];
  const out = ["Checklists"];
  for (const list of plan.checklists) {
    out.push(`  ${list.name} (applies: ${list.because})`);
    for (const item of list.items) {
      const done = item.tick ? ` — ticked by @${item.tick.by} at ${item.tick.at}` : "";
      out.push(`    [${item.tick ? "x" : " "}] ${item.text} (${item.required ? "required; " : ""}to be ticked by ${item.tickedBy})${done}`);
    }
  }
  if (plan.checklistStatus) {
    const { missing, total } = plan.checklistStatus;
    out.push(`  Required items ticked: ${total - missing.length} of ${total}`);
  }
  return out;
}

function governanceSection(plan: TriagePlan): string[] {
  const { approvals } = plan;
  const by = approvals.approvedBy.length ? `; approved by ${approvals.approvedBy.map((l) => `@${l}`).join(", ")}` : "";
  const check = `${plan.check.status === "completed" ? `completed, ${plan.check.conclusion ?? "neutral"}` : "in progress"} — "${plan.check.title}"`;
  const out = [
    `Approvals: ${approvals.approvedBy.length} of ${approvals.required.total} (lead ${approvals.leadApprovedBy.length} of ${approvals.required.lead})${by}`,
    `Check run "Review Triage": ${check}`,
  ];
  if (plan.label) {
    const { add, remove } = plan.label;
    const changes = [...(add ? [`add "${add}"`] : []), ...remove.map((r) => `remove "${r}"`)];
    out.push(`Label: ${changes.length ? `would ${changes.join(" and ")}` : `"risk: ${plan.assessment.level}" is already there`}`);
  } else out.push("Label: none (options.labels is off)");
  out.push(`Comment: ${plan.comment ? "the sticky comment would show the risk, the reviewers and the checklists above" : "none (options.comment is off)"}`);
  return out;
}

function analysisSection(analysis: { errors: number; annotations: readonly CheckAnnotation[] } | undefined, ran: boolean): string[] {
  if (!ran) return ["Static analysis: not run (--no-analysis); the app runs it"];
  if (!analysis) return ["Static analysis: nothing to lint"];
  const out = [`Static analysis: ${plural(analysis.errors, "error")} on changed lines`];
  for (const a of analysis.annotations.slice(0, MAX_FINDINGS)) out.push(`  ${a.path}:${a.start_line}  ${a.title ?? a.annotation_level}`);
  if (analysis.annotations.length > MAX_FINDINGS) out.push(`  … and ${analysis.annotations.length - MAX_FINDINGS} more`);
  return out;
}

export function renderPlan(input: {
  pr: FetchedPullRequest;
  slug: string;
  configLine: string;
  plan: TriagePlan;
  analysis?: { errors: number; annotations: readonly CheckAnnotation[] };
  /** False when left out with `--no-analysis`; "off" when `analysis.enabled` is false (the app does not run it either). */
  analysisRan: boolean | "off";
  requests: number;
}): string {
  const { plan } = input;
  const out: string[] = [...renderHeader(input.pr, input.slug), input.configLine, ""];
  if (input.pr.state !== "open") {
    // The app's handlers return early for closed PRs: reviews, ticks and commands included.
    out.push(`This PR is ${input.pr.merged ? "merged" : "closed"}: the app no longer acts on it. Below is what it would do were it open.`, "");
  } else if (plan.skipReason) {
    out.push(`The app skips this PR now because ${plan.skipReason} (its check run would conclude "skipped").`);
    out.push("Below is what it would do once the PR is triaged.", "");
  }
  if (plan.urgency.urgent) {
    out.push(`Urgent: ${urgencyText(plan.urgency.reasons)}. Its reviewers are requested before other PRs' writes and nudged sooner; the approvals are those of its risk level.`, "");
  }
  if (plan.override) {
    out.push(`Risk level overridden from ${plan.scoredLevel} to ${plan.override.level} by @${plan.override.by}: ${plan.override.reason}`, "");
  }
  out.push(renderRiskText(plan.assessment).trimEnd(), "");
  out.push(...reviewerSection(plan), "");
  out.push(...checklistSection(plan), "");
  out.push(...governanceSection(plan), "");
  if (input.analysisRan !== "off") out.push(...analysisSection(input.analysis, input.analysisRan), "");
  if (plan.configDryRun) {
    out.push(`This PR changes ${CONFIG_PATH} (applies only after merge):`);
    for (const line of plan.configDryRun.lines) out.push(`  ${line}`);
    out.push("");
  }
  if (plan.notes.length) {
    out.push("Notes");
    for (const n of plan.notes) out.push(`  - ${n}`);
    out.push("");
  }
  out.push(nothingWritten(input.requests));
  return `${out.join("\n")}\n`;
}
