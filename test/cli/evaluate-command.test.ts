import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateHistory } from "../../src/cli/evaluate/evaluate-history.js";
import { evaluateCommand } from "../../src/cli/evaluate-command.js";
import type { CliIo } from "../../src/cli/io.js";
import { defaultConfig } from "../../src/config/schema.js";

const DAY = 86_400;
const START = Date.UTC(2020, 0, 1) / 1000;

/** A tiny repository with a known history, committed at fixed dates. */
class TestRepo {
  readonly dir: string;
  constructor(root: string, name: string) {
    this.dir = join(root, name);
    mkdirSync(this.dir);
    this.git(0, "init", "-q", "-b", "main");
  }

  git(day: number, ...args: string[]): string {
    const date = `@${START + day * DAY} +0000`;
    return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], {
      cwd: this.dir,
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" },
    });
  }

  write(files: Record<string, string[]>): void {
    for (const [file, lines] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, file)), { recursive: true });
      writeFileSync(join(this.dir, file), `${lines.join("\n")}\n`);
    }
  }

  commit(day: number, message: string, files: Record<string, string[]>): void {
    this.write(files);
    this.git(day, "add", "-A");
    this.git(day, "commit", "-q", "-m", message);
  }
}

const PARSER = [
  "export function parse(text) {",
  "  const trimmed = text.trim();",
  "  if (trimmed === '') return undefined;",
  "  return Number(trimmed) + 1;",
  "}",
  ...Array.from({ length: 25 }, (_, i) => `export const limit${i} = ${i};`),
];

let root: string;
let repo: TestRepo;

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    cwd: root,
    env: {},
    out: () => out,
    err: () => err,
  };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "evaluate-command-"));
  repo = new TestRepo(root, "project");
  repo.commit(0, "feat: add math helpers", {
    "src/math.js": ["// Small helpers.", "export function add(a, b) {", "  return a + b;", "}"],
  });
  // A pull request of two commits, merged with a merge commit: one change of the branch.
  repo.git(10, "checkout", "-q", "-b", "feature-parse");
  repo.commit(10, "add parser", { "src/parse.js": PARSER });
  repo.commit(11, "test parser", { "test/parse.test.js": ["import { parse } from '../src/parse.js';", "parse('1');"] });
  repo.git(12, "checkout", "-q", "main");
  repo.git(12, "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from t/feature-parse\n\nAdd a number parser", "feature-parse");
  repo.commit(20, "docs: explain usage", { "README.md": ["# Project", "Call parse(text)."] });
  repo.commit(30, "feat: add greet", {
    "src/greet.js": ["// Greets a user.", "export function greet(name) {", "  return 'hi ' + name;", "}"],
  });
  // The fix repairs the parser's line (written by the merge), and also rewords a comment
  // (written by "add greet"), re-indents a line (written by "add math helpers") and edits
  // the README: none of those three may make their change "risky".
  repo.commit(40, "fix: parse returned one too many", {
    "src/parse.js": PARSER.map((l) => (l === "  return Number(trimmed) + 1;" ? "  return Number(trimmed);" : l)),
    "src/greet.js": ["// Greets someone.", "export function greet(name) {", "  return 'hi ' + name;", "}"],
    "src/math.js": ["// Small helpers.", "export function add(a, b) {", "    return a + b;", "}"],
    "README.md": ["# Project", "Call parse(text) to read a number."],
  });
  repo.commit(500, "chore: tidy", { "src/math.js": ["// Small helpers.", "export function add(a, b) {", "  return a + b;", "}"] });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("evaluateHistory", () => {
  it("labels with SZZ: the merged pull request whose line a fix repaired is risky, nothing else", async () => {
    const history = await evaluateHistory({ repo: repo.dir, windowDays: 100, config: defaultConfig().risk });
    const labels = Object.fromEntries(history.changes.map((c) => [c.title, c.label]));
    expect(labels).toEqual({
      "feat: add math helpers": "clean",
      // The title comes from the merge body, as GitHub shows the pull request.
      "Add a number parser": "risky",
      // Documentation only: no code blame could attribute a repaired line to.
      "docs: explain usage": "no-code",
      "feat: add greet": "clean",
      "fix: parse returned one too many": "clean",
      // Less than the 100-day window before the newest change: its fixes may be yet to come.
      "chore: tidy": "too-recent",
    });
    expect(history).toMatchObject({ ref: "main", changesRead: 6, fixChanges: 1, blamedFixes: 1, blameFailures: 0 });
    // The merge is scored on its whole diff against main: both commits of the branch.
    const merge = history.changes.find((c) => c.title === "Add a number parser")!;
    expect(merge.factors.size.raw).toBe(30);
    expect(merge.factors.files.raw).toBe(2);
  });

  it("reads a fix outside the window as no label", async () => {
    // With a 5-day window the fix (28 days after the merge) cannot blame it.
    const history = await evaluateHistory({ repo: repo.dir, windowDays: 5, config: defaultConfig().risk });
    expect(history.changes.filter((c) => c.label === "risky")).toEqual([]);
  });
});

