import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { configSchema, type ConfigInput } from "../../../src/config/schema.js";
import { analyzeFiles, type AnalyzeFilesInput } from "../../../src/core/analysis/analyze-files.js";
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

/** fetchContent over an in-memory tree, recording every request. */
function contents(tree: Record<string, string | null | Error>) {
  return vi.fn(async (filename: string): Promise<string | null> => {
    const value = tree[filename];
    if (value instanceof Error) throw value;
    if (value === undefined) throw new Error(`unexpected fetch of ${filename}`);
    return value;
  });
}

const run = (input: Partial<AnalyzeFilesInput> & Pick<AnalyzeFilesInput, "files" | "fetchContent">) =>
  analyzeFiles({ config: analysisConfig(), ...input });

describe("analyzeFiles", () => {
  it("keeps only findings on added or modified lines", async () => {
    const fetchContent = contents({ "src/bugs.js": fixture("bugs.js") });
    const result = await run({
      files: [changed("src/bugs.js", { additions: 3, patch: patchFor([8, 25, 38]) })],
      fetchContent,
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
    expect(result.linted).toEqual(["src/bugs.js"]);
    expect(result.skipped).toEqual([]);
    expect(fetchContent).toHaveBeenCalledExactlyOnceWith("src/bugs.js");
  });

  it("counts errors, not warnings, as the risk factor input", async () => {
    const result = await run({
      files: [changed("bugs.js", { patch: patchFor([3, 8, 83]) })],
      fetchContent: contents({ "bugs.js": fixture("bugs.js") }),
    });
    expect(result.findings.map((f) => [f.line, f.severity])).toEqual([
      [3, "warn"],
      [8, "error"],
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
      fetchContent: contents({ "a/component.tsx": source, "b/component.tsx": source }),
    });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      "a/component.tsx:17 use-isnan",
      "b/component.tsx:17 use-isnan",
    ]);
  });

  it("makes no content request for a PR touching only markdown", async () => {
    const fetchContent = vi.fn(async () => "");
    const result = await run({
      files: [changed("README.md", { additions: 40 }), changed("docs/guide.md", { status: "added" })],
      fetchContent,
    });
    expect(fetchContent).not.toHaveBeenCalled();
    expect(result).toMatchObject({ enabled: true, findings: [], errorsOnChangedLines: 0, linted: [], skipped: [] });
  });

  it("fetches nothing for removed, unchanged, ignored, renamed-only or deletion-only files", async () => {
    const fetchContent = vi.fn(async () => "");
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
      fetchContent,
    });
    expect(fetchContent).not.toHaveBeenCalled();
    expect(result.linted).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it("skips vendored code and files without a diff, without fetching them", async () => {
    const fetchContent = vi.fn(async () => "");
    const result = await run({
      files: [
        changed("public/vendor/jquery.min.js", { additions: 2 }),
        changed("packages/x/node_modules/y/index.js"),
        changed("src/huge.ts", { additions: 5000, deletions: 4000, patch: undefined }),
        changed("src/zeroed.ts", { additions: 0, deletions: 0, patch: undefined }),
      ],
      fetchContent,
    });
    expect(fetchContent).not.toHaveBeenCalled();
    expect(result.skipped.map((s) => [s.file, s.code])).toEqual([
      ["packages/x/node_modules/y/index.js", "vendored"],
      ["public/vendor/jquery.min.js", "vendored"],
      ["src/huge.ts", "no-patch"],
      ["src/zeroed.ts", "no-patch"],
    ]);
    expect(result.skipped[2]?.reason).toContain("changed lines are unknown");
  });

  it("lints at most 100 files, the ones with most added lines first, and says which it skipped", async () => {
    const files = Array.from({ length: 101 }, (_, i) => changed(`src/f${i}.js`, { additions: i === 42 ? 1 : 10 + i }));
    const fetchContent = vi.fn(async () => "export const a = { x: 1, x: 2 };\n");
    const result = await run({ files, fetchContent });
    expect(fetchContent).toHaveBeenCalledTimes(100);
    expect(fetchContent).not.toHaveBeenCalledWith("src/f42.js");
    expect(result.linted).toHaveLength(100);
    expect(result.linted[0]).toBe("src/f100.js");
    expect(result.skipped).toEqual([
      { file: "src/f42.js", code: "file-limit", reason: "over the limit of 100 files linted per pull request" },
    ]);
    expect(result.errorsOnChangedLines).toBe(100);
  });

  it("skips files over 1 MB, measured in UTF-8 bytes", async () => {
    const justUnder = `// ${"x".repeat(1024 * 1024 - 4)}\n`;
    const overInBytes = `// ${"é".repeat(600_000)}\n`; // 600 000 characters, 1.2 MB
    const result = await run({
      files: [changed("ok.js"), changed("big.js"), changed("accented.js")],
      fetchContent: contents({ "ok.js": justUnder, "big.js": `${justUnder}x;\n`, "accented.js": overInBytes }),
    });
    expect(Buffer.byteLength(justUnder)).toBe(1024 * 1024);
    expect(result.linted).toEqual(["ok.js"]);
    expect(result.skipped).toEqual([
      { file: "big.js", code: "too-large", reason: "1,048,579 bytes, over the 1 MB limit" },
      { file: "accented.js", code: "too-large", reason: "1,200,004 bytes, over the 1 MB limit" },
    ]);
  });

  it("stops at the time budget and lists the rest as skipped", async () => {
    let clock = 0;
    const fetchContent = vi.fn(async () => {
      clock += 4_000; // every fetch takes 4 s
      return "export const a = 1;\n";
    });
    const files = ["a.js", "b.js", "c.js", "d.js", "e.js"].map((name) => changed(name));
    const result = await run({ files, fetchContent, now: () => clock, limits: { concurrency: 1 } });
    // a: 0→4 s, b: 4→8 s, c: starts at 8 s but arrives at 12 s, over the 10 s budget; d, e never start.
    expect(fetchContent).toHaveBeenCalledTimes(3);
    expect(result.linted).toEqual(["a.js", "b.js"]);
    expect(result.skipped.map((s) => [s.file, s.code])).toEqual([
      ["c.js", "time-budget"],
      ["d.js", "time-budget"],
      ["e.js", "time-budget"],
    ]);
    expect(result.skipped[0]?.reason).toBe("time budget of 10 s used up before this file");
    expect(result.durationMs).toBe(12_000);
  });

  it("skips a file whose fetch fails or has no content, and lints the others", async () => {
    const result = await run({
      files: [changed("a.js"), changed("b.js"), changed("c.js")],
      fetchContent: contents({ "a.js": new Error("HttpError: Server Error\nstack"), "b.js": null, "c.js": "export const c = { k: 1, k: 2 };" }),
    });
    expect(result.linted).toEqual(["c.js"]);
    expect(result.findings).toHaveLength(1);
    expect(result.skipped).toEqual([
      { file: "a.js", code: "fetch-failed", reason: "could not fetch its content: HttpError: Server Error" },
      { file: "b.js", code: "no-content", reason: "GitHub returned no text content for it" },
    ]);
  });

  it("reports a syntax error on a changed line as an error finding", async () => {
    const result = await run({
      files: [changed("src/syntax-error.ts", { patch: patchFor([5]) })],
      fetchContent: contents({ "src/syntax-error.ts": fixture("syntax-error.ts") }),
    });
    expect(result.findings).toEqual([
      { file: "src/syntax-error.ts", ruleId: "parse-error", severity: "error", line: 5, column: 34, message: "Parsing error: ',' expected." },
    ]);
    expect(result.errorsOnChangedLines).toBe(1);
    expect(result.linted).toEqual(["src/syntax-error.ts"]);
  });

  it("lists a file that does not parse on an unchanged line as not linted", async () => {
    const result = await run({
      files: [changed("src/syntax-error.js", { patch: patchFor([2]) })],
      fetchContent: contents({ "src/syntax-error.js": fixture("syntax-error.js") }),
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
      fetchContent: contents({ "bugs.js": fixture("bugs.js") }),
    });
    expect(result.findings.map((f) => `${f.line} ${f.ruleId} ${f.severity}`)).toEqual(["3 no-unused-vars error"]);
  });

  it("does nothing at all when analysis is disabled", async () => {
    const fetchContent = vi.fn(async () => "");
    const result = await run({ config: analysisConfig({ enabled: false }), files: [changed("a.js")], fetchContent });
    expect(fetchContent).not.toHaveBeenCalled();
    expect(result).toEqual({
      enabled: false,
      findings: [],
      errorsOnChangedLines: 0,
      warningsOnChangedLines: 0,
      linted: [],
      skipped: [],
      durationMs: 0,
    });
  });

  it("keeps a few requests in flight, and sorts results whatever order they finish in", async () => {
    let inFlight = 0;
    let peak = 0;
    const fetchContent = vi.fn(async (filename: string) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      // Later files answer first.
      await new Promise((resolve) => setTimeout(resolve, 40 - Number(filename.match(/\d+/)?.[0])));
      inFlight -= 1;
      return "export const a = { x: 1, x: 2 };\n";
    });
    const files = Array.from({ length: 20 }, (_, i) => changed(`f${String(i).padStart(2, "0")}.js`));
    const result = await run({ files, fetchContent, limits: { concurrency: 4 } });
    expect(peak).toBe(4);
    expect(result.linted).toEqual(files.map((f) => f.filename));
    expect(result.findings.map((f) => f.file)).toEqual(files.map((f) => f.filename));
  });
});
