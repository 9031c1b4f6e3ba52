import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { RiskAssessment } from "../../src/core/types.js";

// Hermetic git: no system or user config, a fixed identity passed on each commit.
const scratch = mkdtempSync(join(tmpdir(), "review-triage-score-"));
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: scratch,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, env, encoding: "utf8" });
}

function write(repo: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

let counter = 0;
function newRepo(branch = "main"): string {
  const repo = join(scratch, `repo-${++counter}`);
  mkdirSync(repo);
  git(repo, "init", "-q", "-b", branch);
  return repo;
}

async function score(cwd: string, ...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["score", ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env });
  return { code, stdout, stderr };
}

async function scoreJson(cwd: string, ...args: string[]): Promise<RiskAssessment> {
  const { code, stdout, stderr } = await score(cwd, ...args, "--json");
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as RiskAssessment;
}

/** main: one source file; fix/login: a migration and a code change committed on top. */
let repo: string;

beforeAll(() => {
  repo = newRepo();
  write(repo, "src/app.ts", "export const version = 1;\n");
  write(repo, "db/migrations/001_init.sql", "create table users (id int);\n");
  write(repo, "README.md", "# App\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "feat: first");
  git(repo, "checkout", "-q", "-b", "fix/login");
  write(repo, "src/app.ts", "// Why: sessions expired early.\nexport const version = 2;\n\nexport function login(): boolean {\n  return true;\n}\n");
  write(repo, "db/migrations/002_sessions.sql", "-- sessions\ncreate table sessions (id int);\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "fix(auth): login loop");
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("review-triage score", () => {
  it("prints usage with --help", async () => {
    const { code, stdout } = await score(repo, "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: review-triage score [--repo <path>] [--base <ref>] [--head <ref>] [--config <file>] [--json]");
  });

  it("is listed in the CLI usage", async () => {
    let stdout = "";
    await runCli(["--help"], { stdout: (t) => (stdout += t), stderr: () => {}, cwd: repo, env });
    expect(stdout).toContain("review-triage score");
  });

  it("scores the branch against the default branch, explained in text", async () => {
    const { code, stdout, stderr } = await score(repo, "--head", "fix/login");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Scored main \(merge-base [0-9a-f]{12}\) → fix\/login: "fix\(auth\): login loop" on fix\/login\n/);
    expect(stdout).toMatch(/Risk: (LOW|MEDIUM|HIGH|CRITICAL) \(score \d+\/100\)/);
    expect(stdout).toContain("Likelihood factors");
    expect(stdout).toMatch(/size\s+\d\.\d\d\s+\d\.\d\d\s+\d\.\d{3}\s+5 lines of code added/);
    expect(stdout).toContain("High impact from db/migrations/002_sessions.sql: database migration (built-in sensitive kind).");
    expect(stdout).toContain("1. db/migrations/002_sessions.sql — high impact: database migration (built-in sensitive kind); +2 −0");
    expect(stdout).toContain("The title says \"fix\"");
  });

  it("prints the whole assessment as JSON with --json", async () => {
    const result = await scoreJson(repo, "--head", "fix/login");
    expect(result.impact.level).toBe("high");
    // app.ts: 4 code lines (its comment and blank line skipped); the migration: 1.
    expect(result.counts).toMatchObject({ files: 2, sourceFiles: 2, testFiles: 0, linesAdded: 5, linesDeleted: 1, directories: 2 });
    expect(result.likelihood.factors.find((f) => f.name === "fix")?.value).toBe(1);
    expect(result.impact.matches.map((m) => m.file)).toEqual(["db/migrations/002_sessions.sql", "src/app.ts"]);
  });

  it("scores the working tree by default: staged, unstaged and untracked files", async () => {
    const work = newRepo();
    write(work, "src/a.ts", "export const a = 1;\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "feat: a");
    git(work, "checkout", "-q", "-b", "feature/b");
    write(work, "src/a.ts", "export const a = 2;\nexport const b = 3;\n");
    write(work, "src/staged.ts", "export const s = 1;\n");
    git(work, "add", "src/staged.ts");
    write(work, "src/new.ts", "// only a comment\n\nexport const n = 1;\n");
    write(work, "assets/logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
    const result = await scoreJson(work);
    expect(result.impact.matches.map((m) => m.file).sort()).toEqual(["assets/logo.png", "src/a.ts", "src/new.ts", "src/staged.ts"]);
    // a.ts: 2 added; staged.ts: 1; new.ts: 1 (comment and blank skipped); the binary: 0.
    expect(result.counts.linesAdded).toBe(4);
    expect(result.counts.files).toBe(4);
    expect(result.focusFiles.find((f) => f.file === "assets/logo.png")?.reason).toContain("binary or no textual diff");
  });

  it("diffs --base...--head commits only, ignoring the working tree", async () => {
    const work = newRepo();
    write(work, "a.txt", "a\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "docs: a");
    write(work, "src/b.ts", "export const b = 1;\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "feat: b");
    write(work, "src/dirty.ts", "export const d = 1;\n");
    const result = await scoreJson(work, "--base", "HEAD~1", "--head", "HEAD");
    expect(result.impact.matches.map((m) => m.file)).toEqual(["src/b.ts"]);
    const withTree = await scoreJson(work, "--base", "HEAD~1");
    expect(withTree.impact.matches.map((m) => m.file)).toEqual(["src/b.ts", "src/dirty.ts"]);
  });

  it("follows renames and judges them by both names", async () => {
    const work = newRepo();
    write(work, "db/migrations/001.sql", "create table t (id int);\ncreate table u (id int);\ncreate table v (id int);\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "feat: schema");
    mkdirSync(join(work, "archive"));
    git(work, "mv", "db/migrations/001.sql", "archive/001.sql");
    git(work, "commit", "-q", "-m", "chore: archive");
    const result = await scoreJson(work, "--base", "HEAD~1", "--head", "HEAD");
    expect(result.impact.matches).toEqual([
      { file: "archive/001.sql", impact: "high", rule: "database migration", source: "builtin", matchedName: "db/migrations/001.sql" },
    ]);
    expect(result.counts.directories).toBe(2);
  });

  it("reads .github/review-triage.yml from the repository", async () => {
    const work = newRepo();
    write(work, ".github/review-triage.yml", "risk:\n  impact:\n    - { paths: [\"src/pay/**\"], impact: critical, reason: money }\n");
    write(work, "README.md", "x\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "chore: config");
    write(work, "src/pay/charge.ts", "export const charge = 1;\n");
    const result = await scoreJson(work);
    expect(result.impact.matches[0]).toMatchObject({ file: "src/pay/charge.ts", impact: "critical", reason: "money" });
  });

  it("reads --config instead, and refuses an invalid one with readable lines", async () => {
    const config = join(scratch, "strict.yml");
    writeFileSync(config, "risk:\n  default_impact: high\n");
    const result = await scoreJson(repo, "--head", "fix/login", "--config", config);
    expect(result.impact.matches.find((m) => m.file === "src/app.ts")).toMatchObject({ impact: "high", source: "default" });

    const bad = join(scratch, "bad.yml");
    writeFileSync(bad, "risk:\n  default_impact: huge\n  wieghts: {}\n");
    const { code, stdout, stderr } = await score(repo, "--head", "fix/login", `--config=${bad}`);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("is invalid (2 problems)");
    expect(stderr).toContain("risk.default_impact (line 2)");
    expect(stderr).toContain('did you mean "weights"');
  });

  it("scores another clone with --repo, reading that clone's config", async () => {
    const other = newRepo();
    write(other, ".github/review-triage.yml", "risk:\n  impact:\n    - { paths: [\"lib/**\"], impact: critical, reason: core }\n");
    write(other, "README.md", "x\n");
    git(other, "add", "-A");
    git(other, "commit", "-q", "-m", "chore: config");
    write(other, "lib/core.ts", "export const core = 1;\n");
    const outside = join(scratch, "elsewhere");
    mkdirSync(outside, { recursive: true });
    const result = await scoreJson(outside, "--repo", other);
    expect(result.impact.matches).toEqual([{ file: "lib/core.ts", impact: "critical", rule: "lib/**", source: "config", reason: "core" }]);
    // A relative --repo is relative to the current directory, and a subdirectory finds its clone.
    const relative = await scoreJson(scratch, `--repo=${other.slice(scratch.length + 1)}/lib`);
    expect(relative.impact.matches.map((m) => m.file)).toEqual(["lib/core.ts"]);
  });

  it("exits 2 when --repo is not a directory or not a git repository", async () => {
    const missing = await score(repo, "--repo", join(scratch, "no-such-dir"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("review-triage score: --repo " + join(scratch, "no-such-dir") + ": no such directory\n");
    const plain = join(scratch, "plain-dir");
    mkdirSync(plain, { recursive: true });
    const notGit = await score(repo, "--repo", plain);
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toBe(`review-triage score: not a git repository: ${plain}\n`);
  });

  it("uses origin/HEAD as the default base when the clone knows it", async () => {
    const work = newRepo("trunk");
    write(work, "a.ts", "export const a = 1;\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "feat: a");
    git(work, "update-ref", "refs/remotes/origin/trunk", "HEAD");
    git(work, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");
    write(work, "b.ts", "export const b = 1;\n");
    const { code, stdout } = await score(work);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Scored origin\/trunk /);
  });

  it.each([
    [["--base", "no-such-branch"], 'unknown ref "no-such-branch" (--base)'],
    [["--head", "nope"], 'unknown ref "nope" (--head)'],
    [["--base", "--json"], '--base "--json" is not a valid git ref'],
    [["--base", "main..fix/login"], "is not a valid git ref"],
    [["--base"], "--base needs a value"],
    [["--verbose"], 'unknown argument "--verbose"'],
    [["--config", "missing.yml"], "cannot read missing.yml (no such file)"],
  ])("exits 2 with one clear line for %j", async (args, message) => {
    const { code, stdout, stderr } = await score(repo, ...args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toContain(message);
  });

  it("exits 2 outside a git repository", async () => {
    const plain = join(scratch, "not-a-repo");
    mkdirSync(plain, { recursive: true });
    const { code, stderr } = await score(plain);
    expect(code).toBe(2);
    expect(stderr).toBe(`review-triage score: not a git repository: ${plain}\n`);
  });

  it("exits 2 when there is no default branch to compare with", async () => {
    const work = newRepo("trunk");
    write(work, "a.ts", "x\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "feat: a");
    const { code, stderr } = await score(work);
    expect(code).toBe(2);
    expect(stderr).toContain("cannot find the default branch (no origin/HEAD, main or master); pass --base <ref>");
  });

  it("exits 2 in a repository without commits", async () => {
    const work = newRepo();
    const { code, stderr } = await score(work);
    expect(code).toBe(2);
    expect(stderr).toContain("the repository has no commits yet");
  });
});
