import { LEVELS } from "../../config/schema.js";
import type { AuthorReport, DurationSummary, Level, PeopleReportResult, RepositoryReport, ReviewerReport } from "../../reports/index.js";

/**
 * Stored strings (checklist items from a repository's config, logins, rule ids) reach a
 * terminal here: control characters could move the cursor or rewrite earlier lines.
 */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "?");
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "-";
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${String(hours % 24).padStart(2, "0")}h`;
}

function percent(share: number | null): string {
  return share === null ? "-" : `${Math.round(share * 100)}%`;
}

function byLevel(counts: Record<Level, number>): string {
  return LEVELS.map((level) => `${level} ${counts[level]}`).join(", ");
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function renderRepository(report: RepositoryReport): string[] {
  const { pullRequests: prs, routedToLead: routed } = report;
  const waits = (s: DurationSummary) => [String(s.count), formatDuration(s.medianSeconds), formatDuration(s.p90Seconds)];
  return [
    `Pull requests opened: ${prs.total} (${byLevel(prs.byLevel)}; not triaged ${prs.untriaged})`,
    `Routed to the lead group: ${routed.pullRequests} of ${prs.total - prs.untriaged} triaged (${percent(routed.share)}); high ${routed.byLevel.high}, critical ${routed.byLevel.critical}`,
    `Escalations: ${plural(report.escalations.nudges, "nudge")}, ${plural(report.escalations.reassignments, "reassignment")}`,
    "",
    "Waiting, from the first review request:",
    ...table(
      ["level", "first review: PRs", "median", "p90", "approval: PRs", "median", "p90"],
      LEVELS.map((level) => [level, ...waits(report.timeToFirstReview[level]), ...waits(report.timeToApproval[level])]),
    ),
  ];
}

function renderAuthor(a: AuthorReport): string[] {
  const lines = [`  ${plain(a.login)}: ${plural(a.pullRequests.total, "pull request")} (${byLevel(a.pullRequests.byLevel)}${a.pullRequests.untriaged ? `; not triaged ${a.pullRequests.untriaged}` : ""})`];
  if (a.highRiskMerged) {
    const recent = a.cleanStillInFixWindow ? ` (${a.cleanStillInFixWindow} merged under 30 days ago: a fix may still follow)` : "";
    lines.push(
      `    high and critical merged: ${a.highRiskMerged}; clean landings ${a.cleanHighRiskLandings}${recent}, followed by a fix ${a.followedByFix}, without the required approvals ${a.mergedWithoutApprovals}`,
    );
  }
  const rounds = a.reviewRounds;
  if (rounds.reviewedPullRequests) lines.push(`    changes requested before approval: ${rounds.total} over ${plural(rounds.reviewedPullRequests, "reviewed pull request")} (${rounds.perReviewedPullRequest} each)`);
  if (a.checklistMisses.length) {
    const misses = a.checklistMisses.map((m) => {
      const parts = [m.unticked ? `${m.unticked} unticked` : "", m.refused ? `${m.refused} refused` : ""].filter(Boolean).join(", ");
      return `"${plain(m.item)}" (${parts})`;
    });
    lines.push(`    checklist items missed: ${misses.join("; ")}`);
  }
  if (a.analysisRules.length) {
    lines.push(`    static analysis: ${a.analysisRules.map((r) => `${plain(r.rule)} ${r.findings} in ${plural(r.pullRequests, "PR")}`).join("; ")}`);
  }
  return lines;
}

function renderReviewers(reviewers: ReviewerReport[]): string[] {
  if (!reviewers.length) return ["  none"];
  return table(
    ["reviewer", "reviews", ...LEVELS, "requests", "answered", "median to first review", "open here", "open in installation"],
    reviewers.map((r) => [
      plain(r.login),
      String(r.reviews),
      ...LEVELS.map((level) => String(r.reviewedByLevel[level])),
      String(r.requests),
      String(r.answered),
      formatDuration(r.medianTimeToFirstReviewSeconds),
      String(r.openRequests),
      String(r.openRequestsAcrossInstallation),
    ]),
  );
}

/** The `report` command's text: the repository's figures, then (unless turned off) the people's. */
export function renderReportText(repository: RepositoryReport, people: PeopleReportResult): string {
  const { since, until } = repository.window;
  const lines = [`Review Triage report for ${plain(repository.repository.fullName)}: pull requests opened ${day(since)} to ${day(until)}`, "", ...renderRepository(repository), ""];
  if ("disabled" in people) {
    lines.push("People: not reported (people: false in this repository's config).");
  } else {
    lines.push("Authors (clean landing: merged with the approvals its level requires, no fix of the same files within 30 days):");
    lines.push(...(people.authors.length ? people.authors.flatMap(renderAuthor) : ["  none"]));
    lines.push("", "Reviewers (reviews and requests in the window; open requests now):", ...renderReviewers(people.reviewers));
  }
  return `${lines.join("\n")}\n`;
}
