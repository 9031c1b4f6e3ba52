import { afterAll, describe, expect, it } from "vitest";
import { createAnalyzer } from "../../src/handlers/analyze-pull-request.js";
import { createLintPool } from "../../src/workers/create-lint-pool.js";
import { buildApp } from "../helpers/app.js";
import { API, REPO_PATH, TEAM_CONFIG, addedFile, mockBlobs, mockConfig, mockFiles, mockOpenPulls, mockToken, nock, prPayload, receive, type FileSpec } from "../helpers/scenario.js";

/**
 * A PR author who makes a file impossible to analyse must not lower the change's risk: the
 * errors the analysis would have found stay hidden, so what could not be checked counts as
 * the static-analysis factor's maximum, and a directive comment the PR adds switches nothing off. Through the real webhook path, with real lint workers.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const pool = createLintPool();
afterAll(() => pool.close());

// A repository that trusts its linter: static analysis weighted.
const WEIGHTED = TEAM_CONFIG.replace("static_analysis: 0", "static_analysis: 1");
const ERRORS = Array.from({ length: 12 }, (_, i) => `export const o${i} = { k: 1, k: 2 };`).join("\n");

async function openPr(files: FileSpec[], blobs: Record<string, string>): Promise<{ title: string; text: string; annotations: number }> {
  const app = await buildApp({ extras: { analyze: createAnalyzer({ pool, fileBudgetMs: 20_000, prBudgetMs: 60_000 }) } });
  const scope = nock(API);
  mockToken(scope);
  mockConfig(scope, WEIGHTED);
  mockFiles(scope, files);
  mockBlobs(scope, blobs);
  mockOpenPulls(scope, {});
  let check: Json = {};
  scope.post(`${REPO_PATH}/pulls/2/requested_reviewers`).optionally().reply(201, {});
  scope.post(`${REPO_PATH}/check-runs`, (body) => ((check = body), true)).reply(201, { id: 5 });
  scope.post(`${REPO_PATH}/issues/2/comments`).optionally().reply(201, { id: 6 });
  scope.post(`${REPO_PATH}/issues/2/labels`).optionally().reply(200, [{ name: "risk: high", color: "d93f0b" }]);
  await receive(app.probot, "pull_request", prPayload({ files }));
  nock.cleanAll();
  return { title: String(check.output?.title), text: String(check.output?.text), annotations: (check.output?.annotations ?? []).length };
}

describe("files a PR author makes impossible to analyse", { timeout: 120_000 }, () => {
  it("count as the factor's maximum: an ESLint stack overflow hides nothing", async () => {
    const plain = await openPr([addedFile("src/bad.js", ERRORS)], { "src/bad.js": ERRORS });
    expect(plain.text).toContain("12 errors and 0 warnings on changed lines");
    // A 16 KB member chain overflows ESLint's stack: the whole file fails to lint.
    const crafted = `${ERRORS}\nexport const y = a${".b".repeat(8000)};\n`;
    const hidden = await openPr([addedFile("src/bad.js", crafted)], { "src/bad.js": crafted });
    expect(hidden.text).toContain("the static analysis risk factor counts as its maximum");
    // The same approvals as with the errors in plain sight.
    expect(hidden.title).toBe(plain.title);
  });

  it("a disable comment the PR adds hides nothing: the errors under it are found and annotated", async () => {
    const plain = await openPr([addedFile("src/bad.js", ERRORS)], { "src/bad.js": ERRORS });
    const crafted = `/* eslint-disable */\n// eslint-disable-next-line\n${ERRORS.replace("};", "}; // eslint-disable-line")}\n/* eslint no-dupe-keys: off */\n`;
    const disabled = await openPr([addedFile("src/bad.js", crafted)], { "src/bad.js": crafted });
    expect(disabled.text).toContain("12 errors and 0 warnings on changed lines");
    expect(disabled.annotations).toBe(12);
    expect(disabled.title).toBe(plain.title);
  });

  it("a vendored name (src/node_modules/…, *.min.js) hides nothing: hand-written code there is linted, minified code counts as the maximum", async () => {
    const plain = await openPr([addedFile("src/bad.js", ERRORS)], { "src/bad.js": ERRORS });
    const underModules = await openPr([addedFile("src/node_modules/auth/bad.js", ERRORS)], { "src/node_modules/auth/bad.js": ERRORS });
    expect(underModules.text).toContain("12 errors and 0 warnings on changed lines");
    expect(underModules.annotations).toBe(12);
    expect(underModules.title).toBe(plain.title);
    const minName = await openPr([addedFile("src/bad.min.js", ERRORS)], { "src/bad.min.js": ERRORS });
    expect(minName.text).toContain("12 errors and 0 warnings on changed lines");
    expect(minName.annotations).toBe(12);
    // The same errors written as minified code: not linted, and counted as the maximum.
    const squeezed = `${ERRORS.split("\n").join("")}\n`;
    const minified = await openPr([addedFile("src/bad.min.js", squeezed)], { "src/bad.min.js": squeezed });
    expect(minified.text).toContain("minified code under a vendored name");
    expect(minified.text).toContain("the static analysis risk factor counts as its maximum");
  });

  it("count as the maximum too when new lines leave a brace open and the parser stops on an unchanged line", async () => {
    const inner = ERRORS.replace(/export const/g, "  const");
    const source = (closed: boolean) => ["// header", "export function f(a) {", inner, "  if (a) {", closed ? "  } return a;" : "  return a;", "}", "// end of file, unchanged", ""].join("\n");
    const patch = (closed: boolean) =>
      `@@ -1,3 +1,${source(closed).split("\n").length - 1} @@\n // header\n+export function f(a) {\n${inner.split("\n").map((l) => `+${l}`).join("\n")}\n+  if (a) {\n+${closed ? "  } return a;" : "  return a;"}\n }\n // end of file, unchanged`;
    const modified = (closed: boolean): FileSpec => ({ filename: "src/bad.js", additions: 15, deletions: 0, status: "modified", patch: patch(closed) });
    const plain = await openPr([modified(true)], { "src/bad.js": source(true) });
    const hidden = await openPr([modified(false)], { "src/bad.js": source(false) });
    expect(hidden.text).toMatch(/could not be parsed at line \d+/);
    expect(hidden.text).toContain("the static analysis risk factor counts as its maximum");
    expect(hidden.title).toBe(plain.title);
  });

  it("line separators git does not count (U+2028 in an added comment) do not push the errors off the changed lines", async () => {
    const tail = Array.from({ length: 40 }, (_, i) => `export const legacy${i} = ${i};`);
    const prepend = (first: string): { spec: FileSpec; text: string } => {
      const lines = [first, ...ERRORS.split("\n")];
      const patch = `@@ -1,${tail.length} +1,${lines.length + tail.length} @@\n${lines.map((l) => `+${l}`).join("\n")}\n${tail.map((l) => ` ${l}`).join("\n")}`;
      return { spec: { filename: "src/bad.js", additions: lines.length, deletions: 0, status: "modified", patch }, text: [...lines, ...tail, ""].join("\n") };
    };
    const plainFile = prepend("// new code");
    const plain = await openPr([plainFile.spec], { "src/bad.js": plainFile.text });
    const crafted = prepend(`// new code${"\u2028".repeat(20)}`);
    const shifted = await openPr([crafted.spec], { "src/bad.js": crafted.text });
    expect(shifted.text).toContain("12 errors and 0 warnings on changed lines");
    expect(shifted.title).toBe(plain.title);
  });

  it("a `// @flow` the PR adds does not exempt a file the parser cannot read", async () => {
    const inner = ERRORS.replace(/export const/g, "  const");
    const source = ["// @flow", "// header", "export function f(a) {", inner, "  if (a) {", "  return a;", "}", "// end of file, unchanged", ""].join("\n");
    const patch = `@@ -1,3 +1,${source.split("\n").length - 1} @@\n+// @flow\n // header\n+export function f(a) {\n${inner.split("\n").map((l) => `+${l}`).join("\n")}\n+  if (a) {\n+  return a;\n }\n // end of file, unchanged`;
    const result = await openPr([{ filename: "src/bad.js", additions: 16, deletions: 0, status: "modified", patch }], { "src/bad.js": source });
    expect(result.text).toMatch(/could not be parsed at line \d+/);
    expect(result.text).toContain("the static analysis risk factor counts as its maximum");
  });

  it("a Flow file the parser cannot read is not counted against the change", async () => {
    // The Flow type is on a line the PR did not touch; the change is a plain line above it.
    const flow = "// @flow\nexport const a = 1;\ntype T = {| a: number |};\n";
    const patch = `@@ -1,2 +1,3 @@\n // @flow\n+export const a = 1;\n type T = {| a: number |};`;
    const result = await openPr([{ filename: "src/flow.js", additions: 1, deletions: 0, status: "modified", patch }], { "src/flow.js": flow });
    expect(result.text).toContain("(Flow syntax)");
    expect(result.text).not.toContain("counts as its maximum");
  });
});