/**
 * A history with a bulk reformat between a change and the fix that repairs its line, and
 * changes that touch no code. With `.git-blame-ignore-revs` listing the reformat, blame looks
 * through it to the change that wrote the line.
 */
function reformattedHistory(name: string, listReformat: boolean): TestRepo {
  const r = new TestRepo(root, name);
  const util = ["export function clamp(x, lo, hi) {", "  if (x < lo) return lo;", "  if (x > hi) return lo;", "  return x;", "}"];
  r.commit(0, "feat: add clamp", { "src/util.js": util });
  r.commit(10, "style: reformat with semicolon-free style", { "src/util.js": util.map((l) => l.replace(/;$/, "")) });
  const reformat = r.git(10, "rev-parse", "HEAD").trim();
  if (listReformat) r.commit(12, "chore: ignore the reformat in blame", { ".git-blame-ignore-revs": ["# Prettier-style reformat", reformat] });
  r.commit(20, "docs: usage", { "README.md": ["# util", "clamp(x, lo, hi)"] });
  r.commit(25, "chore: settings", { "config/settings.json": ["{", '  "retries": 3', "}"] });
  r.commit(30, "fix: clamp returned lo above hi", {
    "src/util.js": util.map((l) => l.replace(/;$/, "")).map((l) => (l === "  if (x > hi) return lo" ? "  if (x > hi) return hi" : l)),
    "config/settings.json": ["{", '  "retries": 5', "}"],
  });
  r.commit(500, "chore: tidy", { "src/other.js": ["export const other = 1;"] });
  return r;
}

describe("evaluateHistory: labelling like the literature", () => {
  it("honours .git-blame-ignore-revs and leaves the listed reformat and changes without code out", async () => {
    const r = reformattedHistory("reformatted", true);
    const history = await evaluateHistory({ repo: r.dir, windowDays: 100, config: defaultConfig().risk });
    expect(Object.fromEntries(history.changes.map((c) => [c.title, c.label]))).toEqual({
      "feat: add clamp": "risky",
      "style: reformat with semicolon-free style": "ignored-rev",
      "chore: ignore the reformat in blame": "no-code",
      "docs: usage": "no-code",
      // The fix also changed its line, but settings are data, not code.
      "chore: settings": "no-code",
      "fix: clamp returned lo above hi": "clean",
      "chore: tidy": "too-recent",
    });
    expect(history.labels).toEqual({ risky: 1, clean: 1, "too-recent": 1, "no-code": 3, "ignored-rev": 1 });
    expect(history.labelling).toMatchObject({
      windowDays: 100,
      ignoreRevs: { file: ".git-blame-ignore-revs", listed: 1, found: 1 },
      blame: expect.stringContaining("--ignore-revs-file .git-blame-ignore-revs"),
      maxFixFiles: 50,
    });
  });

  it("without the file, blame stops at the reformat, which then takes the blame", async () => {
    const r = reformattedHistory("not-listed", false);
    const history = await evaluateHistory({ repo: r.dir, windowDays: 100, config: defaultConfig().risk });
    const labels = Object.fromEntries(history.changes.map((c) => [c.title, c.label]));
    expect(labels["style: reformat with semicolon-free style"]).toBe("risky");
    expect(labels["feat: add clamp"]).toBe("clean");
    expect(history.labelling.ignoreRevs).toBeUndefined();
  });

  it("prints the labelling parameters with the figures, in text and in JSON", async () => {
    reformattedHistory("printed", true);
    const text = captureIo();
    expect(await evaluateCommand(["printed", "--window", "100"], text)).toBe(0);
    expect(text.out()).toMatch(/^Labelling: SZZ, fix window 100 days\.$/m);
    expect(text.out()).toMatch(/bulk reformats\s+\.git-blame-ignore-revs: 1 revision listed, 1 in this history/);
    expect(text.out()).toMatch(/left out\s+1 too recent .*, 3 touching no code, 1 listed reformats/);
    const json = captureIo();
    expect(await evaluateCommand(["printed", "--window", "100", "--max-commits", "7", "--json"], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ labelling: { windowDays: 100, maxCommits: 7, ignoreRevs: { found: 1 } }, labels: { "ignored-rev": 1 } });
  });
});

