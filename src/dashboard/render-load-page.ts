import { html, type SafeHtml } from "./html.js";
import { renderBarChart } from "./render-charts.js";

export interface LoadPageData {
  load: ReadonlyArray<{ reviewer: string; open: number }>;
  /** The repositories' `routing.max_load` values (0: no limit). */
  maxLoads: readonly number[];
}

export function renderLoadPage(data: LoadPageData): SafeHtml {
  const limits = [...new Set(data.maxLoads.filter((m) => m > 0))].sort((a, b) => a - b);
  const marker = limits.length ? { value: limits[0]!, label: `max_load ${limits[0]}` } : undefined;
  const note = limits.length > 1 ? html`<p class="muted">Your repositories set different <code>routing.max_load</code> values (${limits.join(", ")}); the line shows the lowest.</p>` : "";
  if (!data.load.length) return html`<p class="notice">Nobody has an open review request in your repositories.</p>`;
  const chart = renderBarChart({
    id: "load",
    title: "Open review requests per person",
    description: `${data.load.length} people with open review requests; the busiest has ${data.load[0]!.open}.${marker ? ` People at or over max_load (${marker.value}) are not requested by the app.` : ""}`,
    data: data.load.map((l) => ({ label: l.reviewer, value: l.open })),
    ...(marker ? { marker } : {}),
  });
  return html`<p class="muted">Pending review requests on open pull requests across your repositories. The app skips people at or over <code>routing.max_load</code> when it picks reviewers.</p>${note}${chart}
<details><summary>The figures</summary><div class="scroll"><table><thead><tr><th scope="col">Person</th><th scope="col" class="num">Open requests</th></tr></thead><tbody>${data.load.map((l) => html`<tr><th scope="row">${l.reviewer}</th><td class="num">${l.open}</td></tr>`)}</tbody></table></div></details>`;
}
