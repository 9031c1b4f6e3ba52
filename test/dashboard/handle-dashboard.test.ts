import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { API, CONFIG_URL, mockToken, RAW } from "../helpers/github.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DASHBOARD_ENV, HOSTILE_TITLE, repositoriesBody, SECRET_TITLE, seedHistory, type RepoSpec } from "./dashboard-fixtures.js";

/**
 * The dashboard through the real server: GitHub's OAuth and the user's REST endpoints
 * mocked with nock, the history seeded in the test's embedded database.
 */

const WEB = "https://github.com";
const WEB_REPO: RepoSpec = { id: 501, fullName: "acme/web", installationId: 1 };
const API_REPO: RepoSpec = { id: 502, fullName: "acme/api", installationId: 1 };
const SECRET_REPO: RepoSpec = { id: 503, fullName: "acme/secret", installationId: 1 };
const WEB_CONFIG = `
reviewers:
  lead: [alice]
  seniors: [bob, carol]
`;
const USERS: Record<string, number> = { alice: 11, bob: 12 };

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(env: NodeJS.ProcessEnv = DASHBOARD_ENV): Promise<TestServer> {
  running = await startTestServer({ env });
  return running;
}

function cookieOf(res: Response, name: string): string | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line?.split(";")[0];
}

function mockVisible(login: string, repos: RepoSpec[]) {
  nock(API)
    .get("/user/installations")
    .query(true)
    .matchHeader("authorization", new RegExp(`gho_${login}_token`))
    .reply(200, { total_count: 1, installations: [{ id: 1, account: { login: "acme" } }] });
  nock(API).get("/user/installations/1/repositories").query(true).matchHeader("authorization", new RegExp(`gho_${login}_token`)).reply(200, repositoriesBody(repos));
}

function mockConfigs(configs: Record<string, string>) {
  mockToken();
  for (const [repo, text] of Object.entries(configs)) {
    nock(API)
      .get((uri) => uri.startsWith(`/repos/${repo}/contents/`) && CONFIG_URL.test(uri))
      .reply(200, text, RAW);
  }
}

/** The whole sign-in: /dashboard/login, GitHub's page (skipped: it would redirect back), the callback. */
async function signIn(t: TestServer, login: string): Promise<string> {
  const started = await fetch(`${t.server.url}/dashboard/login`, { redirect: "manual" });
  expect(started.status).toBe(302);
  const to = new URL(started.headers.get("location")!);
  const state = to.searchParams.get("state")!;
  nock(WEB)
    .post("/login/oauth/access_token", (body: Record<string, string>) => body.code === `code-${login}` && body.client_id === DASHBOARD_ENV.GITHUB_CLIENT_ID && body.client_secret === DASHBOARD_ENV.GITHUB_CLIENT_SECRET)
    .reply(200, { access_token: `gho_${login}_token`, token_type: "bearer", scope: "" });
  nock(API).get("/user").matchHeader("authorization", new RegExp(`gho_${login}_token`)).reply(200, { id: USERS[login], login });
  const back = await fetch(`${t.server.url}/dashboard/callback?code=code-${login}&state=${encodeURIComponent(state)}`, { headers: { cookie: cookieOf(started, "rt_oauth_state")! }, redirect: "manual" });
  expect(back.status).toBe(302);
  expect(back.headers.get("location")).toBe("/dashboard");
  const session = cookieOf(back, "rt_session");
  expect(session).toBeDefined();
  return session!;
}

