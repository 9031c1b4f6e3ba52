import { afterAll, describe, expect, it } from "vitest";
import { overlapsRanges, parseChangedLines } from "../../src/core/analysis/changed-lines.js";
import { createAnalyzer } from "../../src/handlers/analyze-pull-request.js";
import { createLintPool } from "../../src/workers/create-lint-pool.js";
import { buildApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, addedFile, mockBlobs, mockConfig, mockOpenPulls, mockToken, nock, prPayload, receive } from "../helpers/scenario.js";

/**
 * A PR author who brings code in where the analysis does not look: on lines next to the
 * change rather than on it, behind syntax Node runs and the parser lacks, under a rename from
 * a name never linted, or past the 3,000 files GitHub lists. Each must be found or counted as
 * unchecked (the static-analysis factor's maximum). Through the real webhook path, with real
 * lint workers.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pool = createLintPool();
afterAll(() => pool.close());
const WEIGHTED = TEAM_CONFIG.replace("static_analysis: 0", "static_analysis: 1");
const ERRORS = Array.from({ length: 12 }, (_, i) => `export const o${i} = { k: 1, k: 2 };`).join("\n");

interface Listed {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
  previous_filename?: string;
}

async function openPr(files: Listed[], blobs: Record<string, string>, pages?: (scope: nock.Scope) => void, payloadFiles?: Array<{ filename: string; additions: number }>): Promise<{ title: string; text: string }> {
  const app = await buildApp({ extras: { analyze: createAnalyzer({ pool, fileBudgetMs: 20_000, prBudgetMs: 60_000 }) } });
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, WEIGHTED);
  if (pages) pages(scope);
  else scope.get(`${REPO_PATH}/pulls/2/files`).query({ per_page: 100 }).reply(200, files.map((f) => ({ sha: "abc", changes: f.additions + f.deletions, ...f })));
  mockBlobs(scope, blobs);
  mockOpenPulls(scope, {});
  let check: Json = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (body) => ((check = body), true)).reply(201, { id: 5 });
  scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 6 });
  scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: high", color: "d93f0b" }]);
  await receive(app.probot, "pull_request", prPayload({ files: (payloadFiles ?? files).map((f) => ({ filename: f.filename, additions: f.additions })) }));
  expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  nock.cleanAll();
  return { title: String(check.output?.title), text: String(check.output?.text) };
}

const added = (filename: string, text: string): Listed => ({ ...addedFile(filename, text), status: "added", deletions: 0 });

describe("changes hidden from the analysis", { timeout: 120_000 }, () => {
  it("finds what a change breaks on the line after it: an added early return, deleted breaks (a deletion-only edit)", async () => {
    const text = ["export function canDelete(user, doc) {", "  return true;", '  if (!user) throw new Error("not signed in");', "  return doc.owner === user.id;", "}", ""].join("\n");
    const patch = '@@ -1,4 +1,5 @@\n export function canDelete(user, doc) {\n+  return true;\n   if (!user) throw new Error("not signed in");\n   return doc.owner === user.id;\n }';
    const early = await openPr([{ filename: "src/auth/can-delete.js", status: "modified", additions: 1, deletions: 0, patch }], { "src/auth/can-delete.js": text });
    expect(early.text).toContain("no-unreachable");
    const cases = Array.from({ length: 12 }, (_, i) => [`    case ${i}:`, `      grant${i}(user);`]).flat();
    const routed = ["export function route(kind, user) {", "  switch (kind) {", ...cases, "    default:", "      deny(user);", "  }", "}", ""].join("\n");
    const old = Array.from({ length: 12 }, (_, i) => [`     case ${i}:`, `       grant${i}(user);`, "-      break;"]).flat();
    const deleted = `@@ -1,${4 + 36 + 3} +1,${4 + 24 + 3} @@\n export function route(kind, user) {\n   switch (kind) {\n${old.join("\n")}\n     default:\n       deny(user);\n   }\n }`;
    const breaks = await openPr([{ filename: "src/auth/route.js", status: "modified", additions: 0, deletions: 12, patch: deleted }], { "src/auth/route.js": routed });
    expect(breaks.text).toContain("12 errors and 0 warnings on changed lines");
  });

  it("counts a file the parser stops on at a changed line as unchecked: syntax Node 20 runs (an import assertion) hides nothing behind it", async () => {
    const plainText = `import config from "./config.json" with { type: "json" };\n${ERRORS}\n`;
    const plain = await openPr([added("src/auth/keys.mjs", plainText)], { "src/auth/keys.mjs": plainText });
    expect(plain.text).toContain("12 errors and 1 warning on changed lines");
    const crafted = `import config from "./config.json" assert { type: "json" };\n${ERRORS}\n`;
    const hidden = await openPr([added("src/auth/keys.mjs", crafted)], { "src/auth/keys.mjs": crafted });
    expect(hidden.text).toContain("the static analysis risk factor counts as its maximum");
    expect(hidden.title).toBe(plain.title);
  });

  it("lints all of a file renamed from a name never linted (docs/notes.txt to src/session.js, unchanged)", async () => {
    const renamed = await openPr([{ filename: "src/session.js", previous_filename: "docs/notes.txt", status: "renamed", additions: 0, deletions: 0 }], { "src/session.js": ERRORS });
    expect(renamed.text).toContain("12 errors and 0 warnings on changed lines");
  });

  it("counts the files past the 3,000 GitHub lists as unchecked: code put behind 3,000 docs files is not taken for checked", async () => {
    const listed = Array.from({ length: 3000 }, (_, i) => ({ sha: "abc", filename: `docs/aa/${String(i).padStart(4, "0")}.md`, status: "added", additions: 1, deletions: 0, changes: 1, patch: "@@ -0,0 +1 @@\n+x" }));
    const pages = (scope: nock.Scope) => {
      for (let page = 1; page <= 30; page++) {
        const query = page === 1 ? { per_page: 100 } : { per_page: "100", page: String(page) };
        const link: Record<string, string> = page < 30 ? { Link: `<${API}${REPO_PATH}/pulls/2/files?per_page=100&page=${page + 1}>; rel="next"` } : {};
        scope.get(`${REPO_PATH}/pulls/2/files`).query(query).reply(200, listed.slice((page - 1) * 100, page * 100), link);
      }
    };
    // The PR says 3,001 files changed: the last, src/auth/session.js, is not in the list.
    const out = await openPr(listed, {}, pages, [...listed.map((f) => ({ filename: f.filename, additions: 1 })), { filename: "src/auth/session.js", additions: 12 }]);
    expect(out.text).toContain("1 more file");
    expect(out.text).toContain("the static analysis risk factor counts as its maximum");
  });

  it("does not take a small PR's stale file count (a push dropped a file since the event) for files GitHub left out", async () => {
    const listed = [added("src/a.js", "export const a = 1;\n"), added("src/b.js", "export const b = 2;\n")];
    const out = await openPr(listed, { "src/a.js": "export const a = 1;\n", "src/b.js": "export const b = 2;\n" }, undefined, [...listed, { filename: "src/c.js", additions: 1 }]);
    expect(out.text).not.toContain("more file");
    expect(out.text).not.toContain("counts as its maximum");
  });

  it("reaches the code after a block comment whose lines do not start with `*`", async () => {
    const text = ["export function canDelete(user, doc) {", "  return true;", "  /*", "    checks kept for the audit", "  */", '  if (!user) throw new Error("not signed in");', "  return doc.owner === user.id;", "}", ""].join("\n");
    const patch = '@@ -1,7 +1,8 @@\n export function canDelete(user, doc) {\n+  return true;\n   /*\n     checks kept for the audit\n   */\n   if (!user) throw new Error("not signed in");\n   return doc.owner === user.id;\n }';
    expect.soft(overlapsRanges(parseChangedLines(patch, { following: true }), 6, 6)).toBe(true);
    const out = (await openPr([{ filename: "src/auth/can-delete.js", status: "modified", additions: 1, deletions: 0, patch }], { "src/auth/can-delete.js": text })).text;
    expect(out).toContain("no-unreachable");
  });

  it("reaches the code after the closing brace of the block the added return is in (an if/else whose branches now both return)", async () => {
    const text = ["export function canDelete(user, doc) {", "  if (user.admin) {", "    return true;", "  } else {", '    audit("not admin", user);', "    return true;", "  }", '  if (!user) throw new Error("not signed in");', "  return doc.owner === user.id;", "}", ""].join("\n");
    const patch = '@@ -2,7 +2,8 @@ export function canDelete(user, doc) {\n   if (user.admin) {\n     return true;\n   } else {\n     audit("not admin", user);\n+    return true;\n   }\n   if (!user) throw new Error("not signed in");\n   return doc.owner === user.id;';
    expect.soft(overlapsRanges(parseChangedLines(patch, { following: true }), 8, 8)).toBe(true);
    const out = (await openPr([{ filename: "src/auth/can-delete.js", status: "modified", additions: 1, deletions: 0, patch }], { "src/auth/can-delete.js": text })).text;
    expect(out).toContain("no-unreachable");
  });

  it("does not count old errors a blank line below a comment edit as the PR's (a comment-only PR)", async () => {
    // Twelve sections, each a comment, a blank line and an old object with a duplicate key.
    const sections = Array.from({ length: 12 }, (_, i) => [`// Section ${i}: limits for tier ${i}.`, "", `export const o${i} = { k: 1, k: 2 };`]);
    const text = sections.flat().join("\n") + "\n";
    // The PR only rewords the comments.
    const hunks = Array.from({ length: 12 }, (_, i) => `@@ -${3 * i + 1},3 +${3 * i + 1},3 @@\n-// Section ${i}: limit for tier ${i}.\n+// Section ${i}: limits for tier ${i}.\n \n export const o${i} = { k: 1, k: 2 };`).join("\n");
    const out = (await openPr([{ filename: "src/limits.js", status: "modified", additions: 12, deletions: 12, patch: hunks }], { "src/limits.js": text })).text;
    expect(out).not.toContain("no-dupe-keys");
  });
});
