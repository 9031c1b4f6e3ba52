/**
 * Benchmark for the history at scale: 100,000 stored pull requests (with their triages, files,
 * review requests, reviews, checklist events and escalations), then
 *
 *   - the review-load query routing runs on every triage (`openRequestLoad`): target < 100 ms;
 *   - the reports the `report` command prints (`buildRepositoryReport` + `buildPeopleReport`)
 *     for the largest repository, over the default 90 days and over the whole history:
 *     target < 2 s.
 *
 * On the embedded database in a temp directory, and on PostgreSQL in a schema of its own
 * (dropped afterwards) when one answers at BENCH_DATABASE_URL (default the local test one).
 * The embedded database is measured as the app runs it: nothing runs ANALYZE on it.
 *
 *   npx tsx bench/history.ts
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import { buildPeopleReport, buildRepositoryReport } from "../src/reports/index.js";
import { HistoryStore } from "../src/storage/history-store.js";
import { bringReportFactsUpToDate } from "../src/storage/report-facts.js";
import { openDatabase, type Database, type Db } from "../src/storage/open-database.js";
import { seededRandom } from "./support/seeded-random.js";

const PULL_REQUESTS = 100_000;
const INSTALLATION = "1";
/** The benchmarked repository holds 40% of the pull requests; four others share the rest. */
const REPOS = [
  { id: "1001", name: "bench/big", share: 0.4 },
  { id: "1002", name: "bench/two", share: 0.15 },
  { id: "1003", name: "bench/three", share: 0.15 },
  { id: "1004", name: "bench/four", share: 0.15 },
  { id: "1005", name: "bench/five", share: 0.15 },
];
const HISTORY_DAYS = 400;
const CHUNK = 1000;
const LOAD_RUNS = 30;
const REPORT_RUNS = 5;
const TARGET_LOAD_MS = 100;
const TARGET_REPORT_MS = 2000;
const DAY = 86_400_000;
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const LEVELS = ["low", "low", "low", "medium", "medium", "medium", "high", "high", "critical"] as const;
const PEOPLE = Array.from({ length: 40 }, (_, i) => `dev${String(i).padStart(2, "0")}`);
const RULES = ["no-eval", "eqeqeq", "no-implied-eval", "no-new-func", "no-unsafe-finally", "no-prototype-builtins"];
const ITEMS = ["Threat model updated", "Rollback plan written", "Migration is reversible", "Docs updated"];