describe("review-triage evaluate", () => {
  it("reports the count, the share risky, the AUCs and the levels (--json)", async () => {
    const io = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--json"], io)).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.summary).toMatchObject({ changes: 4, risky: 1, shareRisky: 0.25, constantFactors: ["directories", "change_type", "static_analysis"] });
    // The parser's merge adds the most code, so every ranking by size puts it first...
    expect(report.summary.auc.likelihood).toBe(1);
    expect(report.summary.auc.factors.size).toBe(1);
    // ...while `fix` ranks it below the one fix and level with the two others: (2 × ½) / 3.
    expect(report.summary.auc.factors.fix).toBeCloseTo(1 / 3, 12);
    expect(report.summary.estimates.linesAdded).toMatchObject({ auc: 1, positives: 1, negatives: 3 });
    expect(report.summary.lead).toMatchObject({ changes: expect.any(Number), share: expect.any(Number) });
    expect(report.summary.deciles.reduce((n: number, d: { changes: number }) => n + d.changes, 0)).toBe(4);
    const levels = report.summary.levels as { changes: number; risky: number }[];
    expect(levels.reduce((n, l) => n + l.changes, 0)).toBe(4);
    expect(levels.reduce((n, l) => n + l.risky, 0)).toBe(1);
  });

  it("prints a readable report", async () => {
    const io = captureIo();
    expect(await evaluateCommand([join(root, "project"), "--window", "100"], io)).toBe(0);
    const text = io.out();
    expect(text).toContain("(main at ");
    expect(text).toMatch(/Changes evaluated\s+4\n/);
    expect(text).toMatch(/Labelled risky\s+1 \(25\.0 %\)/);
    expect(text).toMatch(/likelihood \(combined, current weights\)\s+1\.000 ± 0\.000/);
    expect(text).toMatch(/lines added alone\s+1\.000 ± 0\.000/);
    expect(text).toMatch(/^Lead group \(levels high and critical\): [\d.]+ % of the changes/m);
    expect(text).toContain("Probability of a fix within a year (risk.link) against what happened, by tenths of the changes");
    expect(text).toMatch(/static_analysis\s+—/);
    expect(text).toMatch(/^level\s+changes\s+risky\s+share risky$/m);
  });

  it("--changes writes every change read, scored and labelled, one JSON object a line", async () => {
    const io = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--changes", "changes.jsonl", "--json"], io)).toBe(0);
    const lines = readFileSync(join(root, "changes.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((c) => c.label)).toEqual(["too-recent", "clean", "clean", "no-code", "risky", "clean"]);
    expect(lines[4]).toMatchObject({ title: "Add a number parser", level: expect.any(String), impact: "medium", probability: expect.any(Number) });
    expect(lines[4].factors.size).toEqual({ value: expect.any(Number), raw: 30 });
  });

  it("reads a bare clone the same way", async () => {
    execFileSync("git", ["clone", "-q", "--bare", repo.dir, join(root, "bare.git")]);
    const io = captureIo();
    expect(await evaluateCommand(["bare.git", "--window", "100", "--json"], io)).toBe(0);
    expect(JSON.parse(io.out()).summary).toMatchObject({ changes: 4, risky: 1 });
  });

  it("reads the clone named by --repo, the same as a positional path", async () => {
    const io = captureIo();
    expect(await evaluateCommand(["--repo", "project", "--window", "100", "--json"], io)).toBe(0);
    const positional = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--json"], positional)).toBe(0);
    expect(JSON.parse(io.out()).summary).toEqual(JSON.parse(positional.out()).summary);
    expect(JSON.parse(io.out()).summary).toMatchObject({ risky: 1 });
    const both = captureIo();
    expect(await evaluateCommand(["--repo", "project", "bare.git"], both)).toBe(2);
    expect(both.err()).toContain("expected one repository path, got 2: project bare.git");
  });

  it("limits the history with --max-commits and --since", async () => {
    const few = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--max-commits", "3", "--json"], few)).toBe(0);
    expect(JSON.parse(few.out())).toMatchObject({ changesRead: 3 });
    const recent = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--since", "2020-01-25", "--json"], recent)).toBe(0);
    expect(JSON.parse(recent.out())).toMatchObject({ changesRead: 3 });
  });

  it("--calibrate prints fitted weights, their held-out AUC and a config snippet", async () => {
    const io = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--calibrate"], io)).toBe(0);
    const text = io.out();
    expect(text).toContain("fitted on the oldest 70 %");
    expect(text).toMatch(/fitted on\s+3 changes, 1 risky/);
    expect(text).toMatch(/held out\s+1 change, 0 risky/);
    // The one held-out change is clean, so no AUC exists there and none is claimed.
    expect(text).toMatch(/calibrated weights \(rounded\)\s+n\/a/);
    expect(text).toContain("no AUC can be measured");
    expect(text).toMatch(/risk:\n {2}weights:\n {4}size: [\d.]+\n {4}files: [\d.]+\n/);
    expect(text).toMatch(/\n {2}link: \{ intercept: -?[\d.]+, slope: -?[\d.]+ \}\n {2}bands: \{ medium: [\d.]+, high: [\d.]+, very_high: [\d.]+ \}\n/);
    expect(text).toMatch(/Base rate there 33\.3 %; bands from it: medium from 33\.5 %, high from 83\.5 %, very high from 99\.0 %/);
  });

  it("uses the weights of --config", async () => {
    writeFileSync(join(root, "fix-only.yml"), "risk:\n  weights: { size: 0, files: 0, directories: 0, fix: 1, change_type: 0, test_gap: 0, static_analysis: 0 }\n");
    const io = captureIo();
    expect(await evaluateCommand(["project", "--window", "100", "--config", "fix-only.yml", "--json"], io)).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.weights).toMatchObject({ size: 0, fix: 1 });
    expect(report.summary.auc.likelihood).toBeCloseTo(1 / 3, 12);
  });

  it("says so when the path is not a git repository", async () => {
    mkdirSync(join(root, "plain"));
    const io = captureIo();
    expect(await evaluateCommand(["plain"], io)).toBe(1);
    expect(io.err()).toMatch(/plain is not a git repository/);
    const missing = captureIo();
    expect(await evaluateCommand(["nowhere"], missing)).toBe(1);
    expect(missing.err()).toMatch(/nowhere: no such directory/);
  });

  it("says so when the history has no fix commits", async () => {
    const clean = new TestRepo(root, "no-fixes");
    clean.commit(0, "feat: one", { "a.js": ["x();"] });
    clean.commit(1, "feat: two", { "a.js": ["x();", "y();"] });
    const io = captureIo();
    expect(await evaluateCommand(["no-fixes"], io)).toBe(1);
    expect(io.err()).toMatch(/no fix commits found in 2 changes on main/);
  });

  it("rejects malformed options with usage", async () => {
    for (const args of [["--max-commits", "ten"], ["--since", "yesterday"], ["--bogus"], ["a", "b"]]) {
      const io = captureIo();
      expect(await evaluateCommand(args, io)).toBe(2);
      expect(io.err()).toContain("Usage: review-triage evaluate");
    }
  });
});
