import { FACTOR_NAMES, type FactorName } from "../../config/schema.js";
import type { Calibration, Weights } from "../../core/evaluate/calibrate-weights.js";
import type { AucEstimate } from "../../core/evaluate/roc-auc.js";
import type { Decile, EvaluationSummary } from "../../core/evaluate/summarise-evaluation.js";
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
  size: "lines of code added in code files",
  files: "files changed",
  directories: "code directories within the most spread package",
  fix: "title or branch marks a fix",
  change_type: "Conventional Commit type may change behaviour",
  test_gap: "source changed without a test",
  static_analysis: "ESLint errors on changed lines",
};

const date = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);
const auc = (value: number | undefined): string => (value === undefined ? "n/a" : value.toFixed(3));
const withSe = (estimate: AucEstimate | undefined): string => (estimate === undefined ? "n/a" : `${estimate.auc.toFixed(3)} ± ${estimate.se.toFixed(3)}`);
const percent = (value: number | undefined): string => (value === undefined ? "—" : `${(value * 100).toFixed(1)} %`);
const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;
const pad = (text: string | number, width: number): string => String(text).padStart(width);

/**
 * The config lines a user pastes to adopt a calibration: every weight (zeros included), the
 * link fitted with those weights and the bands set from the history's base rate.
 */
export function calibrationSnippet(c: Pick<Calibration, "rounded" | "link" | "bands">): string {
  const lines = FACTOR_NAMES.map((name) => `    ${name}: ${c.rounded[name]}`);
  return [
    "risk:",
    "  weights:",
    ...lines,
    `  link: { intercept: ${c.link.intercept}, slope: ${c.link.slope} }`,
    `  bands: { medium: ${c.bands.medium}, high: ${c.bands.high}, very_high: ${c.bands.very_high} }`,
    "",
  ].join("\n");
}

/** The human report of `review-triage evaluate`. */
export function renderReport(input: ReportInput): string {
  const { history, summary, calibration } = input;
  const times = history.changes.map((c) => c.time);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const out: string[] = [];
  out.push(`review-triage evaluate: ${input.repo} (${history.ref} at ${history.head.slice(0, 12)}, first-parent history)`);
  out.push(
    `Read ${history.changesRead} changes (${date(first)} → ${date(last)}) in ${history.seconds.read.toFixed(1)} s; ` +
      `${history.fixChanges} fix changes, ${history.blamedFixes} blamed (${history.blameCalls} files) in ${history.seconds.blame.toFixed(1)} s.`,
  );
  if (history.skippedLargeFixes > 0) out.push(`${history.skippedLargeFixes} fixes touching many source files were not blamed (sweeps, not repairs).`);
  if (history.blameFailures > 0) out.push(`${history.blameFailures} files could not be blamed (submodules or unusual paths) and were skipped.`);
  if (history.shallow) out.push("Warning: this is a shallow clone; changes before its cut-off cannot be labelled.");
  out.push(...renderLabelling(history));
  out.push("");
  out.push(`Changes evaluated   ${summary.changes}`);
  out.push(`Labelled risky      ${summary.risky} (${percent(summary.shareRisky)}): a later fix changed lines they wrote`);
  out.push("");
  out.push("ROC AUC ± DeLong standard error (0.5 = chance, 1 = every risky change ranked above every clean one)");
  out.push(`  likelihood (combined, current weights)  ${withSe(summary.estimates.likelihood)}`);
  out.push(`  score 0–100 (likelihood and impact)     ${withSe(summary.estimates.score)}`);
  out.push(`  lines added alone                       ${withSe(summary.estimates.linesAdded)}`);
  const paired = summary.estimates.scoreMinusLinesAdded;
  if (paired) out.push(`  score − lines added (paired)            ${paired.difference >= 0 ? "+" : "−"}${Math.abs(paired.difference).toFixed(3)} ± ${paired.se.toFixed(3)}`);
  out.push("");
  out.push("Each factor alone (ROC AUC of its raw measurement)");
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
  const lead = summary.lead;
  const lift = lead.shareOfRisky !== undefined && lead.share > 0 ? ` (${(lead.shareOfRisky / lead.share).toFixed(1)}× their share)` : "";
  out.push(
    `Lead group (levels high and critical): ${percent(lead.share)} of the changes, ${percent(lead.shareOfRisky)} of the risky ones${lift}.`,
  );
  out.push("");
  out.push("Probability of a fix within a year (risk.link) against what happened, by tenths of the changes");
  out.push(...decileLines(summary.deciles));
  if (calibration) {
    out.push("");
    out.push(...renderCalibration(calibration, input.weights));
  }
  out.push("");
  out.push(`Done in ${input.seconds.toFixed(1)} s.`);
  return `${out.join("\n")}\n`;
}

function decileLines(deciles: readonly Decile[]): string[] {
  return [
    "  probability range    changes   predicted   observed",
    ...deciles.map(
      (d) => `  ${d.from.toFixed(3)} – ${d.to.toFixed(3)}   ${pad(d.changes, 9)}   ${pad(percent(d.predicted), 9)}   ${pad(percent(d.observed), 8)}`,
    ),
  ];
}

/** How the changes were labelled, so that two runs' figures can be compared. */
function renderLabelling(history: EvaluatedHistory): string[] {
  const l = history.labelling;
  const n = history.labels;
  const limits = [l.since ? `since ${l.since}` : "", l.maxCommits ? `newest ${l.maxCommits} changes` : ""].filter(Boolean).join(", ");
  const revs = l.ignoreRevs
    ? `${l.ignoreRevs.file}: ${plural(l.ignoreRevs.listed, "revision")} listed, ${l.ignoreRevs.found} in this history; blame looks through them and they are left out`
    : "none (no .git-blame-ignore-revs)";
  return [
    `Labelling: ${l.method}, fix window ${l.windowDays} days${limits ? `, ${limits}` : ""}.`,
    `  fix changes       ${l.fixWords}`,
    `  blame             ${l.blame}`,
    `  labelled          ${l.codeFiles}`,
    `  tests             ${l.tests.join(" ")}`,
    `  ignored           ${l.ignore.join(" ")}`,
    `  sweeps            fixes changing more than ${l.maxFixFiles} code files are not blamed`,
    `  bulk reformats    ${revs}`,
    `  left out          ${n["too-recent"]} too recent (within the window of the newest change), ${n["no-code"]} touching no code, ${n["ignored-rev"]} listed reformats`,
  ];
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
  out.push(`Logistic link fitted on the older part with the rounded weights: intercept ${c.link.intercept}, slope ${c.link.slope}.`);
  out.push(
    `Base rate there ${percent(c.baseRate)}; bands from it: medium from ${percent(c.bands.medium)}, high from ${percent(c.bands.high)}, very high from ${percent(c.bands.very_high)}.`,
  );
  out.push("Its probability on the held-out part, by tenths of the changes:");
  out.push(...decileLines(c.heldOutDeciles));
  out.push("");
  out.push("Config snippet (.github/review-triage.yml):");
  out.push(...calibrationSnippet(c).trimEnd().split("\n"));
  return out;
}