const get = (t: TestServer, path: string, cookie?: string) => fetch(`${t.server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });

async function seed(t: TestServer) {
  const now = new Date();
  await seedHistory(t.database.db, now, [
    { repo: WEB_REPO, number: 1, title: HOSTILE_TITLE, author: "mallory", level: "critical", ageHours: 80, reviewers: ["alice", "bob"], missing: ["Threat model updated"], group: "lead" },
    { repo: WEB_REPO, number: 2, title: "Tidy the docs", author: "carol", level: "low", ageHours: 2, reviewers: ["bob"], approvedBy: ["bob"] },
    { repo: API_REPO, number: 7, title: "Add rate limiting", author: "dave", level: "high", ageHours: 30, reviewers: ["carol"] },
    { repo: SECRET_REPO, number: 3, title: SECRET_TITLE, author: "eve", level: "high", ageHours: 5, reviewers: ["zed"] },
  ]);
}

describe("the dashboard is off without the app's OAuth credentials", () => {
  it("says how to turn it on", async () => {
    const t = await start({});
    const res = await get(t, "/dashboard/config");
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("The dashboard is off");
    for (const name of ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "SESSION_SECRET"]) expect(body).toContain(name);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const css = await get(t, "/dashboard/assets/dashboard.css");
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(await css.text()).toContain(".notice");
  });
});

describe("sign-in with GitHub", () => {
  it("sends the browser to GitHub with the client id and a state remembered in a signed, HttpOnly, SameSite=Lax cookie", async () => {
    const t = await start();
    const res = await get(t, "/dashboard/login");
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!);
    expect(`${to.origin}${to.pathname}`).toBe(`${WEB}/login/oauth/authorize`);
    expect(to.searchParams.get("client_id")).toBe(DASHBOARD_ENV.GITHUB_CLIENT_ID);
    const state = to.searchParams.get("state")!;
    expect(state.length).toBeGreaterThanOrEqual(40);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("rt_oauth_state="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/dashboard/);
    expect(cookie).toContain(state);
  });

  it("rejects a callback whose state is not the browser's, without asking GitHub for a token", async () => {
    const t = await start();
    const started = await get(t, "/dashboard/login");
    const res = await fetch(`${t.server.url}/dashboard/callback?code=stolen&state=someone-elses-state`, { headers: { cookie: cookieOf(started, "rt_oauth_state")! }, redirect: "manual" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Sign-in failed");
    expect(cookieOf(res, "rt_session")).toBeUndefined();
    // Without the cookie (a link planted elsewhere) the right state is refused as well.
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    const bare = await fetch(`${t.server.url}/dashboard/callback?code=stolen&state=${state}`, { redirect: "manual" });
    expect(bare.status).toBe(400);
    expect(t.logs.some((l) => String(l.msg).includes("state does not match"))).toBe(true);
    // nock: no token exchange was mocked, and none may have been tried.
  });

  it("signs in, stores the session with the token encrypted, and never logs the token", async () => {
    const t = await start();
    const cookie = await signIn(t, "alice");
    const { rows } = await t.database.executeSql("SELECT login, token, expires_at FROM dashboard_sessions");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.login).toBe("alice");
    expect(String(rows[0]!.token)).not.toContain("gho_alice_token");
    expect(String(rows[0]!.token)).toMatch(/^v1\./);
    expect(cookie).not.toContain(String(rows[0]!.token));
    expect(JSON.stringify(t.logs)).not.toContain("gho_alice_token");
    expect(t.logs.some((l) => l.msg === "dashboard: signed in" && l.login === "alice")).toBe(true);
  });
});

describe("only what the user may see", () => {
  it("shows the queue of the user's repositories with reviewers and what the check needs, escaping what authors wrote", async () => {
    const t = await start();
    await seed(t);
    const cookie = await signIn(t, "alice");
    mockVisible("alice", [WEB_REPO, API_REPO]);
    mockConfigs({ "acme/web": WEB_CONFIG, "acme/api": WEB_CONFIG });
    const res = await get(t, "/dashboard", cookie);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'; style-src 'self'/);
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("<img src=x");
    expect(body).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
    expect(body).toContain("acme/web#1");
    expect(body).toContain("acme/api#7");
    // Critical, waiting 80 hours: first, its stale requests highlighted, and the lead approval and checklist item it needs.
    expect(body.indexOf("acme/web#1")).toBeLessThan(body.indexOf("acme/api#7"));
    expect(body).toMatch(/<tr class="stale">\s*<td data-label="Level"><span class="level critical">/);
    expect(body).toContain("1 lead approval");
    expect(body).toContain("checklist: Threat model updated");
    // The low-risk PR has the one approval it needs.
    expect(body).toMatch(/acme\/web#2<\/a> Tidy the docs[\s\S]*?<span class="ok">nothing<\/span>/);
    expect(body).not.toContain("acme/secret");
    expect(body).not.toContain(SECRET_TITLE);
    expect(body).not.toContain("zed");
  });

  it("answers a guessed URL for a repository the user cannot see exactly as for one that does not exist", async () => {
    const t = await start();
    await seed(t);
    const cookie = await signIn(t, "bob");
    mockVisible("bob", [API_REPO]);
    const hidden = await get(t, "/dashboard?repo=acme/secret", cookie);
    const unknown = await get(t, "/dashboard/config?repo=acme/nothing-here", cookie);
    const hiddenConfig = await get(t, "/dashboard/config?repo=acme/web", cookie);
    for (const res of [hidden, unknown, hiddenConfig]) expect(res.status).toBe(404);
    const bodies = await Promise.all([hidden.text(), unknown.text(), hiddenConfig.text()]);
    for (const body of bodies) {
      expect(body).not.toContain(SECRET_TITLE);
      expect(body).not.toContain("Tidy the docs");
      expect(body).toContain("that you can see has Review Triage installed");
    }
    mockConfigs({ "acme/api": WEB_CONFIG });
    const load = await (await get(t, "/dashboard/load?repo=acme/api", cookie)).text();
    // Only acme/api's requests count, even though the database knows the others'.
    expect(load).toContain("carol");
    expect(load).not.toContain(">zed<");
    expect(load).not.toContain(">alice<");
  }, 20_000);

  it("shows the people page only for repositories where the user is a lead or an admin", async () => {
    const t = await start();
    await seed(t);
    const bob = await signIn(t, "bob");
    mockVisible("bob", [WEB_REPO]);
    mockConfigs({ "acme/web": WEB_CONFIG });
    const forBob = await (await get(t, "/dashboard/people", bob)).text();
    expect(forBob).toContain("You are not a lead or an admin");
    expect(forBob).not.toContain('id="people-unavailable"');

    const alice = await signIn(t, "alice");
    mockVisible("alice", [WEB_REPO, { ...API_REPO, admin: true }]);
    const forAlice = await (await get(t, "/dashboard/people", alice)).text();
    // A lead of acme/web by its config, an admin of acme/api by GitHub: both offered, the first shown.
    expect(forAlice).toContain('<strong aria-current="page">acme/api</strong>');
    expect(forAlice).toContain('href="/dashboard/people?repo=acme%2Fweb"');
    expect(forAlice).toMatch(/<h2>Authors<\/h2>[\s\S]*<th scope="row">dave<\/th>/);
    expect(forAlice).toMatch(/<h2>Reviewers<\/h2>[\s\S]*<th scope="row">carol<\/th>/);
    expect(forAlice).not.toContain("mallory");
    const web = await (await get(t, "/dashboard/people?repo=acme/web", alice)).text();
    expect(web).toContain('<th scope="row">mallory</th>');
    expect(web).not.toContain('<th scope="row">dave</th>');

    // Bob, at the URL of acme/web's report: not a lead there, so nothing of it.
    const guessed = await (await get(t, "/dashboard/people?repo=acme/web", bob)).text();
    expect(guessed).toContain("You are not a lead or an admin");
    expect(guessed).not.toContain("mallory");
  }, 20_000);

  it("shows each repository's config status with its readable problems and a link to the file", async () => {
    const t = await start();
    const cookie = await signIn(t, "alice");
    mockVisible("alice", [WEB_REPO, API_REPO]);
    mockConfigs({ "acme/web": WEB_CONFIG, "acme/api": `reviewers:\n  lead: [alice]\nrouting:\n  strategy: fastest\n  "<b>bold</b>": 1\n` });
    const body = await (await get(t, "/dashboard/config", cookie)).text();
    expect(body).toContain(`href="https://github.com/acme/web/blob/main/.github/review-triage.yml"`);
    expect(body).toMatch(/acme\/web<\/a><\/th>\s*<td><span class="ok">valid/);
    expect(body).toMatch(/acme\/api<\/a><\/th>\s*<td><span class="bad">invalid/);
    expect(body).toContain("routing.strategy");
    expect(body).not.toContain("<b>bold</b>");
  });
});

describe("sessions", () => {
  it("refuses a tampered or forged session cookie", async () => {
    const t = await start();
    const cookie = await signIn(t, "alice");
    const [name, value] = cookie.split("=") as [string, string];
    const dot = value.lastIndexOf(".");
    const flipped = value.slice(0, dot + 1) + (value[dot + 1] === "A" ? "B" : "A") + value.slice(dot + 2);
    const otherId = `${"x".repeat(43)}${value.slice(dot)}`;
    for (const bad of [`${name}=${flipped}`, `${name}=${otherId}`, `${name}=${value.slice(0, dot)}`, `${name}=garbage`]) {
      const res = await get(t, "/dashboard", bad);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("Sign in with GitHub");
    }
  });

  it("signs out only with the page's form token, and the session is gone from the database", async () => {
    const t = await start();
    await seed(t);
    const cookie = await signIn(t, "bob");
    mockVisible("bob", [API_REPO]);
    mockConfigs({ "acme/api": WEB_CONFIG });
    const page = await (await get(t, "/dashboard", cookie)).text();
    const token = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const post = (body: string) => fetch(`${t.server.url}/dashboard/logout`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body, redirect: "manual" });
    const forged = await post("csrf=not-the-token");
    expect(forged.status).toBe(403);
    expect((await get(t, "/dashboard/health", cookie)).status).toBe(200);
    const out = await post(`csrf=${encodeURIComponent(token)}`);
    expect(out.status).toBe(302);
    expect(out.headers.getSetCookie().find((c) => c.startsWith("rt_session="))).toMatch(/Max-Age=0/);
    expect((await t.database.executeSql("SELECT count(*)::int AS n FROM dashboard_sessions")).rows[0]!.n).toBe(0);
    expect((await get(t, "/dashboard", cookie)).status).toBe(401);
    expect((await fetch(`${t.server.url}/dashboard/logout`, { redirect: "manual" })).status).toBe(405);
  }, 20_000);

  it("ends the session when GitHub no longer accepts the token", async () => {
    const t = await start();
    const cookie = await signIn(t, "alice");
    nock(API).get("/user/installations").query(true).reply(401, { message: "Bad credentials" });
    const res = await get(t, "/dashboard", cookie);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("no longer accepts your sign-in");
    expect((await t.database.executeSql("SELECT count(*)::int AS n FROM dashboard_sessions")).rows[0]!.n).toBe(0);
  });

  it("shows nothing, and says why, when GitHub cannot say what the user may see", async () => {
    const t = await start();
    await seed(t);
    const cookie = await signIn(t, "alice");
    nock(API).get("/user/installations").query(true).reply(503, { message: "unavailable" });
    const res = await get(t, "/dashboard", cookie);
    expect(res.status).toBe(502);
    const body = await res.text();
    expect(body).toContain("GitHub did not say which repositories you can see");
    expect(body).not.toContain("acme/web#");
    expect((await t.database.executeSql("SELECT count(*)::int AS n FROM dashboard_sessions")).rows[0]!.n).toBe(1);
  });
});
