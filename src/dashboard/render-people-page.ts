import type { AuthorReport, PeopleReport, PeopleReportResult, ReviewerReport } from "../reports/index.js";
import { html, type SafeHtml } from "./html.js";

export interface PeoplePageData {
  /** Repositories whose people reports the viewer may see (leads and admins). */
  allowed: readonly string[];
  /** How many of the viewer's repositories are left out (neither lead nor admin there). */
  hidden: number;
  /** The repository shown, and its report (absent: nothing is stored about it yet). */
  selected?: string;
  report?: PeopleReportResult;
  windowDays: number;
}

function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  const hours = seconds / 3600;
  if (hours < 1) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

function recognition(a: AuthorReport): SafeHtml[] {
  const out: SafeHtml[] = [];
  if (a.cleanHighRiskLandings) {
    out.push(html`${a.cleanHighRiskLandings} clean high-risk landing${a.cleanHighRiskLandings === 1 ? "" : "s"} of ${a.highRiskMerged} merged${a.cleanStillInFixWindow ? html` <span class="muted">(${a.cleanStillInFixWindow} still within the 30-day fix window)</span>` : ""}`);
  }
  if (a.reviewRounds.reviewedPullRequests && a.reviewRounds.total === 0) out.push(html`approved without a round of changes on all ${a.reviewRounds.reviewedPullRequests} reviewed`);
  return out;
}

function improvements(a: AuthorReport): SafeHtml[] {
  const out: SafeHtml[] = [];
  if (a.followedByFix) out.push(html`${a.followedByFix} high-risk change${a.followedByFix === 1 ? "" : "s"} followed by a fix within 30 days`);
  if (a.mergedWithoutApprovals) out.push(html`${a.mergedWithoutApprovals} high-risk merge${a.mergedWithoutApprovals === 1 ? "" : "s"} without the approvals the level requires`);
  if (a.reviewRounds.perReviewedPullRequest !== null && a.reviewRounds.perReviewedPullRequest >= 1) out.push(html`${a.reviewRounds.perReviewedPullRequest.toFixed(1)} rounds of changes per reviewed PR`);
  for (const m of a.checklistMisses) out.push(html`checklist “${m.item}”: ${m.unticked ? `${m.unticked} unticked` : ""}${m.unticked && m.refused ? ", " : ""}${m.refused ? `${m.refused} tick${m.refused === 1 ? "" : "s"} refused` : ""}`);
  for (const r of a.analysisRules) out.push(html`static analysis <code>${r.rule}</code>: ${r.findings} finding${r.findings === 1 ? "" : "s"} in ${r.pullRequests} PR${r.pullRequests === 1 ? "" : "s"}`);
  return out;
}

const list = (items: SafeHtml[]) => (items.length ? html`<ul class="plain">${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`<span class="muted">–</span>`);

function levels(a: AuthorReport): string {
  const parts = (["critical", "high", "medium", "low"] as const).filter((l) => a.pullRequests.byLevel[l]).map((l) => `${a.pullRequests.byLevel[l]} ${l}`);
  if (a.pullRequests.untriaged) parts.push(`${a.pullRequests.untriaged} untriaged`);
  return parts.join(", ");
}

function renderReport(report: PeopleReport): SafeHtml {
  const authors = report.authors.length
    ? html`<div class="scroll"><table><thead><tr><th scope="col">Author</th><th scope="col" class="num">PRs</th><th scope="col">Recognition</th><th scope="col">Improvement areas</th></tr></thead><tbody>${report.authors.map(
        (a) => html`<tr><th scope="row">${a.login}</th><td class="num">${a.pullRequests.total}<br><span class="muted">${levels(a)}</span></td><td>${list(recognition(a))}</td><td>${list(improvements(a))}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="notice">No pull requests were opened in this window.</p>`;
  const reviewers = report.reviewers.length
    ? html`<div class="scroll"><table><thead><tr><th scope="col">Reviewer</th><th scope="col" class="num">Reviews</th><th scope="col" class="num">Requests answered</th><th scope="col" class="num">Median time to first review</th><th scope="col" class="num">Open requests (all repositories)</th></tr></thead><tbody>${report.reviewers.map(
        (r: ReviewerReport) => html`<tr><th scope="row">${r.login}</th><td class="num">${r.reviews}</td><td class="num">${r.answered} of ${r.requests}</td><td class="num">${duration(r.medianTimeToFirstReviewSeconds)}</td><td class="num">${r.openRequests} (${r.openRequestsAcrossInstallation})</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="notice">Nobody reviewed in this window.</p>`;
  return html`<h2>Authors</h2><p class="muted">Recognition: high and critical changes merged with the approvals their level requires and no fix of the same files within 30 days. Improvement areas: what most often needed another look.</p>${authors}<h2>Reviewers</h2>${reviewers}`;
}

/**
 * People reports (recognition and improvement areas, from the history's report builders),
 * for leads and admins only; one repository at a time.
 */
export function renderPeoplePage(data: PeoplePageData): SafeHtml {
  const who = html`<p class="muted">People reports are shown only to members of a repository's lead group (<code>governance.lead_group</code>) and its admins.${data.hidden ? ` ${data.hidden} of your repositories ${data.hidden === 1 ? "is" : "are"} left out: you are neither there.` : ""}</p>`;
  if (!data.allowed.length || !data.selected) return html`${who}<p class="notice">You are not a lead or an admin of any of your repositories, so there are no people reports for you.</p>`;
  const picker =
    data.allowed.length > 1
      ? html`<nav aria-label="Repository"><p>Repository: ${data.allowed.map((r, i) => html`${i ? " · " : ""}${r === data.selected ? html`<strong aria-current="page">${r}</strong>` : html`<a href="/dashboard/people?repo=${encodeURIComponent(r)}">${r}</a>`}`)}</p></nav>`
      : "";
  const window = html`<p class="muted">${data.selected}, pull requests opened in the last ${data.windowDays} days.</p>`;
  if (!data.report) return html`${who}${picker}${window}<p class="notice">Nothing is stored about ${data.selected} yet: the app has not triaged any of its pull requests.</p>`;
  if ("disabled" in data.report) return html`${who}${picker}${window}<p class="notice">People reports are turned off for ${data.selected} (its config says <code>people: false</code>).</p>`;
  return html`${who}${picker}${window}${renderReport(data.report)}`;
}
