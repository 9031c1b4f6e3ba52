import { describe, expect, it } from "vitest";
import { buildApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";

/**
 * Hostile author: approvals "on the current head" (`fresh`, the default at critical) are
 * tied to a commit, but what was approved is a diff, and the author can change the base. Open
 * `b1 → base-x` where `base-x` sits just below the head (one docs file changed), collect a
 * lead's and a writer's approval on that head, then edit the PR's base to `main`: the same
 * head now brings a critical change, and the approvals given on the tiny diff still count.
 * At a `fresh` level, approvals given before the base changed must not count.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const X = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const TINY = [file("docs/readme.md", 2)];
const CRITICAL = [file("src/auth/login.ts", 400), file("src/auth/token.ts", 300)];

describe("changing the base under fresh approvals", () => {
  it("does not count approvals given before the base changed, at a level that needs them on the head", async () => {
    const app = await buildApp();
    let scope = nock(API);
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockFiles(scope, TINY);
    mockOpenPulls(scope, {});
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 41 });
    scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: low", color: "fbca04" }]);
    const opened = prPayload({ files: TINY, headSha: X }) as Json;
    opened.pull_request.base.ref = "base-x";
    await receive(app.probot, "pull_request", opened);

    // alice (lead) and bob approve the one-line docs diff on head X; then the author moves the base to main.
    scope = nock(API);
    mockFiles(scope, CRITICAL);
    scope
      .get(`${REPO_PATH}/pulls/2/reviews`)
      .query({ per_page: 100 })
      .reply(200, [
        { id: 1, user: { login: "alice", type: "User" }, state: "APPROVED", submitted_at: "2026-01-01T00:00:00Z", commit_id: X },
        { id: 2, user: { login: "bob", type: "User" }, state: "APPROVED", submitted_at: "2026-01-01T00:01:00Z", commit_id: X },
      ]);
    for (const [login, permission] of [["alice", "admin"], ["bob", "write"]]) {
      scope.get(`${REPO_PATH}/collaborators/${login}/permission`).reply(200, { permission, role_name: permission, user: { login } });
    }
    let check: Json = {};
    scope.patch(`${REPO_PATH}/check-runs/41`, (b) => ((check = b), true)).reply(200, { id: 41 });
    scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
    scope.patch(`${REPO_PATH}/issues/comments/555`).optionally().reply(200, { id: 555 });
    scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: critical", color: "b60205" }]);
    scope.delete((uri) => uri.startsWith(`${REPO_PATH}/issues/2/labels/`)).optionally().reply(200, []);
    const edited = prPayload({ action: "edited", files: CRITICAL, headSha: X, requested: ["bob"], labels: ["risk: low"], changes: { base: { ref: { from: "base-x" }, sha: { from: "0000000000000000000000000000000000000000" } } } }) as Json;
    edited.pull_request.base.ref = "main";
    await receive(app.probot, "pull_request", edited);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    expect(check.output.summary).toContain("**critical** risk");
    expect(check.conclusion, "approvals of the tiny diff pass the critical one").not.toBe("success");
  });
});
