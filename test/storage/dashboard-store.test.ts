import { Migrator, type Kysely, type Migration } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/storage/migrations.js";
import { DashboardSessionStore } from "../../src/storage/dashboard-session-store.js";
import { DashboardStore } from "../../src/storage/dashboard-store.js";
import { HistoryStore } from "../../src/storage/history-store.js";
import type { Database } from "../../src/storage/open-database.js";
import { EMBEDDED, POSTGRES, POSTGRES_URL, postgresAvailable, type Engine } from "../helpers/engines.js";

/** The dashboard's queries and sessions on both engines (PostgreSQL skipped, saying so, when absent). */

const hasPostgres = await postgresAvailable();
if (!hasPostgres) console.warn(`dashboard store: PostgreSQL is not reachable at ${POSTGRES_URL}; its half is skipped (set TEST_DATABASE_URL to run it)`);

const NOW = new Date("2026-03-18T12:00:00Z"); // a Wednesday
const HOUR = 3_600_000;

function suite(engine: Engine) {
  let database: Database;
  beforeAll(async () => {
    database = await engine.open();
    const history = new HistoryStore(database.db);
    const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);
    const pr = async (repoId: number, number: number, level: string | null, openedHoursAgo: number, extra: { draft?: boolean; state?: "open" | "merged" } = {}) => {
      await history.upsertPullRequest({ repoId, number, repo: `o/r${repoId}`, author: "ann", title: `PR ${number}`, state: extra.state ?? "open", draft: extra.draft ?? false, openedAt: at(openedHoursAgo) });
      if (level) await history.recordTriage({ repoId, number, headSha: "h", level, scoredLevel: level, score: 1, likelihood: 0.1, factors: {}, checklistMissing: [], analysisRules: {}, files: [], at: at(openedHoursAgo) });
    };
    await pr(1, 1, "critical", 200);
    await pr(1, 2, "critical", 10);
    await pr(1, 3, "low", 50);
    await pr(1, 4, null, 1);
    await pr(1, 5, "high", 5, { draft: true });
    await pr(1, 6, "medium", 30, { state: "merged" });
    await pr(2, 1, "high", 100);
    // Requests: ben twice on repo 1, cat once; a request on the merged PR does not count as load.
    for (const [number, reviewer, group] of [[1, "ben", "lead"], [2, "ben", "lead"], [3, "cat", "seniors"], [6, "cat", "seniors"]] as const) {
      await history.recordRequest({ repoId: 1, number, reviewer, requestedBy: "bot", byApp: true, group, at: at(number === 6 ? 29 : 4) });
    }
    await history.recordReview({ repoId: 1, number: 6, id: 9001, reviewer: "cat", state: "APPROVED", submittedAt: at(23) });
    await history.recordRequest({ repoId: 2, number: 1, reviewer: "dan", requestedBy: "bot", byApp: true, group: "seniors", at: at(99) });
  });
  afterAll(async () => {
    await engine.drop(database);
  });

  it("counts open, ready PRs by level and age bucket, the most urgent first", async () => {
    const queue = await new DashboardStore(database.db).reviewQueue(["1"], NOW);
    expect(queue.total).toBe(4);
    expect(queue.counts.critical).toEqual({ day: 1, days: 0, week: 0, older: 1 });
    expect(queue.counts.low.days).toBe(1);
    expect(queue.counts.untriaged.day).toBe(1);
    expect(queue.prs.map((p) => p.number)).toEqual([1, 2, 3, 4]);
    expect(queue.prs[0]!.requests.map((r) => r.reviewer)).toEqual(["ben"]);
  });

  it("reads nothing of repositories it is not given", async () => {
    const store = new DashboardStore(database.db);
    expect((await store.reviewQueue([], NOW)).total).toBe(0);
    expect(await store.reviewerLoad([])).toEqual([]);
    expect((await store.reviewQueue(["2"], NOW)).prs.map((p) => p.repo)).toEqual(["o/r2"]);
    expect(await store.reviewerLoad(["1"])).toEqual([
      { reviewer: "ben", open: 2 },
      { reviewer: "cat", open: 1 },
    ]);
  });

  it("sums the weeks: PRs per level, the share routed to a lead, median time to first review", async () => {
    const health = await new DashboardStore(database.db).weeklyHealth(["1"], NOW, ["lead"], 4);
    expect(health.weeks.map((w) => w.toISOString().slice(0, 10))).toEqual(["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]);
    // This week (from Monday 16th): PRs 2, 3, 4, 5, 6; PR 1 opened 200 h ago, on the 10th.
    expect(health.prsPerLevel.critical).toEqual([0, 0, 1, 1]);
    expect(health.prsPerLevel.untriaged[3]).toBe(1);
    expect(health.leadShare).toEqual([null, null, 1, 1 / 5]);
    // PR 6: requested 29 h ago, reviewed 23 h ago.
    expect(health.firstReviewHours.medium[3]).toBeCloseTo(6, 5);
    expect(health.firstReviewHours.critical).toEqual([null, null, null, null]);
  });

  it("keeps sessions until they expire or end", async () => {
    const sessions = new DashboardSessionStore(database.db);
    await sessions.create("h1", { userId: "7", login: "ann", token: "sealed", expiresAt: new Date(NOW.getTime() + HOUR) });
    await sessions.create("h2", { userId: "8", login: "ben", token: "sealed", expiresAt: new Date(NOW.getTime() - HOUR) });
    expect(await sessions.get("h1", NOW)).toMatchObject({ login: "ann", userId: "7" });
    expect(await sessions.get("h2", NOW)).toBeUndefined();
    expect(await sessions.prune(NOW)).toBe(1);
    await sessions.delete("h1");
    expect(await sessions.get("h1", NOW)).toBeUndefined();
  });

  it("runs a migration that arrives after a later one already ran (another change's 0003)", async () => {
    const provider = (m: Record<string, Migration>) => ({ getMigrations: async () => m });
    const late: Record<string, Migration> = {
      ...MIGRATIONS,
      "0003_late": {
        async up(db: Kysely<unknown>) {
          await db.schema.createTable("late_table").addColumn("id", "integer").execute();
        },
      },
    };
    const migrator = new Migrator({ db: database.db as unknown as Kysely<unknown>, provider: provider(late), allowUnorderedMigrations: true, migrationTableSchema: database.schema });
    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => [r.migrationName, r.status])).toEqual([["0003_late", "Success"]]);
    await database.executeSql("DROP TABLE late_table");
    await database.executeSql(`DELETE FROM ${database.schema === "public" ? "" : `${database.schema}.`}kysely_migration WHERE name = '0003_late'`);
  });
}

describe("dashboard store on the embedded database", () => suite(EMBEDDED));
describe.skipIf(!hasPostgres)("dashboard store on PostgreSQL", () => suite(POSTGRES));
