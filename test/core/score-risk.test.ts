import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BANDS, LEVELS, configSchema, type ConfigInput } from "../../src/config/schema.js";
import { countAddedCodeLines } from "../../src/core/count-code-lines.js";
import { DEFAULT_MATRIX, DEFAULT_WEIGHTS, compileRiskConfig, likelihoodProbability, probabilityBand, scoreRisk } from "../../src/core/score-risk.js";
import type { Band, ChangedFile, Level, PullRequestFacts, RiskAssessment } from "../../src/core/types.js";

type RiskInput = NonNullable<ConfigInput["risk"]>;

function riskConfig(risk: RiskInput = {}) {
  return configSchema.parse({ risk }).risk;
}

/**
 * The SPEC §3 starting weights. DEFAULT_WEIGHTS may move with calibration, so tests that
 * depend on particular likelihoods pin these instead.
 */
const SPEC_WEIGHTS = { size: 0.55, files: 0.25, directories: 0.1, fix: 0.1, change_type: 0, test_gap: 0, static_analysis: 0 };
const DEFAULTS = riskConfig({ weights: SPEC_WEIGHTS });

/** Weights that make likelihood equal `fix` for a PR titled `fix: …`. */
function onlyFix(fix: number) {
  return { size: 0, files: 0, directories: 0, fix, change_type: 0, test_gap: 0, static_analysis: 0 };
}

function pr(over: Partial<PullRequestFacts> = {}): PullRequestFacts {
  // Totals of 0 mean "not known": they never trigger the large-PR path.
  return { number: 7, title: "Update things", headRef: "feature/things", labels: [], additions: 0, deletions: 0, changedFiles: 0, ...over };
}

function file(filename: string, additions = 10, over: Partial<ChangedFile> = {}): ChangedFile {
  return { filename, status: "modified", additions, deletions: 0, ...over };
}

