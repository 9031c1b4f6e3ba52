import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startDashboardGitHubStub, STUB_CLIENT, type DashboardGitHubStub } from "../helpers/dashboard-github-stub.js";
import { seedDashboardHistory } from "../helpers/seed-dashboard-history.js";
import { seedHistory, HOSTILE_TITLE, SECRET_TITLE } from "../dashboard/dashboard-fixtures.js";

/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * real server, with GitHub's OAuth and REST endpoints served by a local stub. Screenshots
 * of every page go to test/artifacts/ (not committed) to be looked at.
 */

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const path = execFileSync("which", [name], { encoding: "utf8" }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

const executablePath = findChromium();
if (!executablePath) {
  console.warn("dashboard browser tests SKIPPED: no Chromium found (install it with `bash scripts/ensure-chromium.sh`, or set CHROMIUM_PATH)");
}

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
const CONFIG = `
reviewers:
  lead: [alice, bob]
  seniors: [carol, dave, erin, frank, grace, heidi, ivan, judy]
routing:
  max_load: 6
`;
const REPOS = [
  { id: 601, fullName: "acme/web", installationId: 1, config: CONFIG },
  { id: 602, fullName: "acme/api", installationId: 1, config: CONFIG },
  { id: 603, fullName: "acme/mobile", installationId: 1, config: `reviewers:\n  lead: [alice]\nrouting:\n  strategy: fastest\n  max_lod: 3\n` },
  { id: 604, fullName: "acme/secret", installationId: 1, config: CONFIG },
];

describe.skipIf(!executablePath)("the dashboard in a browser", () => {
  let t: TestServer;
  let stub: DashboardGitHubStub;
  let browser: Browser;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stub = await startDashboardGitHubStub({
      users: [
        { id: 1, login: "alice", repos: ["acme/web", "acme/api", "acme/mobile"], admin: ["acme/web"] },
        { id: 2, login: "carol", repos: ["acme/api"] },
      ],
      repos: REPOS,
    });
    t = await startTestServer({
      env: { ...STUB_CLIENT, SESSION_SECRET: "browser-test-session-secret-0123456789", GHE_HOST: stub.host, GHE_PROTOCOL: "http" },
    });
    stub.callbackUrl = `${t.server.url}/dashboard/callback`;
    const now = new Date();
    await seedDashboardHistory(t.database.db, { repos: REPOS.slice(0, 3), count: 900, now, openShare: 0.05 });
    await seedHistory(t.database.db, now, [
      { repo: REPOS[0]!, number: 5000, title: HOSTILE_TITLE, author: "mallory", level: "critical", ageHours: 120, reviewers: ["alice"], missing: ["Threat model updated"], group: "lead" },
      { repo: REPOS[3]!, number: 1, title: SECRET_TITLE, author: "eve", level: "critical", ageHours: 300, reviewers: ["zed"] },
    ]);
    browser = await chromium.launch({ executablePath: executablePath!, args: ["--no-sandbox", "--disable-background-networking"] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await stub?.close();
  });

  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") cspErrors.push(message.text());
    });
    return page;
  }

  async function signIn(page: Page, login: string) {
    await page.goto(`${t.server.url}/dashboard`);
    expect(await page.textContent("h1")).toBe("Sign in");
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(/\/login\/oauth\/authorize/);
    await page.getByRole("link", { name: `Authorize as ${login}` }).click();
    await page.waitForURL(`${t.server.url}/dashboard`);
  }

  it("signs in through GitHub and shows the review queue, with every page reachable from the navigation", async () => {
    const page = await newPage();
    await page.goto(`${t.server.url}/dashboard`);
    expect(await page.textContent("h1")).toBe("Sign in");
    await page.screenshot({ path: `${ARTIFACTS}dashboard-sign-in.png`, fullPage: true });
    await signIn(page, "alice");
    expect(await page.textContent("h1")).toBe("Review queue");
    expect(await page.getByText("Signed in as").textContent()).toContain("alice");
    // The hostile title is shown as text, and no script ran (none could: the CSP allows none).
    expect(await page.getByText(HOSTILE_TITLE, { exact: false }).count()).toBe(1);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("tr.stale").count()).toBeGreaterThan(0);
    expect(await page.getByRole("table").first().getByRole("rowheader").allTextContents()).toEqual(["critical", "high", "medium", "low", "untriaged"]);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-queue.png`, fullPage: false });

    for (const [link, heading, file] of [
      ["Reviewer load", "Reviewer load", "load"],
      ["People", "People", "people"],
      ["Review health", "Review health", "health"],
      ["Config status", "Config status", "config"],
    ] as const) {
      await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: link }).click();
      expect(await page.textContent("h1")).toBe(heading);
      expect(await page.getByRole("link", { name: link }).getAttribute("aria-current")).toBe("page");
      await page.screenshot({ path: `${ARTIFACTS}dashboard-${file}.png`, fullPage: true });
    }
    await page.goto(`${t.server.url}/dashboard/load`);
    expect(await page.getByRole("img", { name: "Open review requests per person" }).count()).toBe(1);
    await page.goto(`${t.server.url}/dashboard/health`);
    expect(await page.getByRole("img").count()).toBe(3);
    await page.goto(`${t.server.url}/dashboard/config`);
    expect(await page.getByRole("row", { name: /acme\/mobile/ }).textContent()).toMatch(/invalid[\s\S]*routing\.strategy/);
    expect(await page.getByRole("row", { name: /acme\/web/ }).textContent()).toContain("valid");
    await page.goto(`${t.server.url}/dashboard/people`);
    // Alice is a lead of acme/api (the first of her repositories there): its people report from the history.
    expect(await page.getByRole("heading", { name: "Authors" }).count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Reviewers" }).count()).toBe(1);
    expect(await page.getByRole("row", { name: /^bob\b/ }).count()).toBeGreaterThan(0);
    await page.context().close();
  }, 60_000);

  it("works from the keyboard and on a phone", async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signIn(page, "alice");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Review Triage");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Review queue");
    // No sideways scrolling of the page itself on a phone: wide tables scroll in their own box.
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-queue-phone.png`, fullPage: false });
    await page.context().close();
  }, 60_000);

  it("shows a user nothing of a repository GitHub does not list for them, even at its URL", async () => {
    const page = await newPage();
    await signIn(page, "carol");
    const text = await page.textContent("main");
    expect(text).toContain("acme/api#");
    expect(text).not.toContain("acme/web#");
    expect(text).not.toContain(SECRET_TITLE);
    const guessed = await page.goto(`${t.server.url}/dashboard?repo=acme/secret`);
    expect(guessed?.status()).toBe(404);
    expect(await page.textContent("main")).not.toContain(SECRET_TITLE);
    await page.goto(`${t.server.url}/dashboard/people`);
    expect(await page.textContent("main")).toContain("You are not a lead or an admin");
    await page.screenshot({ path: `${ARTIFACTS}dashboard-hidden-repository.png`, fullPage: true });
    await page.context().close();
  }, 60_000);

  it("signs out: the session ends and the pages ask to sign in again", async () => {
    const page = await newPage();
    await signIn(page, "alice");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${t.server.url}/dashboard`);
    expect(await page.textContent("h1")).toBe("Sign in");
    await page.goto(`${t.server.url}/dashboard/health`);
    expect(await page.textContent("h1")).toBe("Sign in");
    expect(await page.context().cookies()).not.toContainEqual(expect.objectContaining({ name: "rt_session" }));
    await page.context().close();
    // No Content-Security-Policy violation, nor any other error, on any page.
    expect(cspErrors.filter((e) => !e.includes("401") && !e.includes("404"))).toEqual([]);
  }, 60_000);
});
