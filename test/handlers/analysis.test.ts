import { describe, expect, it } from "vitest";
import { createAnalyzer } from "../../src/handlers/analyze-pull-request.js";
import { buildApp, type TestApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, file, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BUGGY = [
  "export function total(items) {",
  "  const config = { limit: 1, limit: 2 };",
  "  for (const item of items) {",
  "    if (item.price = 0) continue;",
  "  }",
  "  return config.limit;",
  "  console.log('never');",
  "}",
  "",
].join("\n");

function errors(app: TestApp) {
  return app.logs.filter((l) => (l.level as number) >= 50);
}

function mockWrites(scope: nock.Scope, onCheck: (b: Json) => void) {
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (b) => (onCheck(b), true)).reply(201, { id: 5 });
  scope.post(`${REPO_PATH}/issues/2/comments`).reply(201, { id: 6 });
  scope.post(`${REPO_PATH}/issues/2/labels`).reply(200, [{ name: "risk: low", color: "0e8a16" }]);
}

describe("static analysis on the webhook path", () => {
  it("lints changed JS at the head commit and annotates the changed lines in the check run", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer() } });
    const files = [file("src/total.js", 9, { patch: `@@ -0,0 +1,9 @@\n${BUGGY.split("\n").map((l) => `+${l}`).join("\n")}` })];
    const scope = nock(API);
    const calls: string[] = [];
    scope.on("replied", (req: { method: string; path: string }) => calls.push(`${req.method} ${req.path.split("?")[0]}`));
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockFiles(scope, files);
    scope
      .get((uri) => uri.startsWith(`${REPO_PATH}/contents/src%2Ftotal.js`) || uri.startsWith(`${REPO_PATH}/contents/src/total.js`))
      .query({ ref: "ec26c3e57ca3a959ca5aad62de7213c562f8c821" })
      .delay(300)
      .reply(200, BUGGY, { "content-type": "text/plain; charset=utf-8" });
    mockOpenPulls(scope, {});
    let check: Json = {};
    mockWrites(scope, (b) => (check = b));
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    const annotations = check.output.annotations as Json[];
    const byRule = annotations.map((a) => `${a.start_line}:${a.title}`);
    expect(byRule).toEqual(expect.arrayContaining(["2:no-dupe-keys (error)", "4:no-cond-assign (warning)", "7:no-unreachable (error)"]));
    expect(annotations.every((a) => a.path === "src/total.js")).toBe(true);
    expect(check.output.text).toContain("### Static analysis");
    expect(check.output.text).toMatch(/\d+ errors? and \d+ warnings? on changed lines \(1 file linted\)/);
    // The linter's factor has no weight by default, so reviewers are not kept waiting for it:
    // the review request is answered while the (slow) file read is still on its way.
    expect(calls.indexOf(`POST ${REPO_PATH}/pulls/2/requested_reviewers`)).toBeLessThan(calls.findIndex((c) => c.includes("/contents/src")));
  });

  it("fetches nothing for a PR that touches only Markdown", async () => {
    const app = await buildApp({ extras: { analyze: createAnalyzer() } });
    const files = [file("docs/guide.md", 30), file("README.md", 5)];
    const scope = nock(API);
    mockToken(scope);
    mockConfig(scope, TEAM_CONFIG);
    mockFiles(scope, files);
    mockOpenPulls(scope, {});
    let check: Json = {};
    mockWrites(scope, (b) => (check = b));
    await receive(app.probot, "pull_request", prPayload({ files }));
    expect(errors(app)).toEqual([]);
    expect(check.output.annotations).toBeUndefined();
    expect(check.output.text ?? "").not.toContain("Static analysis");
  });
});
