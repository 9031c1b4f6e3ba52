import { describe, expect, it } from "vitest";
import type { AnalysisFinding, AnalysisResult } from "../../../src/core/analysis/analyze-files.js";
import { summarizeAnalysis, toAnnotations } from "../../../src/core/analysis/to-annotations.js";

const finding = (over: Partial<AnalysisFinding> = {}): AnalysisFinding => ({
  file: "src/a.js",
  ruleId: "no-dupe-keys",
  severity: "error",
  line: 8,
  column: 3,
  endLine: 8,
  endColumn: 10,
  message: "Duplicate key 'retries'.",
  ...over,
});

const result = (over: Partial<AnalysisResult> = {}): AnalysisResult => ({
  enabled: true,
  unchecked: 0,
  findings: [],
  totals: {},
  errorsOnChangedLines: 0,
  warningsOnChangedLines: 0,
  linted: [],
  skipped: [],
  durationMs: 5,
  ...over,
});

describe("toAnnotations", () => {
  it("maps an error to a failure annotation with columns on a single line", () => {
    expect(toAnnotations([finding()])).toEqual([
      {
        path: "src/a.js",
        start_line: 8,
        end_line: 8,
        start_column: 3,
        end_column: 9,
        annotation_level: "failure",
        title: "no-dupe-keys (error)",
        message:
          "Duplicate key 'retries'.\n\nWhy it matters: a repeated key in an object literal silently drops the earlier value.\nhttps://eslint.org/docs/latest/rules/no-dupe-keys",
      },
    ]);
  });

  it("maps a warning to a warning, and leaves out columns on a multi-line range (the API rejects them)", () => {
    const [a] = toAnnotations([finding({ ruleId: "require-yield", severity: "warn", line: 34, column: 8, endLine: 36, endColumn: 2 })]);
    expect(a).toMatchObject({ start_line: 34, end_line: 36, annotation_level: "warning", title: "require-yield (warning)" });
    expect(a).not.toHaveProperty("start_column");
    expect(a).not.toHaveProperty("end_column");
  });

  it("titles a parse error plainly and keeps the parser's message", () => {
    const [a] = toAnnotations([
      finding({ ruleId: "parse-error", line: 5, column: 34, endLine: undefined, endColumn: undefined, message: "Parsing error: ',' expected." }),
    ]);
    expect(a).toEqual({
      path: "src/a.js",
      start_line: 5,
      end_line: 5,
      start_column: 34,
      end_column: 34,
      annotation_level: "failure",
      title: "Syntax error",
      message: "Parsing error: ',' expected.",
    });
  });

  it("clips messages to the API's 64 KB", () => {
    const [a] = toAnnotations([finding({ ruleId: "parse-error", message: "x".repeat(70_000) })]);
    expect(a?.message).toHaveLength(64 * 1024);
  });
});

describe("summarizeAnalysis", () => {
  it("counts findings by rule and lists what was not linted", () => {
    const text = summarizeAnalysis(
      result({
        findings: [finding(), finding({ line: 9 }), finding({ ruleId: "no-unused-vars", severity: "warn" })],
        totals: { "no-dupe-keys": 2, "no-unused-vars": 1 },
        errorsOnChangedLines: 2,
        warningsOnChangedLines: 1,
        linted: ["src/a.js", "src/b.ts"],
        skipped: [{ file: "big.js", code: "too-large", reason: "1,048,579 bytes, over the 1 MB limit" }],
      }),
      { docsUrl: "https://example.com/static-analysis" },
    );
    expect(text).toContain("2 errors and 1 warning on changed lines (2 files linted).");
    expect(text).toContain("| [`no-dupe-keys`](https://eslint.org/docs/latest/rules/no-dupe-keys) | 2 |\n| [`no-unused-vars`]");
    expect(text).toContain("**Not linted (1):**\n- `big.js`: 1,048,579 bytes, over the 1 MB limit");
    expect(text).not.toContain("Annotated:");
    expect(text).toMatch(/Rule set: \[49 ESLint 9\.\d+\.\d+ core rules chosen by review-triage; .*\]\(https:\/\/example\.com\/static-analysis\)\.$/);
  });

  it("says when nothing was found, when there was nothing to lint, and when analysis is off", () => {
    expect(summarizeAnalysis(result({ linted: ["a.js"] }))).toMatch(/^No problems found on changed lines \(1 file linted\)\./);
    expect(summarizeAnalysis(result())).toMatch(/^No added or changed JavaScript\/TypeScript lines to lint\./);
    expect(summarizeAnalysis(result({ enabled: false }))).toBe("Static analysis is off for this repository (`analysis.enabled: false`).");
  });

  it("lists at most 20 skipped files, then how many more", () => {
    const skipped = Array.from({ length: 25 }, (_, i) => ({ file: `f${i}.js`, code: "file-limit" as const, reason: "over the limit" }));
    const text = summarizeAnalysis(result({ skipped }));
    expect(text).toContain("- `f19.js`: over the limit\n- and 5 more files");
    expect(text).not.toContain("f20.js");
  });

  it("counts every finding per rule when only the most severe are annotated", () => {
    const text = summarizeAnalysis(
      result({
        findings: [finding(), ...Array.from({ length: 48 }, (_, i) => finding({ ruleId: "no-debugger", severity: "warn", line: i + 1 })), finding({ ruleId: "not-analysed", severity: "warn" })],
        totals: { "no-debugger": 100_000, "no-dupe-keys": 1 },
        errorsOnChangedLines: 1,
        warningsOnChangedLines: 100_000,
        linted: ["src/a.js"],
      }),
    );
    expect(text).toContain("1 error and 100,000 warnings on changed lines (1 file linted).");
    expect(text).toContain("| [`no-debugger`](https://eslint.org/docs/latest/rules/no-debugger) | 100,000 |\n| [`no-dupe-keys`](https://eslint.org/docs/latest/rules/no-dupe-keys) | 1 |");
    expect(text).toContain("Annotated: the 49 most severe findings of 100,001.");
  });

  it("keeps a hostile file name inside its code span and a hostile reason free of markup", () => {
    const text = summarizeAnalysis(result({ skipped: [{ file: "a`](https://evil.example)`\n# x.js", code: "unparsed", reason: "could not be parsed (<img src=x>)" }] }));
    expect(text).toContain("- ``a`](https://evil.example)` # x.js``: could not be parsed (\\<img src=x\\>)");
  });
});
