import { AGE_BUCKETS, QUEUE_LEVELS, type QueuedPr, type ReviewQueue } from "../storage/dashboard-store.js";
import { html, type SafeHtml } from "./html.js";

/** What a repository's config asks of a PR: approvals per level, who the leads are, when a request is stale. */
export interface RepoRules {
  approvals?: Record<string, { lead: number; total: number }>;
  leads: ReadonlySet<string>;
  staleAfterMs: number;
  /** The config could not be read: what the check needs is not known beyond the checklist. */
  unknown?: boolean;
}

/** What the check still needs before it passes, in words (from the stored triage and reviews). */
export function describeNeeds(pr: QueuedPr, rules: RepoRules): string[] {
  const needs: string[] = [];
  const rule = pr.level === "untriaged" ? undefined : rules.approvals?.[pr.level];
  if (rule) {
    const approvers = pr.approvedBy.filter((a) => a !== pr.author);
    const leadApprovals = approvers.filter((a) => rules.leads.has(a)).length;
    const leadsMissing = Math.max(0, rule.lead - leadApprovals);
    const totalMissing = Math.max(0, rule.total - approvers.length, leadsMissing);
    if (leadsMissing) needs.push(`${leadsMissing} lead approval${leadsMissing === 1 ? "" : "s"}`);
    const others = totalMissing - leadsMissing;
    if (others > 0) needs.push(`${others} more approval${others === 1 ? "" : "s"}`);
  } else if (pr.level === "untriaged") needs.push("a triage (not scored yet)");
  for (const item of pr.checklistMissing) needs.push(`checklist: ${item}`);
  return needs;
}

function age(from: Date, now: Date): string {
  const hours = Math.max(0, (now.getTime() - from.getTime()) / 3_600_000);
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

export interface QueuePageData {
  queue: ReviewQueue;
  now: Date;
  rulesFor: (repoId: string) => RepoRules;
  urlOf: (repo: string, number: number) => string;
  repositories: number;
}

export function renderQueuePage(data: QueuePageData): SafeHtml {
  const { queue, now } = data;
  const matrix = html`<p class="muted" id="matrix-caption">Open pull requests (not drafts) by risk level and how long they have waited for review:</p><div class="scroll"><table class="matrix" aria-describedby="matrix-caption">
<thead><tr><th scope="col">Risk level</th>${AGE_BUCKETS.map((b) => html`<th scope="col" class="num">${b.label}</th>`)}<th scope="col" class="num">Total</th></tr></thead>
<tbody>${QUEUE_LEVELS.map((level) => {
    const row = queue.counts[level];
    const total = AGE_BUCKETS.reduce((s, b) => s + row[b.key], 0);
    return html`<tr><th scope="row"><span class="level ${level}">${level}</span></th>${AGE_BUCKETS.map((b) => html`<td class="num${row[b.key] ? "" : " zero"}">${row[b.key]}</td>`)}<td class="num">${total}</td></tr>`;
  })}</tbody></table></div>`;
  if (!queue.total) {
    return html`${matrix}<p class="notice">No open pull requests are waiting for review in your ${data.repositories} repositor${data.repositories === 1 ? "y" : "ies"}.</p>`;
  }
  const rows = queue.prs.map((pr) => {
    const rules = data.rulesFor(pr.repoId);
    const stale = pr.requests.filter((r) => r.nudgedAt !== null || now.getTime() - r.requestedAt.getTime() >= rules.staleAfterMs);
    const needs = describeNeeds(pr, rules);
    return html`<tr${stale.length ? html` class="stale"` : ""}>
<td data-label="Level"><span class="level ${pr.level}">${pr.level}</span></td>
<td data-label="Pull request"><a href="${data.urlOf(pr.repo, pr.number)}">${pr.repo}#${pr.number}</a> ${pr.title}<br><span class="muted">by ${pr.author}</span></td>
<td data-label="Waiting" class="num">${age(pr.waitingSince, now)}</td>
<td data-label="Reviewers">${pr.requests.length ? html`<ul class="plain">${pr.requests.map((r) => html`<li>${r.reviewer}${r.group ? html` <span class="muted">(${r.group})</span>` : ""} · ${age(r.requestedAt, now)}${stale.includes(r) ? html` <span class="stale-tag">stale</span>` : ""}</li>`)}</ul>` : html`<span class="muted">no pending request</span>`}${pr.approvedBy.length ? html`<br><span class="muted">approved by ${pr.approvedBy.join(", ")}</span>` : ""}</td>
<td data-label="Check needs">${needs.length ? html`<ul class="plain">${needs.map((n) => html`<li>${n}</li>`)}</ul>` : rules.unknown ? html`<span class="muted">config unreadable</span>` : html`<span class="ok">nothing</span>`}</td></tr>`;
  });
  const more = queue.total > queue.prs.length ? html`<p class="muted">Showing the ${queue.prs.length} most urgent of ${queue.total}.</p>` : "";
  return html`${matrix}<h2>Waiting for review</h2><p class="muted">Most urgent first: risk level, then the longest waiting. Rows with a <span class="stale-tag">stale</span> request (nudged, or pending past the repository's <code>escalation.nudge_after</code>) are highlighted.</p>
<div class="scroll"><table class="queue"><thead><tr><th scope="col">Level</th><th scope="col">Pull request</th><th scope="col" class="num">Waiting</th><th scope="col">Reviewers</th><th scope="col">Check still needs</th></tr></thead><tbody>${rows}</tbody></table></div>${more}`;
}
