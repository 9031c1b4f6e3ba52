import { describe, expect, it } from "vitest";
import { CODEOWNERS_LIMITS, compileCodeownersPattern, parseCodeowners } from "../../src/core/parse-codeowners.js";

/** pattern → path → owned? GitHub's documented examples and gitignore's rules as it applies them. */
const CASES: Array<[string, Record<string, boolean>]> = [
  // No slash: any depth, the file or a directory of that name.
  ["*.js", { "app.js": true, "src/deep/app.js": true, "app.jsx": false, "src/app.ts": false }],
  ["apps", { apps: true, "apps/a.ts": true, "x/apps/y/z.ts": true, "apps.ts": false, "myapps/a.ts": false }],
  ["*", { "a.ts": true, "src/a/b.ts": true, ".github/x.yml": true }],
  // A leading slash anchors at the root.
  ["/build/logs/", { "build/logs/a.log": true, "build/logs/x/y.log": true, "src/build/logs/a.log": false, "build/logs": false }],
  ["/docs", { "docs/a.md": true, "docs": true, "src/docs/a.md": false }],
  ["/*", { "README.md": true, "src/a.ts": false }],
  // A slash inside anchors too.
  ["src/payments", { "src/payments/charge.ts": true, "lib/src/payments/charge.ts": false, "src/payments-old/a.ts": false }],
  // A trailing slash: directories only, at any depth when not anchored.
  ["apps/", { "apps/a.ts": true, "x/apps/a.ts": true, apps: false }],
  ["f*/", { "foo/bar": true, "bar/foo/baz": true, foo: false }],
  // docs/* owns the files directly in docs, not deeper.
  ["docs/*", { "docs/getting-started.md": true, "docs/build-app/troubleshooting.md": false, docs: false }],
  ["docs/*.md", { "docs/a.md": true, "docs/x/a.md": false }],
  // ** spans any number of directories.
  ["**/logs", { logs: true, "logs/a": true, "x/y/logs/a": true, "x/logsx/a": false }],
  ["src/**/test", { "src/test/a": true, "src/a/b/test/c": true, "lib/src/test/a": false }],
  ["src/payments/**", { "src/payments/a.ts": true, "src/payments/x/y.ts": true, "src/payments": false }],
  ["foo/**/", { "foo/bar": true, "foo/a/b": true, foo: false }],
  ["/**", { "a.ts": true, "x/y.ts": true }],
  // ? is one character within a segment; escapes are literal.
  ["f?o.ts", { "foo.ts": true, "fo.ts": false, "f/o.ts": false }],
  ["f\\*o", { "f*o": true, foo: false }],
  ["c\\#/", { "c#/a.cs": true, "c/a.cs": false }],
  // Regex metacharacters are literal.
  ["a+b(c).ts", { "a+b(c).ts": true, "aab(c).ts": false }],
];

describe("compileCodeownersPattern", () => {
  it.each(CASES)("%s", (pattern, paths) => {
    const test = compileCodeownersPattern(pattern);
    const got = Object.fromEntries(Object.keys(paths).map((p) => [p, test(p)]));
    expect(got).toEqual(paths);
  });

  it("answers on long paths with many ** segments (backtracking would hit the test timeout)", () => {
    const test = compileCodeownersPattern("**/a/**/b/**/c/**/d/**/e");
    expect(test(`${"x/".repeat(500)}a/b/c/d/f`)).toBe(false);
    expect(test(`${"x/".repeat(500)}a/b/c/d/e`)).toBe(true);
  });
});

describe("parseCodeowners", () => {
  it("reads patterns and owners, skipping comments and blank lines", () => {
    const { rules, notes } = parseCodeowners(
      "# Owners\n\n*.js    @alice @acme/web   # inline comment\r\n/docs/ docs@example.com @bob\n",
    );
    expect(notes).toEqual([]);
    expect(rules.map(({ line, pattern, owners, emails }) => ({ line, pattern, owners, emails }))).toEqual([
      { line: 3, pattern: "*.js", owners: ["@alice", "@acme/web"], emails: [] },
      { line: 4, pattern: "/docs/", owners: ["@bob"], emails: ["docs@example.com"] },
    ]);
  });

  it("keeps a line without owners: it un-owns what it matches", () => {
    const { rules } = parseCodeowners("/apps/ @octocat\n/apps/github\n");
    expect(rules[1]).toMatchObject({ pattern: "/apps/github", owners: [], emails: [] });
  });

  it("reads an escaped # as part of the pattern, and an escaped space", () => {
    const { rules } = parseCodeowners("src/c\\#/ @alice\nmy\\ file.txt @bob\n");
    expect(rules.map((r) => r.pattern)).toEqual(["src/c\\#/", "my\\ file.txt"]);
    expect(rules[0]!.test("src/c#/a.cs")).toBe(true);
    expect(rules[1]!.test("my file.txt")).toBe(true);
  });

  it("skips, with a note, the lines GitHub skips", () => {
    const { rules, notes } = parseCodeowners(
      ["\\#hash @a", "!keep.txt @a", "*.[ch] @a", "src/ not-an-owner", "src/ @a", "/ @a"].join("\n"),
    );
    expect(rules.map((r) => r.line)).toEqual([5]);
    expect(notes).toEqual([
      "CODEOWNERS line 1 skipped: a pattern starting with an escaped # does not work in CODEOWNERS (GitHub skips it too).",
      "CODEOWNERS line 2 skipped: negation (!) does not work in CODEOWNERS (GitHub skips it too).",
      "CODEOWNERS line 3 skipped: character ranges ([ ]) do not work in CODEOWNERS (GitHub skips it too).",
      'CODEOWNERS line 4 skipped: "not-an-owner" is not an owner (@user, @org/team or an email; GitHub skips the line too).',
      "CODEOWNERS line 6 skipped: a pattern of / alone names no files (GitHub skips it too).",
    ]);
  });

  it("is bounded: rules, pattern length, wildcards and notes", () => {
    const many = parseCodeowners(Array.from({ length: CODEOWNERS_LIMITS.rules + 3 }, (_, i) => `f${i} @a`).join("\n"));
    expect(many.rules).toHaveLength(CODEOWNERS_LIMITS.rules);
    expect(many.notes).toEqual([`CODEOWNERS has more than ${CODEOWNERS_LIMITS.rules} rules; lines from ${CODEOWNERS_LIMITS.rules + 1} on were not read.`]);
    const wild = parseCodeowners(`${"*a".repeat(CODEOWNERS_LIMITS.wildcards + 1)} @a\n${"x".repeat(CODEOWNERS_LIMITS.patternLength + 1)} @a`);
    expect(wild.rules).toEqual([]);
    expect(wild.notes[0]).toContain("more than 16 wildcards");
    expect(wild.notes[1]).toContain("longer than 1024 characters");
    const noisy = parseCodeowners(Array.from({ length: 15 }, () => "!x @a").join("\n"));
    expect(noisy.notes).toHaveLength(CODEOWNERS_LIMITS.notes + 1);
    expect(noisy.notes.at(-1)).toBe("CODEOWNERS: 5 more lines skipped.");
  });
});
