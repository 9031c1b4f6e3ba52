import { html, type SafeHtml } from "./html.js";

export type PageName = "queue" | "load" | "people" | "health" | "config";

export const PAGES: ReadonlyArray<{ name: PageName; path: string; label: string }> = [
  { name: "queue", path: "/dashboard", label: "Review queue" },
  { name: "load", path: "/dashboard/load", label: "Reviewer load" },
  { name: "people", path: "/dashboard/people", label: "People" },
  { name: "health", path: "/dashboard/health", label: "Review health" },
  { name: "config", path: "/dashboard/config", label: "Config status" },
];

export interface Viewer {
  login: string;
  /** For the logout form (CSRF check). */
  formToken: string;
}

/** The page around every dashboard view: navigation, who is signed in, and the logout form. */
export function renderLayout(options: { title: string; page?: PageName; viewer?: Viewer; body: SafeHtml }): string {
  const nav = options.viewer
    ? html`<nav aria-label="Dashboard"><ul>${PAGES.map((p) => html`<li><a href="${p.path}"${p.name === options.page ? html` aria-current="page"` : ""}>${p.label}</a></li>`)}</ul></nav>
<form method="post" action="/dashboard/logout" class="logout"><span>Signed in as <strong>${options.viewer.login}</strong></span><input type="hidden" name="csrf" value="${options.viewer.formToken}"><button type="submit">Sign out</button></form>`
    : "";
  return `<!doctype html>
${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${options.title} · Review Triage</title><link rel="stylesheet" href="/dashboard/assets/dashboard.css"></head>
<body><a class="skip" href="#main">Skip to content</a><header><p class="brand"><a href="/dashboard">Review Triage</a></p>${nav}</header>
<main id="main"><h1>${options.title}</h1>${options.body}</main></body></html>`}`;
}

/** Inline `style` attributes and scripts are refused by the CSP: all presentation is here. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4b5563; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --accent: #0a58ca;
  --critical: #9b1c1c; --high: #a04000; --medium: #1d4f91; --low: #1e6b34; --untriaged: #4b5563; --stale: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, summary:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--ink); color: #fff; padding: .5rem 1rem; }
.skip:focus { left: 0; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--panel); }
.brand { margin: 0; font-weight: 700; } .brand a { color: var(--ink); text-decoration: none; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; color: var(--ink); text-decoration-thickness: 3px; }
.logout { margin-left: auto; display: flex; align-items: center; gap: .75rem; }
button, .button { font: inherit; padding: .35rem .9rem; border: 1px solid var(--ink); border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; }
.button.primary { background: var(--ink); color: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
.muted { color: var(--muted); }
.notice { border: 1px solid var(--line); border-left: 6px solid var(--accent); background: var(--panel); padding: .75rem 1rem; border-radius: 6px; }
.notice.warn { border-left-color: var(--high); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--panel); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.matrix td.num { font-weight: 600; } .matrix td.zero { color: var(--muted); font-weight: 400; }
.level { display: inline-block; padding: 0 .5rem; border-radius: 999px; color: #fff; font-size: .85rem; font-weight: 600; white-space: nowrap; }
.level.critical { background: var(--critical); } .level.high { background: var(--high); } .level.medium { background: var(--medium); }
.level.low { background: var(--low); } .level.untriaged { background: var(--untriaged); }
tr.stale { background: var(--stale); }
.stale-tag { font-weight: 700; color: #7a4100; }
ul.plain { margin: 0; padding-left: 1.1rem; }
.chart { margin: .5rem 0 1rem; } .chart svg { width: 100%; height: auto; max-width: 900px; }
svg text { fill: var(--ink); }
.bar rect { fill: var(--medium); } .bar.over rect { fill: var(--critical); }
.marker line { stroke: var(--ink); stroke-width: 2; } .grid line { stroke: var(--line); }
.series polyline { stroke-width: 2.5; } .series circle { stroke: none; }
.series.critical polyline, .legend .critical line { stroke: var(--critical); } .series.critical circle { fill: var(--critical); }
.series.high polyline, .legend .high line { stroke: var(--high); } .series.high circle { fill: var(--high); }
.series.medium polyline, .legend .medium line { stroke: var(--medium); } .series.medium circle { fill: var(--medium); }
.series.low polyline, .legend .low line { stroke: var(--low); } .series.low circle { fill: var(--low); }
.series.untriaged polyline, .legend .untriaged line { stroke: var(--untriaged); } .series.untriaged circle { fill: var(--untriaged); }
.series.share polyline, .legend .share line { stroke: var(--accent); } .series.share circle { fill: var(--accent); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; padding: 0; margin: .25rem 0; font-size: .9rem; }
.chart .legend svg { width: 28px; height: 10px; vertical-align: middle; margin-right: .35rem; } .legend line { stroke-width: 3; }
.ok { color: var(--low); font-weight: 700; } .bad { color: var(--critical); font-weight: 700; }
@media (max-width: 640px) {
  body { font-size: 15px; } main { padding: .75rem; }
  .matrix th, .matrix td { padding: .3rem .3rem; font-size: .85rem; } header { padding: .5rem .75rem; } .logout { margin-left: 0; }
  table.queue thead { display: none; } table.queue tr { display: block; border-bottom: 2px solid var(--line); padding: .4rem 0; }
  table.queue td { display: block; border: 0; padding: .15rem .25rem; text-align: left; }
  table.queue td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
`;
