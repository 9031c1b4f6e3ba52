import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { API } from "../helpers/github.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DASHBOARD_ENV, repositoriesBody, SECRET_TITLE, seedHistory, type RepoSpec } from "./dashboard-fixtures.js";

/**
 * Attack: the People page resolves the selected repository by its *name* in the history,
 * and the report builder unions every repository id that ever carried that name. A user who
 * administers a *new* repository that took a freed name (the old one renamed, transferred or
 * deleted) then sees the people report of the old, different repository.
 */

const WEB = "https://github.com";
const USERS: Record<string, number> = { mallory: 66 };
// The old acme/secret (id 503): history recorded while it carried the name; since then it was
// renamed (or transferred away) and is not visible to mallory.
const OLD_SECRET: RepoSpec = { id: 503, fullName: "acme/secret", installationId: 1 };
// A brand-new repository mallory created with the freed name: mallory is its admin.
const NEW_SECRET: RepoSpec = { id: 999, fullName: "acme/secret", installationId: 1, admin: true };

let running: TestServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function cookieOf(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];
}

async function signIn(t: TestServer, login: string): Promise<string> {
  const started = await fetch(`${t.server.url}/dashboard/login`, { redirect: "manual" });
  const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
  nock(WEB).post("/login/oauth/access_token").reply(200, { access_token: `gho_${login}_token`, token_type: "bearer", scope: "" });
  nock(API).get("/user").reply(200, { id: USERS[login], login });
  const back = await fetch(`${t.server.url}/dashboard/callback?code=c&state=${encodeURIComponent(state)}`, { headers: { cookie: cookieOf(started, "rt_oauth_state")! }, redirect: "manual" });
  return cookieOf(back, "rt_session")!;
}

describe("attack: the People page of a repository that reuses a freed name", () => {
  it("does not show the history of the older repository that carried the name", async () => {
    running = await startTestServer({ env: DASHBOARD_ENV });
    const t = running;
    await seedHistory(t.database.db, new Date(), [{ repo: OLD_SECRET, number: 3, title: SECRET_TITLE, author: "eve", level: "high", ageHours: 5, reviewers: ["zed"] }]);
    const cookie = await signIn(t, "mallory");
    nock(API).get("/user/installations").query(true).reply(200, { total_count: 1, installations: [{ id: 1, account: { login: "acme" } }] });
    nock(API).get("/user/installations/1/repositories").query(true).reply(200, repositoriesBody([NEW_SECRET]));
    // mallory is an admin of the new repository: no config is read for the verdict.
    const body = await (await fetch(`${t.server.url}/dashboard/people?repo=acme/secret`, { headers: { cookie }, redirect: "manual" })).text();
    expect(body).toContain("acme/secret");
    // eve and zed are people of the *old* repository (id 503), not of mallory's id 999.
    expect(body).not.toContain('<th scope="row">eve</th>');
    expect(body).not.toContain('<th scope="row">zed</th>');
  }, 20_000);
});