/** A patch adding these lines (GitHub style: hunks only). */
function patch(...lines: string[]): string {
  return `@@ -1,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

function score(files: ChangedFile[], over: Partial<PullRequestFacts> = {}, config = DEFAULTS, extra: { analysis?: { errors: number }; configPath?: string } = {}) {
  return scoreRisk({ files, pr: pr(over), config, ...extra });
}

function factor(assessment: RiskAssessment, name: string) {
  const found = assessment.likelihood.factors.find((f) => f.name === name);
  if (!found) throw new Error(`no factor ${name}`);
  return found;
}

const RANK: Record<Level, number> = { low: 0, medium: 1, high: 2, critical: 3 };

describe("scoreRisk: likelihood factors", () => {
  it("uses DEFAULT_WEIGHTS unless overridden, and explains every factor, even at weight 0", () => {
    // Calibration may change the values, never their sum beyond 1 (no normalising by default).
    expect(Object.values(DEFAULT_WEIGHTS).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    const plain = scoreRisk({ files: [file("src/a.ts")], pr: pr(), config: riskConfig() });
    expect(plain.likelihood.factors.map((f) => [f.name, f.weight])).toEqual(Object.entries(DEFAULT_WEIGHTS));
    expect(plain.notes).toEqual([]);
    const result = score([file("src/a.ts")]);
    expect(result.likelihood.factors.map((f) => f.name)).toEqual(["size", "files", "directories", "fix", "change_type", "test_gap", "static_analysis"]);
    expect(result.likelihood.factors.filter((f) => f.weight === 0).map((f) => f.name)).toEqual(["change_type", "test_gap", "static_analysis"]);
    for (const f of result.likelihood.factors) {
      expect(f.detail).toMatch(/^[A-Z0-9].*\.$/);
      expect(f.contribution).toBeCloseTo(f.value * f.weight, 4);
    }
  });

  it.each([
    [0, 0],
    [1, Math.log(2) / Math.log(1001)],
    [31, Math.log(32) / Math.log(1001)],
    [1000, 1],
    [5000, 1],
  ])("size: %i lines added → %f", (lines, expected) => {
    const result = score(lines === 0 ? [] : [file("src/a.ts", lines)]);
    expect(factor(result, "size").value).toBeCloseTo(expected, 4);
    expect(factor(result, "size").raw).toBe(lines);
  });

  it("size counts code lines from the patch, not blank or comment-only lines", () => {
    const ts = patch("// a comment", "const a = 1;", "", "   ", "/**", " * doc", " */", "/* one-line */", "call(); // trailing comment counts", "const glob = \"src/**/*.ts\";", "next();");
    const py = patch("# comment", "x = 1", "", "def f():", "    # indented comment", "    return x");
    const sql = patch("-- comment", "create table t (id int);", "/* block", "still comment */", "insert into t values (1);");
    const md = patch("# Heading is content", "", "<!-- hidden -->", "Text.");
    const result = score([
      file("src/a.ts", 11, { patch: ts }),
      file("tool.py", 6, { patch: py }),
      file("db/schema.sql", 5, { patch: sql }),
      file("README.md", 4, { patch: md }),
    ]);
    // ts: const, call, glob string, next = 4; py: 3; sql: 2; the README is not code.
    expect(factor(result, "size").raw).toBe(9);
    expect(result.counts.linesAdded).toBe(9);
    expect(result.counts.codeFiles).toBe(3);
  });

  it("size falls back to GitHub's additions when there is no patch, and binary files add nothing", () => {
    const result = score([file("src/a.ts", 40), file("assets/logo.png", 0, { patch: undefined })]);
    expect(factor(result, "size").raw).toBe(40);
    expect(factor(result, "files").raw).toBe(2);
  });

  it("size leaves out tests and ignored (generated) files", () => {
    const result = score([
      file("src/a.ts", 5),
      file("src/a.test.ts", 500),
      file("test/helpers.ts", 500),
      file("package-lock.json", 9000),
      file("dist/bundle.js", 9000),
      file("src/__snapshots__/a.test.ts.snap", 900),
    ]);
    expect(factor(result, "size").raw).toBe(5);
    expect(result.counts).toMatchObject({ files: 3, ignoredFiles: 3, testFiles: 2, sourceFiles: 1 });
  });

  it.each([
    [1, 0.02],
    [10, 0.2],
    [50, 1],
    [80, 1],
  ])("files: %i files → %f", (count, expected) => {
    const files = Array.from({ length: count }, (_, i) => file(`src/f${i}.ts`, 1));
    expect(factor(score(files), "files").value).toBeCloseTo(expected, 4);
  });

  it("files leave out ignored files; directories count code directories, not docs or ignored ones", () => {
    const result = score([file("README.md"), file("src/a/x.ts"), file("src/b/y.ts"), file("src/b/z.ts"), file("dist/a.js"), file("dist/b/c.js")]);
    expect(factor(result, "files").raw).toBe(4);
    expect(factor(result, "directories").raw).toBe(2);
    expect(factor(result, "directories").value).toBeCloseTo(2 / 20, 4);
    expect(factor(result, "files").detail).toContain("not counting 2 ignored files");
    // Every non-ignored directory, the root included, is still counted for the explanation.
    expect(result.counts.directories).toBe(3);
  });

  it("directories are counted within the package the change spreads most in, so a monorepo's layout does not count", () => {
    const result = score([
      file("packages/a/src/x.ts"),
      file("packages/a/test/x.test.ts"),
      file("packages/b/src/y.ts"),
      file("packages/b/src/lib/z.ts"),
      file("packages/c/package.json"),
      file("packages/integrations/react/src/index.ts"),
    ]);
    expect(result.counts).toMatchObject({ packages: 3, packageDirectories: 2, codeDirectories: 4, codeFiles: 4 });
    expect(factor(result, "directories").raw).toBe(2);
    expect(factor(result, "directories").detail).toBe("2 directories of code touched in the package the change spreads most in (of 3 packages changed); 20 or more is the maximum.");
    // The same spread in a single-package repository counts the same.
    const single = score([file("src/x.ts"), file("src/lib/z.ts")]);
    expect(factor(single, "directories").raw).toBe(2);
    expect(factor(single, "directories").detail).toBe("2 directories of code touched; 20 or more is the maximum.");
  });

  it("directories saturate at 20; a move counts its new directory, the explanation both", () => {
    const many = Array.from({ length: 25 }, (_, i) => file(`lib/pkg${i}/index.ts`, 1));
    expect(factor(score(many), "directories").value).toBe(1);
    const moved = score([file("new/place/a.ts", 0, { status: "renamed", previous_filename: "old/place/a.ts" })]);
    expect(factor(moved, "directories").raw).toBe(1);
    expect(moved.counts.directories).toBe(2);
  });

  it.each([
    ["fix: login loop", "feature/x", [], 1],
    ["Fix login", "feature/x", [], 1],
    ["Fixes #12", "feature/x", [], 1],
    ["Handle the regression in the parser", "x", [], 1],
    ["Update", "fix/login", [], 1],
    ["Update", "bugfix/JIRA-1", [], 1],
    ["Update", "hotfix-1.2.3", [], 1],
    ["Update", "feature/x", ["bug"], 1],
    ["Update", "feature/x", ["type: bug"], 1],
    ["Add a prefix option", "feature/prefix", [], 0],
    ["Refresh test fixtures", "chore/fixtures", [], 0],
    ["More debug logging", "debug-logs", [], 0],
    ["fixup! Add cache", "cache", [], 0],
    ["feat: new invoices", "feature/invoices", ["enhancement"], 0],
  ])("fix: title %j, branch %j, labels %j → %i", (title, headRef, labels, expected) => {
    const result = score([file("src/a.ts")], { title, headRef, labels });
    expect(factor(result, "fix").value).toBe(expected);
    expect(factor(result, "fix").detail).toMatch(expected ? /marking a bug fix/ : /Nothing in the title/);
  });

  it.each([
    ["docs(readme): clarify setup", 0],
    ["chore!: drop Node 18", 0],
    ["ci: cache npm", 0],
    ["build(deps): bump zod", 0],
    ["style: format", 0],
    ["test: cover parser", 0],
    ["types: tighten", 0],
    ["feat: invoices", 1],
    ["fix(auth): session", 1],
    ["refactor(core): split module", 1],
    ["Update the readme", 1],
  ])("change_type: %j → %i", (title, expected) => {
    // Files that agree with a "no behaviour change" type: docs, a test, a workflow.
    expect(factor(score([file("docs/setup.md"), file("src/a.test.ts"), file(".github/workflows/ci.yml")], { title }), "change_type").value).toBe(expected);
  });

  it.each(["docs(readme): clarify setup", "chore!: drop Node 18", "test: cover parser", "style: format"])(
    "change_type: %j on a change to code outside tests → 1 (the author's title does not lower the risk)",
    (title) => {
      const f = factor(score([file("src/a.ts"), file("src/a.test.ts")], { title }), "change_type");
      expect(f.value).toBe(1);
      expect(f.detail).toMatch(/but 1 code file outside tests changed/);
    },
  );

  it.each([
    ["source without tests", [file("src/a.ts")], 1],
    ["source with a test", [file("src/a.ts"), file("src/a.test.ts")], 0],
    ["source with a test under test/", [file("src/a.ts"), file("test/a.ts")], 0],
    ["docs only", [file("README.md"), file("docs/guide/intro.md")], 0],
    ["a test only", [file("src/a.spec.ts")], 0],
    ["a removed source file", [file("src/old.ts", 0, { status: "removed", deletions: 30 })], 0],
    ["source and a removed test", [file("src/a.ts"), file("src/a.test.ts", 0, { status: "removed" })], 1],
  ])("test_gap: %s → %i", (_label, files, expected) => {
    expect(factor(score(files), "test_gap").value).toBe(expected);
  });

  it("static_analysis: not run, some errors, capped", () => {
    const notRun = factor(score([file("src/a.ts")]), "static_analysis");
    expect(notRun).toMatchObject({ value: 0, raw: 0, detail: "Static analysis was not run." });
    expect(factor(score([file("src/a.ts")], {}, DEFAULTS, { analysis: { errors: 3 } }), "static_analysis").value).toBeCloseTo(0.3, 4);
    expect(factor(score([file("src/a.ts")], {}, DEFAULTS, { analysis: { errors: 25 } }), "static_analysis").value).toBe(1);
  });

  it("likelihood is the sum of contributions and its band follows SPEC §3", () => {
    const result = score(Array.from({ length: 12 }, (_, i) => file(`src/m${i % 4}/f${i}.ts`, 20)), { title: "fix: x" });
    const sum = result.likelihood.factors.reduce((n, f) => n + f.value * f.weight, 0);
    expect(result.likelihood.value).toBeCloseTo(sum, 4);
  });
});

describe("scoreRisk: weights", () => {
  it("applies overridden weights on top of the defaults", () => {
    const config = riskConfig({ weights: { ...onlyFix(0.4), test_gap: 0.2 } });
    const result = score([file("src/a.ts", 900)], { title: "fix: x" }, config);
    expect(result.likelihood.value).toBeCloseTo(0.6, 4);
    expect(factor(result, "test_gap").contribution).toBeCloseTo(0.2, 4);
    expect(result.notes).toEqual([]);
  });

  it("normalises weights that add up to more than 1, and says so", () => {
    const config = riskConfig({ weights: { ...SPEC_WEIGHTS, size: 1, files: 1, directories: 1, fix: 1 } });
    const files = Array.from({ length: 60 }, (_, i) => file(`d${i}/a.ts`, 50));
    const result = score(files, { title: "fix: everything" }, config);
    expect(result.likelihood.value).toBe(1);
    expect(factor(result, "size").weight).toBeCloseTo(0.25, 4);
    expect(result.notes).toContainEqual(expect.stringContaining("weights add up to 4"));
    const half = score([file("src/a.ts", 1)], { title: "fix: x" }, config);
    expect(half.likelihood.value).toBeLessThan(1);
    expect(half.likelihood.value).toBeGreaterThan(0);
  });
});

describe("scoreRisk: the level matrix", () => {
  // Weight only the fix factor (value 1 for a `fix:` title), so likelihood = that weight; each
  // band gets the likelihood whose probability (through the default link) is mid-band.
  const { link, bands } = riskConfig();
  const bandProbability: Record<Band, number> = {
    low: bands.medium / 2,
    medium: (bands.medium + bands.high) / 2,
    high: (bands.high + bands.very_high) / 2,
    very_high: (bands.very_high + 1) / 2,
  };
  const likelihoodOf = (p: number) => (Math.log(p / (1 - p)) - link.intercept) / link.slope;
  const bandLikelihood = Object.fromEntries(BANDS.map((b) => [b, likelihoodOf(bandProbability[b])])) as Record<Band, number>;
  const cells = BANDS.flatMap((band) => LEVELS.map((impact) => [band, impact, DEFAULT_MATRIX[band][impact]] as const));

  function assess(band: Band, impact: Level, matrix: RiskInput["matrix"] = {}) {
    const config = riskConfig({
      weights: onlyFix(bandLikelihood[band]),
      impact: [{ paths: ["src/**"], impact }],
      matrix,
    });
    return score([file("src/a.ts")], { title: "fix: x" }, config);
  }

  it("reaches every band with a likelihood within 0–1 under the default link", () => {
    for (const band of BANDS) {
      expect(bandLikelihood[band]).toBeGreaterThanOrEqual(0);
      expect(bandLikelihood[band]).toBeLessThanOrEqual(1);
    }
  });

  it("has the calibrated table: high impact lifts only very high likelihood, critical impact every band", () => {
    expect(DEFAULT_MATRIX).toEqual({
      low: { low: "low", medium: "low", high: "low", critical: "medium" },
      medium: { low: "low", medium: "medium", high: "medium", critical: "high" },
      high: { low: "medium", medium: "high", high: "high", critical: "critical" },
      very_high: { low: "medium", medium: "high", high: "critical", critical: "critical" },
    });
  });

  it.each(cells)("%s likelihood × %s impact → %s", (band, impact, level) => {
    const result = assess(band, impact);
    expect(result.likelihood.band).toBe(band);
    expect(result.impact.level).toBe(impact);
    expect(result.level).toBe(level);
  });

  it("sets the band on the probability: each cut point starts its band", () => {
    const custom = riskConfig({ bands: { medium: 0.1, high: 0.2, very_high: 0.3 } });
    const cases: [number, Band][] = [
      [0.0999, "low"],
      [0.1, "medium"],
      [0.1999, "medium"],
      [0.2, "high"],
      [0.2999, "high"],
      [0.3, "very_high"],
      [1, "very_high"],
    ];
    for (const [p, band] of cases) expect(probabilityBand(custom, p)).toBe(band);
  });

  it("turns the likelihood into a probability through risk.link, and says where the link comes from", () => {
    const own = riskConfig({ weights: onlyFix(0.5), link: { intercept: -2, slope: 2 } });
    const result = score([file("src/a.ts")], { title: "fix: x" }, own);
    expect(result.likelihood.value).toBe(0.5);
    expect(result.likelihood.probability).toBeCloseTo(1 / (1 + Math.exp(1)), 4);
    expect(result.likelihood.calibratedOn).toBe("risk.link");
    expect(score([file("src/a.ts")]).likelihood.calibratedOn).toBe("calibration projects");
    expect(likelihoodProbability(own, 1)).toBe(0.5);
  });

  it("rejects bands that do not rise", () => {
    expect(configSchema.safeParse({ risk: { bands: { medium: 0.3, high: 0.2, very_high: 0.4 } } }).success).toBe(false);
  });

  it("lets config override single cells and keeps the rest", () => {
    expect(assess("low", "critical", { low: { critical: "critical" } }).level).toBe("critical");
    expect(assess("low", "high", { low: { critical: "critical" } }).level).toBe("low");
    expect(assess("very_high", "low", { very_high: { low: "high" } }).level).toBe("high");
  });

  it("notes an override that makes the level fall as risk rises", () => {
    const result = assess("very_high", "critical", { very_high: { critical: "low" } });
    expect(result.level).toBe("low");
    expect(result.notes).toContainEqual(expect.stringContaining("very_high × critical → low"));
    expect(assess("low", "low", { low: { high: "medium" } }).notes).toEqual([]);
  });

  it("scores within the level's quarter by likelihood; impact counts through the level", () => {
    const low = assess("low", "low");
    expect(low.score).toBe(Math.round(25 * (0 + low.likelihood.value)));
    const critical = assess("very_high", "critical");
    expect(critical.score).toBe(Math.round(25 * (3 + critical.likelihood.value)));
    // Same level, same likelihood: impact does not move the score.
    expect(assess("high", "high").score).toBe(assess("high", "medium").score);
    const scores = cells.map(([band, impact]) => assess(band, impact)).map((r) => [RANK[r.level], r.score] as const);
    // A higher level never shows a lower score.
    for (const [rankA, scoreA] of scores) for (const [rankB, scoreB] of scores) if (rankA > rankB) expect(scoreA).toBeGreaterThanOrEqual(scoreB);
    expect(score([]).score).toBe(0);
  });
});

describe("scoreRisk: impact", () => {
  it("takes the highest impact among files and carries the rule's reason", () => {
    const config = riskConfig({
      impact: [
        { paths: ["docs/**"], impact: "low" },
        { paths: ["src/auth/**", "src/payments/**"], impact: "critical", reason: "money and identity" },
        { paths: ["src/**"], impact: "high" },
      ],
    });
    const result = score([file("src/ui/button.ts"), file("src/payments/charge.ts"), file("docs/a.md")], {}, config);
    expect(result.impact.level).toBe("critical");
    expect(result.impact.matches[0]).toEqual({
      file: "src/payments/charge.ts",
      impact: "critical",
      rule: "src/payments/**",
      source: "config",
      reason: "money and identity",
    });
    expect(result.impact.matches.find((m) => m.file === "src/ui/button.ts")).toMatchObject({ impact: "high", rule: "src/**" });
    expect(result.impact.summary).toContain("src/payments/charge.ts");
    expect(result.impact.summary).toContain("money and identity");
  });

  it("gives a file the highest of several matching rules, whatever their order", () => {
    const config = riskConfig({
      impact: [
        { paths: ["src/**"], impact: "medium" },
        { paths: ["**/*.sql"], impact: "critical" },
        { paths: ["src/db/**"], impact: "high" },
      ],
    });
    expect(score([file("src/db/q.sql")], {}, config).impact.matches[0]).toMatchObject({ impact: "critical", rule: "**/*.sql" });
  });

  it.each([
    ["package.json", "dependency manifest"],
    ["services/api/requirements-dev.txt", "dependency manifest"],
    ["pyproject.toml", "dependency manifest"],
    ["go.mod", "dependency manifest"],
    ["crates/x/Cargo.toml", "dependency manifest"],
    ["Gemfile", "dependency manifest"],
    ["pom.xml", "dependency manifest"],
    ["app/build.gradle.kts", "dependency manifest"],
    ["composer.json", "dependency manifest"],
    ["src/App/App.csproj", "dependency manifest"],
    [".github/workflows/ci.yml", "CI workflow"],
    [".gitlab-ci.yml", "CI workflow"],
    [".circleci/config.yml", "CI workflow"],
    ["Jenkinsfile", "CI workflow"],
    ["db/migrations/001_init.sql", "database migration"],
    ["app/migrate/20240101_add_users.rb", "database migration"],
    ["db/seeds/users.sql", "database migration"],
    ["prisma/schema.prisma", "database migration"],
    ["Dockerfile", "container or infrastructure"],
    ["docker/Dockerfile.prod", "container or infrastructure"],
    ["docker-compose.override.yml", "container or infrastructure"],
    ["infra/main.tf", "container or infrastructure"],
    ["deploy/k8s/api/deployment.yaml", "container or infrastructure"],
    ["charts/api/templates/service.yaml", "container or infrastructure"],
    ["CODEOWNERS", "CODEOWNERS"],
    [".github/CODEOWNERS", "CODEOWNERS"],
    ["docs/CODEOWNERS", "CODEOWNERS"],
    [".github/review-triage.yml", "review-triage config"],
  ])("built-in sensitive kind: %s is %s (high)", (filename, kind) => {
    const result = score([file(filename)]);
    expect(result.impact.level).toBe("high");
    expect(result.impact.matches[0]).toMatchObject({ file: filename, impact: "high", rule: kind, source: "builtin" });
  });

  it.each(["yarn.lock", "go.sum", "Cargo.lock", "Gemfile.lock", "poetry.lock", "composer.lock"])(
    "built-in sensitive kind: %s is a lockfile, medium when it changes alone with no major bump in sight",
    (filename) => {
      const result = score([file(filename)]);
      expect(result.impact.matches[0]).toMatchObject({ file: filename, impact: "medium", rule: "lockfile", source: "builtin" });
    },
  );

  it.each(["src/components/charts/BarChart.tsx", "src/kubernetes/client.go", "src/migrator.ts", "docs/guide.md"])(
    "%s is not a built-in sensitive kind",
    (filename) => {
      expect(score([file(filename)]).impact.matches[0]?.source).not.toBe("builtin");
    },
  );

  it("uses the config path it is given for the config-file kind", () => {
    const result = score([file("config/triage.yml")], {}, DEFAULTS, { configPath: "config/triage.yml" });
    expect(result.impact.matches[0]).toMatchObject({ impact: "high", rule: "review-triage config" });
    expect(score([file(".github/review-triage.yml")], {}, DEFAULTS, { configPath: "config/triage.yml" }).impact.level).toBe("medium");
  });

  it("lets an explicit config rule override a built-in kind, even downwards", () => {
    const config = riskConfig({ impact: [{ paths: ["**/package.json"], impact: "low", reason: "examples only" }] });
    const result = score([file("examples/demo/package.json")], {}, config);
    expect(result.impact.level).toBe("low");
    expect(result.impact.matches[0]).toMatchObject({ source: "config", reason: "examples only" });
  });

  it("turns built-in kinds off with sensitive: false", () => {
    const config = riskConfig({ sensitive: false });
    expect(score([file("package.json")], {}, config).impact.matches[0]).toMatchObject({ impact: "medium", source: "default" });
    expect(score([file("package-lock.json")], {}, config).impact.matches).toEqual([]);
  });

  it("rates docs-only changes low, and docs beside code at the code's impact", () => {
    const docsOnly = score([file("README.md", 200), file("docs/guide/setup.md", 50), file("docs/api/conf.py", 3), file("NOTES.txt")]);
    expect(docsOnly.impact.level).toBe("low");
    expect(docsOnly.impact.summary).toBe("Only documentation changed, so impact is low.");
    expect(docsOnly.impact.matches.every((m) => m.source === "docs")).toBe(true);
    const mixed = score([file("README.md"), file("src/a.ts")]);
    expect(mixed.impact.level).toBe("medium");
    expect(score([file("CMakeLists.txt")]).impact.level).toBe("medium");
  });

  it("uses default_impact for files no rule matches", () => {
    expect(score([file("src/a.ts")], {}, riskConfig({ default_impact: "high" })).impact.matches[0]).toMatchObject({
      impact: "high",
      rule: "default",
      source: "default",
    });
  });

  it("counts removed files for impact: deleting a migration matters", () => {
    const result = score([file("db/migrations/002_drop.sql", 0, { status: "removed", deletions: 40 })]);
    expect(result.impact.level).toBe("high");
    expect(result.focusFiles[0]?.reason).toContain("removed (40 lines)");
  });

  it("matches a renamed file on its previous name too", () => {
    const result = score([file("archive/001_init.sql", 0, { status: "renamed", previous_filename: "db/migrations/001_init.sql" })]);
    expect(result.impact.matches[0]).toMatchObject({
      file: "archive/001_init.sql",
      impact: "high",
      rule: "database migration",
      matchedName: "db/migrations/001_init.sql",
    });
    const config = riskConfig({ impact: [{ paths: ["src/auth/**"], impact: "critical" }] });
    const moved = score([file("src/session/token.ts", 2, { status: "renamed", previous_filename: "src/auth/token.ts" })], {}, config);
    expect(moved.impact.matches[0]).toMatchObject({ impact: "critical", matchedName: "src/auth/token.ts" });
    expect(moved.focusFiles[0]?.reason).toContain("renamed from src/auth/token.ts");
  });

  it("excludes ignored (generated) files from the default impact", () => {
    const config = riskConfig({ impact: [{ paths: ["docs/**"], impact: "low" }] });
    const result = score([file("dist/app.js", 5000), file("src/__snapshots__/x.snap", 300)], {}, config);
    expect(result.impact.matches).toEqual([]);
    expect(result.impact.level).toBe("low");
    expect(result.notes).toContain("Only ignored (generated or vendored) files changed.");
  });

  it("never ignores a file the repository's own impact rule names: the rule beats the ignore list", () => {
    const config = riskConfig({ impact: [{ paths: ["dist/**"], impact: "critical" }] });
    const result = score([file("dist/app.js", 50)], {}, config);
    expect(result.impact.level).toBe("critical");
    expect(result.counts.ignoredFiles).toBe(0);
    const renamed = score([file("src/session.min.js", 50, { status: "renamed", previous_filename: "dist/session.js" })], {}, config);
    expect(renamed.impact.level).toBe("critical");
    // A catch-all rule at or below the default impact leaves the ignore list alone.
    const catchAll = score([file("dist/app.js", 50)], {}, riskConfig({ impact: [{ paths: ["**"], impact: "low" }] }));
    expect(catchAll.counts.ignoredFiles).toBe(1);
  });
});

describe("scoreRisk: realistic pull requests", () => {
  it("a lockfile bump alone: ignored for size, medium impact unless it shows a major bump", () => {
    const bump = patch('    "version": "4.17.21",').replace("@@ -1,0 +1,1 @@", '@@ -5,1 +5,1 @@\n-    "version": "4.17.20",');
    const result = score([file("package-lock.json", 4200, { deletions: 3900, patch: bump })], { title: "build(deps): bump lodash from 4.17.20 to 4.17.21", headRef: "dependabot/npm_and_yarn/lodash-4.17.21" });
    expect(factor(result, "size").raw).toBe(0);
    expect(factor(result, "files").raw).toBe(0);
    expect(result.impact.level).toBe("medium");
    expect(result.impact.matches[0]).toMatchObject({ file: "package-lock.json", rule: "lockfile", source: "builtin", reason: "changed without its manifest, no major version bump visible" });
    expect(result.focusFiles[0]).toMatchObject({ file: "package-lock.json", impact: "medium" });
    const major = score([file("package-lock.json", 2, { deletions: 2, patch: bump.replace("4.17.21", "5.0.0") })]);
    expect(major.impact.level).toBe("high");
  });

  it("a lockfile follows the manifest changed with it, in its directory or below", () => {
    const minor = `@@ -3,1 +3,1 @@\n-    "lodash": "^4.17.20"\n+    "lodash": "^4.17.21"`;
    const runtimeMajor = `@@ -3,1 +3,1 @@\n-    "chalk": "^4.1.2"\n+    "chalk": "^5.0.0"`;
    const lock = file("pnpm-lock.yaml", 300, { deletions: 300, patch: `@@ -1,1 +1,1 @@\n-  /semver@6.3.0:\n+  /semver@7.5.4:` });
    // A visible major bump in the lockfile does not outweigh a manifest of minor bumps.
    const followsMinor = score([lock, file("packages/a/package.json", 1, { deletions: 1, patch: minor })]);
    expect(followsMinor.impact.level).toBe("medium");
    expect(followsMinor.impact.matches.find((m) => m.file === "pnpm-lock.yaml")).toMatchObject({ impact: "medium", reason: "follows the manifest changed with it" });
    const followsMajor = score([lock, file("packages/a/package.json", 1, { deletions: 1, patch: runtimeMajor })]);
    expect(followsMajor.impact.matches.map((m) => [m.file, m.impact])).toEqual([
      ["packages/a/package.json", "high"],
      ["pnpm-lock.yaml", "high"],
    ]);
    // A lockfile in another package does not follow this manifest.
    const elsewhere = score([file("tools/pnpm-lock.yaml", 3, { patch: minor }), file("packages/a/package.json", 1, { patch: runtimeMajor })]);
    expect(elsewhere.impact.matches.find((m) => m.file === "tools/pnpm-lock.yaml")?.reason).toBe("changed without its manifest, no major version bump visible");
  });

  it("a dependency bump across four manifests is medium impact, not the lead's", () => {
    const bump = `@@ -12,1 +12,1 @@\n-    "typescript": "^5.8.2"\n+    "typescript": "^5.9.3"`;
    const files = ["packages/a", "packages/b", "packages/c", "packages/d"].map((dir) => file(`${dir}/package.json`, 1, { deletions: 1, patch: bump }));
    const result = score(files, { title: "feat: bump typescript" }, riskConfig());
    expect(result.impact.level).toBe("medium");
    expect(result.impact.matches[0]?.reason).toBe("version bumps only, none of a major version");
    expect(["high", "critical"]).not.toContain(result.level);
  });

  it("a manifest and lockfile bump: the manifest comes first in focus", () => {
    const result = score([file("package-lock.json", 900), file("package.json", 1)]);
    expect(result.focusFiles.map((f) => f.file)).toEqual(["package.json", "package-lock.json"]);
  });

  it("a database migration: high impact whatever the size", () => {
    const result = score([file("db/migrations/20240501_add_index.sql", 3, { patch: patch("-- speed up lookups", "create index i on t (c);", "") }), file("src/repo.ts", 4)]);
    expect(result.impact.level).toBe("high");
    // High impact lifts the level only when the likelihood is very high; this one is small.
    expect(result.level).toBe(DEFAULT_MATRIX[result.likelihood.band].high);
    expect(result.focusFiles[0]?.file).toBe("db/migrations/20240501_add_index.sql");
  });

  it("a CI workflow change is high impact; CODEOWNERS too", () => {
    expect(score([file(".github/workflows/release.yml", 12)]).impact.level).toBe("high");
    expect(score([file(".github/CODEOWNERS", 1)]).focusFiles[0]?.reason).toContain("CODEOWNERS (built-in sensitive kind)");
  });

  it("a big refactor across many directories: very high likelihood", () => {
    const files = Array.from({ length: 120 }, (_, i) => file(`src/module${i % 30}/part${i}.ts`, 40, { deletions: 35 }));
    const result = score([...files, file("src/module0/part0.test.ts", 200)], { title: "refactor: split the core" });
    expect(result.likelihood.band).toBe("very_high");
    expect(result.impact.level).toBe("medium");
    expect(result.level).toBe("high");
    expect(result.counts).toMatchObject({ files: 121, sourceFiles: 120, testFiles: 1, directories: 30, linesAdded: 4800 });
    expect(factor(result, "test_gap").value).toBe(0);
  });

  it("docs-only: low risk", () => {
    const result = score([file("README.md", 80), file("docs/setup.md", 120)], { title: "docs: setup guide" });
    expect(result.level).toBe("low");
    expect(factor(result, "change_type").value).toBe(0);
  });

  it("an empty file list is low with score 0", () => {
    const result = score([]);
    expect(result).toMatchObject({ level: "low", score: 0, focusFiles: [], notes: [] });
    expect(result.impact.summary).toBe("No files that count for impact changed.");
  });
});

describe("scoreRisk: large pull requests", () => {
  const listed = Array.from({ length: 3000 }, (_, i) => file(`src/m${i % 100}/f${i}.ts`, 2, { deletions: 1 }));

  it("uses the PR's totals when GitHub's list stops at 3000 files, and says so", () => {
    const result = score(listed, { changedFiles: 4200, additions: 9000, deletions: 3000 });
    expect(factor(result, "files").raw).toBe(4200);
    expect(factor(result, "size").raw).toBe(9000);
    expect(factor(result, "size").detail).toContain("from the PR's totals");
    expect(result.counts.linesDeleted).toBe(3000);
    expect(result.notes).toContainEqual(expect.stringMatching(/GitHub listed 3000 files .* the PR reports 4200 changed files/));
  });

  it("uses the PR's additions when the list reports zero lines for a huge diff", () => {
    const zeroed = listed.slice(0, 40).map((f) => ({ ...f, additions: 0, deletions: 0 }));
    const result = score(zeroed, { changedFiles: 40, additions: 12000, deletions: 100 });
    expect(factor(result, "size").raw).toBe(12000);
    expect(factor(result, "size").value).toBe(1);
    expect(result.notes).toHaveLength(1);
  });

  it("assumes the default impact for unlisted files rather than the listed best case", () => {
    const result = score([file("README.md")], { changedFiles: 3500, additions: 10 });
    expect(result.impact.level).toBe("medium");
    expect(result.impact.summary).toContain("did not list");
  });

  it("adds no note when the PR's totals agree with the list", () => {
    const files = [file("src/a.ts", 5, { deletions: 2 }), file("src/b.ts", 7)];
    expect(score(files, { changedFiles: 2, additions: 12, deletions: 2 }).notes).toEqual([]);
  });
});

describe("scoreRisk: focus files", () => {
  it("lists at most five, highest impact first, then most lines added, then by name", () => {
    const config = riskConfig({ impact: [{ paths: ["src/auth/**"], impact: "critical", reason: "identity" }] });
    const files = [
      file("src/z.ts", 50),
      file("src/a.ts", 50),
      file("src/big.ts", 400),
      file("src/auth/login.ts", 3),
      file("db/migrations/001.sql", 1),
      file("src/small.ts", 1),
      file("src/tiny.ts", 0),
    ];
    const result = score(files, {}, config);
    expect(result.focusFiles.map((f) => f.file)).toEqual(["src/auth/login.ts", "db/migrations/001.sql", "src/big.ts", "src/a.ts", "src/z.ts"]);
    expect(result.focusFiles[0]).toEqual({
      file: "src/auth/login.ts",
      impact: "critical",
      additions: 3,
      reason: 'critical impact: matches "src/auth/**" — identity; +3 −0',
    });
  });

  it("puts source before tests at the same impact, and binary files say so", () => {
    const result = score([file("src/a.test.ts", 300), file("src/a.ts", 10), file("img/logo.png", 0)]);
    expect(result.focusFiles.map((f) => f.file)).toEqual(["src/a.ts", "img/logo.png", "src/a.test.ts"]);
    expect(result.focusFiles[1]?.reason).toContain("binary or no textual diff");
  });
});

describe("compileRiskConfig", () => {
  it("compiles once per config object", () => {
    const config = riskConfig({ impact: [{ paths: ["src/**"], impact: "high" }] });
    const first = compileRiskConfig(config);
    expect(compileRiskConfig(config)).toBe(first);
    score([file("src/a.ts")], {}, config);
    expect(compileRiskConfig(config)).toBe(first);
    expect(compileRiskConfig(riskConfig({ impact: [{ paths: ["src/**"], impact: "high" }] }))).not.toBe(first);
  });

  it("orders impact patterns highest first and reports hostile patterns as notes", () => {
    const config = riskConfig({
      impact: [
        { paths: ["a/**"], impact: "low" },
        { paths: ["b/**", "c/**"], impact: "critical" },
      ],
      ignore: ["{a,b}".repeat(9)],
    });
    const compiled = compileRiskConfig(config);
    expect(compiled.impactPatterns.map((p) => p.pattern)).toEqual(["b/**", "c/**", "a/**"]);
    expect(compiled.notes).toContainEqual(expect.stringContaining("risk.ignore: pattern"));
  });
});

describe("countAddedCodeLines", () => {
  it.each([
    ["a.ts", ["/* start", "still comment", "end */ code();"], 1],
    ["a.ts", ["*ptr = 1;", "* not code"], 1],
    ["a.go", ["x := `/* not a comment`", "y()"], 2],
    ["a.py", ["# c", "#!/usr/bin/env python", "x = '#not'"], 1],
    ["a.lua", ["--[[ block", "]] x = 1", "-- c"], 1],
    ["a.html", ["<!-- a", "b -->", "<p>x</p>"], 1],
    ["Dockerfile", ["# base", "FROM node:24"], 1],
    ["data.bin", ["# unknown type counts all non-blank", ""], 1],
    ["a.ts", ["const s = 'a /* b';", "next();"], 2],
    ["a.ts", ["x(); /* opens", "inside", "*/ y();", "z();"], 3],
    ["a.ts", ["a(); // not a block: /*", "b();"], 2],
    ["a.ts", ["  /* whole */", "\t// tab-indented", "  * continuation", "c();"], 1],
    ["a.rb", ["# comment", "  puts 'x' # trailing", "=begin is code to us"], 2],
    ["a.sql", ["select '/*' from t;", "-- note", "select 1;"], 2],
  ])("%s %j → %i", (name, lines, expected) => {
    expect(countAddedCodeLines(name, patch(...lines))).toBe(expected);
  });

  it("follows block comments through context lines and resets at each hunk", () => {
    const text = ["@@ -1,2 +1,3 @@", " /* opened in context", "+inside the comment", " */", "+code();", "@@ -40,0 +41,1 @@", "+fresh();"].join("\n");
    expect(countAddedCodeLines("a.ts", text)).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const DIRS = ["src", "src/auth", "src/ui", "lib", "db/migrations", "docs", "test", ".github/workflows", "dist", ""];
const NAMES = ["index.ts", "a.ts", "b.test.ts", "README.md", "schema.sql", "package.json", "ci.yml", "logo.png", "bundle.js", "x.go"];
const CODE_LINES = ["const x = 1;", "// comment", "", "call();", "/* block */", "return y;"];

const fileArb = fc
  .record({
    name: fc.tuple(fc.constantFrom(...DIRS), fc.constantFrom(...NAMES)).map(([d, n]) => (d ? `${d}/${n}` : n)),
    status: fc.constantFrom("added", "modified", "modified", "removed", "renamed"),
    additions: fc.nat(400),
    deletions: fc.nat(200),
    lines: fc.option(fc.array(fc.constantFrom(...CODE_LINES), { maxLength: 30 }), { nil: undefined }),
    previous: fc.constantFrom(...DIRS).map((d) => (d ? `${d}/old.ts` : "old.ts")),
  })
  .map(({ name, status, additions, deletions, lines, previous }): ChangedFile => {
    const f: ChangedFile = { filename: name, status, additions: lines ? lines.length : additions, deletions };
    if (lines) f.patch = patch(...lines);
    if (status === "renamed") f.previous_filename = previous;
    if (status === "removed") f.additions = 0;
    return f;
  });

const filesArb = fc.uniqueArray(fileArb, { selector: (f) => f.filename, maxLength: 25 });

const ruleArb = fc.record({
  paths: fc.array(fc.constantFrom("src/**", "src/auth/**", "**/*.sql", "docs/**", "**/*.{ts,go}", "lib/**", "**/package.json"), { minLength: 1, maxLength: 3 }),
  impact: fc.constantFrom(...LEVELS),
});

const configArb = fc
  .record({
    impact: fc.array(ruleArb, { maxLength: 4 }),
    default_impact: fc.constantFrom(...LEVELS),
    sensitive: fc.boolean(),
    weights: fc.option(fc.record({ test_gap: fc.double({ min: 0, max: 1, noNaN: true }), change_type: fc.double({ min: 0, max: 1, noNaN: true }) }), { nil: undefined }),
  })
  .map(({ weights, ...rest }) => riskConfig({ ...rest, weights: { ...SPEC_WEIGHTS, ...weights } }));

const prArb = fc.record({
  title: fc.constantFrom("fix: x", "feat: y", "docs: z", "Update", "chore!: w"),
  headRef: fc.constantFrom("fix/a", "feature/b", "main"),
  labels: fc.constantFrom<string[][]>([], ["bug"], ["enhancement"]),
});

const inputArb = fc.record({ files: filesArb, facts: prArb, config: configArb, errors: fc.option(fc.nat(20), { nil: undefined }) });

interface PropertyInput {
  files: ChangedFile[];
  facts: Partial<PullRequestFacts>;
  config: ReturnType<typeof riskConfig>;
  errors: number | undefined;
}

function run({ files, facts, config, errors }: PropertyInput) {
  return scoreRisk({ files, pr: pr(facts), config, ...(errors === undefined ? {} : { analysis: { errors } }) });
}

describe("scoreRisk: properties", () => {
  it("always gives a score within 0–100, a valid level and a consistent band", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = run(input);
        expect(Number.isInteger(result.score)).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
        expect(LEVELS).toContain(result.level);
        expect(result.likelihood.value).toBeGreaterThanOrEqual(0);
        expect(result.likelihood.value).toBeLessThanOrEqual(1);
        expect(result.likelihood.probability).toBeCloseTo(likelihoodProbability(input.config, result.likelihood.value), 4);
        expect(result.likelihood.band).toBe(probabilityBand(input.config, result.likelihood.probability));
        expect(result.level).toBe(DEFAULT_MATRIX[result.likelihood.band][result.impact.level]);
        expect(result.focusFiles.length).toBeLessThanOrEqual(5);
      }),
      { numRuns: 300 },
    );
  });

  it("never lowers score or level when lines are added to a source file", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 1, max: 2000 }), fc.nat(), (input, extra, pick) => {
        const sources = input.files.filter((f) => /^(src|lib)\/(index|a)\.ts$|(^|\/)x\.go$/.test(f.filename) && f.status !== "removed");
        fc.pre(sources.length > 0);
        const target = sources[pick % sources.length] as ChangedFile;
        const grown: ChangedFile = target.patch
          ? { ...target, additions: target.additions + extra, patch: `${target.patch}\n${Array.from({ length: extra }, (_, i) => `+grow(${i});`).join("\n")}` }
          : { ...target, additions: target.additions + extra };
        const before = run(input);
        const after = run({ ...input, files: input.files.map((f) => (f === target ? grown : f)) });
        expect(after.score).toBeGreaterThanOrEqual(before.score);
        expect(RANK[after.level]).toBeGreaterThanOrEqual(RANK[before.level]);
        expect(after.likelihood.value).toBeGreaterThanOrEqual(before.likelihood.value);
      }),
      { numRuns: 300 },
    );
  });

  it("never lowers score or level when a rule raises a file's impact", () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), fc.nat(3), (input, pick, raise) => {
        fc.pre(input.files.length > 0);
        const before = run(input);
        const target = input.files[pick % input.files.length] as ChangedFile;
        const current = before.impact.matches.find((m) => m.file === target.filename)?.impact ?? "low";
        const impact = LEVELS[Math.min(3, RANK[current] + raise)] as Level;
        const config = { ...input.config, impact: [...input.config.impact, { paths: [target.filename], impact }] };
        const after = run({ ...input, config });
        expect(after.score).toBeGreaterThanOrEqual(before.score);
        expect(RANK[after.level]).toBeGreaterThanOrEqual(RANK[before.level]);
        expect(RANK[after.impact.level]).toBeGreaterThanOrEqual(RANK[before.impact.level]);
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the order of the files", () => {
    fc.assert(
      fc.property(inputArb, fc.array(fc.double({ noNaN: true }), { minLength: 25, maxLength: 25 }), (input, keys) => {
        const shuffled = input.files
          .map((f, i) => [keys[i] ?? 0, f] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, f]) => f);
        expect(run({ ...input, files: shuffled })).toEqual(run(input));
      }),
      { numRuns: 300 },
    );
  });
});
