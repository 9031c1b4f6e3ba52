import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/run-cli.js";
import { HistoryStore } from "../../src/storage/history-store.js";
import { openDatabase } from "../../src/storage/open-database.js";

/**
 * `review-triage report` end to end: a history written into an embedded database in a temp
 * DATA_DIR (as the app writes it), then the command run on it as a user would.
 */

const DAY = 86_400_000;
let dataDir: string;

function io(env: NodeJS.ProcessEnv = { DATA_DIR: dataDir }) {
  const out = { stdout: "", stderr: "" };
  const cli: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), cwd: process.cwd(), env };
  return { out, cli };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "rt-report-"));
  const database = await openDatabase({ dataDir });
  try {
    const history = new HistoryStore(database.db);
    const ago = (days: number) => new Date(Date.now() - days * DAY);
    const repo = { repoId: 42, installationId: 1, repo: "acme/web" };
    await history.recordRepository({ repoId: 42, installationId: 1, fullName: "acme/web" });
    await history.upsertPullRequest({ ...repo, number: 1, author: "alice", title: "Payments", state: "merged", draft: false, openedAt: ago(10), mergedAt: ago(8), closedAt: ago(8), fix: false });
    const triage = { repoId: 42, headSha: "h", scoredLevel: "high", score: 70, likelihood: 0.6, factors: {}, analysisRules: {}, at: ago(10) };
    await history.recordTriage({ ...triage, number: 1, level: "high", checklistMissing: ["Threat model \u001b[2Jupdated"], files: ["src/pay.ts"], approvalsMet: true, repository: { fullName: "acme/web", people: true, leadGroup: "lead" } });
    await history.recordRequest({ repoId: 42, number: 1, reviewer: "dave", requestedBy: "review-triage[bot]", byApp: true, group: "lead", at: ago(10) });
    await history.recordReview({ repoId: 42, number: 1, id: 1, reviewer: "dave", state: "APPROVED", submittedAt: new Date(ago(10).getTime() + 3 * 3_600_000) });
    // Forty days ago: outside --since 30d, inside the default 90 days.
    await history.upsertPullRequest({ ...repo, number: 2, author: "bob", title: "Old", state: "open", draft: false, openedAt: ago(40) });
    await history.recordTriage({ ...triage, number: 2, level: "low", checklistMissing: [], files: ["README.md"], repository: { fullName: "acme/web", people: true, leadGroup: "lead" } });
    // A repository whose config turns the people reports off.
    await history.upsertPullRequest({ repoId: 43, installationId: 1, repo: "acme/quiet", number: 1, author: "carol", title: "x", state: "open", draft: false, openedAt: ago(1) });
    await history.recordTriage({ ...triage, repoId: 43, number: 1, level: "medium", checklistMissing: [], files: ["a.ts"], repository: { fullName: "acme/quiet", people: false, leadGroup: "lead" } });
  } finally {
    await database.close();
  }
}, 120_000);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe("review-triage report", () => {
  it("prints the repository's figures and its people, in the window --since gives", async () => {
    const { out, cli } = io();
    expect(await runCli(["report", "acme/web", "--since", "30d"], cli)).toBe(0);
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("Review Triage report for acme/web");
    expect(out.stdout).toContain("Pull requests opened: 1 (low 0, medium 0, high 1, critical 0; not triaged 0)");
    expect(out.stdout).toContain("Routed to the lead group: 1 of 1 triaged (100%)");
    expect(out.stdout).toMatch(/\n {2}high +1 +3h 00m +3h 00m +1 +3h 00m +3h 00m\n/);
    expect(out.stdout).toContain("alice: 1 pull request (low 0, medium 0, high 1, critical 0)");
    expect(out.stdout).toContain("high and critical merged: 1; clean landings 1 (1 merged under 30 days ago: a fix may still follow)");
    // The stored item text cannot drive the terminal.
    expect(out.stdout).toContain('checklist items missed: "Threat model ?[2Jupdated" (1 unticked)');
    expect(out.stdout).not.toContain("\u001b");
    expect(out.stdout).toMatch(/\n {2}dave +1 +0 +0 +1 +0 +1 +1 +3h 00m +0 +0\n/);
    expect(out.stdout).not.toContain("bob");

    const wide = io();
    expect(await runCli(["report", "acme/web"], wide.cli)).toBe(0);
    expect(wide.out.stdout).toContain("Pull requests opened: 2 (low 1, medium 0, high 1, critical 0; not triaged 0)");
    expect(wide.out.stdout).toContain("bob: 1 pull request");
  });

  it("prints JSON with --json", async () => {
    const { out, cli } = io();
    expect(await runCli(["report", "ACME/web", "--json", "--since=90d"], cli)).toBe(0);
    const parsed = JSON.parse(out.stdout) as { repository: { pullRequests: { total: number } }; people: { authors: Array<{ login: string; cleanHighRiskLandings: number }> } };
    expect(parsed.repository.pullRequests.total).toBe(2);
    expect(parsed.people.authors).toEqual(expect.arrayContaining([expect.objectContaining({ login: "alice", cleanHighRiskLandings: 1 })]));
  });

  it("leaves the people out where the config says people: false", async () => {
    const { out, cli } = io();
    expect(await runCli(["report", "acme/quiet"], cli)).toBe(0);
    expect(out.stdout).toContain("Pull requests opened: 1 (low 0, medium 1, high 0, critical 0; not triaged 0)");
    expect(out.stdout).toContain("People: not reported (people: false in this repository's config).");
    expect(out.stdout).not.toContain("carol");
    const json = io();
    expect(await runCli(["report", "acme/quiet", "--json"], json.cli)).toBe(0);
    expect(JSON.parse(json.out.stdout).people).toEqual({ disabled: true });
  });

  it("says clearly what is wrong: the repository argument, --since, nothing stored, no database", async () => {
    const bad = io();
    expect(await runCli(["report", "acme"], bad.cli)).toBe(2);
    expect(bad.out.stderr).toContain('review-triage report: "acme" is not a repository as owner/repo');
    const none = io();
    expect(await runCli(["report"], none.cli)).toBe(2);
    expect(none.out.stderr).toContain("name the repository, as owner/repo");
    const since = io();
    expect(await runCli(["report", "acme/web", "--since", "3 weeks"], since.cli)).toBe(2);
    expect(since.out.stderr).toContain('--since must be a duration such as 30m, 24h or 90d, got "3 weeks"');
    const missing = io();
    expect(await runCli(["report", "acme/web", "--since"], missing.cli)).toBe(2);
    expect(missing.out.stderr).toContain('--since must be a duration such as 30m, 24h or 90d, got ""');
    const unknown = io();
    expect(await runCli(["report", "acme/nothing-here"], unknown.cli)).toBe(1);
    expect(unknown.out.stderr).toContain("nothing is stored about acme/nothing-here");
    const empty = mkdtempSync(join(tmpdir(), "rt-report-empty-"));
    try {
      const nodb = io({ DATA_DIR: empty });
      expect(await runCli(["report", "acme/web"], nodb.cli)).toBe(2);
      expect(nodb.out.stderr).toContain(`there is no Review Triage database in ${empty} (DATA_DIR)`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const url = io({ DATABASE_URL: "mysql://x" });
    expect(await runCli(["report", "acme/web"], url.cli)).toBe(2);
    expect(url.out.stderr).toContain("DATABASE_URL must be a postgres:// or postgresql:// URL");
  });

  it("says the embedded database is locked while the app has it open", async () => {
    // The app's database process holds DATA_DIR's lock while it runs.
    const running = await openDatabase({ dataDir });
    try {
      const { out, cli } = io();
      expect(await runCli(["report", "acme/web"], cli)).toBe(2);
      expect(out.stderr).toMatch(/the embedded database in .* is locked by a running Review Triage app \(pid \d+\)/);
      expect(out.stderr).toContain("Stop the app");
    } finally {
      await running.close();
    }
    const after = io();
    expect(await runCli(["report", "acme/web"], after.cli)).toBe(0);
  }, 60_000);
});
