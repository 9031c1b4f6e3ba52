import { FACTOR_NAMES, type FactorName } from "../../config/schema.js";
import type { Calibration, Weights } from "../../core/evaluate/calibrate-weights.js";
import type { EvaluationSummary } from "../../core/evaluate/summarise-evaluation.js";
import type { EvaluatedHistory } from "./evaluate-history.js";

export interface ReportInput {
  repo: string;
  windowDays: number;
  history: EvaluatedHistory;
  summary: EvaluationSummary;
  weights: Weights;
  calibration?: Calibration;
  /** Total wall time of the run, seconds. */
  seconds: number;
}

const RAW_MEANING: Record<FactorName, string> = {
  size: "lines of code added",
  files: "files changed",
  directories: "directories touched",
  fix: "title or branch marks a fix",
  change_type: "Conventional Commit type may change behaviour",
  test_gap: "source changed without a test",
  static_analysis: "ESLint errors on changed lines",
};

const date = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);
const auc = (value: number | undefined): string => (value === undefined ? "n/a" : value.toFixed(3));
const percent = (value: number | undefined): string => (value === undefined ? "—" : `${(value * 100).toFixed(1)} %`);
const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;
const pad = (text: string | number, width: number): string => String(text).padStart(width);

/** The config lines a user pastes to adopt calibrated weights (every factor, zeros included). */
export function weightsSnippet(weights: Weights): string {
  const lines = FACTOR_NAMES.map((name) => `    ${name}: ${weights[name]}`);
  return `risk:\n  weights:\n${lines.join("\n")}\n`;
}

/** The human report of `review-triage evaluate`. */
export function renderReport(input: ReportInput): string {
  const { history, summary, calibration } = input;
  const times = history.changes.map((c) => c.time);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const tooRecent = history.changes.length - summary.changes;
  const out: string[] = [];
  out.push(`review-triage evaluate: ${input.repo} (${history.ref} at ${history.head.slice(0, 12)}, first-parent history)`);
  out.push(
    `Read ${history.changesRead} changes (${date(first)} → ${date(last)}) in ${history.seconds.read.toFixed(1)} s; ` +
      `${history.fixChanges} fix changes, ${history.blamedFixes} blamed (${history.blameCalls} files) in ${history.seconds.blame.toFixed(1)} s.`,
  );
  if (history.skippedLargeFixes > 0) out.push(`${history.skippedLargeFixes} fixes touching many source files were not blamed (sweeps, not repairs).`);
  if (history.blameFailures > 0) out.push(`${history.blameFailures} files could not be blamed (submodules or unusual paths) and were skipped.`);
  if (history.shallow) out.push("Warning: this is a shallow clone; changes before its cut-off cannot be labelled.");
  out.push(
    `Fix window ${input.windowDays} days: ${tooRecent === 1 ? "the newest change is" : `the ${tooRecent} newest changes are`} too recent to label and left out.`,
  );
  out.push("");
  out.push(`Changes evaluated   ${summary.changes}`);
  out.push(`Labelled risky      ${summary.risky} (${percent(summary.shareRisky)}): a later fix changed lines they wrote`);
  out.push("");
  out.push("ROC AUC (0.5 = chance, 1 = every risky change ranked above every clean one)");
  out.push(`  likelihood (combined, current weights)  ${auc(summary.auc.likelihood)}`);
  out.push(`  score 0–100 (likelihood and impact)     ${auc(summary.auc.score)}`);
  for (const name of FACTOR_NAMES) {
    const constant = summary.constantFactors.includes(name);
    const note = constant ? "the same on every change, so it ranks nothing here" : `${RAW_MEANING[name]}, weight ${input.weights[name]}`;
    out.push(`  ${name.padEnd(39)} ${constant ? "  —  " : auc(summary.auc.factors[name])}  ${note}`);
  }
  out.push("");
  out.push("level      changes   risky   share risky");
  for (const row of summary.levels) {
    out.push(`${row.level.padEnd(9)} ${pad(row.changes, 8)} ${pad(row.risky, 7)}   ${pad(percent(row.shareRisky), 10)}`);
  }
  if (calibration) {
    out.push("");
    out.push(...renderCalibration(calibration, input.weights));
  }
  out.push("");
  out.push(`Done in ${input.seconds.toFixed(1)} s.`);
  return `${out.join("\n")}\n`;
}

function renderCalibration(c: Calibration, current: Weights): string[] {
  const out: string[] = [];
  out.push("Calibration: logistic regression on the capped factor values (L2, weights ≥ 0),");
  out.push("fitted on the oldest 70 % of the labelled changes and measured on the newest 30 %.");
  out.push(`  fitted on  ${pad(plural(c.train.changes, "change"), 13)}, ${c.train.risky} risky (${date(c.train.from)} → ${date(c.train.to)})`);
  out.push(`  held out   ${pad(plural(c.heldOut.changes, "change"), 13)}, ${c.heldOut.risky} risky (${date(c.heldOut.from)} → ${date(c.heldOut.to)})`);
  out.push("");
  out.push("  factor            fitted   rounded   current");
  for (const name of FACTOR_NAMES) {
    out.push(`  ${name.padEnd(16)} ${pad(c.fitted.weights[name].toFixed(3), 7)}   ${pad(c.rounded[name].toFixed(2), 7)}   ${pad(current[name].toFixed(2), 7)}`);
  }
  out.push("");
  out.push("Held-out ROC AUC (later history, not used for fitting)");
  out.push(`  calibrated weights (rounded)  ${auc(c.heldOutAuc.rounded)}`);
  out.push(`  calibrated weights (raw fit)  ${auc(c.heldOutAuc.fitted)}`);
  out.push(`  current weights               ${auc(c.heldOutAuc.current)}`);
  out.push(`  lines added alone             ${auc(c.heldOutAuc.linesAdded)}`);
  if (c.heldOutAuc.rounded === undefined) {
    out.push("  The held-out changes are all risky or all clean, so no AUC can be measured: evaluate more history.");
  } else if (c.heldOutAuc.rounded <= (c.heldOutAuc.current ?? 0)) {
    out.push("  The calibrated weights do not rank the held-out changes better than the current ones: keep the current weights.");
  }
  out.push("");
  out.push("Config snippet (.github/review-triage.yml):");
  out.push(...weightsSnippet(c.rounded).trimEnd().split("\n"));
  return out;
}
