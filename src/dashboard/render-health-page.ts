import { QUEUE_LEVELS, type WeeklyHealth } from "../storage/dashboard-store.js";
import { html, type SafeHtml } from "./html.js";
import { renderLineChart, type LineSeries } from "./render-charts.js";

const DASHES: Record<string, string> = { critical: "", high: "8 4", medium: "2 3", low: "10 3 2 3", untriaged: "1 5" };

function weekLabel(d: Date): string {
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

export function renderHealthPage(health: WeeklyHealth): SafeHtml {
  const xLabels = health.weeks.map(weekLabel);
  const levels = QUEUE_LEVELS.filter((l) => health.prsPerLevel[l].some((v) => v > 0) || l !== "untriaged");
  const perLevel = levels.map((l): LineSeries => ({ label: l, values: health.prsPerLevel[l], className: l, dash: DASHES[l]! }));
  const total = health.weeks.map((_, i) => QUEUE_LEVELS.reduce((s, l) => s + health.prsPerLevel[l][i]!, 0)).reduce((a, b) => a + b, 0);
  const reviewLevels = QUEUE_LEVELS.filter((l) => health.firstReviewHours[l].some((v) => v !== null));
  return html`<p class="muted">The last ${health.weeks.length} weeks, by the week each pull request was opened (weeks start on Monday, UTC; the last is the current week so far).</p>
<h2>Pull requests per risk level</h2>${renderLineChart({ id: "per-level", title: "Pull requests opened per week, per risk level", description: `${total} pull requests in ${health.weeks.length} weeks.`, xLabels, series: perLevel, format: (v) => String(Math.round(v)) })}
<h2>Share routed to a lead</h2>${renderLineChart({ id: "lead-share", title: "Share of the week's pull requests the app routed to a lead", description: "Pull requests with a review request the app made from a lead group, out of all opened that week.", xLabels, series: [{ label: "routed to a lead", values: health.leadShare, className: "share", dash: "" }], format: (v) => `${Math.round(v * 100)}%`, yMax: 1 })}
<h2>Time to first review</h2>${
    reviewLevels.length
      ? renderLineChart({
          id: "first-review",
          title: "Median hours from the first review request to the first review, per risk level",
          description: "Per week opened and risk level; weeks without a reviewed pull request are gaps.",
          xLabels,
          series: reviewLevels.map((l) => ({ label: l, values: health.firstReviewHours[l], className: l, dash: DASHES[l]! })),
          format: (v) => `${v > 0 && v < 10 ? v.toFixed(1) : Math.round(v)} h`,
        })
      : html`<p class="notice">No pull request of these weeks has had a requested review yet.</p>`
  }`;
}
