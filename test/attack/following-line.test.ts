import { afterAll, describe, expect, it } from "vitest";
import { parseChangedLines, overlapsRanges } from "../../src/core/analysis/changed-lines.js";
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

describe("the line after a change, past comments", { timeout: 120_000 }, () => {
  it("reaches the code after a block comment whose lines do not start with `*`", async () => {
    const text = ["export function canDelete(user, doc) {", "  return true;", "  /*", "    checks kept for the audit", "  */", '  if (!user) throw new Error("not signed in");', "  return doc.owner === user.id;", "}", ""].join("\n");
    const patch = '@@ -1,7 +1,8 @@\n export function canDelete(user, doc) {\n+  return true;\n   /*\n     checks kept for the audit\n   */\n   if (!user) throw new Error("not signed in");\n   return doc.owner === user.id;\n }';
    expect.soft(overlapsRanges(parseChangedLines(patch, { following: true }), 6, 6)).toBe(true);
    const out = await openPr({ filename: "src/auth/can-delete.js", patch, additions: 1, deletions: 0 }, text);
    expect(out).toContain("no-unreachable");
  });

  it("reaches the code after the closing brace of the block the added return is in (an if/else whose branches now both return)", async () => {
    const text = ["export function canDelete(user, doc) {", "  if (user.admin) {", "    return true;", "  } else {", '    audit("not admin", user);', "    return true;", "  }", '  if (!user) throw new Error("not signed in");', "  return doc.owner === user.id;", "}", ""].join("\n");
    const patch = '@@ -2,7 +2,8 @@ export function canDelete(user, doc) {\n   if (user.admin) {\n     return true;\n   } else {\n     audit("not admin", user);\n+    return true;\n   }\n   if (!user) throw new Error("not signed in");\n   return doc.owner === user.id;';
    expect.soft(overlapsRanges(parseChangedLines(patch, { following: true }), 8, 8)).toBe(true);
    const out = await openPr({ filename: "src/auth/can-delete.js", patch, additions: 1, deletions: 0 }, text);
    expect(out).toContain("no-unreachable");
  });
});
