import { describe, expect, it } from "vitest";
import { clipUtf8, compareFindings, lintChangedLines, MAX_MESSAGE_BYTES } from "../../../src/core/analysis/lint-changed-lines.js";
import type { LintFinding } from "../../../src/core/analysis/lint-source.js";

describe("lintChangedLines", () => {
  it("returns at most maxFindings, the most severe first, but counts every finding on changed lines", () => {
    const source = [...Array.from({ length: 30 }, () => "debugger;"), "export const a = { k: 1, k: 2 };", "debugger;"].join("\n");
    const result = lintChangedLines({ filename: "a.js", source, lines: [[2, 32]], maxFindings: 5 });
    expect(result.kind).toBe("linted");
    if (result.kind !== "linted") return;
    expect(result.findings.map((f) => `${f.line} ${f.ruleId}`)).toEqual(["31 no-dupe-keys", "2 no-debugger", "3 no-debugger", "4 no-debugger", "5 no-debugger"]);
    // Line 1 did not change: its debugger statement is not the PR's.
    expect(result.totals).toEqual({ "no-debugger": 30, "no-dupe-keys": 1 });
    expect(result).toMatchObject({ errors: 1, warnings: 30 });
  });

  it("says a file is unparsed when the parser stops on a line the PR did not touch", () => {
    const result = lintChangedLines({ filename: "a.ts", source: "const a = 1;\nconst b: = ;\n", lines: [[1, 1]], maxFindings: 50 });
    expect(result).toMatchObject({ kind: "unparsed", line: 2, changed: false });
  });

  it("says a file is unparsed on a changed line when the parser stops on one the PR touched", () => {
    const result = lintChangedLines({ filename: "a.ts", source: "const a = 1;\nconst b: = ;\n", lines: "all", maxFindings: 50 });
    expect(result).toMatchObject({ kind: "unparsed", line: 2, changed: true });
  });
});

describe("lintChangedLines: directive comments", () => {
  const lint = (source: string, lines: [number, number][] | "all") => {
    const result = lintChangedLines({ filename: "a.ts", source, lines, maxFindings: 50 });
    if (result.kind !== "linted") throw new Error(`not linted: ${result.kind}`);
    return result.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`);
  };

  it("does not honour a disable comment or a rule switched off that the PR adds, in any spelling", () => {
    // Each spelling ESLint accepts, on a changed line; the findings keep their positions.
    expect(lint("/* eslint-disable */\ndebugger;\n", "all")).toEqual(["2:1 no-debugger"]);
    expect(lint("const a = 1;\n/*   eslint-disable no-debugger -- reason */\ndebugger;\n", [[2, 3]])).toEqual(["3:1 no-debugger"]);
    expect(lint("debugger; // eslint-disable-line\n", "all")).toEqual(["1:1 no-debugger"]);
    expect(lint("// eslint-disable-next-line no-debugger\ndebugger;\n", [[1, 2]])).toEqual(["2:1 no-debugger"]);
    expect(lint("/* eslint\n  no-debugger: off */\ndebugger;\n", "all")).toEqual(["3:1 no-debugger"]);
    expect(lint("\uFEFF/* eslint no-dupe-keys: 0, no-debugger: 0 */ debugger; const o = { k: 1, k: 2 };\n", "all")).toEqual(["1:74 no-dupe-keys", "1:46 no-debugger"]);
  });

  it("nor the repository's directives over the lines the PR changed: code added under them, their eslint-enable edited or deleted", () => {
    expect(lint("/* eslint-disable no-debugger */\nconst a = 1;\ndebugger;\n", [[3, 3]])).toEqual(["3:1 no-debugger"]);
    expect(lint("// eslint-disable-next-line no-debugger\ndebugger;\ndebugger;\n", [[2, 2]])).toEqual(["2:1 no-debugger"]);
    expect(lint("/* eslint-disable */\nconst a = 1;\n/* eslint-enable */ const b = 1;\ndebugger;\n", [[3, 4]])).toEqual(["4:1 no-debugger"]);
    // Findings on the lines the PR left alone are still not the PR's.
    expect(lint("debugger;\nconst a = 1;\n", [[2, 2]])).toEqual([]);
  });

  it("compares git's line numbers with the patch's, whatever line separators ESLint also counts", () => {
    for (const sep of ["\r", "\u2028", "\u2029"]) {
      expect(lint(`// added${sep.repeat(5)}\ndebugger;\ndebugger;\nconst a = 1;\nconst b = 2;\nconst c = 3;\n`, [[1, 3]])).toEqual(["2:1 no-debugger", "3:1 no-debugger"]);
    }
  });
});

describe("compareFindings", () => {
  const f = (over: Partial<LintFinding> & { file?: string }): LintFinding & { file?: string } => ({
    ruleId: "no-debugger",
    severity: "warn",
    line: 1,
    column: 1,
    message: "",
    ...over,
  });

  it("orders errors, then files not analysed, then warnings, each by file, line and column", () => {
    const list = [
      f({ file: "a.js", line: 1 }),
      f({ file: "z.js", ruleId: "not-analysed" }),
      f({ file: "b.js", severity: "error", ruleId: "no-dupe-keys", line: 9 }),
      f({ file: "b.js", severity: "error", ruleId: "no-dupe-keys", line: 3, column: 5 }),
      f({ file: "b.js", severity: "error", ruleId: "no-dupe-keys", line: 3, column: 2 }),
    ];
    expect(list.sort(compareFindings).map((x) => `${x.file}:${x.line}:${x.column} ${x.ruleId}`)).toEqual([
      "b.js:3:2 no-dupe-keys",
      "b.js:3:5 no-dupe-keys",
      "b.js:9:1 no-dupe-keys",
      "z.js:1:1 not-analysed",
      "a.js:1:1 no-debugger",
    ]);
  });
});

describe("clipUtf8", () => {
  it("cuts by UTF-8 bytes at a code point boundary, never inside a surrogate pair", () => {
    expect(clipUtf8("short", 10)).toBe("short");
    const clipped = clipUtf8("𝓮".repeat(400), 1024);
    expect(Buffer.byteLength(clipped)).toBeLessThanOrEqual(1024);
    expect(clipped.endsWith("…")).toBe(true);
    expect([...clipped.slice(0, -1)].every((ch) => ch === "𝓮")).toBe(true);
  });

  it("keeps a finding's message short however long the code it quotes", () => {
    const name = "k".repeat(400_000);
    const result = lintChangedLines({ filename: "a.js", source: `export const o = { ${name}: 1, ${name}: 2 };\n`, lines: "all", maxFindings: 5 });
    expect(result.kind).toBe("linted");
    if (result.kind === "linted") {
      expect(result.errors).toBe(1);
      expect(Buffer.byteLength(result.findings[0]!.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
  });
});
