import { describe, expect, it } from "vitest";
import { buildApp, type TestApp } from "../helpers/app.js";
import { API, REPO_PATH, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";

/** Reviewer sources beyond the config's own lists, through the webhook path: CODEOWNERS and GitHub's busy status. */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Routing that sends every level to one group, so the test does not depend on the level. */
function everyLevelFrom(group: string): string {
  return ["low", "medium", "high", "critical"].map((level) => `  ${level}: [{ from: ${group}, count: 1 }]\n`).join("");
}

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

describe("reviewer sources", () => {
  it("picks one code owner of the changed files by load, and says which CODEOWNERS pattern made them owner", async () => {
    const app = await buildApp();
    const files = [file("src/payments/refund.ts", 40), file("src/payments/card.ts", 40), file("src/util.ts", 40)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, `reviewers:\n  owners: codeowners\nrouting:\n${everyLevelFrom("owners")}  respect_busy: false\n`);
    mockFiles(scope, files);
    const owners = "* @carol\n/src/payments/ @bob @dave\n";
    scope
      .get(/\/contents\/\.github(%2F|\/)CODEOWNERS/)
      .reply(200, { type: "file", encoding: "base64", size: owners.length, content: Buffer.from(owners).toString("base64") });
    mockOpenPulls(scope, { bob: 2, carol: 1 });
    let requested: Json = {};
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((requested = b), true)).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    let comment = "";
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((comment = b.body), true)).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: x", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    // Three owners in all; one is asked, the least loaded, not every owner.
    expect(requested).toEqual({ reviewers: ["dave"], team_reviewers: [] });
    expect(comment).toMatch(/@dave — requested: owners: owner of \/src\/payments\/ via CODEOWNERS/);
  });

  it("skips a candidate whose GitHub status says busy, reading every status in one GraphQL query", async () => {
    const app = await buildApp();
    const files = [file("src/session.ts", 40), file("src/store.ts", 40), file("src/util.ts", 40)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, `reviewers:\n  lead: [alice]\n  seniors: [bob, carol]\nrouting:\n${everyLevelFrom("seniors")}`);
    mockFiles(scope, files);
    let query: Json = {};
    scope
      .post("/graphql", (b) => ((query = b), true))
      .reply(200, {
        data: {
          u0: { status: null },
          u1: { status: { indicatesLimitedAvailability: true, message: "On leave until Monday" } },
          u2: { status: { indicatesLimitedAvailability: false, message: "Focusing" } },
        },
      });
    mockOpenPulls(scope, {});
    let requested: Json = {};
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`, (b) => ((requested = b), true)).reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });
    let comment = "";
    scope.post(`${REPO_PATH}/issues/2/comments`, (b) => ((comment = b.body), true)).reply(201, { id: 2 });
    scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: x", color: "fbca04" }]);
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    expect(query.variables).toEqual({ l0: "alice", l1: "bob", l2: "carol" });
    expect(requested).toEqual({ reviewers: ["carol"], team_reviewers: [] });
    // The comment names who was passed over and why.
    expect(comment).toContain("<summary>Not picked</summary>");
    expect(comment).toContain("bob (seniors): is busy (GitHub status: On leave until Monday)");
  });
});
