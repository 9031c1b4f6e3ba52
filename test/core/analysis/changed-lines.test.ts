import { describe, expect, it } from "vitest";
import { overlapsRanges, parseChangedLines, type LineRanges } from "../../../src/core/analysis/changed-lines.js";

/** Every line the ranges cover. */
const sorted = (ranges: LineRanges): number[] => ranges.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, i) => first + i));

describe("parseChangedLines", () => {
  it("returns the + lines of each hunk, numbered in the new file", () => {
    const patch = [
      "@@ -1,4 +1,5 @@",
      " import a from 'a';",
      "-import b from 'b';",
      "+import b from 'bee';",
      "+import c from 'c';",
      " ",
      " export {};",
      "@@ -20,3 +21,4 @@ function later() {",
      " const x = 1;",
      "+const y = 2;",
      " return x;",
      " }",
    ].join("\n");
    expect(sorted(parseChangedLines(patch))).toEqual([2, 3, 22]);
  });

  it("adds nothing for a deletion-only hunk", () => {
    expect(sorted(parseChangedLines("@@ -5,2 +4,0 @@\n-gone();\n-gone();"))).toEqual([]);
  });

  it("numbers a new file from 1 (`-0,0`)", () => {
    expect(sorted(parseChangedLines("@@ -0,0 +1,3 @@\n+a\n+b\n+c"))).toEqual([1, 2, 3]);
  });

  it("reads an omitted count as 1", () => {
    expect(sorted(parseChangedLines("@@ -3 +3 @@\n-old\n+new"))).toEqual([3]);
    expect(sorted(parseChangedLines("@@ -7,2 +7 @@ heading\n-x\n-y\n+z"))).toEqual([7]);
  });

  it("skips `\\ No newline at end of file` markers wherever they fall", () => {
    const patch = ["@@ -1,2 +1,2 @@", " keep", "-last", "\\ No newline at end of file", "+last;", "\\ No newline at end of file"].join("\n");
    expect(sorted(parseChangedLines(patch))).toEqual([2]);
  });

  it("treats hunk-header text and lines that look like headers inside a hunk as content", () => {
    const patch = ["@@ -10,2 +10,4 @@ class A { @@ -1 +1 @@", " a", "+++counter;", "+@@ -1,1 +1,1 @@", " b"].join("\n");
    expect(sorted(parseChangedLines(patch))).toEqual([11, 12]);
  });

  it("counts an empty line inside a hunk as context (stripped trailing space)", () => {
    expect(sorted(parseChangedLines("@@ -1,3 +1,4 @@\n a\n\n+b\n c"))).toEqual([3]);
  });

  it("ignores what follows the last line of a hunk, and Windows line endings", () => {
    expect(sorted(parseChangedLines("@@ -1,1 +1,2 @@\r\n a\r\n+b\r\n\n+not in any hunk"))).toEqual([2]);
  });

  it("returns nothing for an empty patch or one without hunks", () => {
    expect(parseChangedLines("")).toEqual([]);
    expect(parseChangedLines("Binary files differ")).toEqual([]);
  });

  it("returns ranges: a new 100,000-line file is one", () => {
    const patch = `@@ -0,0 +1,100000 @@\n${"+debugger;\n".repeat(100_000)}`;
    expect(parseChangedLines(patch)).toEqual([[1, 100_000]]);
    expect(parseChangedLines("@@ -1,5 +1,5 @@\n-a\n+a\n b\n-c\n+c\n+d\n e\n f")).toEqual([
      [1, 1],
      [3, 4],
    ]);
  });

  it("sorts and merges hunks that arrive out of order", () => {
    expect(parseChangedLines("@@ -9,1 +9,2 @@\n x\n+y\n@@ -1,1 +1,2 @@\n+a\n b\n@@ -10,0 +11,1 @@\n+z")).toEqual([
      [1, 1],
      [10, 11],
    ]);
  });
});

describe("overlapsRanges", () => {
  const ranges: LineRanges = [
    [3, 4],
    [10, 10],
    [20, 30],
  ];

  it("finds a line or a span that touches any range", () => {
    expect([1, 3, 4, 5, 10, 11, 25, 31].map((line) => overlapsRanges(ranges, line, line))).toEqual([false, true, true, false, true, false, true, false]);
    expect(overlapsRanges(ranges, 5, 9)).toBe(false);
    expect(overlapsRanges(ranges, 5, 10)).toBe(true);
    expect(overlapsRanges(ranges, 31, 99)).toBe(false);
    expect(overlapsRanges([], 1, 1)).toBe(false);
  });
});