async function seed(db: Db): Promise<void> {
  const random = seededRandom(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const now = Date.now();
  let reviewId = 1;
  const numbers = new Map<string, number>();
  for (const repo of REPOS) {
    await db.insertInto("repositories").values({ repo_id: repo.id, installation_id: INSTALLATION, full_name: repo.name, backfilled_at: new Date(now), people: true, lead_group: "lead" }).execute();
  }
  const cumulative = REPOS.map((r, i) => REPOS.slice(0, i + 1).reduce((s, x) => s + x.share, 0));
  for (let start = 0; start < PULL_REQUESTS; start += CHUNK) {
    const pullRequests = [];
    const files = [];
    const triages = [];
    const requests = [];
    const reviews = [];
    const checklist = [];
    for (let i = start; i < Math.min(PULL_REQUESTS, start + CHUNK); i++) {
      const r = random();
      const repo = REPOS[cumulative.findIndex((c) => r < c)] ?? REPOS[0]!;
      const number = (numbers.get(repo.id) ?? 0) + 1;
      numbers.set(repo.id, number);
      const openedAt = now - random() * HISTORY_DAYS * DAY;
      // Recent pull requests are often still open; older ones are closed, mostly merged.
      const open = now - openedAt < 20 * DAY && random() < 0.5;
      const merged = !open && random() < 0.88;
      const closedAt = open ? null : openedAt + (0.1 + random() * 5) * DAY;
      const level = pick(LEVELS);
      const author = pick(PEOPLE);
      const fix = random() < 0.15;
      pullRequests.push({
        repo_id: repo.id,
        number,
        installation_id: INSTALLATION,
        repo: repo.name,
        author,
        title: fix ? `fix: bug ${number}` : `feat: change ${number}`,
        state: open ? "open" : merged ? "merged" : "closed",
        draft: false,
        head_sha: `sha${i}`,
        level,
        score: Math.floor(random() * 100),
        opened_at: new Date(openedAt),
        ready_at: new Date(openedAt),
        merged_at: merged ? new Date(closedAt!) : null,
        closed_at: closedAt === null ? null : new Date(closedAt),
        fix,
      });
      const paths = new Set<string>();
      while (paths.size < 3) paths.add(`src/${pick(["api", "auth", "core", "ui", "db", "jobs"])}/file${Math.floor(random() * 300)}.ts`);
      for (const path of paths) files.push({ repo_id: repo.id, number, path });
      const triageCount = random() < 0.5 ? 1 : 2;
      for (let t = 0; t < triageCount; t++) {
        const last = t === triageCount - 1;
        const rules: Record<string, number> = random() < 0.2 ? { [pick(RULES)]: 1 + Math.floor(random() * 3) } : {};
        triages.push({
          repo_id: repo.id,
          number,
          head_sha: `sha${i}-${t}`,
          level,
          scored_level: level,
          score: 50,
          likelihood: 0.5,
          factors: JSON.stringify({ size: 0.5, files: 0.1, fix: fix ? 1 : 0 }),
          checklist_missing: JSON.stringify(random() < 0.1 ? [pick(ITEMS)] : []),
          analysis_rules: JSON.stringify(rules),
          approvals_met: last ? random() < 0.9 : false,
          at: new Date(openedAt + t * 3_600_000),
        });
      }
      const reviewers = new Set<string>();
      const wanted = level === "critical" ? 2 : 1 + (random() < 0.3 ? 1 : 0);
      while (reviewers.size < wanted) {
        const who = pick(PEOPLE);
        if (who !== author) reviewers.add(who);
      }
      for (const reviewer of reviewers) {
        const requestedAt = openedAt + random() * 3_600_000;
        // Closed PRs keep some requests nobody answered (they stay pending in the history).
        const answered = open ? random() < 0.3 : random() < 0.85;
        const reviewedAt = answered ? requestedAt + random() * 2 * DAY : null;
        requests.push({
          repo_id: repo.id,
          number,
          reviewer,
          requested_by: "review-triage[bot]",
          by_app: true,
          group_name: level === "high" || level === "critical" ? "lead" : "seniors",
          reason: "least loaded",
          requested_at: new Date(requestedAt),
          removed_at: null,
          removed_by: null,
          reviewed_at: reviewedAt === null ? null : new Date(reviewedAt),
          nudged_at: null,
          reassigned_at: null,
        });
        if (reviewedAt !== null) {
          if (random() < 0.25) reviews.push({ id: reviewId++, repo_id: repo.id, number, reviewer, state: "CHANGES_REQUESTED", commit_id: null, submitted_at: new Date(reviewedAt) });
          reviews.push({ id: reviewId++, repo_id: repo.id, number, reviewer, state: "APPROVED", commit_id: null, submitted_at: new Date(reviewedAt + 3_600_000) });
        }
      }
      if (random() < 0.05) {
        checklist.push({ repo_id: repo.id, number, item_id: "i1", checklist: "Security", item: pick(ITEMS), actor: author, action: "refused", at: new Date(openedAt + 3_600_000) });
      }
    }
    await db.insertInto("pull_requests").values(pullRequests).execute();
    await db.insertInto("pr_files").values(files).execute();
    await db.insertInto("triage_results").values(triages).execute();
    await db.insertInto("review_requests").values(requests).execute();
    await db.insertInto("reviews").values(reviews).execute();
    if (checklist.length) await db.insertInto("checklist_events").values(checklist).execute();
  }
  // One request in thirty was nudged a day after it was made.
  await db
    .insertInto("escalations")
    .columns(["repo_id", "number", "request_id", "reviewer", "kind", "new_reviewer", "at", "done_at"])
    .expression((eb) =>
      eb
        .selectFrom("review_requests")
        .select([
          "repo_id",
          "number",
          "id",
          "reviewer",
          sql.lit("nudge").as("kind"),
          sql<string | null>`null`.as("new_reviewer"),
          sql<Date>`requested_at + interval '1 day'`.as("at"),
          sql<Date>`requested_at + interval '1 day'`.as("done_at"),
        ])
        .where(sql`id % 30`, "=", 0),
    )
    .execute();
}

async function counts(db: Db): Promise<string> {
  const tables = ["pull_requests", "pr_files", "triage_results", "review_requests", "reviews", "checklist_events", "escalations"] as const;
  const parts: string[] = [];
  for (const table of tables) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    parts.push(`${table} ${Number(row.n).toLocaleString("en-US")}`);
  }
  const open = await db.selectFrom("review_requests as rr").innerJoin("pull_requests as p", (j) => j.onRef("p.repo_id", "=", "rr.repo_id").onRef("p.number", "=", "rr.number")).select((eb) => eb.fn.countAll<string>().as("n")).where("p.state", "=", "open").where("rr.reviewed_at", "is", null).executeTakeFirstOrThrow();
  const stale = await db.selectFrom("review_requests as rr").innerJoin("pull_requests as p", (j) => j.onRef("p.repo_id", "=", "rr.repo_id").onRef("p.number", "=", "rr.number")).select((eb) => eb.fn.countAll<string>().as("n")).where("p.state", "!=", "open").where("rr.reviewed_at", "is", null).executeTakeFirstOrThrow();
  return `${parts.join(", ")}; ${Number(open.n).toLocaleString("en-US")} pending requests on open PRs, ${Number(stale.n).toLocaleString("en-US")} left pending on closed ones`;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  await fn(); // warm the caches and the plan
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]! };
}

