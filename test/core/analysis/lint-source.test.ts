import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lintSource, type LintFinding } from "../../../src/core/analysis/lint-source.js";
import { RULE_IDS } from "../../../src/core/analysis/rule-set.js";

// TypeScript fixtures end in .txt so that `tsc` (which includes test/) does not compile them.
const fixturePath = (name: string): URL =>
  new URL(`../../fixtures/analysis/${name}${/\.[cm]?tsx?$/.test(name) ? ".txt" : ""}`, import.meta.url);
const fixture = (name: string): string => readFileSync(fixturePath(name), "utf8");
const lint = (name: string, filename = name): LintFinding[] => lintSource({ filename, source: fixture(name) });
/** `line rule severity`, the shape the fixtures' BUG comments describe. */
const brief = (findings: LintFinding[]): string[] => findings.map((f) => `${f.line} ${f.ruleId} ${f.severity}`);

describe("lintSource", () => {
  it("finds the known bugs of a JavaScript module at their lines", () => {
    expect(brief(lint("bugs.js"))).toEqual([
      "3 no-unused-vars warn",
      "8 no-dupe-keys error",
      "14 no-dupe-else-if error",
      "23 no-useless-assignment warn",
      "24 no-duplicate-case error",
      "24 no-fallthrough error",
      "34 no-unreachable error",
      "38 use-isnan error",
      "39 valid-typeof error",
      "40 no-compare-neg-zero error",
      "44 array-callback-return error",
      "50 no-self-assign error",
      "58 no-unsafe-finally error",
      "62 no-constant-binary-expression error",
      "65 no-async-promise-executor error",
      "70 getter-return error",
      "76 for-direction error",
      "81 no-loss-of-precision error",
      "82 no-sparse-arrays error",
      "83 no-template-curly-in-string warn",
    ]);
  });

  it("finds the rest of the rule set in a .mjs module", () => {
    expect(brief(lint("more-bugs.mjs"))).toEqual([
      "6 no-cond-assign warn",
      "7 no-self-compare warn",
      "11 no-unsafe-negation error",
      "12 no-unsafe-optional-chaining error",
      "16 no-func-assign error",
      "16 no-unused-vars warn",
      "17 no-import-assign error",
      "17 no-unused-vars warn",
      "19 no-unused-vars warn",
      "21 no-const-assign error",
      "24 no-empty-pattern error",
      "30 no-setter-return error",
      "34 require-yield warn",
      "40 no-unmodified-loop-condition warn",
      "43 no-debugger warn",
      "48 constructor-super error",
      "49 no-this-before-super error",
      "55 no-this-before-super error",
      "60 no-obj-calls error",
      "61 no-new-native-nonconstructor error",
      "64 no-unused-private-class-members warn",
      "68 no-dupe-class-members error",
      "72 no-class-assign error",
      "77 no-case-declarations warn",
      "85 no-unexpected-multiline error",
      "87 no-empty-character-class error",
      "88 no-invalid-regexp error",
      "89 no-useless-backreference error",
      "90 no-misleading-character-class error",
      "92 no-shadow-restricted-names error",
      "97 no-unused-expressions warn",
      "98 no-constant-condition warn",
    ]);
  });

  it("exercises every curated rule in the fixtures, so none is silently unwired", () => {
    const seen = new Set(
      ["bugs.js", "more-bugs.mjs", "legacy-script.js"].flatMap((name) => lint(name).map((f) => f.ruleId)),
    );
    expect(RULE_IDS.filter((id) => !seen.has(id))).toEqual([]);
  });

  it("reports positions and the end of the range", () => {
    expect(lint("bugs.js")[1]).toEqual({
      ruleId: "no-dupe-keys",
      severity: "error",
      line: 8,
      column: 3,
      endLine: 8,
      endColumn: 10,
      message: "Duplicate key 'retries'.",
    });
  });

  it("produces no finding on valid TypeScript full of TS-only syntax", () => {
    expect(lint("clean.ts")).toEqual([]);
    // The same text as .mts and .cts goes through the TypeScript parser too.
    expect(lint("clean.ts", "src/clean.mts")).toEqual([]);
    expect(lint("clean.ts", "src/clean.cts")).toEqual([]);
  });

  it("finds real bugs in TypeScript, with no-unused-vars off there", () => {
    expect(brief(lint("bugs.ts"))).toEqual(["13 no-dupe-keys error", "17 no-unreachable error", "32 valid-typeof error"]);
  });

  it("parses JSX in .jsx and .js, and TSX with generic arrows in .tsx", () => {
    expect(brief(lint("component.jsx"))).toEqual(["5 no-dupe-keys error"]);
    expect(brief(lint("component.jsx", "src/component.js"))).toEqual(["5 no-dupe-keys error"]);
    expect(brief(lint("component.tsx"))).toEqual(["17 use-isnan error"]);
  });

  it("retries a .js file that is not a valid module as a CommonJS script", () => {
    expect(brief(lint("legacy-script.js"))).toEqual(["8 no-dupe-args error", "12 no-dupe-keys error"]);
    expect(brief(lint("legacy-script.js", "legacy.cjs"))).toEqual(["8 no-dupe-args error", "12 no-dupe-keys error"]);
  });

  it("reports a syntax error as exactly one parse-error finding at its line", () => {
    expect(lint("syntax-error.js")).toEqual([
      { ruleId: "parse-error", severity: "error", line: 6, column: 3, message: "Parsing error: Unexpected keyword 'return'" },
    ]);
    expect(lint("syntax-error.ts")).toEqual([
      { ruleId: "parse-error", severity: "error", line: 5, column: 34, message: "Parsing error: ',' expected." },
    ]);
    // A .mjs file is never retried as a script: module syntax is certain there.
    expect(lintSource({ filename: "a.mjs", source: "return 1;\n" })).toMatchObject([{ ruleId: "parse-error", line: 1 }]);
  });

  it("reports the error of the mode that parsed further when neither parses", () => {
    // Module parsing stops at the top-level return (line 1); script parsing gets to line 3.
    const source = "return;\nvar ok = 1;\nvar = 2;\n";
    expect(lintSource({ filename: "x.js", source })).toMatchObject([{ ruleId: "parse-error", line: 3 }]);
  });

  it("applies severity overrides, and never runs a rule that is off in TypeScript", () => {
    const rules = { "no-dupe-keys": "warn", "no-unreachable": "off", "no-unused-vars": "error" } as const;
    expect(brief(lintSource({ filename: "bugs.ts", source: fixture("bugs.ts"), rules }))).toEqual([
      "13 no-dupe-keys warn",
      "32 valid-typeof error",
    ]);
    const js = lintSource({ filename: "bugs.js", source: fixture("bugs.js"), rules });
    expect(brief(js).slice(0, 2)).toEqual(["3 no-unused-vars error", "8 no-dupe-keys warn"]);
    expect(js.some((f) => f.ruleId === "no-unreachable")).toBe(false);
  });

  it("does not let inline comments enable other rules or change severities", () => {
    const source = [
      "/* eslint no-eval: error, no-dupe-keys: warn, some-plugin/rule: error */",
      "// eslint-disable-next-line @typescript-eslint/no-explicit-any",
      "export const a = { x: 1, x: 2 };",
      "eval('1');",
      "// eslint-disable-next-line no-unreachable",
      "export const b = 1; // eslint-disable-line no-undef",
    ].join("\n");
    expect(brief(lintSource({ filename: "a.js", source }))).toEqual(["3 no-dupe-keys error"]);
  });

  it("honours no directive comment in the file: the findings stay, each where it is", () => {
    const source = "// eslint-disable-next-line no-dupe-keys\nexport const a = { x: 1, x: 2 };\n/* eslint-disable */\n/* eslint no-debugger: off */\ndebugger;\n";
    expect(brief(lintSource({ filename: "a.js", source }))).toEqual(["2 no-dupe-keys error", "5 no-debugger warn"]);
  });

  it("gives git's line numbers when the file breaks lines where git does not (a lone CR, U+2028, U+2029)", () => {
    for (const sep of ["\r", "\u2028", "\u2029"]) {
      const source = `\uFEFF// a${sep}${sep}b\nexport const a = { x: 1, x: 2 };\r\n  debugger;\n`;
      const found = lintSource({ filename: "a.ts", source });
      expect(found.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId}`)).toEqual([
        // The separators end the comment: `b` is code, on git's first line.
        "1:7-1:8 no-unused-expressions",
        "2:26-2:27 no-dupe-keys",
        "3:3-3:12 no-debugger",
      ]);
    }
    // A parse error too.
    expect(lintSource({ filename: "a.js", source: "// \u2028\u2028\nconst = 1;\n" })).toMatchObject([{ ruleId: "parse-error", line: 2 }]);
  });

  it("picks the parser from the extension alone, whatever the path looks like", () => {
    const source = "const a = { x: 1, x: 2 };\nexport type T = typeof a;\n";
    for (const filename of [".github/scripts/check.TS", "src/[id]/page.ts", "a b/c.d.ts"]) {
      expect(brief(lintSource({ filename, source }))).toEqual(["1 no-dupe-keys error"]);
    }
  });

  it("returns nothing for files it does not lint", () => {
    expect(lintSource({ filename: "README.md", source: "const a = {x:1, x:2}" })).toEqual([]);
    expect(lintSource({ filename: "Makefile", source: "all:" })).toEqual([]);
  });

  it("never throws, whatever the input", () => {
    for (const source of ["", "\u0000\uFFFF", "#!/usr/bin/env node\nexport {};", "(".repeat(2000), "<<<<<<< HEAD\n=======\n>>>>>>> b\n"]) {
      for (const filename of ["a.js", "a.ts", "a.tsx", "a.cjs"]) {
        expect(() => lintSource({ filename, source })).not.toThrow();
      }
    }
  });
});

describe("loading ESLint and the TypeScript parser", () => {
  it("happens on first use, so a process that never lints TypeScript never loads TypeScript", () => {
    // A fresh process: this one has loaded everything already.
    const script = [
      'import { createRequire } from "node:module";',
      'const loaded = () => { const keys = Object.keys(createRequire(import.meta.url).cache);',
      '  return ["eslint/lib/api.js", "typescript/lib/typescript.js"].filter((m) => keys.some((k) => k.endsWith(m))).join(",") || "none"; };',
      'const { lintSource } = await import("./src/core/analysis/lint-source.ts");',
      'await import("./src/core/analysis/analyze-files.ts");',
      'const steps = [loaded()];',
      'lintSource({ filename: "a.js", source: "export const a = 1;" }); steps.push(loaded());',
      'lintSource({ filename: "a.ts", source: "export const a: number = 1;" }); steps.push(loaded());',
      "console.log(steps.join(' | '));",
    ].join("\n");
    const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      encoding: "utf8",
    });
    expect(output.trim()).toBe("none | eslint/lib/api.js | eslint/lib/api.js,typescript/lib/typescript.js");
  });
});
