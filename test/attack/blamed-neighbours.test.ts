import { afterAll, describe, expect, it } from "vitest";
import { createAnalyzer } from "../../src/handlers/analyze-pull-request.js";
import { createLintPool } from "../../src/workers/create-lint-pool.js";
import { buildApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, mockBlobs, mockConfig, mockOpenPulls, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pool = createLintPool();
afterAll(() => pool.close());
const WEIGHTED = TEAM_CONFIG.replace("static_analysis: 0", "static_analysis: 1");

async function openPr(file: { filename: string; patch: string; additions: number; deletions: number }, text: string): Promise<string> {
  const app = await buildApp({ extras: { analyze: createAnalyzer({ pool, fileBudgetMs: 20_000, prBudgetMs: 60_000 }) } });
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, WEIGHTED);
  scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(200, [{ sha: "abc", status: "modified", changes: file.additions + file.deletions, ...file }]);
  mockBlobs(scope, { [file.filename]: text });
  mockOpenPulls(scope, {});
  let check: Json = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (body) => ((check = body), true)).reply(201, { id: 5 });
  scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 6 });
  scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: high", color: "d93f0b" }]);
  await receive(app.probot, "pull_request", prPayload({ files: [{ filename: file.filename, additions: file.additions }] }));
  nock.cleanAll();
  return String(check.output?.text);
}

describe("an ordinary PR blamed for the code after its change", { timeout: 120_000 }, () => {
  it("does not count old errors a blank line below a comment edit as the PR's (a comment-only PR)", async () => {
    // Twelve sections, each a comment, a blank line and an old object with a duplicate key.
    const sections = Array.from({ length: 12 }, (_, i) => [`// Section ${i}: limits for tier ${i}.`, "", `export const o${i} = { k: 1, k: 2 };`]);
    const text = sections.flat().join("\n") + "\n";
    // The PR only rewords the comments.
    const hunks = Array.from({ length: 12 }, (_, i) => `@@ -${3 * i + 1},3 +${3 * i + 1},3 @@\n-// Section ${i}: limit for tier ${i}.\n+// Section ${i}: limits for tier ${i}.\n \n export const o${i} = { k: 1, k: 2 };`).join("\n");
    const out = await openPr({ filename: "src/limits.js", patch: hunks, additions: 12, deletions: 12 }, text);
    expect(out).not.toContain("no-dupe-keys");
  });
});
