import fc from "fast-check";
import { minimatch } from "minimatch";
import { describe, expect, it } from "vitest";
import { MAX_ALTERNATIVES, compileGlobs, newDirCache, preparePath } from "../../src/core/glob.js";

// The options compileGlobs documents; the oracle for every equivalence check.
const ORACLE = { dot: true, nocomment: true, nonegate: true, platform: "linux" as const };

function oracle(path: string, pattern: string, nocase = false): boolean {
  return minimatch(path, pattern.replace(/^(\.\/|\/)+/, ""), { ...ORACLE, nocase });
}

describe("compileGlobs", () => {
  it.each([
    // [pattern, path, matches]
    ["src/**", "src/a.ts", true],
    ["src/**", "src/deep/er/a.ts", true],
    ["src/**", "src", false],
    ["src/**", "lib/src/a.ts", false],
    ["**/*.sql", "schema.sql", true],
    ["**/*.sql", "db/x/001.sql", true],
    ["**/*.sql", "db/x/001.sql.bak", false],
    ["**/*.sql", ".sql", true],
    ["**/migrations/**", "app/migrations/001.py", true],
    ["**/migrations/**", "migrations/001.py", true],
    ["**/migrations/**", "app/migrations", false],
    ["**/package.json", "package.json", true],
    ["**/package.json", "packages/a/package.json", true],
    ["**/package.json", "packages/a/package.json5", false],
    ["docs/*.md", "docs/a.md", true],
    ["docs/*.md", "docs/x/a.md", false],
    ["src/{a,b}/**", "src/b/x.ts", true],
    ["src/{a,b}/**", "src/c/x.ts", false],
    ["**/*.{ts,tsx}", "a/b.tsx", true],
    ["**/*.test.*", "src/a.test.ts", true],
    ["**/*.test.*", "src/a.tests.ts", false],
    ["Dockerfile*", "Dockerfile.prod", true],
    ["Dockerfile*", "docker/Dockerfile", false],
    [".github/workflows/**", ".github/workflows/ci.yml", true],
    ["**", ".env", true],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/**/b", "a/x/b", true],
    ["+(src|lib)/**", "lib/x.ts", true],
    ["src/?.ts", "src/a.ts", true],
    ["src/?.ts", "src/ab.ts", false],
    ["src/[ab].ts", "src/b.ts", true],
    ["**/k8s/**/*.yaml", "deploy/k8s/prod/app.yaml", true],
    ["**/k8s/**/*.yaml", "deploy/k8s.yaml", false],
    // Leading `./` and `/` mean the repository root.
    ["./src/**", "src/a.ts", true],
    ["/src/**", "src/a.ts", true],
    // `#` and `!` are plain characters in a YAML list of paths.
    ["#notes/**", "#notes/a.md", true],
    ["!important.md", "!important.md", true],
    ["!important.md", "other.md", false],
  ])("%s on %s → %s", (pattern, path, expected) => {
    const set = compileGlobs([pattern]);
    expect(set.matches(path)).toBe(expected);
    // The table itself must agree with minimatch, or it tests the wrong semantics.
    expect(oracle(path, pattern)).toBe(expected);
  });

  it("returns the index of the first pattern in list order that matches", () => {
    const set = compileGlobs(["docs/**", "**/*.md", "src/**", "**"]);
    expect(set.firstMatch("docs/a.md")).toBe(0);
    expect(set.firstMatch("README.md")).toBe(1);
    expect(set.firstMatch("src/a.md")).toBe(1);
    expect(set.firstMatch("src/a.ts")).toBe(2);
    expect(set.firstMatch("other/a.ts")).toBe(3);
    expect(compileGlobs(["src/**"]).firstMatch("lib/a.ts")).toBe(-1);
    expect(compileGlobs([]).matches("a")).toBe(false);
  });

  it("reports the first match of each group from one walk", () => {
    const set = compileGlobs(["dist/**", "**/*.test.*", "test/**", "src/**", "**/*.ts"], { groups: [1, 3] });
    expect(set.groupCount).toBe(3);
    const out = new Int32Array(3);
    set.firstMatchByGroup("src/a.test.ts", out);
    expect([...out]).toEqual([-1, 1, 3]);
    set.firstMatchByGroup("dist/x.ts", out);
    expect([...out]).toEqual([0, -1, 4]);
    set.firstMatchByGroup("README.md", out);
    expect([...out]).toEqual([-1, -1, -1]);
    expect(set.firstMatch("test/x.ts")).toBe(2);
  });

  it("matches case-insensitively only when asked", () => {
    expect(compileGlobs(["**/Dockerfile"]).matches("app/dockerfile")).toBe(false);
    expect(compileGlobs(["**/Dockerfile"], { nocase: true }).matches("app/dockerfile")).toBe(true);
    expect(compileGlobs(["**/*.TF"], { nocase: true }).matches("Infra/Main.tf")).toBe(true);
    expect(compileGlobs(["Infra/**"], { nocase: true }).matches("infra/main.tf")).toBe(true);
  });

  it("rejects a pattern whose braces expand beyond the limit, and says so", () => {
    const hostile = "{a,b}".repeat(9); // 512 alternatives
    const set = compileGlobs(["src/**", hostile]);
    expect(set.problems).toEqual([{ index: 1, message: expect.stringContaining(`more than ${MAX_ALTERNATIVES} alternatives`) }]);
    expect(set.matches("ab".repeat(9))).toBe(false);
    expect(set.matches("src/a")).toBe(true);
  });

  it("gives the same answers for prepared paths sharing a directory cache as for strings", () => {
    const sets = [
      compileGlobs(["src/**", "**/*.sql", "**/migrations/**", "**/x/**/*.ts"]),
      compileGlobs(["**/*.test.*", "test/**"], { nocase: true }),
    ];
    const paths = ["src/a.ts", "src/b.sql", "db/migrations/1.sql", "a/x/b/c.ts", "a/x/b/c.js", "test/A.TEST.ts", "README.md"];
    const dirs = newDirCache();
    for (const set of sets) {
      for (const path of paths) expect(set.firstMatch(preparePath(path, dirs))).toBe(set.firstMatch(path));
    }
  });

  // Random patterns of every shape the fast paths handle, and some they do not, against
  // random paths: the compiled set must always agree with minimatch.
  const segmentPattern = fc.constantFrom(
    "a", "b", "src", "x.ts", ".github", "A", "*", "**", "*.ts", "*.test.*", "a*", "*b", "*b*", "a*b",
    "{a,b}", "{src,lib}", "*.{ts,js}", "?", "[ab]", "+(a|b)", "x.*", "**", "*/", "a/?",
  );
  const pattern = fc
    .tuple(fc.array(segmentPattern, { minLength: 1, maxLength: 4 }), fc.constantFrom("", "", "", "./"))
    .map(([parts, lead]) => lead + parts.join("/"));
  const pathSegment = fc.constantFrom("a", "b", "src", "lib", "x.ts", "a.ts", "ab", "ba", "a.test.ts", ".github", "A", "b.js", "x.js");
  const path = fc.array(pathSegment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/"));

  it("agrees with minimatch on random patterns and paths, per group too", () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 6 }),
        fc.array(path, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.nat(6),
        (patterns, paths, nocase, split) => {
          const cut = Math.min(split, patterns.length);
          const set = compileGlobs(patterns, { nocase, groups: [cut] });
          const dirs = newDirCache();
          const out = new Int32Array(2);
          for (const p of paths) {
            const hits = patterns.map((pat) => oracle(p, pat, nocase));
            const expected = hits.indexOf(true);
            expect(set.firstMatch(p)).toBe(expected);
            const prepared = preparePath(p, dirs);
            expect(set.firstMatch(prepared)).toBe(expected);
            set.firstMatchByGroup(prepared, out);
            const second = hits.indexOf(true, cut);
            expect([...out]).toEqual([expected >= 0 && expected < cut ? expected : -1, second]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
