import nock from "nock";
import { describe, expect, it } from "vitest";
import { configSchema, type ConfigInput } from "../../src/config/schema.js";
import { chooseReviewers } from "../../src/core/choose-reviewers.js";
import { mergeGroupMembers } from "../../src/core/merge-group-members.js";
import { expandCodeownersGroups } from "../../src/github/expand-codeowners.js";
import { expandGroups, TeamCache } from "../../src/github/expand-teams.js";
import { CodeownersCache } from "../../src/github/read-codeowners.js";
import type { Octokit } from "../../src/github/types.js";
import { TestOctokit } from "../helpers/app.js";
import { API } from "../helpers/github.js";

const octokit = new TestOctokit({ auth: "token test" }) as unknown as Octokit;
const repo = { owner: "acme", repo: "widgets" };
const CODEOWNERS = /^\/repos\/acme\/widgets\/contents\/\.github(%2F|\/)CODEOWNERS$/;
const file = (text: string) => ({ type: "file", encoding: "base64", size: text.length, content: Buffer.from(text).toString("base64") });

const OWNERS = `
*                 @acme/everyone
/src/payments/    @alice @acme/payments
*.md              @dave
`;

const deps = () => ({ codeowners: new CodeownersCache(), teams: new TeamCache() });
const config = (input: ConfigInput) => configSchema.parse(input);

describe("expandCodeownersGroups", () => {
  it("makes no call when no group names codeowners", async () => {
    const notes: string[] = [];
    expect(await expandCodeownersGroups(octokit, repo, config({ reviewers: { seniors: ["bob"] } }), ["a.ts"], deps(), notes)).toEqual({});
    expect(notes).toEqual([]);
  });

  it("gives the group the owners of the changed files, teams expanded, each with the pattern that made them owner", async () => {
    nock(API)
      .get(CODEOWNERS)
      .reply(200, file(OWNERS))
      .get("/orgs/acme/teams/payments/members")
      .query({ per_page: 100 })
      .reply(200, [{ login: "erin" }, { login: "alice" }]);
    const notes: string[] = [];
    const groups = await expandCodeownersGroups(
      octokit,
      repo,
      config({ reviewers: { owners: "codeowners" } }),
      ["src/payments/charge.ts", "src/payments/refund.ts"],
      deps(),
      notes,
    );
    expect(groups).toEqual({
      owners: [
        { login: "alice", isTeam: false, via: "owner of /src/payments/ via CODEOWNERS" },
        { login: "erin", isTeam: false, via: "owner of /src/payments/ via CODEOWNERS, as a member of @acme/payments" },
      ],
    });
    expect(notes).toEqual([]);
  });

  it("keeps a team whole with request_teams, and names further patterns", async () => {
    nock(API).get(CODEOWNERS).reply(200, file(OWNERS));
    const groups = await expandCodeownersGroups(
      octokit,
      repo,
      config({ reviewers: { owners: "codeowners" }, routing: { request_teams: true } }),
      ["src/app.ts", "lib/x.ts", "README.md"],
      deps(),
      [],
    );
    expect(groups.owners).toEqual([
      { login: "@acme/everyone", isTeam: true, via: "owner of * via CODEOWNERS" },
      { login: "dave", isTeam: false, via: "owner of *.md via CODEOWNERS" },
    ]);
  });

  it("says so when the repository has no CODEOWNERS", async () => {
    nock(API).get(CODEOWNERS).reply(404, {}).get(/\/contents\/CODEOWNERS$/).reply(404, {}).get(/\/contents\/docs(%2F|\/)CODEOWNERS$/).reply(404, {});
    const notes: string[] = [];
    expect(await expandCodeownersGroups(octokit, repo, config({ reviewers: { owners: "codeowners" } }), ["a.ts"], deps(), notes)).toEqual({ owners: [] });
    expect(notes).toEqual(["No CODEOWNERS file in .github/, the repository root or docs/ on the default branch, so owners got no code owners."]);
  });

  it("feeds chooseReviewers, which picks one owner by load rather than requesting every owner", async () => {
    nock(API).get(CODEOWNERS).reply(200, file("/src/payments/** @alice @bob @carol\n"));
    const cfg = config({ reviewers: { lead: ["alice"], seniors: ["bob", "codeowners"] }, routing: { medium: [{ from: "seniors", count: 1 }] } });
    const teams = new TeamCache();
    const members = mergeGroupMembers(
      await expandGroups(octokit, cfg.reviewers, false, teams, []),
      await expandCodeownersGroups(octokit, repo, cfg, ["src/payments/charge.ts"], { codeowners: new CodeownersCache(), teams }, []),
    );
    expect(members.seniors!.map((m) => m.login)).toEqual(["bob", "alice", "carol"]);
    const choice = chooseReviewers({
      level: "medium",
      config: cfg,
      prNumber: 3,
      author: "alice",
      members,
      load: new Map([["bob", 2], ["carol", 1]]),
      requested: new Set(),
      reviewed: new Set(),
    });
    expect(choice.picks).toEqual([
      { login: "carol", isTeam: false, group: "seniors", load: 1, reason: "seniors: owner of /src/payments/** via CODEOWNERS, least loaded (1 open review request)" },
    ]);
    expect(choice.skipped).toEqual([
      { login: "alice", group: "seniors", reason: "is the author" },
      { login: "bob", group: "seniors", reason: "has 2 open review requests; @carol had fewer" },
    ]);
  });
});
