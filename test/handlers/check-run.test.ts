import { describe, expect, it } from "vitest";
import { buildApp, fixture } from "../helpers/app.js";
import { API, TEAM_CONFIG, file, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";
import { CONFIG_URL, RAW } from "../helpers/github.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REPO = "/repos/github/hello-world";
const SHA = "d6fde92930d4715a2b49857d24b940956b26d2d3";

describe("check_run.rerequested", () => {
  it("re-triages a PR from a fork, found by its head commit since GitHub lists no PR on the run", async () => {
    const app = await buildApp({ deps: undefined });
    app.deps.appId = 2;
    const payload = structuredClone(fixture<Json>("check_run", "rerequested"));
    payload.check_run.name = "Review Triage";
    expect(payload.check_run.pull_requests).toEqual([]);
    const pr = prPayload({ number: 7, headSha: SHA, files: [file("src/a.ts", 10)] }).pull_request as Json;
    pr.base.repo.id = 1;

    const scope = nock(API);
    mockToken(scope);
    scope.get(`${REPO}/pulls`).query({ state: "open", per_page: 100 }).reply(200, [{ number: 3, head: { sha: "0".repeat(40) } }, { number: 7, head: { sha: SHA } }]);
    scope.get(`${REPO}/pulls/7`).reply(200, pr);
    scope.get((uri) => CONFIG_URL.test(uri) && uri.startsWith(`${REPO}/`)).reply(200, TEAM_CONFIG, RAW);
    scope.get(`${REPO}/commits/${SHA}/check-runs`).query(true).reply(200, { total_count: 1, check_runs: [{ id: 9, status: "completed", conclusion: "neutral", output: { title: "old", summary: "old", text: null, annotations_count: 0 } }] });
    scope.get(`${REPO}/pulls/7/files`).query({ per_page: 100 }).reply(200, [{ filename: "src/a.ts", status: "added", additions: 10, deletions: 0, changes: 10 }]);
    scope.get(`${REPO}/pulls`).query({ state: "open", per_page: 100 }).reply(200, []);
    scope.get(`${REPO}/pulls/7/reviews`).query({ per_page: 100 }).reply(200, []);
    scope.get(`${REPO}/issues/7/comments`).query({ per_page: 100 }).reply(200, []);
    let check: Json = {};
    scope.post(`${REPO}/pulls/7/requested_reviewers`).reply(201, {});
    scope.post(`${REPO}/check-runs`, (b) => ((check = b), true)).reply(201, { id: 10 });
    scope.post(`${REPO}/issues/7/comments`).reply(201, { id: 11 });
    scope.post(`${REPO}/issues/7/labels`).reply(200, [{ name: "risk: low", color: "0e8a16" }]);
    await receive(app.probot, "check_run", payload);
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(check).toMatchObject({ name: "Review Triage", head_sha: SHA, status: "in_progress" });
  });
});
