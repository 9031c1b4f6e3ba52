import { describe, expect, it } from "vitest";
import { escapeHtml, html, safeUrl } from "../../src/dashboard/html.js";
import { renderConfigPage } from "../../src/dashboard/render-config-page.js";
import { renderLoadPage } from "../../src/dashboard/render-load-page.js";

describe("HTML built from data", () => {
  it("escapes every interpolated string, in text and in attributes", () => {
    const hostile = `"><script>alert(1)</script><a href='x' \`y\` & z`;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).not.toMatch(/<script|<a |"><|'x'/);
    expect(out).toBe(`<p title="${escapeHtml(hostile)}">${escapeHtml(hostile)}</p>`);
    expect(html`${[html`<b>${"<i>"}</b>`, "<u>"]}`.value).toBe("<b>&lt;i&gt;</b>&lt;u&gt;");
    expect(html`${null}${undefined}${false}${0}`.value).toBe("0");
  });

  it("links only to http(s) addresses", () => {
    expect(safeUrl("https://github.com/a/b")).toBe("https://github.com/a/b");
    expect(safeUrl("javascript:alert(1)")).toBe("#");
    expect(safeUrl(" data:text/html,x")).toBe("#");
  });

  it("keeps a hostile login or config problem as text in the charts and tables", () => {
    const load = renderLoadPage({ load: [{ reviewer: "<svg onload=alert(1)>", open: 3 }], maxLoads: [2] }).value;
    expect(load).not.toContain("<svg onload");
    expect(load).toContain("&lt;svg onload=alert(1)&gt;");
    expect(load).toContain("(at or over max_load)");
    const config = renderConfigPage([{ repo: "o/r", fileUrl: "javascript:alert(1)", state: "invalid", problems: ['reviewers.<img src=x>: expected a list'], warnings: [] }]).value;
    expect(config).toContain('href="#"');
    expect(config).toContain("reviewers.&lt;img src=x&gt;");
  });
});
