import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { configSchema, type ConfigInput } from "../../../src/config/schema.js";
import { analyzeFiles, type AnalyzeFilesInput, type FetchedContent, type LintOutcome, type LintTask } from "../../../src/core/analysis/analyze-files.js";
import { lintChangedLines } from "../../../src/core/analysis/lint-changed-lines.js";
import type { ChangedFile } from "../../../src/core/types.js";

// TypeScript fixtures end in .txt so that `tsc` (which includes test/) does not compile them.
const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/analysis/${name}${/\.[cm]?tsx?$/.test(name) ? ".txt" : ""}`, import.meta.url), "utf8");
const analysisConfig = (analysis: ConfigInput["analysis"] = {}) => configSchema.parse({ analysis }).analysis;

/** A patch that changes exactly the given lines of the new file (one hunk per line). */
function patchFor(lines: number[]): string {
  return lines.map((n) => `@@ -${n},1 +${n},1 @@\n-old\n+new`).join("\n");
}

/** A patch adding a whole new file of `text`. */
function addedPatch(text: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

function changed(filename: string, over: Partial<ChangedFile> = {}): ChangedFile {
  return { filename, status: "modified", additions: 1, deletions: 1, patch: patchFor([1]), ...over };
}

const blob = (text: string): FetchedContent => ({ kind: "blob", bytes: Buffer.byteLength(text), text, binary: false, truncated: false });

/** fetchContents over an in-memory tree: text, `null` for nothing there, or GitHub's own answer. */
function contents(tree: Record<string, string | null | FetchedContent>) {
  return vi.fn(async (filenames: readonly string[]) => {
    const out = new Map<string, FetchedContent>();
    for (const name of filenames) {
      const value = tree[name];
      if (value === undefined) throw new Error(`unexpected fetch of ${name}`);
      out.set(name, value === null ? { kind: "missing" } : typeof value === "string" ? blob(value) : value);
    }
    return out;
  });
}

/** The worker's own function, run here: what the pool does minus the thread. */
const lintHere = () => vi.fn(async (task: LintTask): Promise<LintOutcome> => ({ kind: "done", result: lintChangedLines(task) }));

const run = (input: Partial<AnalyzeFilesInput> & Pick<AnalyzeFilesInput, "files" | "fetchContents">) =>
  analyzeFiles({ config: analysisConfig(), lint: lintHere(), ...input });

describe("analyzeFiles", () => {
  it("keeps only findings on added or modified lines", async () => {
    const fetchContents = contents({ "src/bugs.js": fixture("bugs.js") });
    const result = await run({
      files: [changed("src/bugs.js", { additions: 3, patch: patchFor([8, 25, 38]) })],
      fetchContents,
    });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      "src/bugs.js:8 no-dupe-keys",
      // Reported on line 24 but spanning the changed line 25.
      "src/bugs.js:24 no-duplicate-case",
      "src/bugs.js:24 no-fallthrough",
      "src/bugs.js:38 use-isnan",
    ]);
    expect(result.errorsOnChangedLines).toBe(4);
    expect(result.warningsOnChangedLines).toBe(0);
    expect(result.totals).toEqual({ "no-dupe-keys": 1, "no-duplicate-case": 1, "no-fallthrough": 1, "use-isnan": 1 });
    expect(result.linted).toEqual(["src/bugs.js"]);
    expect(result.skipped).toEqual([]);
    expect(fetchContents).toHaveBeenCalledExactlyOnceWith(["src/bugs.js"], expect.any(AbortSignal));
  });

  it("counts errors, not warnings, as the risk factor input, and puts errors first", async () => {
    const result = await run({
      files: [changed("bugs.js", { patch: patchFor([3, 8, 83]) })],
      fetchContents: contents({ "bugs.js": fixture("bugs.js") }),
    });
    expect(result.findings.map((f) => [f.line, f.severity])).toEqual([
      [8, "error"],
      [3, "warn"],
      [83, "warn"],
    ]);
    expect(result.errorsOnChangedLines).toBe(1);
    expect(result.warningsOnChangedLines).toBe(2);
  });

  it("lints every line of an added file, and of one GitHub sent without a patch", async () => {
    const source = fixture("component.tsx");
    const result = await run({
      files: [
        { filename: "a/component.tsx", status: "added", additions: 19, deletions: 0, patch: addedPatch(source) },
        { filename: "b/component.tsx", status: "added", additions: 19, deletions: 0 },
      ],
      fetchContents: contents({ "a/component.tsx": source, "b/component.tsx": source }),
    });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      "a/component.tsx:17 use-isnan",
      "b/component.tsx:17 use-isnan",
    ]);
  });

  it("makes no content request for a PR touching only markdown", async () => {
    const fetchContents = contents({});
    const lint = lintHere();
    const result = await run({
      files: [changed("README.md", { additions: 40 }), changed("docs/guide.md", { status: "added" })],
      fetchContents,
      lint,
    });
    expect(fetchContents).not.toHaveBeenCalled();
    expect(lint).not.toHaveBeenCalled();
    expect(result).toMatchObject({ enabled: true, findings: [], errorsOnChangedLines: 0, linted: [], skipped: [] });
  });

  it("fetches nothing for removed, unchanged, ignored, renamed-only files or deletions with nothing after them; a deletion without its patch counts", async () => {
    const fetchContents = contents({});
    const result = await run({
      config: analysisConfig({ ignore: ["legacy/**", "**/*.config.js", ".github/**"] }),
      files: [
        changed("src/gone.ts", { status: "removed", additions: 0, deletions: 10, patch: "@@ -1,1 +0,0 @@\n-x" }),
        changed("src/same.ts", { status: "unchanged", additions: 0, deletions: 0, patch: undefined }),
        changed("legacy/old.js"),
        changed("webpack.config.js"),
        changed(".github/scripts/label.js"),
        changed("src/moved.ts", { status: "renamed", previous_filename: "src/old.ts", additions: 0, deletions: 0, patch: undefined }),
        changed("src/trimmed.ts", { additions: 0, deletions: 4, patch: "@@ -3,4 +2,0 @@\n-a\n-b\n-c\n-d" }),
        changed("src/trimmed-big.ts", { additions: 0, deletions: 4000, patch: undefined }),
      ],
      fetchContents,
    });
    expect(fetchContents).not.toHaveBeenCalled();
    expect(result.linted).toEqual([]);
    // The lines a deletion breaks are unknown without its patch.
    expect(result.skipped.map((x) => [x.file, x.code])).toEqual([["src/trimmed-big.ts", "no-patch"]]);
  });

  it("skips files without a diff without fetching them", async () => {
    const fetchContents = contents({});
    const result = await run({
      files: [changed("src/huge.ts", { additions: 5000, deletions: 4000, patch: undefined }), changed("src/zeroed.ts", { additions: 0, deletions: 0, patch: undefined })],
      fetchContents,
    });
    expect(fetchContents).not.toHaveBeenCalled();
    expect(result.skipped.map((s) => [s.file, s.code])).toEqual([
      ["src/huge.ts", "no-patch"],
      ["src/zeroed.ts", "no-patch"],
    ]);
    expect(result.skipped[0]?.reason).toContain("changed lines are unknown");
  });

  it("counts a change of mode only (status changed, no patch, nothing added or removed) as nothing to check", async () => {
    const fetchContents = contents({});
    const result = await run({ files: [changed("bin/cli.js", { status: "changed", additions: 0, deletions: 0, patch: undefined })], fetchContents });
    expect(fetchContents).not.toHaveBeenCalled();
    expect(result.skipped).toEqual([]);
    expect(result.unchecked).toBe(0);
  });

  it("lints all of a file renamed or copied from a name never linted (a .txt, an analysis.ignore path): its code is new to the analysis", async () => {
    const code = "export const a = { k: 1, k: 2 };\nexport const b = { k: 1, k: 2 };\n";
    const result = await run({
      files: [
        changed("src/a.js", { status: "renamed", previous_filename: "docs/a.txt", additions: 0, deletions: 0, patch: undefined }),
        changed("src/b.js", { status: "copied", previous_filename: "legacy/b.js", additions: 1, deletions: 1, patch: patchFor([1]) }),
        // From a linted name: only its changed lines, as before.
        changed("src/c.js", { status: "renamed", previous_filename: "src/old-c.js", additions: 1, deletions: 1, patch: patchFor([1]) }),
      ],
      config: analysisConfig({ ignore: ["legacy/**"] }),
      fetchContents: contents({ "src/a.js": code, "src/b.js": code, "src/c.js": code }),
    });
    expect(result.totals["no-dupe-keys"]).toBe(2 + 2 + 1);
  });

  it("counts the findings on the line after a change: code an added return makes unreachable, a case fallen into once a break is deleted", async () => {
    const unreachable = "export function f(user) {\n  return true;\n  check(user);\n}\n";
    const fallthrough = "export function g(k) {\n  switch (k) {\n    case 0:\n      a();\n    case 1:\n      b();\n  }\n}\n";
    const result = await run({
      files: [
        changed("src/f.js", { additions: 1, deletions: 0, patch: "@@ -1,3 +1,4 @@\n export function f(user) {\n+  return true;\n   check(user);\n }" }),
        // A deletion-only edit: the `break;` after `a();` is gone.
        changed("src/g.js", { additions: 0, deletions: 1, patch: "@@ -3,4 +3,3 @@\n     case 0:\n       a();\n-      break;\n     case 1:\n       b();" }),
      ],
      fetchContents: contents({ "src/f.js": unreachable, "src/g.js": fallthrough }),
    });
    expect(result.totals).toEqual({ "no-unreachable": 1, "no-fallthrough": 1 });
  });

  it("counts the line after a change past blank and comment-only lines; a @flow pragma just after a changed line is still one the PR did not write", async () => {
    const unreachable = "export function f(user) {\n  return true;\n\n  // then\n  check(user);\n}\n";
    const blank = await run({
      files: [changed("src/f.js", { additions: 1, deletions: 0, patch: "@@ -1,4 +1,5 @@\n export function f(user) {\n+  return true;\n \n   // then\n   check(user);" })],
      fetchContents: contents({ "src/f.js": unreachable }),
    });
    expect(blank.totals).toEqual({ "no-unreachable": 1 });
    // Line 1 edited, the pragma on line 2 untouched: still declared before the PR.
    const flow = "// Copyright 2026\n// @flow\nexport function g(x: number): string {\n  return x;\n}\n";
    const flowed = await run({
      files: [changed("src/g.js", { patch: "@@ -1,2 +1,2 @@\n-// Copyright 2025\n+// Copyright 2026\n // @flow" })],
      fetchContents: contents({ "src/g.js": flow }),
    });
    expect(flowed.skipped).toMatchObject([{ code: "unparsed", reason: expect.stringContaining("(Flow syntax)") }]);
    expect(flowed.unchecked).toBe(0);
  });

  it("counts the files GitHub's list left out (past 3,000) as unchecked", async () => {
    const result = await run({ files: [changed("docs/a.md")], unlisted: 2, fetchContents: contents({}) });
    expect(result.skipped).toMatchObject([{ code: "not-listed", file: "2 more files" }]);
    expect(result.unchecked).toBe(1);
  });

  it("lets the event loop run while it reads a huge PR's patches", async () => {
    const patch = `@@ -0,0 +1,2000 @@\n${"+export const value = someFunction(argument1, argument2);\n".repeat(2000)}`;
    const files = Array.from({ length: 400 }, (_, i) => changed(`src/f${i}.js`, { additions: 2000, deletions: 0, patch }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      await run({ files, fetchContents: async () => Promise.reject(new Error("only the reading before the fetch is looked at")), lint: async () => ({ kind: "expired" }) });
      // About 48 MB of patches, read in slices with the timers running between them.
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });

  it("lints hand-written code under a vendored name; minified code there is not linted and counts as unchecked", async () => {
    // The author chooses the name: `src/node_modules/…` or `*.min.js` must not hide new code.
    const handWritten = "export function check(token) {\n  debugger;\n  return token == null;\n}\n";
    const minified = `!function(e){${"var a=e.x||{};".repeat(40)}}(window);\n`;
    const result = await run({
      files: [
        changed("src/node_modules/auth/index.js", { status: "added", additions: 4, patch: addedPatch(handWritten) }),
        changed("src/auth.min.js", { status: "added", additions: 4, patch: addedPatch(handWritten) }),
        changed("public/vendor/jquery.min.js", { additions: 1 }),
      ],
      fetchContents: contents({ "src/node_modules/auth/index.js": handWritten, "src/auth.min.js": handWritten, "public/vendor/jquery.min.js": minified }),
    });
    expect(result.linted.sort()).toEqual(["src/auth.min.js", "src/node_modules/auth/index.js"]);
    expect(result.totals["no-debugger"]).toBe(2);
    expect(result.skipped).toMatchObject([{ file: "public/vendor/jquery.min.js", code: "vendored" }]);
    expect(result.skipped[0]?.reason).toContain("analysis.ignore");
    expect(result.unchecked).toBe(1);
  });

  it("leaves out what the repository's own analysis.ignore names, unfetched and uncounted", async () => {
    const fetchContents = contents({});
    const result = await run({ files: [changed("public/vendor/jquery.min.js")], config: analysisConfig({ ignore: ["public/vendor/**"] }), fetchContents });
    expect(fetchContents).not.toHaveBeenCalled();
    expect(result.skipped).toEqual([]);
    expect(result.unchecked).toBe(0);
  });

  it("lints at most 100 files, the ones with most added lines first, fetched in one call", async () => {
    const files = Array.from({ length: 101 }, (_, i) => changed(`src/f${i}.js`, { additions: i === 42 ? 1 : 10 + i }));
    const tree = Object.fromEntries(files.map((f) => [f.filename, "export const a = { x: 1, x: 2 };\n"]));
    const fetchContents = contents(tree);
    const result = await run({ files, fetchContents });
    expect(fetchContents).toHaveBeenCalledTimes(1);
    expect(fetchContents.mock.calls[0]?.[0]).toHaveLength(100);
    expect(fetchContents.mock.calls[0]?.[0]).not.toContain("src/f42.js");
    expect(result.linted).toHaveLength(100);
    expect(result.linted[0]).toBe("src/f100.js");
    expect(result.skipped).toEqual([
      { file: "src/f42.js", code: "file-limit", reason: "over the limit of 100 files linted per pull request" },
    ]);
    expect(result.errorsOnChangedLines).toBe(100);
  });

  it("keeps the 50 most severe findings of the PR, errors first, then unanalysed files, and counts them all per rule", async () => {
    const noisy = Array.from({ length: 120 }, () => "debugger;").join("\n");
    const files = [
      changed("a.js", { status: "added", additions: 120, patch: addedPatch(noisy) }),
      changed("b.js", { status: "added", additions: 1, patch: addedPatch("export const b = { k: 1, k: 2 };") }),
      changed("z.js", { status: "added", additions: 1, patch: addedPatch("slow();") }),
    ];
    const inProcess = lintHere();
    const result = await run({
      files,
      fetchContents: contents({ "a.js": noisy, "b.js": "export const b = { k: 1, k: 2 };", "z.js": "slow();" }),
      lint: async (task, budget) => (task.filename === "z.js" ? { kind: "timeout", by: "file", ms: budget.fileMs } : inProcess(task)),
    });
    expect(result.findings).toHaveLength(50);
    expect(result.findings.slice(0, 3).map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(["b.js:1 no-dupe-keys", "z.js:1 not-analysed", "a.js:1 no-debugger"]);
    expect(result.findings.slice(2).every((f) => f.ruleId === "no-debugger")).toBe(true);
    expect(result.totals).toEqual({ "no-debugger": 120, "no-dupe-keys": 1 });
    expect(result.errorsOnChangedLines).toBe(1);
    expect(result.warningsOnChangedLines).toBe(120);
  });

  it("skips files over 1 MB, measured in UTF-8 bytes or as GitHub counts them", async () => {
    const justUnder = `// ${"x".repeat(1024 * 1024 - 4)}\n`;
    const overInBytes = `// ${"é".repeat(600_000)}\n`; // 600 000 characters, 1.2 MB
    const result = await run({
      files: [changed("ok.js"), changed("big.js"), changed("accented.js"), changed("huge.js")],
      fetchContents: contents({
        "ok.js": justUnder,
        "big.js": `${justUnder}x;\n`,
        "accented.js": overInBytes,
        // What GitHub answers for a 5 MB file: its size, and the first 512,000 bytes of text.
        "huge.js": { kind: "blob", bytes: 5_000_000, text: "x".repeat(512_000), binary: false, truncated: true },
      }),
    });
    expect(Buffer.byteLength(justUnder)).toBe(1024 * 1024);
    expect(result.linted).toEqual(["ok.js"]);
    expect(result.skipped).toEqual([
      { file: "big.js", code: "too-large", reason: "1,048,579 bytes, over the 1 MB limit" },
      { file: "accented.js", code: "too-large", reason: "1,200,004 bytes, over the 1 MB limit" },
      { file: "huge.js", code: "too-large", reason: "5,000,000 bytes, over the 1 MB limit" },
    ]);
  });

  it("skips binary files and files GitHub sent only part of, and never lints them", async () => {
    const lint = lintHere();
    const result = await run({
      files: [changed("logo.js"), changed("long.js")],
      fetchContents: contents({
        "logo.js": { kind: "blob", bytes: 2048, text: null, binary: true, truncated: false },
        "long.js": { kind: "blob", bytes: 700_000, text: "const a = 1;\n".repeat(1000), binary: false, truncated: true },
      }),
      lint,
    });
    expect(lint).not.toHaveBeenCalled();
    expect(result.linted).toEqual([]);
    expect(result.skipped).toEqual([
      { file: "logo.js", code: "binary", reason: "a binary file" },
      { file: "long.js", code: "truncated", reason: "700,000 bytes, more than GitHub returns of a file's text in one query" },
    ]);
  });

  it("stops at the PR's time budget: the file running then is stopped, the rest are listed as skipped", async () => {
    let clock = 0;
    const lint = vi.fn(async (task: LintTask, budget: { fileMs: number; deadline: number }): Promise<LintOutcome> => {
      // Every file takes 4 s; the pool stops one that would end past the deadline.
      if (clock + 4_000 > budget.deadline) {
        clock = budget.deadline;
        return { kind: "timeout", by: "pull-request", ms: 2_000 };
      }
      clock += 4_000;
      return { kind: "done", result: lintChangedLines(task) };
    });
    const files = ["a.js", "b.js", "c.js", "d.js", "e.js"].map((name) => changed(name));
    const tree = Object.fromEntries(files.map((f) => [f.filename, "export const a = 1;\n"]));
    const result = await run({ files, fetchContents: contents(tree), lint, now: () => clock, limits: { fileTimeBudgetMs: 5_000 } });
    // a: 0→4 s, b: 4→8 s, c: starts at 8 s and is stopped at 10 s; d, e never start.
    expect(lint).toHaveBeenCalledTimes(3);
    expect(lint.mock.calls[0]?.[1]).toEqual({ fileMs: 5_000, deadline: 10_000 });
    expect(result.linted).toEqual(["a.js", "b.js"]);
    expect(result.skipped).toEqual([
      { file: "c.js", code: "time-budget", reason: "time budget of 10 s per pull request used up while it was being linted" },
      { file: "d.js", code: "time-budget", reason: "time budget of 10 s per pull request used up before this file" },
      { file: "e.js", code: "time-budget", reason: "time budget of 10 s per pull request used up before this file" },
    ]);
    expect(result.durationMs).toBe(10_000);
  });

  it("turns a file over its time or memory budget into one 'not analysed' finding on its first changed line", async () => {
    const outcomes: Record<string, LintOutcome> = {
      "slow.js": { kind: "timeout", by: "file", ms: 2_000 },
      "huge.ts": { kind: "out-of-memory", heapMb: 256 },
      "late.js": { kind: "expired" },
      "odd.js": { kind: "crashed", message: "the worker exited with code 1" },
    };
    const files = Object.keys(outcomes).map((name) => changed(name, { patch: patchFor([7, 9]) }));
    const result = await run({
      files,
      fetchContents: contents(Object.fromEntries(files.map((f) => [f.filename, "x;\n"]))),
      lint: async (task) => outcomes[task.filename]!,
    });
    expect(result.findings).toEqual([
      { file: "huge.ts", ruleId: "not-analysed", severity: "warn", line: 7, column: 1, message: "not analysed: exceeded the memory budget of 256 MB" },
      { file: "slow.js", ruleId: "not-analysed", severity: "warn", line: 7, column: 1, message: "not analysed: exceeded the time budget of 2 s per file" },
    ]);
    expect(result.errorsOnChangedLines + result.warningsOnChangedLines).toBe(0);
    expect(result.skipped).toEqual([
      { file: "slow.js", code: "file-time-budget", reason: "not analysed: exceeded the time budget of 2 s per file" },
      { file: "huge.ts", code: "memory-budget", reason: "not analysed: exceeded the memory budget of 256 MB" },
      { file: "late.js", code: "time-budget", reason: "time budget of 10 s per pull request used up before this file" },
      { file: "odd.js", code: "worker-crashed", reason: "the lint worker failed on it: the worker exited with code 1" },
    ]);
  });

  it("skips a file GitHub could not give or has no content for, and lints the others", async () => {
    const result = await run({
      files: [changed("a.js"), changed("b.js"), changed("c.js")],
      fetchContents: contents({ "a.js": { kind: "failed", message: "Something went wrong while executing your query" }, "b.js": null, "c.js": "export const c = { k: 1, k: 2 };" }),
    });
    expect(result.linted).toEqual(["c.js"]);
    expect(result.findings).toHaveLength(1);
    expect(result.skipped).toEqual([
      { file: "a.js", code: "fetch-failed", reason: "could not fetch its content: Something went wrong while executing your query" },
      { file: "b.js", code: "no-content", reason: "GitHub has no file content for it at the head commit (a submodule?)" },
    ]);
  });

  it("lists every file as not fetched when the fetch fails, and lints none", async () => {
    const lint = lintHere();
    const result = await run({
      files: [changed("a.js"), changed("b.js")],
      fetchContents: async () => {
        throw new Error("HttpError: Server Error\nstack");
      },
      lint,
    });
    expect(lint).not.toHaveBeenCalled();
    expect(result.skipped).toEqual([
      { file: "a.js", code: "fetch-failed", reason: "could not fetch its content: HttpError: Server Error" },
      { file: "b.js", code: "fetch-failed", reason: "could not fetch its content: HttpError: Server Error" },
    ]);
  });

  it("reports a syntax error on a changed line as an error finding, and the file as not linted (no rule ran on it)", async () => {
    const result = await run({
      files: [changed("src/syntax-error.ts", { patch: patchFor([5]) })],
      fetchContents: contents({ "src/syntax-error.ts": fixture("syntax-error.ts") }),
    });
    expect(result.findings).toEqual([
      { file: "src/syntax-error.ts", ruleId: "parse-error", severity: "error", line: 5, column: 34, message: "Parsing error: ',' expected." },
    ]);
    expect(result.errorsOnChangedLines).toBe(1);
    // Syntax Node runs that the parser lacks would otherwise hide every error after it.
    expect(result.linted).toEqual([]);
    expect(result.skipped).toMatchObject([{ file: "src/syntax-error.ts", code: "unparsed" }]);
    expect(result.unchecked).toBe(1);
  });

  it("lists a file that does not parse on an unchanged line as not linted", async () => {
    const result = await run({
      files: [changed("src/syntax-error.js", { patch: patchFor([2]) })],
      fetchContents: contents({ "src/syntax-error.js": fixture("syntax-error.js") }),
    });
    expect(result.findings).toEqual([]);
    expect(result.errorsOnChangedLines).toBe(0);
    expect(result.linted).toEqual([]);
    expect(result.skipped).toEqual([
      {
        file: "src/syntax-error.js",
        code: "unparsed",
        reason: "could not be parsed at line 6 (Parsing error: Unexpected keyword 'return'), so it was not linted",
      },
    ]);
  });

  it("applies the configured rule overrides", async () => {
    const result = await run({
      config: analysisConfig({ rules: { "no-dupe-keys": "off", "no-unused-vars": "error" } }),
      files: [changed("bugs.js", { patch: patchFor([3, 8]) })],
      fetchContents: contents({ "bugs.js": fixture("bugs.js") }),
    });
    expect(result.findings.map((f) => `${f.line} ${f.ruleId} ${f.severity}`)).toEqual(["3 no-unused-vars error"]);
  });

  it("abandons fetching at the PR's time budget: its files are not linted and count as unchecked", async () => {
    let aborted: unknown;
    const fetchContents = vi.fn(
      (_names: readonly string[], signal: AbortSignal) =>
        new Promise<ReadonlyMap<string, FetchedContent>>((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
            reject(signal.reason as Error);
          }),
        ),
    );
    const result = await run({ files: [changed("a.js"), changed("b.js")], fetchContents, limits: { timeBudgetMs: 50 } });
    expect(aborted).toBeInstanceOf(Error);
    expect(result.skipped.map((s) => `${s.file} ${s.code}: ${s.reason}`)).toEqual([
      "a.js fetch-time-budget: time budget of 50 ms per pull request used up while fetching the files",
      "b.js fetch-time-budget: time budget of 50 ms per pull request used up while fetching the files",
    ]);
    expect(result.unchecked).toBe(2);
  });

  it("counts what could not be checked for reasons in the change, and not what was never the author's to check", async () => {
    const result = await run({
      files: [changed("big.js"), changed("logo.js"), changed("gone.js"), changed("dist/app.min.js"), changed("broken.js", { patch: patchFor([1]) })],
      fetchContents: contents({
        "big.js": { kind: "blob", bytes: 2_000_000, text: null, binary: false, truncated: true },
        "logo.js": { kind: "blob", bytes: 10, text: null, binary: true, truncated: false },
        "gone.js": null,
        "dist/app.min.js": `${"var a=1,b=2,c=3;".repeat(20)}\n`,
        // The parser stops on line 3, which the PR did not touch.
        "broken.js": "export const a = 1;\nconst b = 2;\nconst = ;\n",
      }),
    });
    expect(Object.fromEntries(result.skipped.map((s) => [s.file, s.code]))).toEqual({ "big.js": "too-large", "logo.js": "binary", "gone.js": "no-content", "dist/app.min.js": "vendored", "broken.js": "unparsed" });
    // A code file GitHub calls binary still runs (one NUL byte in a comment is enough): it counts,
    // as does minified code under a vendored name. A path GitHub has no content for (a submodule) does not.
    expect(result.unchecked).toBe(4);
  });

  it("counts a code file GitHub sends no text for (bytes that are not UTF-8)", async () => {
    const result = await run({ files: [changed("latin1.js")], fetchContents: contents({ "latin1.js": { kind: "blob", bytes: 30, text: null, binary: false, truncated: false } }) });
    expect(result.skipped).toMatchObject([{ file: "latin1.js", code: "no-text" }]);
    expect(result.unchecked).toBe(1);
  });

  it("exempts an unparsable file as Flow only when the repository declared it Flow before the PR", async () => {
    // The parser stops on line 4, which the PR did not touch; `@flow` is on line 1.
    const source = "// @flow\nexport const a = 1;\nconst b = 2;\ntype T = {| a: number |};\n";
    const declared = await run({ files: [changed("f.js", { patch: patchFor([2]) })], fetchContents: contents({ "f.js": source }) });
    expect(declared.skipped).toMatchObject([{ file: "f.js", code: "unparsed", reason: expect.stringContaining("(Flow syntax)") }]);
    expect(declared.unchecked).toBe(0);
    // The PR wrote the pragma itself.
    const added = await run({ files: [changed("f.js", { patch: patchFor([1, 2]) })], fetchContents: contents({ "f.js": source }) });
    expect(added.skipped).toMatchObject([{ file: "f.js", code: "unparsed" }]);
    expect(added.skipped[0]!.reason).not.toContain("Flow");
    expect(added.unchecked).toBe(1);
  });

  it("does nothing at all when analysis is disabled", async () => {
    const fetchContents = contents({});
    const result = await run({ config: analysisConfig({ enabled: false }), files: [changed("a.js")], fetchContents });
    expect(fetchContents).not.toHaveBeenCalled();
    expect(result).toEqual({
      enabled: false,
      findings: [],
      totals: {},
      errorsOnChangedLines: 0,
      warningsOnChangedLines: 0,
      linted: [],
      skipped: [],
      unchecked: 0,
      durationMs: 0,
    });
  });

  it("lints one file at a time, in the chosen order", async () => {
    let inFlight = 0;
    let peak = 0;
    const inProcess = lintHere();
    const lint = vi.fn(async (task: LintTask): Promise<LintOutcome> => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return inProcess(task);
    });
    const files = Array.from({ length: 8 }, (_, i) => changed(`f${i}.js`, { additions: 10 - i }));
    const result = await run({ files, fetchContents: contents(Object.fromEntries(files.map((f) => [f.filename, "export const a = { x: 1, x: 2 };\n"]))), lint });
    expect(peak).toBe(1);
    expect(lint.mock.calls.map(([task]) => task.filename)).toEqual(files.map((f) => f.filename));
    expect(result.linted).toEqual(files.map((f) => f.filename));
  });
});