function verdict(label: string, result: { median: number; max: number }, target: number): boolean {
  const ok = result.median < target;
  console.log(`  ${label.padEnd(44)} median ${result.median.toFixed(1).padStart(8)} ms  max ${result.max.toFixed(1).padStart(8)} ms  target < ${target} ms  ${ok ? "PASS" : "FAIL"}`);
  return ok;
}

async function measure(database: Database, engine: string): Promise<void> {
  console.log(`\n${engine}: seeding ${PULL_REQUESTS.toLocaleString("en-US")} pull requests …`);
  const seeded = performance.now();
  await seed(database.db);
  console.log(`  seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s: ${await counts(database.db)}`);
  // Rows written straight into the tables, as history stored before the report facts existed:
  // filled in the way a start after an upgrade fills them (the app's writes keep them up to date).
  const filled = performance.now();
  await sql`UPDATE report_facts_state SET version = 0`.execute(database.db);
  await bringReportFactsUpToDate(database.db);
  console.log(`  report facts of all ${PULL_REQUESTS.toLocaleString("en-US")} pull requests filled in ${((performance.now() - filled) / 1000).toFixed(1)} s (once, at the first start after an upgrade)`);
  const history = new HistoryStore(database.db);
  const exclude = { repoId: REPOS[0]!.id, number: 1 };
  const load = await time(LOAD_RUNS, () => history.openRequestLoad(INSTALLATION, exclude));
  const reviewers = (await history.openRequestLoad(INSTALLATION, exclude)).size;
  verdict(`load (openRequestLoad, ${reviewers} reviewers)`, load, TARGET_LOAD_MS);
  const until = new Date();
  const report = (days: number) => async () => {
    const options = { owner: "bench", repo: "big", since: new Date(until.getTime() - days * DAY), until };
    const repository = await buildRepositoryReport(database.db, options);
    const people = await buildPeopleReport(database.db, options);
    if ("disabled" in people || repository.pullRequests.total === 0) throw new Error("the report found nothing: the bench is broken");
    return people;
  };
  const sized = await report(HISTORY_DAYS + 1)();
  if (!("disabled" in sized)) console.log(`  report over the whole history: ${sized.authors.length} authors, ${sized.reviewers.length} reviewers`);
  verdict("report, last 90 days (repository + people)", await time(REPORT_RUNS, report(90)), TARGET_REPORT_MS);
  verdict(`report, all ${HISTORY_DAYS} days (repository + people)`, await time(REPORT_RUNS, report(HISTORY_DAYS + 1)), TARGET_REPORT_MS);
}

async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const dir = mkdtempSync(join(tmpdir(), "rt-bench-history-"));
try {
  const embedded = await openDatabase({ dataDir: join(dir, "data") });
  try {
    await measure(embedded, "embedded database (PGlite)");
  } finally {
    await embedded.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (await postgresAvailable()) {
  const schema = `rt_bench_${randomBytes(6).toString("hex")}`;
  const database = await openDatabase({ databaseUrl: POSTGRES_URL, schema, poolSize: 4 });
  try {
    await measure(database, `PostgreSQL (${POSTGRES_URL}, schema ${schema})`);
  } finally {
    await database.executeSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await database.close();
  }
} else {
  console.log(`\nPostgreSQL: not reachable at ${POSTGRES_URL}; skipped (set BENCH_DATABASE_URL to run it)`);
}
