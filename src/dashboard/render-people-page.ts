import { html, type SafeHtml } from "./html.js";

export interface PeoplePageData {
  /** Repositories whose people reports the viewer may see (leads and admins), and those they may not. */
  allowed: readonly string[];
  hidden: number;
}

/**
 * People reports (recognition and improvement areas) come from the history's report
 * builders, which this version does not have yet: the page says so rather than show a guess.
 */
export function renderPeoplePage(data: PeoplePageData): SafeHtml {
  const who = html`<p class="muted">People reports are shown only to members of a repository's lead group (<code>governance.lead_group</code>) and its admins.${data.hidden ? ` ${data.hidden} of your repositories ${data.hidden === 1 ? "is" : "are"} left out: you are neither there.` : ""}</p>`;
  if (!data.allowed.length) return html`${who}<p class="notice">You are not a lead or an admin of any of your repositories, so there are no people reports for you.</p>`;
  return html`${who}<p class="notice warn" id="people-unavailable">People reports are not available in this version of Review Triage. The history they are built from is being recorded, so they will cover the past once they arrive.</p>
<h2>Repositories you would see</h2><ul>${data.allowed.map((r) => html`<li>${r}</li>`)}</ul>`;
}
