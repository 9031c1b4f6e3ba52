import nock from "nock";
import { describe, expect, it } from "vitest";
import { expandGroups, TeamCache } from "../../src/github/expand-teams.js";
import type { Octokit } from "../../src/github/types.js";
import { TestOctokit } from "../helpers/app.js";
import { API } from "../helpers/github.js";

const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;

describe("expandGroups", () => {
  it("expands @org/team entries into members, once per team while cached", async () => {
    nock(API).get("/orgs/acme/teams/backend/members").query({ per_page: 100 }).reply(200, [{ login: "bob" }, { login: "carol" }]);
    const teams = new TeamCache();
    const notes: string[] = [];
    const groups = { lead: ["alice"], seniors: ["@acme/backend", "bob", "dave"] };
    const first = await expandGroups(octokit, groups, false, teams, notes);
    // A second event within the cache's lifetime makes no call (the mock above answers once).
    const second = await expandGroups(octokit, groups, false, teams, notes);
    expect(first).toEqual({
      lead: [{ login: "alice", isTeam: false }],
      seniors: [
        { login: "bob", isTeam: false },
        { login: "carol", isTeam: false },
        { login: "dave", isTeam: false },
      ],
    });
    expect(second).toEqual(first);
    expect(notes).toEqual([]);
  });

  it("keeps a team whole when teams are requested as teams, and says when a team is empty or hidden", async () => {
    nock(API).get("/orgs/acme/teams/ghosts/members").query({ per_page: 100 }).reply(404, { message: "Not Found" });
    const notes: string[] = [];
    expect(await expandGroups(octokit, { seniors: ["@acme/backend"] }, true, new TeamCache(), notes)).toEqual({
      seniors: [{ login: "@acme/backend", isTeam: true }],
    });
    expect(await expandGroups(octokit, { seniors: ["@acme/ghosts"] }, false, new TeamCache(), notes)).toEqual({ seniors: [] });
    expect(notes).toEqual(["Team @acme/ghosts in seniors has no members the app can see."]);
  });

  it("leaves the codeowners entry to the CODEOWNERS expansion instead of taking it for a login", async () => {
    const groups = { owners: ["codeowners"], seniors: ["bob", "codeowners"] };
    expect(await expandGroups(octokit, groups, false, new TeamCache(), [])).toEqual({ owners: [], seniors: [{ login: "bob", isTeam: false }] });
  });
});
