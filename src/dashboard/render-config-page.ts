import { html, safeUrl, type SafeHtml } from "./html.js";

export interface ConfigStatus {
  repo: string;
  fileUrl: string;
  /** valid (from the file or the built-in defaults), invalid (with readable problems), or unknown (not readable now). */
  state: "valid" | "defaults" | "invalid" | "unknown";
  problems: string[];
  warnings: string[];
}

export function renderConfigPage(statuses: readonly ConfigStatus[]): SafeHtml {
  if (!statuses.length) return html`<p class="notice">You can see no repository with Review Triage installed.</p>`;
  const invalid = statuses.filter((s) => s.state === "invalid").length;
  return html`<p class="muted">Each repository's <code>.github/review-triage.yml</code> on its default branch, checked as the app reads it (with <code>_extends</code>). ${invalid ? `${invalid} of ${statuses.length} invalid.` : `All ${statuses.length} usable.`}</p>
<div class="scroll"><table><thead><tr><th scope="col">Repository</th><th scope="col">Status</th><th scope="col">Details</th></tr></thead><tbody>${statuses.map(
    (s) => html`<tr><th scope="row"><a href="${safeUrl(s.fileUrl)}">${s.repo}</a></th>
<td>${s.state === "valid" ? html`<span class="ok">valid</span>` : s.state === "defaults" ? html`<span class="ok">no file: built-in defaults</span>` : s.state === "invalid" ? html`<span class="bad">invalid</span>` : html`<span class="muted">could not be read</span>`}</td>
<td>${s.problems.length ? html`<ul class="plain">${s.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ""}${s.warnings.length ? html`<ul class="plain">${s.warnings.map((w) => html`<li>warning: ${w}</li>`)}</ul>` : ""}</td></tr>`,
  )}</tbody></table></div>`;
}
